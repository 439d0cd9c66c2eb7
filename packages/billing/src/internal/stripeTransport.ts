/**
 * The Stripe SDK's HTTP goes through core's `HttpTransport`: a `fetch`
 * implemented on `transport.request`, handed to `Stripe.createFetchHttpClient`.
 * So the gate's `http` options (proxy, extra CA, insecure origins), the body
 * cap, "no retry on TLS errors" and the one retry schedule apply to Stripe as
 * to every other vendor. The SDK's own retries are off.
 *
 * Retries follow Stripe's documented rule (409, 5xx and 429 are retryable;
 * `Stripe-Should-Retry` overrides) and `Retry-After` (seconds or HTTP-date)
 * is honoured only when the wait fits in what remains of the read's budget;
 * otherwise the 429 is returned at once and reported as such.
 *
 * @internal
 */
import { HttpTransport } from "@launchgate/core"
import { Duration, Effect, Exit } from "effect"
import { AsyncLocalStorage } from "node:async_hooks"

/** Retry settings and the budget of one read (all attempts and waits together). */
export interface Policy {
  /** Retries after the first attempt. */
  readonly maxRetries: number
  readonly baseDelay: Duration.Duration
  /** Cap on one backoff delay (not on a server-requested `Retry-After`, which the budget bounds). */
  readonly maxDelay: Duration.Duration
  /** One attempt must finish within this (the `timeout` option). */
  readonly attemptTimeout: Duration.Duration
  /** One read, retries and waits included, must finish within this (the `readTimeout` option). */
  readonly budget: Duration.Duration
}

/*
 * Headers added to the Response handed to the SDK (never sent on the wire), so the SDK's error, which
 * carries the response headers, tells `fromSdkError` how many attempts were made and how long was waited.
 */
export const ATTEMPTS_HEADER = "x-launchgate-attempts"
export const WAITED_HEADER = "x-launchgate-retry-after-waited-ms"
export const REFUSED_HEADER = "x-launchgate-retry-after-refused"

/** The failure thrown to the SDK when the transport produced no response; `cause` is the `HttpError`. */
export class TransportFailure extends Error {
  constructor(readonly error: HttpTransport.HttpError) {
    super(error.message)
    this.name = "LaunchgateTransportFailure"
  }
}

/** The signal of the Effect fiber that made an SDK call, so interrupting the check aborts the request. */
export const callSignal = new AsyncLocalStorage<AbortSignal>()

/**
 * Stripe's retry rule (https://docs.stripe.com/error-low-level#server-errors and the SDK's `_shouldRetry`):
 * `Stripe-Should-Retry` wins; otherwise 409 (lock timeout), 429 (rate limited) and 5xx.
 */
export const isRetryableResponse = (response: HttpTransport.HttpResponse): boolean => {
  const advice = response.headers["stripe-should-retry"]
  if (advice === "false") return false
  if (advice === "true") return true
  return response.status === 409 || response.status === 429 || response.status >= 500
}

interface FetchInit {
  readonly method?: string | undefined
  readonly headers?: Record<string, string> | Array<[string, string]> | Headers | undefined
  readonly body?: unknown
  readonly signal?: AbortSignal | null | undefined
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])

/** A `fetch` for `Stripe.createFetchHttpClient`, sending through `transport` with `policy`. */
export const makeFetch = (transport: HttpTransport.Service, policy: Policy) =>
async (url: string | URL, init: FetchInit = {}): Promise<Response> => {
  const method = (init.method ?? "GET").toUpperCase()
  if (!METHODS.has(method)) throw new TypeError(`unsupported method ${method}`)
  const budgetMs = Duration.toMillis(policy.budget)
  const deadline = Date.now() + budgetMs
  // Waits chosen after attempt n, keyed by n: the schedule may compute a delay it then does not use.
  const waits = new Map<number, number>()
  let refused: { readonly requestedMs: number; readonly remainingMs: number } | undefined
  const requested = (response: HttpTransport.HttpResponse) =>
    HttpTransport.parseRetryAfter(response.headers["retry-after"], Date.now())
  const retry: HttpTransport.RetryPolicy = {
    maxAttempts: policy.maxRetries + 1,
    baseDelay: policy.baseDelay,
    // The budget bounds every wait; `retryOn` refuses a Retry-After that does not fit.
    maxDelay: policy.budget,
    unsafe: false,
    retryOn: (response) => {
      if (!isRetryableResponse(response)) return false
      const wait = requested(response)
      const remainingMs = deadline - Date.now()
      if (wait !== undefined && Duration.toMillis(wait) > remainingMs) {
        refused = { requestedMs: Duration.toMillis(wait), remainingMs: Math.max(0, remainingMs) }
        return false
      }
      return true
    },
    retryAfter: (response) => {
      const backoff = Math.min(
        Duration.toMillis(policy.baseDelay) * 2 ** (response.attempts - 1) * (0.5 + Math.random() / 2),
        Duration.toMillis(policy.maxDelay)
      )
      const wait = requested(response) ?? Duration.millis(backoff)
      waits.set(response.attempts, Duration.toMillis(wait))
      return wait
    }
  }
  const headers = Object.fromEntries(new Headers(init.headers ?? {}).entries())
  const request = transport.request({
    method: method as NonNullable<HttpTransport.HttpRequest["method"]>,
    url,
    headers,
    ...(typeof init.body === "string" && init.body.length > 0 ? { body: init.body } : {}),
    timeout: policy.attemptTimeout,
    retry
  }).pipe(
    Effect.timeoutFail({
      duration: policy.budget,
      onTimeout: () =>
        new HttpTransport.HttpError({
          reason: "Timeout",
          method,
          url: new URL(url).origin + new URL(url).pathname,
          attempts: waits.size + 1,
          message: `${method} ${new URL(url).pathname}: no answer within the read's budget (readTimeout) of ${
            Duration.format(policy.budget)
          }`,
          remediation: "Stripe did not answer in time: check status.stripe.com and the network path (proxy, firewall)."
        })
    })
  )
  const signals = [init.signal, callSignal.getStore()].filter((s): s is AbortSignal => s != null)
  const exit = await Effect.runPromiseExit(request, signals.length > 0 ? { signal: AbortSignal.any(signals) } : {})
  if (Exit.isFailure(exit)) {
    const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
    if (failure !== undefined) throw new TransportFailure(failure)
    throw new Error(`${method} ${new URL(url).pathname}: the request was interrupted`)
  }
  const response = exit.value
  let waited = 0
  for (const [attempt, ms] of waits) if (attempt < response.attempts) waited += ms
  const out = new Headers()
  for (const [name, value] of Object.entries(response.headers)) {
    // The body is already decoded and complete: these would describe the wire form, not this body.
    if (name !== "content-length" && name !== "content-encoding" && name !== "transfer-encoding") out.set(name, value)
  }
  out.set(ATTEMPTS_HEADER, String(response.attempts))
  out.set(WAITED_HEADER, String(Math.round(waited)))
  if (refused !== undefined) out.set(REFUSED_HEADER, `${refused.requestedMs};${Math.round(refused.remainingMs)}`)
  const nullBody = response.status === 204 || response.status === 304 || response.body.length === 0
  return new Response(nullBody ? null : response.body, { status: response.status, headers: out })
}
