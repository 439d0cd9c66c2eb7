/**
 * The plumbing between the official Stripe SDK and Effect: error mapping
 * (core's `VendorError.classify` with Stripe's table), decoding, cursor paging
 * (`ResourceStore.paginate`) and the livemode cross-check. Retries are not
 * here: they happen once, in core's `HttpTransport` (see `stripeTransport.ts`).
 *
 * @internal
 */
import { Gate, HttpTransport, ResourceStore, VendorError } from "@launchgate/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { BillingError } from "../BillingError.js"
import { ATTEMPTS_HEADER, callSignal, REFUSED_HEADER, TransportFailure, WAITED_HEADER } from "./stripeTransport.js"

const VENDOR = "stripe"

/**
 * Stripe's error `type` and `code` values to a reason, consulted before the HTTP status
 * (https://docs.stripe.com/api/errors: types `api_error`, `card_error`, `idempotency_error`,
 * `invalid_request_error`; status 402 "request failed", 424 "external dependency failed";
 * codes from https://docs.stripe.com/error-codes). The SDK's own classes (`StripeAuthenticationError`
 * for 401, `StripePermissionError` for 403, `StripeRateLimitError` for 429) follow the status, as here.
 */
export const table: VendorError.Table = {
  codes: {
    rate_limit: "rate-limited",
    resource_missing: "not-found",
    api_key_expired: "unauthenticated",
    platform_api_key_expired: "unauthenticated",
    secret_key_required: "unauthenticated",
    lock_timeout: "conflict",
    api_error: "unavailable",
    idempotency_error: "conflict"
  },
  statuses: { 402: "invalid-request", 424: "unavailable" }
}

/** What to do, per reason, for the person reading the report. */
const remediation = {
  unauthenticated:
    "Check that STRIPE_API_KEY holds a current key of this account (roll it in the Dashboard if it was revoked).",
  "permission-denied": (permission?: string) =>
    `Grant the restricted key read access to this resource${permission ? ` (${permission})` : ""} in ` +
    "Dashboard → Developers → API keys.",
  "not-found": "Check that the resource exists in this account and mode, and that the API version supports it.",
  "rate-limited":
    "Stripe kept rate limiting the requests. Run the gate when traffic is lower, or raise retry.maxAttempts; other " +
    "integrations sharing the account's limits may be the cause.",
  refused: "Stripe asked for a longer pause than the read's readTimeout allows. Re-run later, or raise readTimeout.",
  unavailable: "Stripe had a server error; check status.stripe.com and re-run.",
  transport: "Check that the Stripe API (or the configured baseUrl) is reachable from where the gate runs.",
  "invalid-json":
    "The response was not valid JSON. Retry the run; if it persists, check for a proxy rewriting responses.",
  "invalid-shape":
    "Stripe answered with a shape launchgate does not know (a new enum value or a changed field). Check the pinned " +
    "apiVersion; upgrade @launchgate/billing if Stripe added a value.",
  "empty-page": "Re-run; if it persists, report it to Stripe support with the request id.",
  "too-many-pages": "Narrow the query (a shorter event window, fewer lookup keys).",
  livemode:
    "The key's prefix and the data disagree: check that baseUrl points at the real Stripe API (not a proxy or " +
    "emulator of the other mode) and that the key is the one you think it is.",
  other: "Stripe refused the request; the message says why."
} as const

interface SdkError {
  readonly type?: unknown
  readonly rawType?: unknown
  readonly message?: unknown
  readonly statusCode?: unknown
  readonly code?: unknown
  readonly decline_code?: unknown
  readonly requestId?: unknown
  readonly headers?: unknown
  readonly detail?: unknown
}

const text = (u: unknown): string | undefined => (typeof u === "string" && u.length > 0 ? u : undefined)

const header = (headers: unknown, name: string): string | undefined => {
  if (typeof headers !== "object" || headers === null) return undefined
  const value = (headers as Record<string, unknown>)[name]
  return typeof value === "string" ? value : Array.isArray(value) && typeof value[0] === "string" ? value[0] : undefined
}

const numberHeader = (headers: unknown, name: string): number | undefined => {
  const value = header(headers, name)
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined
}

const retryAfterSeconds = (headers: unknown): number | undefined => {
  const wait = HttpTransport.parseRetryAfter(header(headers, "retry-after"), Date.now())
  return wait === undefined ? undefined : Math.round(Duration.toMillis(wait)) / 1000
}

/** A request, as `METHOD /path`, split for the error's `method` and `url`. */
export interface RequestLine {
  readonly method: string
  readonly path: string
}

export const requestLine = (line: string): RequestLine => {
  const [method = "GET", path = line] = line.split(" ")
  return { method, path }
}

/** The fields every error about one request has: the vendor, the method and the path (never credentials). */
const base = (line: string) => {
  const { method, path } = requestLine(line)
  return { vendor: VENDOR, method, url: path }
}

/** An error about a request that is not Stripe's answer (decoding, paging, livemode). */
export const readError = (line: string, reason: VendorError.Reason, message: string, fix: string, code?: string) =>
  new BillingError({
    ...base(line),
    reason,
    message: `${line}: ${message}`,
    remediation: fix,
    ...(code !== undefined ? { code } : {})
  })

const fromTransport = (line: string, failure: HttpTransport.HttpError, common: ReturnType<typeof base>) =>
  new BillingError({
    ...common,
    reason: failure.reason === "Timeout" ? "timeout" : failure.reason === "RateLimited" ? "rate-limited" : "transport",
    attempts: failure.attempts,
    ...(failure.code !== undefined ? { code: failure.code } : {}),
    message: `${line}: ${failure.message}`,
    remediation: failure.remediation ?? remediation.transport
  })

/** Turn whatever the SDK threw into a {@link BillingError}. */
export const fromSdkError = (cause: unknown, line: string): BillingError => {
  const e = (typeof cause === "object" && cause !== null ? cause : {}) as SdkError
  const message = text(e.message) ?? String(cause)
  const status = typeof e.statusCode === "number" ? e.statusCode : undefined
  const code = text(e.code)
  const errorType = text(e.rawType)
  const requestId = text(e.requestId) ?? header(e.headers, "request-id")
  const declineCode = text(e.decline_code)
  const shouldRetry = header(e.headers, "stripe-should-retry")
  const attempts = numberHeader(e.headers, ATTEMPTS_HEADER)
  const waitedMs = numberHeader(e.headers, WAITED_HEADER)
  const common = {
    ...base(line),
    ...(status !== undefined ? { status } : {}),
    ...(code !== undefined ? { code } : {}),
    ...(errorType !== undefined ? { errorType } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
    ...(declineCode !== undefined ? { declineCode } : {}),
    ...(attempts !== undefined ? { attempts } : {}),
    ...(waitedMs !== undefined && waitedMs > 0 ? { waitedMs } : {}),
    ...(shouldRetry === "true" || shouldRetry === "false" ? { retryable: shouldRetry === "true" } : {})
  }
  const failure = e.detail instanceof TransportFailure ? e.detail.error : undefined
  if (status === undefined && failure !== undefined) return fromTransport(line, failure, common)
  if (status === undefined) {
    // The SDK throws a connection error for a failed fetch, and a plain StripeError for a body that is not JSON.
    const connection = e.type === "StripeConnectionError" || typeof e.type !== "string"
    return new BillingError({
      ...common,
      reason: connection ? "transport" : "invalid-response",
      message: `${line}: ${message}`,
      remediation: connection ? remediation.transport : remediation["invalid-json"]
    })
  }
  // A code the table does not know is still worth a second look by type (`api_error`).
  const known = code !== undefined && table.codes?.[code] !== undefined
  const reason = VendorError.classify({ status, code: known ? code : errorType }, table)
  return new BillingError({ ...common, reason, ...detail(reason, line, status, message, e.headers, waitedMs) })
}

/** The message, remediation and reason-specific fields of an HTTP error answer. */
const detail = (
  reason: VendorError.Reason,
  line: string,
  status: number,
  message: string,
  headers: unknown,
  waitedMs: number | undefined
) => {
  if (reason === "unauthenticated") {
    return { message: `${line}: Stripe rejected the API key (${status}): ${message}`, remediation: remediation[reason] }
  }
  if (reason === "permission-denied") {
    const permission = /\b(rak_[a-z_]+)\b/.exec(message)?.[1]
    return {
      ...(permission !== undefined ? { permission } : {}),
      message: `${line}: the key may not read this resource (${status}): ${message}`,
      remediation: remediation[reason](permission)
    }
  }
  if (reason === "not-found") {
    return { message: `${line}: not found (${status}): ${message}`, remediation: remediation[reason] }
  }
  if (reason === "rate-limited") {
    const retryAfter = retryAfterSeconds(headers)
    // Set by the transport when Stripe asked for a longer wait than the read had left.
    const refused = /^(\d+);(\d+)$/.exec(header(headers, REFUSED_HEADER) ?? "")
    const waited = waitedMs !== undefined && waitedMs > 0 ? `; waited ${waitedMs} ms for Retry-After before` : ""
    const why = refused
      ? `; Stripe asked to wait ${refused[1]} ms (Retry-After) but only ${refused[2]} ms of the read's timeout ` +
        `remained, so launchgate stopped rather than wait past it`
      : ""
    return {
      ...(retryAfter !== undefined ? { retryAfter } : {}),
      message: `${line}: rate limited (${status})${why}${waited}`,
      remediation: refused ? remediation.refused : remediation[reason]
    }
  }
  return {
    message: `${line}: Stripe answered ${status}: ${message}`,
    remediation: reason === "unavailable" ? remediation.unavailable : remediation.other
  }
}

/** One SDK answer, with the retries the transport made for it. */
export interface Answer {
  readonly body: unknown
  readonly retries: number
}

/** Retries behind an SDK answer: the transport's attempt count rides on the response the SDK keeps. */
const retriesOf = (body: unknown): number => {
  const last = (body as { lastResponse?: { headers?: unknown } } | null)?.lastResponse
  const attempts = numberHeader(last?.headers, ATTEMPTS_HEADER)
  return attempts === undefined ? 0 : Math.max(0, attempts - 1)
}

/**
 * Call the SDK once (the transport under it retries). Interrupting the fiber
 * aborts the HTTP request: the fiber's signal reaches the transport's `fetch`.
 */
export const call = (line: string, f: () => Promise<unknown>): Effect.Effect<Answer, BillingError> =>
  Effect.tryPromise({
    try: (signal) => callSignal.run(signal, f).then((body) => ({ body, retries: retriesOf(body) })),
    catch: (cause) => withAttempts(fromSdkError(cause, line))
  })

const withAttempts = (error: BillingError): BillingError =>
  error.attempts === undefined || error.attempts <= 1 || error.message.includes("attempts)")
    ? error
    : new BillingError({ ...error, message: `${error.message} (after ${error.attempts} attempts)` })

/** Decode a response, naming the path of the first bad field. */
export const decode = <A, I>(schema: Schema.Schema<A, I>, line: string) =>
(input: unknown): Effect.Effect<A, BillingError> => {
  const result = Schema.decodeUnknownEither(schema)(input, { errors: "first" })
  if (Either.isRight(result)) return Effect.succeed(result.right)
  const issue = ParseResult.ArrayFormatter.formatErrorSync(result.left)[0]
  const where = issue ? Gate.formatPath(issue.path) : ""
  const what = `unexpected response${where ? ` at ${where}` : ""}: ${issue?.message ?? "invalid shape"}`
  return Effect.fail(readError(line, "invalid-response", what, remediation["invalid-shape"]))
}

/** Read one object: call, decode, and keep what it cost. */
export const retrieve = <A, I>(
  line: string,
  schema: Schema.Schema<A, I>,
  f: () => Promise<unknown>
): Effect.Effect<ResourceStore.Fetched<A>, BillingError> =>
  Effect.flatMap(call(line, f), (answer) =>
    Effect.map(decode(schema, line)(answer.body), (value) => ({ value, retries: answer.retries, requests: 1 })))

const MAX_PAGES = 100

/** Read every page of a list with `starting_after` until `has_more` is false. */
export const listAll = <A extends { readonly id: string }, I>(
  line: string,
  item: Schema.Schema<A, I>,
  page: (startingAfter: string | undefined) => Promise<unknown>
): Effect.Effect<ResourceStore.Fetched<ReadonlyArray<A>>, BillingError> => {
  const envelope = Schema.Struct({ object: Schema.Literal("list"), data: Schema.Array(item), has_more: Schema.Boolean })
  return ResourceStore.paginate({
    maxPages: MAX_PAGES,
    stuck: () =>
      readError(line, "invalid-response", `more than ${MAX_PAGES} pages of 100, or a repeated cursor; stopped rather ` +
        `than read forever`, remediation["too-many-pages"]),
    page: (cursor) =>
      Effect.gen(function*() {
        const answer = yield* call(line, () => page(cursor))
        const list = yield* decode(envelope, line)(answer.body)
        const last = list.data.at(-1)
        if (list.has_more && last === undefined) {
          const what = "has_more is true on an empty page, so there is no cursor to continue from"
          return yield* Effect.fail(readError(line, "invalid-response", what, remediation["empty-page"]))
        }
        return { items: list.data, next: list.has_more ? last?.id : undefined, retries: answer.retries }
      })
  })
}

/** Fail when a returned object's `livemode` contradicts the key's mode. */
export const crossCheckMode = <A extends { readonly livemode: boolean; readonly id?: string }>(
  line: string,
  keyLive: boolean,
  objects: ReadonlyArray<A>
): Effect.Effect<ReadonlyArray<A>, BillingError> => {
  const wrong = objects.find((o) => o.livemode !== keyLive)
  if (wrong === undefined) return Effect.succeed(objects)
  const what = `${wrong.id ?? "an object"} has livemode=${wrong.livemode} but the key is a ` +
    `${keyLive ? "live" : "test"}-mode key`
  return Effect.fail(readError(line, "invalid-response", what, remediation.livemode, "LG_LIVEMODE_MISMATCH"))
}
