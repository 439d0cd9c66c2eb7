/**
 * The one error family of `@launchgate/fivetran`: core's vendor error shape
 * ({@link VendorError.fields}: `reason`, `status`, Fivetran's `code`,
 * `attempts`, `retryAfter`, a remediation, …) under the tag `FivetranError`,
 * plus the two things only Fivetran reports: its rate-limit budget and the
 * time spent honouring its `Retry-After`.
 *
 * @since 0.1.0
 */
import { VendorError } from "@launchgate/core"
import * as Schema from "effect/Schema"

/**
 * A failed Fivetran API call. `reason` is one of core's
 * {@link VendorError.Reason}s (`unauthenticated`, `not-found`, `rate-limited`, …).
 *
 * @example
 * Effect.catchTag("FivetranError", (e) => Effect.succeed(Outcome.error(e.message, { remediation: e.remediation })))
 */
export class FivetranError extends Schema.TaggedError<FivetranError>()("FivetranError", {
  ...VendorError.fields,
  /** `X-Rate-Limit-Remaining` of the last response. */
  rateLimitRemaining: Schema.optional(Schema.Number),
  /** Milliseconds spent honouring `Retry-After` before giving up. */
  retryAfterWaitedMs: Schema.optional(Schema.Number)
}) {}

/**
 * Fivetran's own statuses and codes, consulted before HTTP's meaning
 * (https://fivetran.com/docs/rest-api/getting-started/api-response-codes): 429 is
 * its `TooManyRequests` quota, whatever status a proxy puts around it.
 */
export const table: VendorError.Table = {
  codes: { TooManyRequests: "rate-limited" }
}
