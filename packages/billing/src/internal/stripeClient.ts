/**
 * The plumbing between the official Stripe SDK and Effect: error mapping,
 * the one retry schedule, decoding, cursor paging and the livemode
 * cross-check.
 *
 * @internal
 */
import { Gate } from "@launchgate/core"
import { Duration, Effect, Either, ParseResult, Schedule, Schema } from "effect"
import { BillingError } from "../BillingError.js"

const PROVIDER = "stripe"

/** Retry settings (the SDK's own retries are off, so they are not stacked). */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly maxRetries: number
  readonly baseDelay: Duration.Duration
  readonly maxDelay: Duration.Duration
}

/** Whether another attempt may help: 429, 409, 5xx and transport failures, unless Stripe said otherwise. */
export const isRetryable = (error: BillingError): boolean => {
  if (error.retryable !== undefined) return error.retryable
  if (error.reason === "RateLimited" || error.reason === "Transport") return true
  return error.reason === "Status" && error.status !== undefined && (error.status === 409 || error.status >= 500)
}

/**
 * Capped exponential backoff with jitter, for retryable errors only. A
 * server-requested delay (`Retry-After`) wins over the backoff, capped too.
 */
export const retrySchedule = (policy: RetryPolicy): Schedule.Schedule<unknown, BillingError> =>
  Schedule.exponential(policy.baseDelay, 2).pipe(
    Schedule.jittered,
    Schedule.intersect(Schedule.recurs(policy.maxRetries)),
    Schedule.intersect(Schedule.identity<BillingError>()),
    Schedule.whileInput(isRetryable),
    Schedule.modifyDelay(([, error], delay) =>
      Duration.min(
        policy.maxDelay,
        error.retryAfterMs !== undefined ? Duration.millis(error.retryAfterMs) : delay
      )
    )
  )

interface SdkError {
  readonly type?: unknown
  readonly message?: unknown
  readonly statusCode?: unknown
  readonly code?: unknown
  readonly requestId?: unknown
  readonly headers?: unknown
}

const header = (headers: unknown, name: string): string | undefined => {
  if (typeof headers !== "object" || headers === null) return undefined
  const value = (headers as Record<string, unknown>)[name]
  return typeof value === "string" ? value : Array.isArray(value) && typeof value[0] === "string" ? value[0] : undefined
}

const retryAfterMs = (headers: unknown): number | undefined => {
  const value = header(headers, "retry-after")
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined
  return Number(value) * 1000
}

/** Turn whatever the SDK threw into a {@link BillingError}. */
export const fromSdkError = (cause: unknown, request: string): BillingError => {
  const e = (typeof cause === "object" && cause !== null ? cause : {}) as SdkError
  const message = typeof e.message === "string" && e.message.length > 0 ? e.message : String(cause)
  const status = typeof e.statusCode === "number" ? e.statusCode : undefined
  const requestId = typeof e.requestId === "string" ? e.requestId : undefined
  const shouldRetry = header(e.headers, "stripe-should-retry")
  const common = {
    provider: PROVIDER,
    request,
    ...(status !== undefined ? { status } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
    ...(shouldRetry === "true" || shouldRetry === "false" ? { retryable: shouldRetry === "true" } : {})
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
    return new BillingError({
      ...common,
      reason: "RateLimited",
      ...(after !== undefined ? { retryAfterMs: after } : {}),
      message: `${request}: rate limited (${status})`,
      remediation:
        "Stripe kept rate limiting the requests. Run the gate when traffic is lower, or raise maxNetworkRetries; other integrations sharing the account's limits may be the cause."
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

/** Call the SDK with the retry policy; the error records how many attempts were made. */
export const call = (
  request: string,
  policy: RetryPolicy,
  f: () => Promise<unknown>
): Effect.Effect<unknown, BillingError> =>
  Effect.suspend(() => {
    let attempts = 0
    return Effect.tryPromise({
      try: () => {
        attempts++
        return f()
      },
      catch: (cause) => fromSdkError(cause, request)
    }).pipe(
      Effect.retry(retrySchedule(policy)),
      Effect.mapError((error) => withAttempts(error, attempts))
    )
  })

const withAttempts = (error: BillingError, attempts: number): BillingError =>
  new BillingError({
    reason: error.reason,
    message: attempts > 1 ? `${error.message} (after ${attempts} attempts)` : error.message,
    provider: error.provider,
    status: error.status,
    request: error.request,
    requestId: error.requestId,
    permission: error.permission,
    path: error.path,
    attempts,
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
  policy: RetryPolicy,
  page: (startingAfter: string | undefined) => Promise<unknown>
): Effect.Effect<ReadonlyArray<A>, BillingError> => {
  const envelope = Schema.Struct({ object: Schema.Literal("list"), data: Schema.Array(item), has_more: Schema.Boolean })
  return Effect.gen(function*() {
    const items: Array<A> = []
    let cursor: string | undefined
    for (let n = 0; n < MAX_PAGES; n++) {
      const raw = yield* call(request, policy, () => page(cursor))
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
