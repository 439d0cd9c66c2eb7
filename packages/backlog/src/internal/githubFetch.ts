/**
 * Octokit's HTTP goes through core's `HttpTransport`: `HttpTransport.toFetch`, a
 * `fetch` over `transport.request`, handed to Octokit as `request.fetch`. So the gate's
 * `http` options (proxy, extra CA, insecure origins), the body cap, redaction
 * and the one retry schedule apply to GitHub as to every other vendor;
 * Octokit's retry and throttling plugins are not used.
 *
 * GitHub's rate-limit rules
 * (https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#handle-rate-limit-errors-appropriately):
 * a 403 or 429 with `retry-after` waits that many seconds; with
 * `x-ratelimit-remaining: 0` it waits until `x-ratelimit-reset` (UTC epoch
 * seconds); a secondary-limit answer with neither waits at least one minute.
 * A wait that does not fit in the read's budget is not waited for: the
 * transport fails at once (`RateLimited`) and the read reports `rate-limited`.
 *
 * @internal
 */
import { HttpTransport } from "@launchgate/core"
import * as Duration from "effect/Duration"
import * as Redacted from "effect/Redacted"

/** Header on the Response Octokit sees (never sent): how many attempts the answer took. */
export const ATTEMPTS_HEADER = HttpTransport.ATTEMPTS_HEADER

/** Thrown to Octokit when the transport produced no response; Octokit keeps it as the error's `cause`. */
export const TransportFailure = HttpTransport.FetchFailure

/** Retry settings and the budget of one read (every attempt and wait together). */
export interface Policy {
  readonly maxAttempts: number
  readonly baseDelay: Duration.Duration
  readonly budget: Duration.Duration
}

const SECONDARY = /secondary rate limit/i

/** Is this a rate-limit answer (primary or secondary) rather than a permission 403? */
export const rateLimitKind = (
  status: number,
  headers: Readonly<Record<string, string>>,
  body: string
): "primary" | "secondary" | undefined => {
  if (status !== 403 && status !== 429) return undefined
  if (headers["x-ratelimit-remaining"] === "0") return "primary"
  if (headers["retry-after"] !== undefined || SECONDARY.test(body) || status === 429) return "secondary"
  return undefined
}

/** The wait GitHub asks for, per its documented rules; `undefined` for a plain server error (backoff). */
export const requestedWait = (response: HttpTransport.HttpResponse, now: number): Duration.Duration | undefined => {
  const kind = rateLimitKind(response.status, response.headers, response.body)
  if (kind === undefined) return undefined
  const after = HttpTransport.parseRetryAfter(response.headers["retry-after"], now)
  if (after !== undefined) return after
  const reset = Number(response.headers["x-ratelimit-reset"])
  if (kind === "primary" && Number.isFinite(reset)) return Duration.millis(Math.max(0, reset * 1000 - now))
  return Duration.minutes(1)
}

const retryable = (response: HttpTransport.HttpResponse): boolean =>
  response.status === 502 || response.status === 503 || response.status === 504 || response.status === 500 ||
  rateLimitKind(response.status, response.headers, response.body) !== undefined

/** A `fetch` for Octokit's `request.fetch`, sending through `transport`; the token is added here, as `Redacted`. */
export const makeFetch = (
  transport: HttpTransport.Service,
  token: Redacted.Redacted<string> | undefined,
  policy: Policy
) =>
  HttpTransport.toFetch(transport, {
    // Read-only by design: nothing in this package writes to the tracker.
    methods: ["GET", "HEAD"],
    // GitHub takes `Authorization: Bearer <token>` for every token type
    // (https://docs.github.com/en/rest/authentication/authenticating-to-the-rest-api). The value stays
    // Redacted: the transport unwraps it when it writes the header.
    ...(token === undefined ? {} : { headers: { authorization: Redacted.make(`Bearer ${Redacted.value(token)}`) } }),
    timeout: policy.budget,
    budget: policy.budget,
    retry: {
      maxAttempts: policy.maxAttempts,
      baseDelay: policy.baseDelay,
      // The budget bounds every wait: a Retry-After or reset that does not fit fails at once.
      maxDelay: policy.budget,
      retryOn: retryable,
      retryAfter: requestedWait
    }
  })
