/**
 * The HTTP transport every launchgate package shares: one keep-alive undici
 * `Agent` per run, idempotent-read retries in one place, and credentials that
 * never reach an error message.
 *
 * Integration clients take this service from the context; they never create
 * their own agent.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as tls from "node:tls"
import type { Dispatcher } from "undici"
import { currentDeadline } from "./internal/deadline.js"
import { sleepsInRealTime } from "./internal/realTimeClock.js"
import { scrubUrl } from "./internal/redactUrl.js"
import { version } from "./internal/version.js"
import * as Redaction from "./Redaction.js"

type Undici = typeof import("undici")
// undici (about 110 modules) loads with the first transport built or request sent, not with the package: commands
// that contact nothing (`plan`, `docs`) never load it.
let undici: Promise<Undici> | undefined
const loadUndici = (): Promise<Undici> => (undici ??= import("undici"))

/** A request. Bodies are strings or bytes; JSON encoding is the caller's. */
export interface HttpRequest {
  readonly method?: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" | undefined
  readonly url: string | URL
  /**
   * Header values may be `Redacted`: they are unwrapped only when the header
   * is written, and never appear in errors.
   */
  readonly headers?: Readonly<Record<string, string | Redacted.Redacted<string>>> | undefined
  readonly body?: string | Uint8Array | undefined
  /**
   * Per-attempt timeout for the whole exchange (connect, headers and body).
   * Default 10 seconds. The check's own timeout bounds all attempts together.
   */
  readonly timeout?: Duration.DurationInput | undefined
  /** Retry policy; `false` disables retries. Non-idempotent methods are never retried unless `retry.unsafe` is set. */
  readonly retry?: RetryPolicy | false | undefined
  /**
   * Follow redirects (default `false`: redirects are returned to be asserted). At most 5 hops.
   * `true` or `"any"` follows every hop; `"same-host"` follows hops to the same host name only (an
   * http → https upgrade of the host included) and returns the first redirect to another host as the
   * response, so the caller can judge it instead of the other host's answer.
   */
  readonly followRedirects?: RedirectPolicy | undefined
  /** Largest body read, in bytes. Default 16 MiB; a larger body is a `Transport` error (code `LG_BODY_TOO_LARGE`). */
  readonly maxBodyBytes?: number | undefined
  /**
   * The time all attempts and the waits between them may take together (a check passes its own
   * timeout). A server asking (`Retry-After`) for a wait that does not fit is not waited for: the
   * request fails with reason `RateLimited` instead. Inside a run the check's deadline (`Check.Deadline`:
   * the earlier of its timeout and the run's deadline) bounds it too, so without a budget the time the
   * check has left is the budget. Outside a run, without a budget, the caller's timeout interrupts.
   */
  readonly budget?: Duration.DurationInput | undefined
}

/** Which redirects a request follows: none, every one (`true` / `"any"`), or those that stay on the same host. */
export type RedirectPolicy = boolean | "any" | "same-host"

/** One redirect that was followed. */
export interface Redirect {
  readonly status: number
  /** The absolute target, with credentials redacted. */
  readonly location: string
}

/** A complete response (the body is read fully). */
export interface HttpResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** The final URL (after redirects), with credentials in the query string redacted. */
  readonly url: string
  /** How many attempts were made, retries included. */
  readonly attempts: number
  /** Wall time of the last attempt in milliseconds. */
  readonly durationMs: number
  /** Redirects followed on the last attempt, in order (absent when none). */
  readonly redirects?: ReadonlyArray<Redirect> | undefined
  /** Milliseconds spent waiting between attempts (backoff and `Retry-After`); absent when there was no retry. */
  readonly waitedMs?: number | undefined
  /** The `Retry-After` values the server sent on the retried attempts, in order (absent when none). */
  readonly retryAfter?: ReadonlyArray<string> | undefined
}

/** When and how to retry. */
export interface RetryPolicy {
  /** Total attempts, the first included. Default 4. */
  readonly maxAttempts?: number | undefined
  /** First backoff. Default 200 ms; doubles each retry, with jitter (50–100 % of the step). */
  readonly baseDelay?: Duration.DurationInput | undefined
  /** Largest single wait, `Retry-After` included. Default 10 seconds. */
  readonly maxDelay?: Duration.DurationInput | undefined
  /** Which responses are retryable. Default: 408, 429, 502, 503, 504. */
  readonly retryOn?: ((response: HttpResponse) => boolean) | undefined
  /**
   * A server-requested delay read from a response (default: the `Retry-After` header on any retryable
   * response, via {@link parseRetryAfter}); `now` is the Effect `Clock`'s time in milliseconds.
   */
  readonly retryAfter?: ((response: HttpResponse, now: number) => Duration.Duration | undefined) | undefined
  /** Retry non-idempotent methods too. */
  readonly unsafe?: boolean | undefined
}

/**
 * Why the transport produced no response: `Transport` (connection refused or
 * reset, TLS failure, truncated body), `Timeout` (an attempt ran out of time),
 * `InvalidRequest` (a malformed URL; never retried), `RateLimited` (the server
 * asked, with `Retry-After`, for a wait longer than `maxDelay` or the request's
 * `budget`; never retried: waiting less than asked would not be honouring it).
 */
export const HttpErrorReason = Schema.Literal("Transport", "Timeout", "InvalidRequest", "RateLimited")
export type HttpErrorReason = typeof HttpErrorReason.Type

/** The transport failed to produce a response. */
export class HttpError extends Schema.TaggedError<HttpError>()("HttpError", {
  reason: HttpErrorReason,
  method: Schema.String,
  /** The URL with credentials redacted. */
  url: Schema.String,
  message: Schema.String,
  attempts: Schema.Number,
  /** The underlying error code (`ECONNREFUSED`, `UND_ERR_SOCKET`, `CERT_HAS_EXPIRED` …). */
  code: Schema.optional(Schema.String),
  /** What to do about it, for the person reading the report. */
  remediation: Schema.optional(Schema.String),
  /** The last HTTP status seen (a `RateLimited` error's 429/503). */
  status: Schema.optional(Schema.Number),
  /** `RateLimited`: the wait the server asked for, in milliseconds. */
  retryAfterMs: Schema.optional(Schema.Number)
}) {}

/** Is this value an {@link HttpError}? */
export const isHttpError = (u: unknown): u is HttpError =>
  typeof u === "object" && u !== null && (u as { _tag?: unknown })._tag === "HttpError"

/** Options of {@link layer}. */
export interface Options {
  /**
   * Extra CA certificates (PEM) trusted for every origin, in addition to
   * Node's bundled roots (not instead of them).
   */
  readonly ca?: string | ReadonlyArray<string> | undefined
  /** An HTTP(S) proxy URL for every request (tunnelled with CONNECT). */
  readonly proxy?: string | undefined
  /**
   * Origins (`https://host:port`) whose TLS certificates are not verified.
   * Off by default; reports list the origins so nobody forgets it is on.
   */
  readonly insecureOrigins?: ReadonlyArray<string> | undefined
  /** Connections per origin. Default 16. */
  readonly connections?: number | undefined
  /** How long an idle keep-alive connection is kept. Default 10 seconds. */
  readonly keepAliveTimeout?: Duration.DurationInput | undefined
  /** Default retry policy. */
  readonly retry?: RetryPolicy | undefined
  /** A dispatcher to use instead of creating an agent (tests, custom setups). Not closed by the layer. */
  readonly dispatcher?: Dispatcher | undefined
}

const DurationInputSchema = Schema.declare(
  (u): u is Duration.DurationInput => Option.isSome(Duration.decodeUnknown(u)),
  { message: () => `expected a duration such as "5 seconds", 5000 (milliseconds) or Duration.seconds(5)` }
)

const fn = (what: string) =>
  Schema.declare((u): u is (...args: Array<any>) => any => typeof u === "function", {
    message: () => `expected ${what}`
  })

/** Schema of a {@link RetryPolicy}; its type is checked against the interface (they cannot disagree). */
export const RetryPolicySchema: Schema.Schema<RetryPolicy> = Schema.Struct({
  maxAttempts: Schema.optional(Schema.Number),
  baseDelay: Schema.optional(DurationInputSchema),
  maxDelay: Schema.optional(DurationInputSchema),
  retryOn: Schema.optional(fn("a function (response) => boolean")),
  retryAfter: Schema.optional(fn("a function (response, now) => Duration | undefined")),
  unsafe: Schema.optional(Schema.Boolean)
})

const nonEmpty = (what: string) =>
  Schema.String.pipe(Schema.filter((s) => s.trim().length > 0, { message: () => `expected ${what}, got an empty string` }))

/**
 * Schema of the transport's {@link Options}. The gate's `http` field is validated with it, and its
 * type is checked against the interface (a `Schema`'s type is invariant), so the options a gate may
 * set and the options the transport takes cannot disagree.
 */
export const OptionsSchema: Schema.Schema<Options> = Schema.Struct({
  ca: Schema.optional(Schema.Union(Schema.String, Schema.Array(Schema.String))),
  proxy: Schema.optional(nonEmpty("a proxy URL")),
  insecureOrigins: Schema.optional(Schema.Array(nonEmpty("an origin such as https://staging.internal:8443"))),
  connections: Schema.optional(Schema.Number),
  keepAliveTimeout: Schema.optional(DurationInputSchema),
  retry: Schema.optional(RetryPolicySchema),
  dispatcher: Schema.optional(Schema.declare(
    (u): u is Dispatcher => typeof u === "object" && u !== null && typeof (u as Dispatcher).dispatch === "function",
    { message: () => "expected an undici Dispatcher (Agent, Pool, MockAgent …)" }
  ))
})

/** The transport service. */
export interface Service {
  /** Send a request, retrying idempotent reads per the policy. */
  readonly request: (request: HttpRequest) => Effect.Effect<HttpResponse, HttpError>
  /** The underlying dispatcher, for code that must talk undici directly. */
  readonly dispatcher: Dispatcher
  /** Origins with TLS verification turned off. */
  readonly insecureOrigins: ReadonlyArray<string>
  /** Extra CA certificates (PEM) the transport trusts; the TLS certificate check trusts them too. */
  readonly ca?: ReadonlyArray<string> | undefined
}

/**
 * The transport service tag. The runner provides it to every check and gate
 * layer; integration clients take it from the context instead of creating
 * their own agent.
 */
export class HttpTransport extends Context.Tag("@launchgate/core/HttpTransport")<HttpTransport, Service>() {}

/** Statuses retried by default: request timeout, rate limited, and the gateway family. */
export const DEFAULT_RETRY_STATUSES: ReadonlySet<number> = new Set([408, 429, 502, 503, 504])
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"])
const NOT_RETRYABLE_CODES = new Set(["LG_BODY_TOO_LARGE"])
// TLS verification failures are deterministic: retrying only delays the answer.
const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/
const DEFAULT_MAX_BODY = 16 * 1024 * 1024
const MAX_REDIRECTS = 5

/**
 * Parse a `Retry-After` value (RFC 9110 §10.2.3, https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3):
 * delay-seconds or an HTTP-date, relative to `now` (milliseconds; pass the Effect `Clock`'s time so
 * `TestClock` controls it). A date in the past is a zero wait; anything else is `undefined`.
 * Exported for the vendor clients, so every package reads the header the same way.
 *
 * @example
 * HttpTransport.parseRetryAfter("120", Date.now()) // 2 minutes
 * HttpTransport.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", Date.now())
 */
export const parseRetryAfter = (value: string | undefined, now: number): Duration.Duration | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Duration.seconds(Number(trimmed))
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Duration.millis(Math.max(0, date - now))
}

/**
 * The retry predicate, in one place: transport failures and timeouts are
 * retryable (except a malformed request, an oversized body or a TLS
 * verification failure, which a retry cannot fix); responses are
 * retryable when the policy's `retryOn` (default: 408, 429, 502, 503, 504)
 * says so.
 */
export const isRetryable = (input: HttpResponse | HttpError, policy: RetryPolicy = {}): boolean =>
  isHttpError(input)
    ? input.reason !== "InvalidRequest" && input.reason !== "RateLimited" &&
      !(input.code !== undefined && (NOT_RETRYABLE_CODES.has(input.code) || TLS_CODE.test(input.code)))
    : (policy.retryOn ?? ((r: HttpResponse) => DEFAULT_RETRY_STATUSES.has(r.status)))(input)

/**
 * The retry schedule: exponential backoff from `baseDelay` with jitter,
 * replaced by the server's `Retry-After` (seconds or HTTP-date, read with
 * Effect's `Clock`) when there is one, every wait capped at `maxDelay`, at
 * most `maxAttempts - 1` retries, and only while {@link isRetryable} holds.
 * Driven by Effect's `Clock`, so `TestClock` controls it.
 *
 * @example
 * Effect.retry(attempt, HttpTransport.retrySchedule({ maxAttempts: 3, baseDelay: "50 millis" }))
 */
export const retrySchedule = (
  policy: RetryPolicy = {}
): Schedule.Schedule<readonly [Duration.Duration, HttpResponse | HttpError], HttpResponse | HttpError> => {
  const maxDelay = Duration.decode(policy.maxDelay ?? "10 seconds")
  const retries = Math.max(0, Math.floor(policy.maxAttempts ?? 4) - 1)
  const requested = (input: HttpResponse | HttpError, now: number): Duration.Duration | undefined =>
    isHttpError(input) ? undefined : requestedDelay(input, policy, now)
  return Schedule.exponential(policy.baseDelay ?? "200 millis").pipe(
    Schedule.jitteredWith({ min: 0.5, max: 1 }),
    Schedule.intersect(Schedule.identity<HttpResponse | HttpError>()),
    Schedule.modifyDelayEffect(([, input], delay) =>
      Effect.map(Clock.currentTimeMillis, (now) => Duration.min(requested(input, now) ?? delay, maxDelay))
    ),
    Schedule.whileInput((input: HttpResponse | HttpError) => isRetryable(input, policy)),
    Schedule.intersect(Schedule.recurs(retries)),
    Schedule.map(([out]) => out)
  )
}

/**
 * The wait a response asks for under a policy (its `retryAfter`, or the `Retry-After` header).
 *
 * An HTTP-date is the server's wall-clock time, so it is measured against the response's own `Date`
 * header (RFC 9110 §6.6.1: both instants from the same clock), and only without one against `now`
 * (the Effect `Clock`). A run that pins its clock to another instant (`Runner.runPromise(gate, { now })`)
 * would otherwise wait for months or not at all.
 */
export const requestedDelay = (response: HttpResponse, policy: RetryPolicy, now: number): Duration.Duration | undefined => {
  if (policy.retryAfter) return policy.retryAfter(response, now)
  const value = response.headers["retry-after"]
  if (value === undefined || /^\s*\d+(\.\d+)?\s*$/.test(value)) return parseRetryAfter(value, now)
  const served = Date.parse(response.headers["date"] ?? "")
  return parseRetryAfter(value, Number.isNaN(served) ? now : served)
}

const flattenHeaders = (headers: Record<string, string | Array<string> | undefined>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v
  }
  return out
}

const errorCode = (cause: unknown): string | undefined => {
  let current: unknown = cause
  for (let i = 0; i < 4 && current && typeof current === "object"; i++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT", "ETIMEDOUT"])

const remediationFor = (reason: HttpErrorReason, code: string | undefined): string => {
  if (reason === "Timeout") {
    return "The target did not answer in time: check that it is up and reachable from here, " +
      "or raise the request timeout if it is legitimately slow."
  }
  if (reason === "InvalidRequest") return "Fix the URL in the check's configuration."
  if (reason === "RateLimited") {
    return "The server asked (Retry-After) for a longer wait than the check can afford: " +
      "run the check when the service is not rate limiting this client, lower the request rate, " +
      "or raise the check's timeout."
  }
  if (code !== undefined && TLS_CODE.test(code)) {
    return "TLS verification failed: fix the server's certificate chain, " +
      "or trust its CA with the transport's `ca` option (for a test target only, list the origin in `insecureOrigins`)."
  }
  if (code === "LG_BODY_TOO_LARGE") {
    return "The response is larger than expected: point the check at a smaller resource or raise `maxBodyBytes`."
  }
  return "The connection failed: check the URL, DNS, firewall and proxy settings, and that the service is running."
}

const httpError = (
  reason: HttpErrorReason,
  method: string,
  url: string,
  attempts: number,
  detail: string,
  code?: string,
  extra: { readonly status?: number; readonly retryAfterMs?: number } = {}
) =>
  new HttpError({
    reason,
    method,
    url,
    attempts,
    code,
    message: Redaction.scrub(`${method} ${url} failed: ${detail}${code ? ` (${code})` : ""}`),
    remediation: remediationFor(reason, code),
    ...extra
  })

const seconds = (ms: number): string => String(Math.round(ms / 100) / 10)

// Identifies launchgate's traffic in the target's logs (probes, latency samples) unless the caller sets one.
const USER_AGENT = `launchgate/${version}`

const resolveHeaders = (headers: HttpRequest["headers"]): Record<string, string> => {
  const out: Record<string, string> = {}
  let agent = false
  for (const [k, v] of Object.entries(headers ?? {})) {
    out[k] = Redacted.isRedacted(v) ? Redacted.value(v) : v
    if (k.toLowerCase() === "user-agent") agent = true
  }
  if (!agent) out["user-agent"] = USER_AGENT
  return out
}

const readBody = async (body: AsyncIterable<Uint8Array> & { destroy: (err?: Error) => unknown }, max: number) => {
  const chunks: Array<Uint8Array> = []
  let size = 0
  for await (const chunk of body) {
    size += chunk.byteLength
    if (size > max) {
      body.destroy()
      throw Object.assign(new Error(`response body exceeds ${max} bytes`), { code: "LG_BODY_TOO_LARGE" })
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString("utf8")
}

/** The hop to follow, or `undefined` when the policy says to return the redirect instead. */
const followable = (location: string, current: URL, start: URL, policy: RedirectPolicy): URL | undefined => {
  let next: URL
  try {
    next = new URL(location, current)
  } catch {
    return undefined
  }
  if (next.protocol !== "http:" && next.protocol !== "https:") return undefined
  return policy === "same-host" && next.hostname !== start.hostname ? undefined : next
}

/** One attempt, redirects included: no retry and no timeout of its own (the caller adds both). */
const exchange = async (
  dispatcher: Dispatcher,
  req: HttpRequest,
  method: string,
  url: URL,
  attempt: number,
  signal: AbortSignal,
  timeoutMs: number
): Promise<HttpResponse> => {
  const started = performance.now()
  const policy = req.followRedirects ?? false
  const maxHops = policy === false ? 0 : MAX_REDIRECTS
  const redirects: Array<Redirect> = []
  let headers = resolveHeaders(req.headers)
  let currentMethod = method
  let body = req.body
  let current = url
  const { request: undiciRequest } = await loadUndici()
  for (let hop = 0; ; hop++) {
    const res = await undiciRequest(current, {
      dispatcher,
      method: currentMethod as Dispatcher.HttpMethod,
      headers,
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : Buffer.from(body) }),
      signal,
      // Backstops; the attempt's own timeout covers the whole exchange.
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs
    })
    const responseHeaders = flattenHeaders(res.headers as Record<string, string | Array<string> | undefined>)
    const location = responseHeaders["location"]
    const next = hop < maxHops && res.statusCode >= 300 && res.statusCode < 400 && location
      ? followable(location, current, url, policy)
      : undefined
    if (next !== undefined) {
      await res.body.dump()
      redirects.push({ status: res.statusCode, location: scrubUrl(next) })
      // Every header the caller set (API keys, tenant ids, Redacted secrets, not only Authorization and
      // Cookie) belongs to the origin it was meant for: another origin gets none of them, for the rest of
      // the chain. Fetch drops only Authorization (https://fetch.spec.whatwg.org/#http-redirect-fetch).
      if (next.origin !== current.origin) headers = resolveHeaders(undefined)
      if (res.statusCode === 303 || ((res.statusCode === 301 || res.statusCode === 302) && currentMethod === "POST")) {
        currentMethod = "GET"
        body = undefined
      }
      current = next
      continue
    }
    const text = await readBody(res.body, req.maxBodyBytes ?? DEFAULT_MAX_BODY)
    return {
      status: res.statusCode,
      headers: responseHeaders,
      body: text,
      url: scrubUrl(current),
      attempts: attempt,
      durationMs: Math.round(performance.now() - started),
      ...(redirects.length > 0 ? { redirects } : {})
    }
  }
}

const DEFAULT_TIMEOUT = Duration.seconds(10)

/** Build the transport around a dispatcher. */
export const makeWith = (dispatcher: Dispatcher, options: Options = {}): Service => {
  const defaults = options.retry ?? {}
  const insecureOrigins = options.insecureOrigins ?? []
  const ca = options.ca === undefined ? undefined : typeof options.ca === "string" ? [options.ca] : [...options.ca]

  const once = (req: HttpRequest, method: string, url: URL, attempt: number): Effect.Effect<HttpResponse, HttpError> => {
    const timeout = req.timeout === undefined ? DEFAULT_TIMEOUT : Duration.decode(req.timeout)
    const timeoutMs = Duration.toMillis(timeout)
    const failed = (cause: unknown) => {
      const code = errorCode(cause)
      const detail = cause instanceof Error ? cause.message : String(cause)
      const reason = code !== undefined && TIMEOUT_CODES.has(code) ? "Timeout" : "Transport"
      return httpError(reason, method, scrubUrl(url), attempt, detail, code)
    }
    const timedOut = () =>
      httpError("Timeout", method, scrubUrl(url), attempt, `no complete response within ${Duration.format(timeout)}`)
    return Effect.clockWith((clock) => {
      // A clock a test drives (TestClock) must see the timeout as one of its sleeps: race a sleeping fibre.
      if (!sleepsInRealTime(clock)) {
        return Effect.tryPromise({
          try: (signal) => exchange(dispatcher, req, method, url, attempt, signal, timeoutMs),
          catch: failed
        }).pipe(Effect.timeoutFail({ duration: timeout, onTimeout: timedOut }))
      }
      // Real time: one timer and one abort signal, no fibre forked per request (issue 13: the race cost about
      // a third of the transport's own CPU per request). Same outcomes: the timer aborts the exchange and
      // answers Timeout at once; interruption aborts it too.
      return Effect.async<HttpResponse, HttpError>((resume) => {
        const controller = new AbortController()
        let settled = false
        const settle = (effect: Effect.Effect<HttpResponse, HttpError>) => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          resume(effect)
        }
        const timer = setTimeout(() => {
          settle(Effect.fail(timedOut()))
          controller.abort()
        }, timeoutMs)
        exchange(dispatcher, req, method, url, attempt, controller.signal, timeoutMs).then(
          (response) => settle(Effect.succeed(response)),
          (cause) => settle(Effect.fail(failed(cause)))
        )
        return Effect.sync(() => {
          settled = true
          clearTimeout(timer)
          controller.abort()
        })
      })
    })
  }

  const request = (req: HttpRequest): Effect.Effect<HttpResponse, HttpError> =>
    Effect.suspend(() => {
      const method = (req.method ?? "GET").toUpperCase()
      let url: URL
      try {
        url = typeof req.url === "string" ? new URL(req.url) : req.url
      } catch {
        return Effect.fail(httpError("InvalidRequest", method, scrubUrl(String(req.url)), 0, "not a valid absolute URL"))
      }
      const policy = req.retry === false ? undefined : { ...defaults, ...(req.retry ?? {}) }
      if (policy === undefined || !(IDEMPOTENT.has(method) || policy.unsafe)) return once(req, method, url, 1)

      const shown = scrubUrl(url)
      const maxAttempts = Math.max(1, Math.floor(policy.maxAttempts ?? 4))
      const maxDelayMs = policy.maxDelay === undefined ? 10_000 : Duration.toMillis(Duration.decode(policy.maxDelay))
      const budgetMs = req.budget === undefined ? undefined : Duration.toMillis(Duration.decode(req.budget))
      // Read from the Effect Clock, so TestClock drives the waits and the evidence alike.
      let attempts = 0
      let firstStart: number | undefined
      // The running check's deadline (set by the runner): no wait is worth starting past it.
      let deadlineAt: number | undefined
      let lastEnd: number | undefined
      let waitedMs = 0
      const asked: Array<string> = []
      const attempt = Effect.gen(function*() {
        const start = yield* Clock.currentTimeMillis
        if (firstStart === undefined) deadlineAt = yield* FiberRef.get(currentDeadline)
        firstStart ??= start
        if (lastEnd !== undefined) waitedMs += start - lastEnd
        const n = ++attempts
        const response = yield* Effect.tap(once(req, method, url, n), () =>
          Effect.map(Clock.currentTimeMillis, (now) => {
            lastEnd = now
          }))
        if (!isRetryable(response, policy) || n >= maxAttempts) return response
        const now = lastEnd ?? start
        const wait = requestedDelay(response, policy, now)
        if (wait !== undefined) {
          const waitMs = Duration.toMillis(wait)
          const left = Math.min(
            budgetMs === undefined ? Number.POSITIVE_INFINITY : firstStart + budgetMs - now,
            deadlineAt === undefined ? Number.POSITIVE_INFINITY : deadlineAt - now
          )
          // Retrying sooner than the server asked is not honouring Retry-After; waiting past the budget
          // only ends in a timeout. Either way the honest answer is now: the server asked us to wait.
          if (waitMs > maxDelayMs || waitMs > left) {
            const limit = waitMs > left
              ? `${seconds(Math.max(0, left))} s of the check's time remain`
              : `maxDelay is ${seconds(maxDelayMs)} s`
            return yield* Effect.fail(httpError(
              "RateLimited",
              method,
              shown,
              n,
              `answered ${response.status} and asked to wait ${seconds(waitMs)} s (Retry-After); ${limit}, so it did not wait`,
              undefined,
              { status: response.status, retryAfterMs: waitMs }
            ))
          }
          const header = response.headers["retry-after"]
          if (header !== undefined) asked.push(header)
        }
        return yield* Effect.fail(response)
      })
      // Most attempts succeed: the schedule (and its driver) is built only once one has to be retried. Same
      // steps as Effect.retry: the failure goes to the schedule, which waits or gives up with that failure.
      const retrying = (first: HttpResponse | HttpError) =>
        Effect.flatMap(Schedule.driver(retrySchedule(policy)), (driver) => {
          const again = (failure: HttpResponse | HttpError): Effect.Effect<HttpResponse, HttpResponse | HttpError> =>
            Effect.matchEffect(driver.next(failure), {
              onFailure: () => Effect.fail(failure),
              onSuccess: () => Effect.catchAll(attempt, again)
            })
          return again(first)
        })
      return Effect.catchAll(attempt, retrying).pipe(
        // A retryable response that survived every attempt is still an answer.
        Effect.catchAll((last) => (isHttpError(last) ? Effect.fail(last) : Effect.succeed(last))),
        Effect.map((response) =>
          attempts > 1 ? { ...response, waitedMs, ...(asked.length > 0 ? { retryAfter: asked } : {}) } : response
        )
      )
    })

  return { request, dispatcher, insecureOrigins, ...(ca ? { ca } : {}) }
}

const normaliseOrigin = (origin: string, index: number): string => {
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(origin) ? origin : `https://${origin}`).origin
  } catch {
    throw new Error(
      `HttpTransport options.insecureOrigins[${index}]: ${JSON.stringify(origin)} ` +
        `is not an origin such as "https://staging.internal:8443"`
    )
  }
}

/**
 * The transport as a scoped resource: one keep-alive agent (behind the proxy
 * when one is set), a second agent that skips TLS verification for the
 * `insecureOrigins` only, both closed when the scope closes.
 */
export const make = (options: Options = {}): Effect.Effect<Service, never, Scope.Scope> =>
  Effect.gen(function*() {
    if (options.dispatcher) return makeWith(options.dispatcher, options)
    const { Agent, Dispatcher, ProxyAgent } = yield* Effect.promise(loadUndici)
    const ca = options.ca === undefined ? undefined : typeof options.ca === "string" ? [options.ca] : [...options.ca]
    const insecure = new Set((options.insecureOrigins ?? []).map(normaliseOrigin))
    // `ca` replaces Node's root store in tls.connect; extra CAs must add to it.
    const connect = ca ? { ca: [...tls.rootCertificates, ...ca] } : {}
    const agentOptions = {
      connections: options.connections ?? 16,
      keepAliveTimeout: Duration.toMillis(Duration.decode(options.keepAliveTimeout ?? "10 seconds"))
    }
    const build = (tlsOptions: Record<string, unknown>): Dispatcher =>
      options.proxy
        ? new ProxyAgent({ uri: options.proxy, ...agentOptions, requestTls: tlsOptions })
        : new Agent({ ...agentOptions, connect: tlsOptions })
    const secure = build(connect)
    // Verification is turned off only for the named origins, on a separate agent.
    const lax = insecure.size > 0 ? build({ ...connect, rejectUnauthorized: false }) : undefined
    const dispatcher = lax ? new (originRouter(Dispatcher))(secure, lax, insecure) : secure
    yield* Effect.addFinalizer(() => Effect.promise(() => shutdown([secure, ...(lax ? [lax] : [])])))
    return makeWith(dispatcher, { ...options, insecureOrigins: [...insecure] })
  })

/** Close gracefully, then destroy whatever is still open, so no socket outlives the run. */
const shutdown = async (dispatchers: ReadonlyArray<Dispatcher>): Promise<void> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 1_000)
  })
  await Promise.race([Promise.allSettled(dispatchers.map((d) => d.close())), grace])
  clearTimeout(timer)
  await Promise.allSettled(dispatchers.map((d) => d.destroy()))
}

/**
 * Sends each request to the lax agent when its origin is listed, to the verifying agent otherwise. A class over
 * undici's `Dispatcher` (whose request API it inherits), made once undici has loaded.
 */
const originRouter = (Base: Undici["Dispatcher"]) =>
class OriginRouter extends Base {
  private readonly cache = new Map<string, boolean>()
  constructor(
    private readonly secure: Dispatcher,
    private readonly lax: Dispatcher,
    private readonly insecure: ReadonlySet<string>
  ) {
    super()
  }
  private isInsecure(origin: string | URL | undefined): boolean {
    if (origin === undefined) return false
    const key = origin.toString()
    let hit = this.cache.get(key)
    if (hit === undefined) {
      hit = this.insecure.has(new URL(key).origin)
      this.cache.set(key, hit)
    }
    return hit
  }
  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return (this.isInsecure(opts.origin) ? this.lax : this.secure).dispatch(opts, handler)
  }
  override close(...args: Array<any>): any {
    const done = Promise.allSettled([this.secure.close(), this.lax.close()]).then(() => undefined)
    return typeof args[0] === "function" ? void done.then(args[0]) : done
  }
  override destroy(...args: Array<any>): any {
    const callback = args.find((a) => typeof a === "function")
    const done = Promise.allSettled([this.secure.destroy(), this.lax.destroy()]).then(() => undefined)
    return callback ? void done.then(callback) : done
  }
}

/**
 * The transport as a scoped layer: one keep-alive agent for the run, closed
 * when the run ends.
 *
 * @example
 * Runner.run(gate).pipe(Effect.provide(HttpTransport.layer({ ca: companyRootPem, insecureOrigins: ["https://staging.internal:8443"] })))
 */
export const layer = (options: Options = {}): Layer.Layer<HttpTransport> => Layer.scoped(HttpTransport, make(options))

/** The default transport (used by the runner when a gate provides none). */
export const layerDefault: Layer.Layer<HttpTransport> = layer()

/** The methods {@link toFetch} sends. */
export type Method = NonNullable<HttpRequest["method"]>

/** Options of {@link toFetch}. */
export interface FetchOptions {
  /** The methods the fetch sends; any other is refused (a rejected `TypeError`). Default: every {@link Method}. */
  readonly methods?: ReadonlyArray<Method> | undefined
  /** Headers set over the caller's (names in lower case): the credential, as `Redacted`, belongs here. */
  readonly headers?: HttpRequest["headers"]
  /** Per-attempt timeout (the transport's `timeout`). */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * Bound on one call: every attempt and every wait. It is the transport's `budget` (a `Retry-After` that does
   * not fit fails at once with `RateLimited`), and a hang past it rejects with a `Timeout` {@link HttpError}.
   */
  readonly budget?: Duration.DurationInput | undefined
  readonly retry?: RetryPolicy | false | undefined
  readonly maxBodyBytes?: number | undefined
  /** A signal read at each call (an SDK that cannot pass one through), added to the call's own `signal`. */
  readonly signal?: (() => AbortSignal | undefined) | undefined
  /** Called once per fetch call, for per-call state: retry hooks merged over `retry`, extra response headers. */
  readonly call?: (() => FetchCall) | undefined
}

/** The per-call part of {@link FetchOptions}. */
export interface FetchCall {
  readonly retry?: RetryPolicy | undefined
  /** Headers added to the `Response` the SDK sees (never sent), e.g. what the retries cost. */
  readonly headers?: ((response: HttpResponse) => Readonly<Record<string, string>>) | undefined
}

/** The `init` of a WHATWG `fetch` call, as far as {@link toFetch} reads it. */
export interface FetchInit {
  readonly method?: string | undefined
  readonly headers?: ConstructorParameters<typeof Headers>[0] | undefined
  readonly body?: unknown
  readonly signal?: AbortSignal | null | undefined
}

/** Header on the `Response` {@link toFetch} returns (never sent): how many attempts the answer took. */
export const ATTEMPTS_HEADER = "x-launchgate-attempts"
/** Header on the `Response` {@link toFetch} returns (never sent): milliseconds waited between attempts. */
export const WAITED_HEADER = "x-launchgate-waited-ms"

/**
 * What a {@link toFetch} call rejects with when the transport produced no response: `cause` (and `error`) is
 * the {@link HttpError}; `lastHeaders` are those of the last response seen before giving up (a rate-limit
 * answer), if any. SDKs keep the thrown value, so the caller finds the transport's error on theirs.
 */
export class FetchFailure extends Error {
  override readonly cause: HttpError
  constructor(readonly error: HttpError, readonly lastHeaders: Readonly<Record<string, string>> | undefined) {
    super(error.message, { cause: error })
    this.cause = error
    this.name = "LaunchgateTransportFailure"
  }
}

const ALL_METHODS: ReadonlyArray<Method> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
// The body is already complete and decoded: these would describe the wire form, not this body.
const WIRE_HEADERS = new Set(["content-length", "content-encoding", "transfer-encoding"])

const bodyOf = (body: unknown): string | Uint8Array | undefined => {
  if (body === undefined || body === null || body === "") return undefined
  if (typeof body === "string" || body instanceof Uint8Array) return body
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  if (body instanceof URLSearchParams) return body.toString()
  throw new TypeError("launchgate fetch: only string, byte and URLSearchParams bodies are supported")
}

const toResponse = (response: HttpResponse, extra: Readonly<Record<string, string>>): Response => {
  const out = new Headers()
  for (const [name, value] of Object.entries(response.headers)) if (!WIRE_HEADERS.has(name)) out.set(name, value)
  out.set(ATTEMPTS_HEADER, String(response.attempts))
  if (response.waitedMs !== undefined) out.set(WAITED_HEADER, String(Math.round(response.waitedMs)))
  for (const [name, value] of Object.entries(extra)) out.set(name, value)
  const nullBody = response.status === 204 || response.status === 304 || response.body.length === 0
  return new Response(nullBody ? null : response.body, { status: response.status, headers: out })
}

/**
 * A WHATWG-`fetch`-compatible function over `transport.request`, for an SDK that takes a `fetch` (Octokit's
 * `request.fetch`, Stripe's `createFetchHttpClient`): the body cap, the retry policy (with `Retry-After`), the
 * budget, proxy/CA options and redaction apply to the SDK's calls as to every other request. The `Response`
 * carries {@link ATTEMPTS_HEADER} (and {@link WAITED_HEADER} after a retry); a call that gets no response
 * rejects with a {@link FetchFailure} whose `cause` is the transport's {@link HttpError}.
 *
 * @example
 * new Octokit({ request: { fetch: HttpTransport.toFetch(transport, { methods: ["GET"], budget: "20 seconds" }) } })
 */
export const toFetch = (transport: Service, options: FetchOptions = {}) => {
  const methods = new Set<string>(options.methods ?? ALL_METHODS)
  const budget = options.budget === undefined ? undefined : Duration.decode(options.budget)
  return async (input: string | URL | Request, init: FetchInit = {}): Promise<Response> => {
    const url = input instanceof Request ? input.url : input
    const method = (init.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase()
    if (!methods.has(method)) throw new TypeError(`launchgate fetch: ${method} is not allowed here`)
    const call = options.call?.() ?? {}
    const base = options.retry === false ? undefined : { ...(options.retry ?? {}), ...(call.retry ?? {}) }
    let lastHeaders: Readonly<Record<string, string>> | undefined
    let seen = 0
    const retry: RetryPolicy | false = base === undefined ? false : {
      ...base,
      retryOn: (response) => {
        lastHeaders = response.headers
        seen = Math.max(seen, response.attempts)
        return (base.retryOn ?? ((r: HttpResponse) => DEFAULT_RETRY_STATUSES.has(r.status)))(response)
      }
    }
    const headers: Record<string, string | Redacted.Redacted<string>> = Object.fromEntries(
      new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined)).entries()
    )
    for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value
    const body = bodyOf(init.body)
    const shown = scrubUrl(String(url))
    const request = transport.request({
      method: method as Method,
      url,
      headers,
      retry,
      ...(body === undefined ? {} : { body }),
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      ...(budget === undefined ? {} : { budget }),
      ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes })
    })
    // The transport's budget stops waits; this stops an attempt that hangs past it.
    const bounded = budget === undefined ? request : Effect.timeoutFail(request, {
      duration: budget,
      onTimeout: () =>
        httpError("Timeout", method, shown, seen + 1, `no complete answer within the budget of ${Duration.format(budget)}`)
    })
    const signals = [init.signal, options.signal?.()].filter((s): s is AbortSignal => s != null)
    const exit = await Effect.runPromiseExit(bounded, signals.length > 0 ? { signal: AbortSignal.any(signals) } : {})
    if (exit._tag === "Success") return toResponse(exit.value, call.headers?.(exit.value) ?? {})
    const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
    if (failure !== undefined) throw new FetchFailure(failure, lastHeaders)
    throw new Error(`${method} ${shown}: the request was interrupted`)
  }
}

/** A response header by case-insensitive name. */
export const header = (response: HttpResponse, name: string): Option.Option<string> =>
  Option.fromNullable(response.headers[name.toLowerCase()])
