/**
 * The one error family of `@launchgate/billing`. Every failure to read the
 * billing provider (or to set its client up) is a {@link BillingError} with a
 * `reason`, the HTTP status when there is one, the request (method and path,
 * never credentials) and a remediation written for the person reading the
 * report. Checks turn it into an `error` outcome: it never becomes a pass.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/** Why a billing read failed. */
export const Reason = Schema.Literal(
  /** The client is misconfigured (bad key shape, publishable key, bad option); `path` names the field. */
  "Config",
  /** The provider rejected the credentials (401). */
  "Auth",
  /** The key is valid but may not read this resource (403, restricted key without the permission). */
  "Permission",
  /** Still rate limited (429) after every retry. */
  "RateLimited",
  /** No response: connection refused or reset, timeout. */
  "Transport",
  /** Any other non-2xx answer. */
  "Status",
  /** The answer was not the expected shape (malformed JSON, unknown enum value, missing field). */
  "Decode",
  /** The resource does not exist (404). */
  "NotFound",
  /** An object's `livemode` contradicts the key's mode. */
  "ModeMismatch"
)
export type Reason = typeof Reason.Type

/** A failure to read the billing provider. */
export class BillingError extends Schema.TaggedError<BillingError>()("BillingError", {
  reason: Reason,
  message: Schema.String,
  /** The provider, e.g. `stripe`. */
  provider: Schema.String,
  /** The HTTP status, when a response arrived. */
  status: Schema.optional(Schema.Number),
  /** `METHOD /path` of the failing request (no query string, no credentials). */
  request: Schema.optional(Schema.String),
  /** The provider's request id, for its support team. */
  requestId: Schema.optional(Schema.String),
  /** The permission a restricted key lacks, when the provider names it. */
  permission: Schema.optional(Schema.String),
  /** For `Config` errors: the path of the bad option. */
  path: Schema.optional(Schema.String),
  /** Attempts made, retries included. */
  attempts: Schema.optional(Schema.Number),
  /** Milliseconds spent waiting for the provider's `Retry-After` before the last attempt. */
  waitedMs: Schema.optional(Schema.Number),
  /** The transport's error code (`ECONNRESET`, `DEPTH_ZERO_SELF_SIGNED_CERT`, `LG_BODY_TOO_LARGE` …). */
  code: Schema.optional(Schema.String),
  /** A server-requested delay before retrying, in milliseconds. */
  retryAfterMs: Schema.optional(Schema.Number),
  /** The provider's own verdict on retrying (Stripe's `Stripe-Should-Retry` header), when given. */
  retryable: Schema.optional(Schema.Boolean),
  remediation: Schema.String
}) {}

/** Is this value a {@link BillingError}? */
export const isBillingError = Schema.is(BillingError)
