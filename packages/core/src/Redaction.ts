/**
 * Keeps secrets out of reports, logs and error messages.
 *
 * Two layers: values registered as secrets (every `Redacted` a launchgate
 * client is given is registered when the client is built) are replaced
 * wherever they appear, and strings shaped like common credentials (bearer
 * tokens, Basic credentials, Stripe and Google keys, private keys, JWTs) are
 * masked even when nobody registered them.
 *
 * @since 0.1.0
 */
import { Redacted } from "effect"
import type { Json } from "./Outcome.js"

/** What replaces a secret. */
export const MASK = "<redacted>"

// Process-wide on purpose: a secret registered by any client must never be
// printed by any reporter, whichever run or module produced the text.
const registry = new Set<string>()

/**
 * Register a secret value (or a `Redacted`) so it is masked wherever it
 * appears. Values shorter than 6 characters are ignored: masking them would
 * shred ordinary text and they are not credentials anyway.
 */
export const register = (secret: string | Redacted.Redacted<string>): void => {
  const value = Redacted.isRedacted(secret) ? Redacted.value(secret) : secret
  if (value.length >= 6) registry.add(value)
}

/** Forget every registered secret (tests). */
export const clearRegistry = (): void => registry.clear()

const PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // PEM private keys, whole block.
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, MASK],
  // Authorization header values.
  [/\b(Bearer|Basic|Token)\s+[A-Za-z0-9\-._~+/]{8,}=*/gi, `$1 ${MASK}`],
  // Stripe keys and webhook secrets.
  [/\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{8,}\b/g, MASK],
  [/\bwhsec_[A-Za-z0-9+/=]{8,}/g, MASK],
  // Google OAuth access tokens and API keys.
  [/\bya29\.[A-Za-z0-9\-_.]{10,}/g, MASK],
  [/\bAIza[0-9A-Za-z\-_]{35}\b/g, MASK],
  // AWS access key ids.
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, MASK],
  // GitHub tokens.
  [/\bgh[pousr]_[A-Za-z0-9]{20,}\b/g, MASK],
  // JSON Web Tokens.
  [/\beyJ[A-Za-z0-9\-_]{8,}\.eyJ[A-Za-z0-9\-_]{8,}\.[A-Za-z0-9\-_]{8,}/g, MASK],
  // key=value pairs whose key names a secret.
  [/\b((?:api[_-]?key|api[_-]?secret|client[_-]?secret|access[_-]?token|refresh[_-]?token|password|passwd|secret)["']?\s*[:=]\s*["']?)([^\s"'&,;}]{4,})/gi, `$1${MASK}`]
]

/** Mask registered secrets and credential-shaped strings in a text. */
export const scrub = (text: string): string => {
  let out = text
  for (const secret of registry) {
    if (out.includes(secret)) out = out.split(secret).join(MASK)
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement)
  return out
}

/** Scrub every string inside a JSON value (keys included). */
export const scrubJson = <A extends Json>(value: A): A => scrubInner(value) as A

const scrubInner = (value: Json): Json => {
  if (typeof value === "string") return scrub(value)
  if (Array.isArray(value)) return value.map(scrubInner)
  if (value !== null && typeof value === "object") {
    const out: Record<string, Json> = {}
    for (const [k, v] of Object.entries(value)) out[scrub(k)] = scrubInner(v as Json)
    return out
  }
  return value
}
