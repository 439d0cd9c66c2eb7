/**
 * The one error family of `@launchgate/gcp`: core's {@link VendorError.fields}
 * (a kebab-case `reason` shared by every vendor, the HTTP status, the request
 * without credentials, attempts, a remediation) plus what only Google sends:
 * the `google.rpc.Code` name, the missing IAM permission, the API, and the
 * waits the server asked for. The runner turns it into an `error` outcome: a
 * check that could not read never passes.
 *
 * @since 0.1.0
 */
import { VendorError } from "@launchgate/core"
import * as Schema from "effect/Schema"

/** Why a request failed: core's reasons (`unauthenticated`, `permission-denied`, `not-found`, …). */
export const Reason = VendorError.Reason
export type Reason = VendorError.Reason

/**
 * A failed Google Cloud call or a bad configuration.
 *
 * @example
 * Effect.catchTag("GcpError", (e) => e.reason === "not-found" ? Effect.succeed(undefined) : Effect.fail(e))
 */
export class GcpError extends Schema.TaggedError<GcpError>("@launchgate/gcp/GcpError")("GcpError", {
  ...VendorError.fields,
  /** `run`, `secretManager`, `monitoring`, `budgets` or `resourceManager`. */
  api: Schema.optional(Schema.String),
  /** The `google.rpc.Code` name from the error body, e.g. `PERMISSION_DENIED` (`code` holds the ErrorInfo reason). */
  grpcStatus: Schema.optional(Schema.String),
  /** The missing IAM permission, when the error names it. */
  permission: Schema.optional(Schema.String),
  /** Milliseconds slept before giving up because the server asked (`Retry-After`, RetryInfo). */
  waitedMs: Schema.optional(Schema.Number),
  /** A wait the server asked for that launchgate declined (it did not fit the check's timeout or `maxDelay`). */
  retryAfterMs: Schema.optional(Schema.Number)
}) {}

type GcpErrorClass = GcpError

/** `GcpError.GcpError` (the 0.1 namespace path) still names the class as a type. */
export declare namespace GcpError {
  export type GcpError = GcpErrorClass
}

/** The constructor argument of {@link GcpError} without `vendor` (always `gcp`). */
export type Fields = Omit<ConstructorParameters<typeof GcpError>[0], "vendor">

/** A {@link GcpError} with `vendor: "gcp"`. */
export const make = (fields: Fields): GcpError => new GcpError({ vendor: "gcp", ...fields })

/** A configuration error naming the bad field. */
export const config = (path: string, message: string, remediation?: string): GcpError =>
  make({
    reason: "config",
    path,
    message: `${path}: ${message}`,
    remediation: remediation ?? `Set ${path} in Gcp.layer({ ... }) or in the check's options.`
  })

/**
 * Google's own codes to a reason, consulted before the HTTP status: ErrorInfo reasons
 * (https://github.com/googleapis/googleapis/blob/master/google/api/error_reason.proto) and
 * `google.rpc.Code` names (https://cloud.google.com/apis/design/errors#handling_errors).
 */
export const codes: VendorError.Table = {
  codes: {
    // ErrorInfo reasons
    SERVICE_DISABLED: "permission-denied",
    API_DISABLED: "permission-denied",
    USER_PROJECT_DENIED: "permission-denied",
    IAM_PERMISSION_DENIED: "permission-denied",
    ACCESS_TOKEN_EXPIRED: "unauthenticated",
    ACCESS_TOKEN_TYPE_UNSUPPORTED: "unauthenticated",
    CREDENTIALS_MISSING: "unauthenticated",
    RATE_LIMIT_EXCEEDED: "rate-limited",
    RESOURCE_QUOTA_EXCEEDED: "rate-limited",
    // google.rpc.Code names
    UNAUTHENTICATED: "unauthenticated",
    PERMISSION_DENIED: "permission-denied",
    NOT_FOUND: "not-found",
    RESOURCE_EXHAUSTED: "rate-limited",
    UNAVAILABLE: "unavailable",
    DEADLINE_EXCEEDED: "timeout",
    INVALID_ARGUMENT: "invalid-request",
    FAILED_PRECONDITION: "invalid-request",
    OUT_OF_RANGE: "invalid-request",
    ALREADY_EXISTS: "conflict",
    ABORTED: "conflict"
  }
}
