/**
 * The one error family of `@launchgate/fivetran`: every way a Fivetran API
 * call can fail, with the HTTP status and Fivetran's own error code when
 * there is one, the request (credentials never included) and a remediation
 * written for the person reading the report.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * Why a call failed.
 *
 * - `Transport`: no HTTP response (connection refused, reset, timeout).
 * - `Status`: an unexpected HTTP status (5xx after retries, 400, 409, …).
 * - `Decode`: the body is not JSON, or not the shape Fivetran documents.
 * - `Auth`: 401 (bad key/secret) or 403 (the key's role cannot see this).
 * - `RateLimited`: 429 that retrying within the allowed wait did not clear.
 * - `NotFound`: 404 (`NotFound_Connector` and friends).
 * - `Config`: the client's configuration is missing or invalid (names the keys).
 */
export const Reason = Schema.Literal("Transport", "Status", "Decode", "Auth", "RateLimited", "NotFound", "Config")
export type Reason = typeof Reason.Type

/**
 * A failed Fivetran API call.
 *
 * @example
 * Effect.catchTag("FivetranError", (e) => Effect.succeed(Outcome.error(e.message, { remediation: e.remediation })))
 */
export class FivetranError extends Schema.TaggedError<FivetranError>()("FivetranError", {
  reason: Reason,
  message: Schema.String,
  /** What to do about it. */
  remediation: Schema.String,
  method: Schema.String,
  /** The request URL (it never carries credentials: Fivetran auth is a header). */
  url: Schema.String,
  /** The HTTP status, when a response arrived. */
  status: Schema.optional(Schema.Number),
  /** Fivetran's error code from the body, e.g. `NotFound_Connector`, `TooManyRequests`. */
  code: Schema.optional(Schema.String),
  /** Attempts made, retries included. */
  attempts: Schema.optional(Schema.Number),
  /** `Retry-After` of a 429 (or of a 503 whose wait was not honoured), in seconds. */
  retryAfterSeconds: Schema.optional(Schema.Number),
  /** `X-Rate-Limit-Remaining` of the last response. */
  rateLimitRemaining: Schema.optional(Schema.Number),
  /** Milliseconds spent honouring `Retry-After` before giving up. */
  retryAfterWaitedMs: Schema.optional(Schema.Number)
}) {}
