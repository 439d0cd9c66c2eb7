/**
 * Which env vars of a Cloud Run container look like credentials: by name (a secret word anywhere in
 * it, with a few documented exceptions) or by the shape of the value. Only names are ever reported.
 *
 * @internal
 */
import { Redaction } from "@launchgate/core"
import type { Service } from "./schemas.js"

/**
 * Words that make a name secret wherever they stand (`DB_PASS`, `API_KEY_PROD`, `SIGNING_SALT`).
 * Whole words of the name, which splits on `_`, `-`, `.` and camelCase.
 */
export const SECRET_WORDS: ReadonlyArray<string> = [
  "KEY", "APIKEY", "SECRET", "SECRETS", "TOKEN", "TOKENS", "PASS", "PASSWD", "PASSWORD", "PASSPHRASE", "PWD", "SALT",
  "PEPPER", "CREDENTIAL", "CREDENTIALS", "CREDS", "PRIVATE", "DSN", "SIGNATURE", "HMAC", "COOKIE"
]

/** Secret words that may also be glued inside a word (`DBPASSWORD`, `GITHUBTOKEN`). */
const GLUED = /PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|APIKEY|PRIVATEKEY/

/**
 * Names with a secret word that hold no secret: key ids (`AWS_ACCESS_KEY_ID`), public and publishable
 * keys, and names of files, paths, URLs or settings about a secret rather than the secret.
 */
export const NOT_SECRET: ReadonlyArray<RegExp> = [
  /(^|_)KEY_ID$/,
  /(^|_)(PUBLIC|PUBLISHABLE)_KEY($|_)/,
  /_(ID|PATH|FILE|DIR|NAME|URL|URI|ENDPOINT|HEADER|TTL|TIMEOUT|EXPIRY|LENGTH|ALGORITHM|ALG|VERSION|REGION|TYPE|ENABLED)$/
]

/**
 * Values that are credentials whatever their name: Stripe secret and restricted keys, webhook signing
 * secrets, Google API keys, GitHub and Slack tokens, PEM private keys, URLs carrying a password. Core's
 * `Redaction` patterns (JWTs, AWS keys, bearer tokens, …) count too.
 */
export const SECRET_VALUES: ReadonlyArray<RegExp> = [
  /(?<![A-Za-z0-9])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{8,}/,
  /(?<![A-Za-z0-9])whsec_[A-Za-z0-9+/=]{8,}/,
  /\bAIza[0-9A-Za-z\-_]{30,}/,
  /(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{20,}/,
  /(?<![A-Za-z0-9])github_pat_[A-Za-z0-9_]{20,}/,
  /(?<![A-Za-z0-9])xox[a-z]-[A-Za-z0-9-]{10,}/,
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY/,
  /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:[^\s@/]+@/i
]

const words = (name: string): ReadonlyArray<string> =>
  name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase().split(/[^A-Z0-9]+/).filter((w) => w !== "")

/** Does the name say the value is a secret? */
export const secretName = (name: string): boolean => {
  const upper = words(name).join("_")
  if (NOT_SECRET.some((re) => re.test(upper))) return false
  return words(name).some((w) => SECRET_WORDS.includes(w) || GLUED.test(w))
}

/** Does the value look like a credential, whatever the name? */
export const secretValue = (value: string): boolean =>
  SECRET_VALUES.some((re) => re.test(value)) || Redaction.scrub(value) !== value

/** An env var carrying a literal secret: only its name and why it looks secret, never the value. */
export interface LiteralSecret {
  readonly container: string
  readonly env: string
  readonly why: string
}

/**
 * The env vars of a service's containers that carry literal secrets (by name or by value shape, except
 * `allow`ed names), and how many come from Secret Manager. Each literal value is registered with
 * `Redaction`, so it is masked everywhere from now on, in case it surfaces in some other text.
 */
export const literalSecrets = (
  service: Service,
  isSecretName: (name: string) => boolean,
  allow: ReadonlySet<string>
): { readonly literal: ReadonlyArray<LiteralSecret>; readonly fromSecrets: number } => {
  const literal: Array<LiteralSecret> = []
  let fromSecrets = 0
  for (const [i, c] of (service.template?.containers ?? []).entries()) {
    for (const env of c.env ?? []) {
      if (env.valueSource?.secretKeyRef) {
        fromSecrets++
        continue
      }
      if (env.value === undefined || env.value === "" || allow.has(env.name)) continue
      const byName = isSecretName(env.name)
      if (!byName && !secretValue(env.value)) continue
      Redaction.register(env.value)
      const why = byName ? "name looks secret; literal value (not shown)" : "literal value looks like a credential (not shown)"
      literal.push({ container: c.name ?? String(i), env: env.name, why })
    }
  }
  return { literal, fromSecrets }
}
