/**
 * Fivetran webhook signatures, for receivers to use and for the
 * `fivetran.webhook.receiver` check to prove: header
 * `X-Fivetran-Signature-256`, the hex HMAC-SHA256 of the raw request body
 * keyed with the webhook's secret.
 *
 * Fivetran's own sample receivers compare upper-case hex and a third-party
 * capture shows lower-case, so {@link verify} accepts either case. It
 * compares in constant time.
 *
 * Plain functions, no Effect needed.
 *
 * @example
 * // In an Express receiver (use the raw body, not re-serialised JSON):
 * if (!WebhookSignature.verify(req.rawBody, process.env.FIVETRAN_WEBHOOK_SECRET!, req.get(WebhookSignature.HEADER))) {
 *   return res.sendStatus(401)
 * }
 *
 * @since 0.1.0
 */
import * as Redacted from "effect/Redacted"
import { createHmac, timingSafeEqual } from "node:crypto"

/** The signature header (HTTP header names are case-insensitive). */
export const HEADER = "X-Fivetran-Signature-256"

type Secret = string | Redacted.Redacted<string>

const secretValue = (secret: Secret): string => (Redacted.isRedacted(secret) ? Redacted.value(secret) : secret)

/**
 * The signature of a raw body: hex HMAC-SHA256 keyed with the secret.
 * Lower-case by default; Fivetran's samples use upper-case.
 */
export const sign = (
  body: string | Uint8Array,
  secret: Secret,
  options: { readonly case?: "lower" | "upper" } = {}
): string => {
  const hex = createHmac("sha256", secretValue(secret)).update(body).digest("hex")
  return options.case === "upper" ? hex.toUpperCase() : hex
}

/**
 * Does `signature` (the header value) sign `body` with `secret`? Accepts
 * either hex case; `false` for a missing, malformed or wrong signature.
 * Constant-time in the signature's content.
 */
export const verify = (
  body: string | Uint8Array,
  secret: Secret,
  signature: string | ReadonlyArray<string> | null | undefined
): boolean => {
  const value = typeof signature === "string" ? signature : signature?.[0]
  if (value === undefined || value === null) return false
  const given = value.trim().toLowerCase()
  if (!/^[0-9a-f]{64}$/.test(given)) return false
  const expected = Buffer.from(sign(body, secret), "hex")
  return timingSafeEqual(expected, Buffer.from(given, "hex"))
}
