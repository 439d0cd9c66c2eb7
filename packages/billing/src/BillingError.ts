/**
 * The one error family of `@launchgate/billing`: core's vendor error shape
 * (`VendorError.fields`: `vendor`, a shared kebab-case `reason`, `status`,
 * `code`, `method`/`url`, `attempts`, `retryAfter`, `remediation`, …) plus
 * what only a billing provider has: Stripe's request id, error type, decline
 * code, the permission a restricted key lacks, the time spent waiting for
 * `Retry-After`, and Stripe's own verdict on retrying. The runner turns it
 * into an `error` outcome with every field as evidence: it never becomes a pass.
 *
 * @since 0.1.0
 */
import { VendorError } from "@launchgate/core"
import * as Schema from "effect/Schema"

/** Why a billing read failed: core's shared reasons (`VendorError.Reason`). */
export const Reason = VendorError.Reason
export type Reason = VendorError.Reason

/** A failure to read the billing provider (or to set its client up). */
export class BillingError extends Schema.TaggedError<BillingError>()("BillingError", {
  ...VendorError.fields,
  /** The provider's request id (Stripe's `Request-Id` header), for its support team. */
  requestId: Schema.optional(Schema.String),
  /** The provider's error type (Stripe: `api_error`, `invalid_request_error`, …). */
  errorType: Schema.optional(Schema.String),
  /** A card decline code, when the provider sent one (Stripe `decline_code`). */
  declineCode: Schema.optional(Schema.String),
  /** The permission a restricted key lacks, when the provider names it (`rak_webhook_read`). */
  permission: Schema.optional(Schema.String),
  /** Milliseconds spent waiting for the provider's `Retry-After` before the last attempt. */
  waitedMs: Schema.optional(Schema.Number),
  /** The provider's own verdict on retrying (Stripe's `Stripe-Should-Retry` header), when given. */
  retryable: Schema.optional(Schema.Boolean)
}) {}

/** Is this value a {@link BillingError}? */
export const isBillingError = Schema.is(BillingError)
