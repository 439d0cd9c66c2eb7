/**
 * The one error shape of every vendor integration (Google Cloud, Fivetran,
 * Stripe, GitHub, …): a `reason` shared by all vendors, the vendor's own code
 * when it sent one, the request with credentials left out, the HTTP status,
 * how many attempts were made and how long the vendor asked us to wait, and a
 * remediation written for the person reading the report.
 *
 * A vendor package declares its error as a thin tagged class over
 * {@link fields} (its tag plus the fields only it has), and maps statuses and
 * its own error codes to a reason with {@link classify} and a table of its own.
 * The runner turns any of them into an `error` outcome with every field as
 * evidence (`Check.errorFromCause`): a check that could not read never passes.
 *
 * @example
 * class AcmeError extends Schema.TaggedError<AcmeError>()("AcmeError", {
 *   ...VendorError.fields,
 *   region: Schema.optional(Schema.String)
 * }) {}
 *
 * @since 0.2.0
 */
import type * as ConfigError from "effect/ConfigError"
import * as Schema from "effect/Schema"

/**
 * Why a vendor call failed, the same words for every vendor.
 *
 * - `unauthenticated`: no, expired or wrong credentials (401).
 * - `permission-denied`: the credentials work but may not do this (403), or the API is disabled.
 * - `not-found`: the resource does not exist or is not visible (404).
 * - `rate-limited`: 429 (or a vendor's quota code) that waiting within the check's time did not clear.
 * - `unavailable`: 5xx after the retries ran out.
 * - `timeout`: no answer within the time the check allows.
 * - `transport`: no HTTP answer at all (refused, reset, TLS failure, proxy failure).
 * - `invalid-response`: an answer launchgate cannot read (not JSON, not the documented shape, too large).
 * - `invalid-request`: the vendor rejected the request itself (400, 422): a bug or a wrong option.
 * - `conflict`: 409 or 412.
 * - `config`: launchgate's own configuration is missing or wrong; `path` names the field.
 * - `status`: any other unexpected HTTP status.
 */
export const Reason = Schema.Literal(
  "unauthenticated",
  "permission-denied",
  "not-found",
  "rate-limited",
  "unavailable",
  "timeout",
  "transport",
  "invalid-response",
  "invalid-request",
  "conflict",
  "config",
  "status"
)
export type Reason = typeof Reason.Type

/** The fields every vendor error carries; spread them into a vendor's own tagged error class. */
export const fields = {
  /** Which vendor: `gcp`, `fivetran`, `stripe`, `github`, … */
  vendor: Schema.String,
  reason: Reason,
  message: Schema.String,
  /** What to do about it, for the person reading the report. */
  remediation: Schema.String,
  method: Schema.optional(Schema.String),
  /** The request URL with credentials and sensitive query values masked. */
  url: Schema.optional(Schema.String),
  /** The HTTP status, when an answer arrived. */
  status: Schema.optional(Schema.Number),
  /** The vendor's own error code, e.g. `PERMISSION_DENIED`, `NotFound_Connector`, `rate_limit`. */
  code: Schema.optional(Schema.String),
  /** Attempts made, retries included. */
  attempts: Schema.optional(Schema.Number),
  /** How long the vendor asked us to wait (`Retry-After` or the body's retry info), in seconds. */
  retryAfter: Schema.optional(Schema.Number),
  /** The resource the call was about. */
  resource: Schema.optional(Schema.String),
  /** The least-privilege role or permission set that grants the call. */
  role: Schema.optional(Schema.String),
  /** For `config`: the path of the bad field. */
  path: Schema.optional(Schema.String)
} as const

/** A vendor error from code that has no fields of its own to add. */
export class VendorError extends Schema.TaggedError<VendorError>("@launchgate/core/VendorError")("VendorError", fields) {}

/** What every vendor error has in common, whatever its tag. */
export interface Shape {
  readonly _tag: string
  readonly vendor: string
  readonly reason: Reason
  readonly message: string
  readonly remediation: string
  readonly method?: string | undefined
  readonly url?: string | undefined
  readonly status?: number | undefined
  readonly code?: string | undefined
  readonly attempts?: number | undefined
  readonly retryAfter?: number | undefined
  readonly resource?: string | undefined
  readonly role?: string | undefined
  readonly path?: string | undefined
}

const isReason = Schema.is(Reason)

/** Is this any vendor's error (core's {@link VendorError} or a vendor package's thin class over {@link fields})? */
export const is = (u: unknown): u is Shape =>
  typeof u === "object" && u !== null &&
  typeof (u as Shape)._tag === "string" &&
  typeof (u as Shape).vendor === "string" &&
  isReason((u as Shape).reason) &&
  typeof (u as Shape).message === "string"

/** A vendor's own mapping, consulted before the HTTP defaults. */
export interface Table {
  /** The vendor's error codes (from the body) to a reason, e.g. `{ SERVICE_DISABLED: "permission-denied" }`. */
  readonly codes?: Readonly<Record<string, Reason>> | undefined
  /** Statuses the vendor uses differently from HTTP's usual meaning. */
  readonly statuses?: Readonly<Partial<Record<number, Reason>>> | undefined
}

/**
 * The reason for an HTTP status (and the vendor's code, when it sent one): the
 * vendor's table first, then HTTP's meaning. Unknown statuses are `status`,
 * never a success.
 */
export const classify = (answer: { readonly status: number; readonly code?: string | undefined }, table: Table = {}): Reason => {
  const byCode = answer.code !== undefined ? table.codes?.[answer.code] : undefined
  if (byCode !== undefined) return byCode
  const byStatus = table.statuses?.[answer.status]
  if (byStatus !== undefined) return byStatus
  const { status } = answer
  if (status === 401) return "unauthenticated"
  if (status === 403) return "permission-denied"
  if (status === 404 || status === 410) return "not-found"
  if (status === 408) return "timeout"
  if (status === 409 || status === 412) return "conflict"
  if (status === 429) return "rate-limited"
  if (status === 400 || status === 422) return "invalid-request"
  if (status >= 500) return "unavailable"
  return "status"
}

/** Does waiting and asking again have a chance of a different answer? */
export const isTransient = (reason: Reason): boolean =>
  reason === "rate-limited" || reason === "unavailable" || reason === "timeout" || reason === "transport"

/** A generic remediation for a reason, for vendors whose table has nothing better. */
export const defaultRemediation = (reason: Reason, vendor: string): string => {
  switch (reason) {
    case "unauthenticated":
      return `Check the ${vendor} credentials launchgate uses: they are missing, expired or wrong.`
    case "permission-denied":
      return `Grant the credentials the read-only role this check documents (see the package README).`
    case "not-found":
      return `Check the name or id in the gate: the resource does not exist or the credentials cannot see it.`
    case "rate-limited":
      return `${vendor} is rate-limiting these credentials: run the gate again later, or lower the gate's concurrency.`
    case "unavailable":
      return `${vendor} answered with server errors after the retries: check its status page and run the gate again.`
    case "timeout":
      return `${vendor} did not answer in time: check the network path (proxy, firewall) or raise the check's timeout.`
    case "transport":
      return `No answer from ${vendor}: check the base URL, DNS, proxy and TLS settings (gate \`http\` options).`
    case "invalid-response":
      return `${vendor} answered with something launchgate cannot read: check the base URL points at the real API.`
    case "invalid-request":
      return `${vendor} rejected the request: check the options of the check (ids, names, filters).`
    case "conflict":
      return `${vendor} reported a conflicting change in progress: run the gate again once it has settled.`
    case "config":
      return `Fix the configuration field named in the message.`
    case "status":
      return `${vendor} answered with an unexpected status: see the evidence for its body.`
  }
}

/** One missing or invalid configuration variable. */
export interface ConfigProblem {
  /** The variable as the environment names it (`FIVETRAN_API_KEY`; nested paths joined with `.`). */
  readonly path: string
  /** Why: `is missing`, or the invalid value's message. */
  readonly message: string
}

/**
 * Every leaf of an Effect `ConfigError` (an `And`/`Or` tree of missing or invalid variables), so a vendor's
 * `layerConfig` can name every variable at once instead of the first. `Config.redacted` errors carry no value,
 * only the variable, so nothing secret reaches the message.
 */
export const configProblems = (error: ConfigError.ConfigError): ReadonlyArray<ConfigProblem> => {
  switch (error._op) {
    case "And":
    case "Or":
      return [...configProblems(error.left), ...configProblems(error.right)]
    case "MissingData":
      return [{ path: error.path.join("."), message: "is missing" }]
    default:
      return [{ path: error.path.join("."), message: error.message }]
  }
}
