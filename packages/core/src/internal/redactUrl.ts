/**
 * Which parameter names carry a secret, and URLs with those values masked.
 *
 * One matcher, compiled once at module load, decides for URL query
 * parameters (here) and for `?name=value` / `&name=value` pairs in any text
 * (`Redaction.scrub`), so a URL is masked the same way wherever it is printed.
 *
 * The rule: a name is secret when one of its words (split at `_`, `-`, `.`,
 * other separators and camelCase humps, case-insensitive) ends with a secret
 * word: key, secret, token, pass / password / passwd / passphrase / passcode,
 * pwd, salt, cred / credential, private, dsn, session, sig / signature, hmac,
 * auth / authorization, cookie, jwt, otp, sessid (plural and a glued `id` allowed:
 * `sessionid`, `apikey`, `dbpass`, `X-Amz-Signature`), or the whole name is
 * `code` (an OAuth authorization code). Over-matching a word that merely ends
 * like one (`monkey`, `compass`) costs a masked value; under-matching leaks.
 *
 * Exceptions, because their value identifies a key rather than being one:
 * `key_id` / `keyId` (`aws_access_key_id`, `kms_key_id`), `kid`,
 * `public_key`, `publishable_key`, `pubkey`, and `lookup_key` (a Stripe price's public name:
 * https://docs.stripe.com/api/prices/list#list_prices-lookup_keys).
 */

const SECRET_WORD =
  "[a-z0-9]*(?:key|secret|token|pass(?:word|wd|phrase|code)?|pwd|salt|cred(?:ential)?|private|dsn|session|" +
  "sig(?:nature)?|hmac|auth(?:orization)?|cookie|jwt|otp|sessid)s?(?:id)?"
// Names are normalised to `_word_word_` first, so a word is always framed by underscores.
const SECRET_NAME = new RegExp(`^_code_$|_${SECRET_WORD}_`)
const NOT_SECRET = /_(?:key_?ids?|kid|(?:public|publishable|lookup)_?keys?|pubkeys?)(?=_)/g
const CAMEL = /([a-z0-9])([A-Z])|([A-Z]+)([A-Z][a-z])/g
const SEPARATORS = /[^a-z0-9]+/g

/** `X-Amz-Signature` → `_x_amz_signature_`, `apiKey` → `_api_key_`. */
const normalise = (name: string): string =>
  `_${name.replace(CAMEL, "$1$3_$2$4").toLowerCase().replace(SEPARATORS, "_")}_`

// The answer for each name seen: the same few parameter names (pageSize, pageToken, limit, …) come back on every
// request of a run, and deciding one costs four regular-expression passes. A pure function of the name, so the
// memo can never be stale; it is bounded, and emptied when full.
const decided = new Map<string, boolean>()
const DECIDED_MAX = 10_000

/** Does a parameter (query, form field, `name=value` pair) name look like it carries a secret? */
export const isSecretName = (name: string): boolean => {
  const known = decided.get(name)
  if (known !== undefined) return known
  const secret = SECRET_NAME.test(normalise(name).replace(NOT_SECRET, ""))
  if (decided.size >= DECIDED_MAX) decided.clear()
  decided.set(name, secret)
  return secret
}

/** Does a query-string parameter name look like it carries a credential? */
export const isSensitiveQueryKey = (key: string): boolean => isSecretName(key)

/** A URL as text, with userinfo and credential-like query parameters redacted. */
export const scrubUrl = (url: URL | string): string => {
  // A parsed URL with nothing to mask is its own text: no copy to parse (the transport scrubs every response's URL).
  if (typeof url !== "string" && url.username === "" && url.password === "" && ![...url.searchParams.keys()].some(isSecretName)) {
    return url.href
  }
  let parsed: URL
  try {
    parsed = new URL(url.toString())
  } catch {
    // Not a URL, but it may still hold userinfo or a credential parameter. The userinfo runs to the last `@`
    // before the path, as a URL parser reads it (a password may contain `@`).
    return String(url)
      .replace(/\/\/[^/\s]*@/g, "//redacted@")
      .replace(/([?&])([^=&#\s]+)=([^&#\s]*)/g, (all, sep: string, key: string) =>
        isSecretName(key) ? `${sep}${key}=redacted` : all
      )
  }
  if (parsed.username || parsed.password) {
    parsed.username = parsed.username ? "redacted" : ""
    parsed.password = ""
  }
  for (const key of [...parsed.searchParams.keys()]) {
    if (isSecretName(key)) parsed.searchParams.set(key, "redacted")
  }
  return parsed.toString()
}
