/**
 * Keeps secrets out of reports, logs and error messages.
 *
 * Three layers: values registered as secrets (every `Redacted` a launchgate
 * client is given is registered when the client is built) are replaced
 * wherever they appear, also in their JSON-escaped and URL-encoded forms;
 * strings shaped like common credentials (bearer tokens, Basic credentials,
 * passwords in URLs, Stripe, Google, AWS, GitHub, Slack and npm keys, private
 * keys, JWTs, `password=…` pairs, URL query values whose parameter names a
 * secret) are masked even when nobody registered them; and in JSON evidence,
 * values under keys that name a secret are masked whatever they look like.
 *
 * The rule for keys: mask values, not the names of resources. A report that
 * says `secret: <redacted>` about a Secret Manager reference hides which
 * secret is meant, and the name was never the secret.
 * - Keys that only ever hold a secret value — the key (separators and case
 *   ignored) ends with `password`, `passwd`, `passphrase`, `pwd`, `token`,
 *   `apikey`, `privatekey`, `secretkey`, `accesskey`, `authorization`,
 *   `cookie`, `credential(s)`, or a value-only secret (`clientSecret`,
 *   `webhookSecret`, `apiSecret`, `signingSecret`, `sharedSecret`,
 *   `consumerSecret`, `appSecret`) — are masked whatever the value.
 * - Keys that may hold either — `secret` (also `db_secret`) and `key` — keep
 *   a string that reads as a reference: the version alias `latest`, a
 *   resource path (`projects/p/secrets/db-pass`, an ARN), or a name of two
 *   words or more (`db-pass`, `STRIPE_KEY`, `stripeApiKey`, `key-2024`).
 *   Anything else — a single word (`letmein`), a number, a random-looking
 *   string (`hunter2xyz`) — is masked. A password written as separated words
 *   (`correct-horse-battery`) under such a key would be shown: register it,
 *   as every launchgate client does with the secrets it is given.
 * - Names of resources (`secretName`, `secretRef`, `secretKeyRef`,
 *   `secretId`) are not secret keys at all.
 * Every value that is shown still goes through the first two layers, so a
 * registered secret or a credential shape is masked under any key.
 *
 * Reporters scrub the report before formatting it and their final output
 * again: escaping (JSON, XML, Markdown) changes how a secret is spelled, so
 * the first pass catches it as written and the second catches anything a
 * formatter assembled.
 *
 * @since 0.1.0
 */
import * as Redacted from "effect/Redacted"
import { isSecretName } from "./internal/redactUrl.js"
import type { Json } from "./Outcome.js"

/** What replaces a secret. */
export const MASK = "<redacted>"

// Process-wide on purpose: a secret registered by any client must never be
// printed by any reporter, whichever run or module produced the text. Kept on
// globalThis so that two copies of this module (the built CLI and a gate loaded
// from source, or two installed versions) still share one registry.
interface Registry {
  readonly values: Set<string>
  // Longest first, so a secret that contains another is masked whole, not around the shorter one.
  ordered: ReadonlyArray<string>
}
const REGISTRY_KEY = Symbol.for("@launchgate/core/Redaction/registry")
const shared = (globalThis as { [REGISTRY_KEY]?: Registry })
const state: Registry = (shared[REGISTRY_KEY] ??= { values: new Set<string>(), ordered: [] })
const registry = state.values

/**
 * Register a secret value (or a `Redacted`) so it is masked wherever it
 * appears. Values shorter than 6 characters are ignored: masking them would
 * shred ordinary text and they are not credentials anyway.
 *
 * @example
 * Redaction.register(apiKey) // a Redacted<string>
 * Redaction.scrub(`calling with ${Redacted.value(apiKey)}`) // "calling with <redacted>"
 */
export const register = (secret: string | Redacted.Redacted<string>): void => {
  const value = Redacted.isRedacted(secret) ? Redacted.value(secret) : secret
  if (typeof value !== "string" || value.length < 6) return
  // The spellings a value takes once it is embedded in JSON text or a URL.
  for (const variant of [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]) registry.add(variant)
  state.ordered = [...registry].sort((a, b) => b.length - a.length)
}

/** Forget every registered secret (tests). */
export const clearRegistry = (): void => {
  registry.clear()
  state.ordered = []
}

// Key names whose value is a secret, as they appear in `key=value`, `key: value` and JSON text.
const SECRET_NAMES =
  "api[_-]?key|api[_-]?secret|apikey|client[_-]?secret|access[_-]?token|refresh[_-]?token|auth[_-]?token|id[_-]?token|" +
  "access[_-]?key|secret[_-]?key|private[_-]?key|password|passwd|passphrase|secret|token|cookie"

// A quoted value (JSON-escaped quotes allowed) or a bare one. `<` ends a bare value so a mask or markup is left
// alone; JSON literals, arrays and objects are not values to mask (masking them would break the JSON around them).
const keyValue = new RegExp(
  `(?<![A-Za-z0-9])((?:${SECRET_NAMES})["']?\\s*[:=]\\s*)` +
    `(?:"((?:[^"\\\\\\n]|\\\\.)+)"|'([^'\\n]+)'|(?!(?:true|false|null)\\b|[[{])([^\\s"'&,;}<]{4,}))`,
  "gi"
)

const PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // PEM and PGP private keys, whole block (to the end of the text when the END line is missing).
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----|$)/g, MASK],
  // Authorization header values, also URL-encoded (`Bearer%20…`).
  [/\b(Bearer|Basic|Token)(\s+|%20)[A-Za-z0-9\-._~+/]{8,}=*/gi, `$1$2${MASK}`],
  // Passwords in URLs: scheme://user:password@host. The password runs to the last `@` before the path, as a URL
  // parser reads it (a password may contain `@`).
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"'<>]*:)[^\s/"'<>]+@/gi, `$1${MASK}@`],
  // Stripe keys and webhook secrets; OpenAI/Anthropic-style `sk-` keys.
  [/(?<![A-Za-z0-9])(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{8,}/g, MASK],
  [/(?<![A-Za-z0-9])whsec_[A-Za-z0-9+/=]{8,}/g, MASK],
  [/(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{20,}/g, MASK],
  // Google OAuth access tokens and API keys.
  [/\bya29\.[A-Za-z0-9\-_.]{10,}/g, MASK],
  [/\bAIza[0-9A-Za-z\-_]{35}/g, MASK],
  // AWS access key ids.
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, MASK],
  // GitHub, Slack and npm tokens.
  [/(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{20,}/g, MASK],
  [/(?<![A-Za-z0-9])github_pat_[A-Za-z0-9_]{20,}/g, MASK],
  [/(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}/g, MASK],
  [/(?<![A-Za-z0-9])npm_[A-Za-z0-9]{36}/g, MASK]
]

// JSON Web Tokens (kept apart: applied after the key=value pass, which may already have caught them).
const JWT = /\beyJ[A-Za-z0-9\-_]{8,}\.eyJ[A-Za-z0-9\-_]{8,}\.[A-Za-z0-9\-_]{8,}/g

/**
 * Mask registered secrets and credential-shaped strings in a text.
 *
 * @example
 * Redaction.scrub("Authorization: Bearer abc.def.ghi-123456") // "Authorization: Bearer <redacted>"
 */
export const scrub = (text: string): string => {
  // Evidence repeats the same short strings (keys, states, names) thousands of times per run: scrub each once
  // per registry. A new registration replaces `state.ordered`, which empties the memo.
  if (memoFor !== state.ordered) {
    memo.clear()
    memoFor = state.ordered
  }
  const known = memo.get(text)
  if (known !== undefined) return known
  const out = scrubText(text)
  if (text.length <= MEMO_MAX_LENGTH) {
    if (memo.size >= MEMO_MAX_ENTRIES) memo.clear()
    memo.set(text, out)
  }
  return out
}

const MEMO_MAX_LENGTH = 256
const MEMO_MAX_ENTRIES = 50_000
const memo = new Map<string, string>()
let memoFor: ReadonlyArray<string> = state.ordered

const scrubText = (text: string): string => {
  let out = text
  for (const secret of state.ordered) {
    out = out.split(secret).join(MASK)
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement)
  out = out.replace(queryPair, (all, prefix: string, name: string, value: string) =>
    // `redacted` is what scrubUrl already wrote there.
    value !== "redacted" && isSecretName(name) ? `${prefix}${MASK}` : all
  )
  out = out.replace(keyValue, (all: string, prefix: string, doubleQ?: string, singleQ?: string, bare?: string) => {
    // The pattern's value is one of three alternatives, so one of the three is set.
    const value = (doubleQ ?? singleQ ?? bare)!
    if (AMBIGUOUS_NAME.test(prefix) && isReference(value)) return all
    return doubleQ !== undefined
      ? `${prefix}"${MASK}"`
      : singleQ !== undefined
      ? `${prefix}'${MASK}'`
      : `${prefix}${MASK}`
  })
  return out.replace(JWT, MASK)
}

// `?name=value` and `&name=value` (URLs, form bodies): the parameter name decides, with the matcher scrubUrl uses.
// The value stops at `<` so a mask is left alone.
const queryPair = /([?&]([^=&#?\s"'<>]+)=)([^\s&#"'<>]+)/g
// In the text pass, only the bare `secret` may name a reference (`api_secret`, `client_secret` hold values).
const AMBIGUOUS_NAME = /^secret["']?\s*[:=]/i

// The version alias `latest`; a path or ARN of names (`projects/p/secrets/db-pass/versions/3`); or a name of two
// words or more (`db-pass`, `STRIPE_KEY`, `stripeApiKey`, `key-2024`). A single word (`letmein`, `abcdefgh`), a
// number or a random-looking string (`hunter2xyz`) is not: those are what passwords look like.
// Unambiguous on purpose (each hump starts with a capital): nested free repetition here would backtrack
// exponentially on a long run of letters that is not a name.
const WORD = "(?:(?:[A-Z]?[a-z]+(?:[A-Z][a-z]+)*|[A-Z]+)[0-9]*|[0-9]+)"
const NAME = `${WORD}(?:[-_.]${WORD})*`
const PATH = new RegExp(`^${NAME}(?:[/:]+${NAME})+$`)
const MULTI_WORD_NAME = new RegExp(`^(?=.*(?:[-_.]|[a-z][A-Z]))${NAME}$`)

/** Does a value under a `secret` or `key` key read as the name of a resource rather than a secret value? */
const isReference = (value: string): boolean =>
  value.length <= 255 && (value === "latest" || PATH.test(value) || MULTI_WORD_NAME.test(value))

// Normalised key names (lower case, no separators) that only ever hold a secret value: `apiKey`, `X-Auth-Token`.
const VALUE_KEY = new RegExp(
  "(?:password|passwd|passphrase|pwd|token|apikey|privatekey|secretkey|accesskey|authorization|cookie|credentials?|" +
    "(?:client|webhook|api|signing|shared|consumer|app)secret)$"
)
// Keys that hold a secret or the name of one (`secret`, `dbSecret`, `key`).
const AMBIGUOUS_KEY = /(?:secret|^key)$/

/** How the values under a key are treated: scrubbed text, masked unless a reference, or masked. */
type Mode = "text" | "reference" | "value"

const keyMode = (key: string, inherited: Mode): Mode => {
  if (inherited === "value") return "value"
  const normalised = key.toLowerCase().replace(/[^a-z0-9]/g, "")
  return VALUE_KEY.test(normalised) ? "value" : AMBIGUOUS_KEY.test(normalised) ? "reference" : inherited
}

/**
 * Scrub every string inside a JSON value (keys included). String and number
 * values under a key that holds a secret value (`password`, `apiKey`,
 * `accessToken`, …) are masked outright, and under `secret` or `key` unless
 * they read as a reference (see the module notes); booleans and `null` are
 * kept, since "is a password set?" is evidence, not a secret.
 */
export const scrubJson = <A extends Json>(value: A): A => scrubInner(value, "text") as A

const scrubInner = (value: Json, mode: Mode): Json => {
  if (typeof value === "string") {
    if (value.length === 0 || mode === "text" || (mode === "reference" && isReference(value))) return scrub(value)
    return MASK
  }
  // A number under `secret` or `key` is no resource name: masked like a value.
  if (typeof value === "number") return mode === "text" ? value : MASK
  if (Array.isArray(value)) return value.map((v) => scrubInner(v, mode))
  if (value !== null && typeof value === "object") {
    const out: Record<string, Json> = {}
    // Keys, not entries: no pair array per key (a report's evidence holds thousands of small objects).
    const record = value as Record<string, Json>
    for (const k of Object.keys(record)) out[scrub(k)] = scrubInner(record[k]!, keyMode(k, mode))
    return out
  }
  return value
}
