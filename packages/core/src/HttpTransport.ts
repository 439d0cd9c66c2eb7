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
import { Clock, Context, Data, Duration, Effect, Layer, Option, Random } from "effect"
import { Agent, type Dispatcher, ProxyAgent, request as undiciRequest } from "undici"
import { scrubUrl } from "./internal/redactUrl.js"

/** A request. Bodies are strings or bytes; JSON encoding is the caller's. */
export interface HttpRequest {
  readonly method?: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" | undefined
  readonly url: string | URL
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly body?: string | Uint8Array | undefined
  /** Per-attempt timeout for headers and body. Default 10 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Retry policy; `false` disables retries. Non-idempotent methods are never retried unless `retry.unsafe` is set. */
  readonly retry?: RetryPolicy | false | undefined
  /** Follow redirects (default `false`: redirects are returned to be asserted). */
  readonly followRedirects?: boolean | undefined
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
}

/** When and how to retry. */
export interface RetryPolicy {
  /** Total attempts, the first included. Default 4. */
  readonly maxAttempts?: number | undefined
  /** First backoff. Default 200 ms; doubles with full jitter. */
  readonly baseDelay?: Duration.DurationInput | undefined
  /** Largest single wait, `Retry-After` included. Default 10 seconds. */
  readonly maxDelay?: Duration.DurationInput | undefined
  /** Which responses are retryable. Default: 408, 429, 502, 503, 504. */
  readonly retryOn?: ((response: HttpResponse) => boolean) | undefined
  /** A server-requested delay read from a response (default: the `Retry-After` header). */
  readonly retryAfter?: ((response: HttpResponse) => Duration.Duration | undefined) | undefined
  /** Retry non-idempotent methods too. */
  readonly unsafe?: boolean | undefined
}

/** The transport failed to produce a response. */
export class HttpError extends Data.TaggedError("HttpError")<{
  readonly reason: "Transport" | "Timeout"
  readonly method: string
  /** The URL with query-string credentials redacted. */
  readonly url: string
  readonly message: string
  readonly attempts: number
  readonly code?: string | undefined
}> {}

/** Options of {@link layer}. */
export interface Options {
  /** Extra CA certificates (PEM) trusted for every origin. */
  readonly ca?: string | ReadonlyArray<string> | undefined
  /** An HTTP(S) proxy URL for every request. */
  readonly proxy?: string | undefined
  /**
   * Origins (`https://host:port`) whose TLS certificates are not verified.
   * Off by default; reports list the origins so nobody forgets it is on.
   */
  readonly insecureOrigins?: ReadonlyArray<string> | undefined
  /** Connections per origin. Default 16. */
  readonly connections?: number | undefined
  /** Default retry policy. */
  readonly retry?: RetryPolicy | undefined
  /** A dispatcher to use instead of creating an agent (tests, custom setups). Not closed by the layer. */
  readonly dispatcher?: Dispatcher | undefined
}

/** The transport service. */
export interface Service {
  /** Send a request, retrying idempotent reads per the policy. */
  readonly request: (request: HttpRequest) => Effect.Effect<HttpResponse, HttpError>
  /** The underlying dispatcher, for code that must talk undici directly. */
  readonly dispatcher: Dispatcher
  /** Origins with TLS verification turned off. */
  readonly insecureOrigins: ReadonlyArray<string>
}

export class HttpTransport extends Context.Tag("@launchgate/core/HttpTransport")<HttpTransport, Service>() {}

const DEFAULT_RETRY_STATUSES = new Set([408, 429, 502, 503, 504])
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"])

/**
 * Parse a `Retry-After` value: delta-seconds or an HTTP-date (relative to `now`).
 */
export const parseRetryAfter = (value: string | undefined, now: number): Duration.Duration | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Duration.seconds(Number(trimmed))
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Duration.millis(Math.max(0, date - now))
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

/** Build the transport around a dispatcher. */
export const makeWith = (dispatcher: Dispatcher, options: Options = {}): Service => {
  const defaults = options.retry ?? {}
  const insecureOrigins = options.insecureOrigins ?? []

  const once = (req: HttpRequest, method: string, url: URL, attempt: number) =>
    Effect.tryPromise({
      try: async (signal) => {
        const timeoutMs = Duration.toMillis(Duration.decode(req.timeout ?? "10 seconds"))
        const started = performance.now()
        const maxRedirections = req.followRedirects ? 5 : 0
        let current = url
        for (let hop = 0; ; hop++) {
          const res = await undiciRequest(current, {
            dispatcher,
            method: method as Dispatcher.HttpMethod,
            ...(req.headers ? { headers: { ...req.headers } } : {}),
            ...(req.body === undefined ? {} : { body: typeof req.body === "string" ? req.body : Buffer.from(req.body) }),
            signal,
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs
          })
          const body = await res.body.text()
          const headers = flattenHeaders(res.headers as Record<string, string | Array<string> | undefined>)
          if (hop < maxRedirections && res.statusCode >= 300 && res.statusCode < 400 && headers["location"]) {
            current = new URL(headers["location"], current)
            continue
          }
          return {
            status: res.statusCode,
            headers,
            body,
            url: scrubUrl(current),
            attempts: attempt,
            durationMs: Math.round(performance.now() - started)
          } satisfies HttpResponse
        }
      },
      catch: (cause) => {
        const code = errorCode(cause)
        const timedOut = code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" ||
          code === "UND_ERR_CONNECT_TIMEOUT"
        return new HttpError({
          reason: timedOut ? "Timeout" : "Transport",
          method,
          url: scrubUrl(url),
          attempts: attempt,
          code,
          message: `${method} ${scrubUrl(url)} failed: ${
            cause instanceof Error ? cause.message : String(cause)
          }${code ? ` (${code})` : ""}`
        })
      }
    })

  const request = (req: HttpRequest): Effect.Effect<HttpResponse, HttpError> =>
    Effect.suspend(() => {
      const method = (req.method ?? "GET").toUpperCase()
      const url = typeof req.url === "string" ? new URL(req.url) : req.url
      const policy = req.retry === false ? undefined : { ...defaults, ...(req.retry ?? {}) }
      const maxAttempts = policy && (IDEMPOTENT.has(method) || policy.unsafe) ? Math.max(1, policy.maxAttempts ?? 4) : 1
      const base = Duration.toMillis(Duration.decode(policy?.baseDelay ?? "200 millis"))
      const maxDelay = Duration.toMillis(Duration.decode(policy?.maxDelay ?? "10 seconds"))
      const retryOn = policy?.retryOn ?? ((r: HttpResponse) => DEFAULT_RETRY_STATUSES.has(r.status))

      const loop = (attempt: number): Effect.Effect<HttpResponse, HttpError> =>
        Effect.either(once(req, method, url, attempt)).pipe(
          Effect.flatMap((result) => {
            const retryable = result._tag === "Left" ? true : retryOn(result.right)
            if (!retryable || attempt >= maxAttempts) {
              return result._tag === "Left" ? Effect.fail(result.left) : Effect.succeed(result.right)
            }
            return Effect.gen(function*() {
              const now = yield* Clock.currentTimeMillis
              const requested = result._tag === "Right"
                ? (policy?.retryAfter?.(result.right) ?? parseRetryAfter(result.right.headers["retry-after"], now))
                : undefined
              // Exponential backoff with full jitter, unless the server named a delay.
              const jitter = yield* Random.next
              const backoff = Math.min(maxDelay, base * 2 ** (attempt - 1)) * (0.5 + jitter / 2)
              const wait = requested !== undefined ? Math.min(maxDelay, Duration.toMillis(requested)) : backoff
              yield* Effect.sleep(Duration.millis(wait))
              return yield* loop(attempt + 1)
            })
          })
        )
      return loop(1)
    })

  return { request, dispatcher, insecureOrigins }
}

/**
 * The transport as a scoped layer: one keep-alive agent for the run, closed
 * when the run ends.
 */
export const layer = (options: Options = {}): Layer.Layer<HttpTransport> =>
  Layer.scoped(
    HttpTransport,
    Effect.gen(function*() {
      if (options.dispatcher) return makeWith(options.dispatcher, options)
      const ca = options.ca === undefined ? undefined : typeof options.ca === "string" ? [options.ca] : [...options.ca]
      const insecure = new Set((options.insecureOrigins ?? []).map((o) => new URL(o).origin))
      const connect = { ...(ca ? { ca } : {}) }
      const agentOptions = { connections: options.connections ?? 16, keepAliveTimeout: 10_000, connect }
      const secure: Dispatcher = options.proxy
        ? new ProxyAgent({ uri: options.proxy, ...agentOptions, requestTls: connect })
        : new Agent(agentOptions)
      // Verification is turned off only for the named origins, on a separate agent.
      const lax: Dispatcher | undefined = insecure.size > 0
        ? new Agent({ ...agentOptions, connect: { ...connect, rejectUnauthorized: false } })
        : undefined
      const dispatcher = lax ? routeByOrigin(secure, lax, insecure) : secure
      yield* Effect.addFinalizer(() =>
        Effect.promise(async () => {
          await Promise.allSettled([secure.close(), lax?.close()])
        })
      )
      return makeWith(dispatcher, { ...options, insecureOrigins: [...insecure] })
    })
  )

const routeByOrigin = (secure: Dispatcher, lax: Dispatcher, insecure: ReadonlySet<string>): Dispatcher => {
  const Router = class extends (Agent as unknown as new() => Dispatcher) {}
  const router = Object.create(Router.prototype) as Dispatcher
  router.dispatch = (opts, handler) => {
    const origin = typeof opts.origin === "string" ? opts.origin : opts.origin?.toString()
    return (origin && insecure.has(new URL(origin).origin) ? lax : secure).dispatch(opts, handler)
  }
  router.close = (() => Promise.allSettled([secure.close(), lax.close()]).then(() => undefined)) as Dispatcher["close"]
  router.destroy = (() => Promise.allSettled([secure.destroy(), lax.destroy()]).then(() => undefined)) as Dispatcher["destroy"]
  return router
}

/** The default transport (used by the runner when a gate provides none). */
export const layerDefault: Layer.Layer<HttpTransport> = layer()

/** A response header by case-insensitive name. */
export const header = (response: HttpResponse, name: string): Option.Option<string> =>
  Option.fromNullable(response.headers[name.toLowerCase()])
