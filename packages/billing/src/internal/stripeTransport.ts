/**
 * The Stripe SDK's HTTP goes through core's `HttpTransport`: `HttpTransport.toFetch`,
 * a `fetch` over `transport.request`, handed to `Stripe.createFetchHttpClient`.
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
import * as Duration from "effect/Duration"
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
export const ATTEMPTS_HEADER = HttpTransport.ATTEMPTS_HEADER
export const WAITED_HEADER = "x-launchgate-retry-after-waited-ms"
export const REFUSED_HEADER = "x-launchgate-retry-after-refused"

/** The failure thrown to the SDK when the transport produced no response; `cause` is the `HttpError`. */
export const TransportFailure = HttpTransport.FetchFailure

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

/** The retry hooks of one read: Stripe's rule, `Retry-After` only when it fits, and the waits chosen. */
const perCall = (policy: Policy): HttpTransport.FetchCall => {
  const deadline = Date.now() + Duration.toMillis(policy.budget)
  // Waits chosen after attempt n, keyed by n: the schedule may compute a delay it then does not use.
  const waits = new Map<number, number>()
  let refused: { readonly requestedMs: number; readonly remainingMs: number } | undefined
  const requested = (response: HttpTransport.HttpResponse) =>
    HttpTransport.parseRetryAfter(response.headers["retry-after"], Date.now())
  const retry: HttpTransport.RetryPolicy = {
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
  const headers = (response: HttpTransport.HttpResponse): Record<string, string> => {
    let waited = 0
    for (const [attempt, ms] of waits) if (attempt < response.attempts) waited += ms
    return {
      [WAITED_HEADER]: String(Math.round(waited)),
      ...(refused === undefined
        ? {}
        : { [REFUSED_HEADER]: `${refused.requestedMs};${Math.round(refused.remainingMs)}` })
    }
  }
  return { retry, headers }
}

/** A `fetch` for `Stripe.createFetchHttpClient`, sending through `transport` with `policy`. */
export const makeFetch = (transport: HttpTransport.Service, policy: Policy) =>
  HttpTransport.toFetch(transport, {
    timeout: policy.attemptTimeout,
    budget: policy.budget,
    retry: {
      maxAttempts: policy.maxRetries + 1,
      baseDelay: policy.baseDelay,
      // The budget bounds every wait; `retryOn` refuses a Retry-After that does not fit.
      maxDelay: policy.budget,
      unsafe: false
    },
    // Interrupting the check's fiber aborts the request, though the SDK passes no signal of its own.
    signal: () => callSignal.getStore(),
    call: () => perCall(policy)
  })
