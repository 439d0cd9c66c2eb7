/**
 * The one error family of `@launchgate/gcp`. Every failure of the client
 * (transport, HTTP status, undecodable body, credentials, configuration) is a
 * {@link GcpError} with a `reason`, the HTTP status when there is one, the
 * request with credentials left out, and a remediation written for the person
 * reading the report. The runner turns it into an `error` outcome: a check
 * that could not read never passes.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/** Why a request failed. */
export const Reason = Schema.Literal(
  /** No response: connection refused, reset, timed out. */
  "Transport",
  /** An HTTP error status other than the ones below. */
  "Status",
  /** The response was not JSON, or not the shape the API documents. */
  "Decode",
  /** 401 (no or bad credentials) or 403 (missing role, API disabled). */
  "Auth",
  /** 429 after the retries ran out. */
  "RateLimited",
  /** 404: the named resource does not exist (or is not visible). */
  "NotFound",
  /** The client or check was configured wrongly; `path` names the field. */
  "Config"
)
export type Reason = typeof Reason.Type

/**
 * A failed Google Cloud call or a bad configuration.
 *
 * @example
 * Effect.catchTag("GcpError", (e) => e.reason === "NotFound" ? Effect.succeed(undefined) : Effect.fail(e))
 */
export class GcpError extends Schema.TaggedError<GcpError>("@launchgate/gcp/GcpError")("GcpError", {
  reason: Reason,
  message: Schema.String,
  /** What to do about it. */
  remediation: Schema.String,
  /** `run`, `secretManager`, `monitoring` or `budgets`. */
  api: Schema.optional(Schema.String),
  method: Schema.optional(Schema.String),
  /** The request URL (no credentials: the token travels in a header that is never recorded). */
  url: Schema.optional(Schema.String),
  status: Schema.optional(Schema.Number),
  /** The `google.rpc.Code` name from the error body, e.g. `PERMISSION_DENIED`. */
  grpcStatus: Schema.optional(Schema.String),
  /** The resource the request was about. */
  resource: Schema.optional(Schema.String),
  /** The least-privilege role that grants the request. */
  role: Schema.optional(Schema.String),
  /** The missing IAM permission, when the error names it. */
  permission: Schema.optional(Schema.String),
  attempts: Schema.optional(Schema.Number),
  /** Milliseconds slept before giving up because the server asked (`Retry-After`, RetryInfo). */
  waitedMs: Schema.optional(Schema.Number),
  /** A wait the server asked for that launchgate declined (it did not fit the check's timeout or `maxDelay`). */
  retryAfterMs: Schema.optional(Schema.Number),
  /** For `Config` errors: the path of the bad field. */
  path: Schema.optional(Schema.String)
}) {}

/** A configuration error naming the bad field. */
export const config = (path: string, message: string, remediation?: string): GcpError =>
  new GcpError({
    reason: "Config",
    path,
    message: `${path}: ${message}`,
    remediation: remediation ?? `Set ${path} in Gcp.layer({ ... }) or in the check's options.`
  })
