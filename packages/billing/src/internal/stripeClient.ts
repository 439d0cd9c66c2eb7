/**
 * The plumbing between the official Stripe SDK and Effect: error mapping,
 * decoding, cursor paging and the livemode cross-check. Retries are not here:
 * they happen once, in core's `HttpTransport` (see `stripeTransport.ts`).
 *
 * @internal
 */
import { Gate, HttpTransport } from "@launchgate/core"
import { Duration, Effect, Either, ParseResult, Schema } from "effect"
import { BillingError } from "../BillingError.js"
import { ATTEMPTS_HEADER, callSignal, REFUSED_HEADER, TransportFailure, WAITED_HEADER } from "./stripeTransport.js"

const PROVIDER = "stripe"

interface SdkError {
  readonly type?: unknown
  readonly message?: unknown
  readonly statusCode?: unknown
  readonly code?: unknown
  readonly requestId?: unknown
  readonly headers?: unknown
  readonly detail?: unknown
}

const header = (headers: unknown, name: string): string | undefined => {
  if (typeof headers !== "object" || headers === null) return undefined
  const value = (headers as Record<string, unknown>)[name]
  return typeof value === "string" ? value : Array.isArray(value) && typeof value[0] === "string" ? value[0] : undefined
}

const retryAfterMs = (headers: unknown): number | undefined => {
  const wait = HttpTransport.parseRetryAfter(header(headers, "retry-after"), Date.now())
  return wait === undefined ? undefined : Math.round(Duration.toMillis(wait))
}

const numberHeader = (headers: unknown, name: string): number | undefined => {
  const value = header(headers, name)
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined
}

/** The transport's failure behind an SDK connection error, when there is one. */
const transportFailure = (e: SdkError): HttpTransport.HttpError | undefined =>
  e.detail instanceof TransportFailure ? e.detail.error : undefined

/** Turn whatever the SDK threw into a {@link BillingError}. */
export const fromSdkError = (cause: unknown, request: string): BillingError => {
  const e = (typeof cause === "object" && cause !== null ? cause : {}) as SdkError
  const message = typeof e.message === "string" && e.message.length > 0 ? e.message : String(cause)
  const status = typeof e.statusCode === "number" ? e.statusCode : undefined
  const requestId = typeof e.requestId === "string" ? e.requestId : undefined
  const shouldRetry = header(e.headers, "stripe-should-retry")
  const attempts = numberHeader(e.headers, ATTEMPTS_HEADER)
  const waitedMs = numberHeader(e.headers, WAITED_HEADER)
  const common = {
    provider: PROVIDER,
    request,
    ...(status !== undefined ? { status } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
    ...(attempts !== undefined ? { attempts } : {}),
    ...(waitedMs !== undefined && waitedMs > 0 ? { waitedMs } : {}),
    ...(shouldRetry === "true" || shouldRetry === "false" ? { retryable: shouldRetry === "true" } : {})
  }
  const failure = transportFailure(e)
  if (status === undefined && failure !== undefined) {
    return new BillingError({
      ...common,
      attempts: failure.attempts,
      ...(failure.code !== undefined ? { code: failure.code } : {}),
      reason: "Transport",
      message: `${request}: ${failure.message}`,
      remediation: failure.remediation ??
        "Check that the Stripe API (or the configured host/port) is reachable from where the gate runs."
    })
  }
  if (status === undefined) {
    if (e.type === "StripeConnectionError" || !(typeof e.type === "string")) {
      return new BillingError({
        ...common,
        reason: "Transport",
        message: `${request}: ${message}`,
        remediation: "Check that the Stripe API (or the configured host/port) is reachable from where the gate runs."
      })
    }
    return new BillingError({
      ...common,
      reason: "Decode",
      message: `${request}: ${message}`,
      remediation: "The response was not valid JSON. Retry the run; if it persists, check for a proxy rewriting responses."
    })
  }
  if (status === 401) {
    return new BillingError({
      ...common,
      reason: "Auth",
      message: `${request}: Stripe rejected the API key (401): ${message}`,
      remediation: "Check that STRIPE_API_KEY holds a current key of this account (roll it in the Dashboard if it was revoked)."
    })
  }
  if (status === 403) {
    const permission = /\b(rak_[a-z_]+)\b/.exec(message)?.[1]
    return new BillingError({
      ...common,
      reason: "Permission",
      ...(permission !== undefined ? { permission } : {}),
      message: `${request}: the key may not read this resource (403): ${message}`,
      remediation: permission
        ? `Grant the restricted key read access to this resource (${permission}) in Dashboard → Developers → API keys.`
        : "Grant the restricted key read access to this resource in Dashboard → Developers → API keys."
    })
  }
  if (status === 404) {
    return new BillingError({
      ...common,
      reason: "NotFound",
      message: `${request}: not found (404): ${message}`,
      remediation: "Check that the resource exists in this account and mode, and that the API version supports it."
    })
  }
  if (status === 429 || e.code === "rate_limit") {
    const after = retryAfterMs(e.headers)
    // Set by the transport when Stripe asked for a longer wait than the read had left.
    const refused = /^(\d+);(\d+)$/.exec(header(e.headers, REFUSED_HEADER) ?? "")
    const waited = waitedMs !== undefined && waitedMs > 0 ? `; waited ${waitedMs} ms for Retry-After before` : ""
    return new BillingError({
      ...common,
      reason: "RateLimited",
      ...(after !== undefined ? { retryAfterMs: after } : {}),
      message: refused
        ? `${request}: rate limited (${status}); Stripe asked to wait ${refused[1]} ms (Retry-After) but only ${
          refused[2]
        } ms of the read's timeout remained, so launchgate stopped rather than wait past it${waited}`
        : `${request}: rate limited (${status})${waited}`,
      remediation: refused
        ? "Stripe asked for a longer pause than the check's timeout allows. Re-run later, or raise the billing timeout."
        : "Stripe kept rate limiting the requests. Run the gate when traffic is lower, or raise maxNetworkRetries; other integrations sharing the account's limits may be the cause."
    })
  }
  return new BillingError({
    ...common,
    reason: "Status",
    message: `${request}: Stripe answered ${status}: ${message}`,
    remediation: status >= 500
      ? "Stripe had a server error; check status.stripe.com and re-run."
      : "Stripe refused the request; the message says why."
  })
}

/**
 * Call the SDK once (the transport under it retries). Interrupting the fiber
 * aborts the HTTP request: the fiber's signal reaches the transport's `fetch`.
 */
export const call = (request: string, f: () => Promise<unknown>): Effect.Effect<unknown, BillingError> =>
  Effect.tryPromise({
    try: (signal) => callSignal.run(signal, f),
    catch: (cause) => withAttempts(fromSdkError(cause, request))
  })

const withAttempts = (error: BillingError): BillingError =>
  error.attempts === undefined || error.attempts <= 1 || error.message.includes("attempts)")
    ? error
    : new BillingError({
      reason: error.reason,
      message: `${error.message} (after ${error.attempts} attempts)`,
      provider: error.provider,
      status: error.status,
      request: error.request,
      requestId: error.requestId,
      permission: error.permission,
      path: error.path,
      attempts: error.attempts,
      waitedMs: error.waitedMs,
      code: error.code,
      retryAfterMs: error.retryAfterMs,
      retryable: error.retryable,
      remediation: error.remediation
    })

/** Decode a response, naming the path of the first bad field. */
export const decode = <A, I>(schema: Schema.Schema<A, I>, request: string) => (input: unknown): Effect.Effect<A, BillingError> => {
  const result = Schema.decodeUnknownEither(schema)(input, { errors: "first" })
  if (Either.isRight(result)) return Effect.succeed(result.right)
  const issue = ParseResult.ArrayFormatter.formatErrorSync(result.left)[0]
  const where = issue ? Gate.formatPath(issue.path) : ""
  return Effect.fail(
    new BillingError({
      reason: "Decode",
      provider: PROVIDER,
      request,
      message: `${request}: unexpected response${where ? ` at ${where}` : ""}: ${issue?.message ?? "invalid shape"}`,
      remediation:
        "Stripe answered with a shape launchgate does not know (a new enum value or a changed field). Check the pinned apiVersion; upgrade @launchgate/billing if Stripe added a value."
    })
  )
}

/** Items with an id, for paging and the livemode cross-check. */
interface Identified {
  readonly id: string
}

const MAX_PAGES = 100

/** Read every page of a list with `starting_after` until `has_more` is false. */
export const listAll = <A extends Identified, I>(
  request: string,
  item: Schema.Schema<A, I>,
  page: (startingAfter: string | undefined) => Promise<unknown>
): Effect.Effect<ReadonlyArray<A>, BillingError> => {
  const envelope = Schema.Struct({ object: Schema.Literal("list"), data: Schema.Array(item), has_more: Schema.Boolean })
  return Effect.gen(function*() {
    const items: Array<A> = []
    let cursor: string | undefined
    for (let n = 0; n < MAX_PAGES; n++) {
      const raw = yield* call(request, () => page(cursor))
      const list = yield* decode(envelope, request)(raw)
      items.push(...list.data)
      if (!list.has_more) return items
      const last = list.data.at(-1)
      if (last === undefined) {
        return yield* Effect.fail(
          new BillingError({
            reason: "Decode",
            provider: PROVIDER,
            request,
            message: `${request}: has_more is true on an empty page, so there is no cursor to continue from`,
            remediation: "Re-run; if it persists, report it to Stripe support with the request id."
          })
        )
      }
      cursor = last.id
    }
    return yield* Effect.fail(
      new BillingError({
        reason: "Status",
        provider: PROVIDER,
        request,
        message: `${request}: more than ${MAX_PAGES} pages of 100; stopped rather than read forever`,
        remediation: "Narrow the query (a shorter event window, fewer lookup keys)."
      })
    )
  })
}

/** Fail when a returned object's `livemode` contradicts the key's mode. */
export const crossCheckMode = <A extends { readonly livemode: boolean; readonly id?: string }>(
  request: string,
  keyLive: boolean,
  objects: ReadonlyArray<A>
): Effect.Effect<ReadonlyArray<A>, BillingError> => {
  const wrong = objects.find((o) => o.livemode !== keyLive)
  if (wrong === undefined) return Effect.succeed(objects)
  return Effect.fail(
    new BillingError({
      reason: "ModeMismatch",
      provider: PROVIDER,
      request,
      message: `${request}: ${wrong.id ?? "an object"} has livemode=${wrong.livemode} but the key is a ${keyLive ? "live" : "test"}-mode key`,
      remediation:
        "The key's prefix and the data disagree: check that the host/port point at the real Stripe API (not a proxy or emulator of the other mode) and that the key is the one you think it is."
    })
  )
}
