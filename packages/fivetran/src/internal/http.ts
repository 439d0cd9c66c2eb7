/**
 * The one caller of Fivetran's API: HTTP Basic with `Redacted` credentials
 * (unwrapped only when the header is written), every request through core's
 * {@link HttpTransport} with Fivetran's retry policy, the `{ code, message, data }`
 * envelope decoded with Schema, and every failure mapped to a
 * {@link FivetranError} with `VendorError.classify` and Fivetran's table.
 *
 * @internal
 */
import { HttpTransport, Redaction, VendorError } from "@launchgate/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { FivetranError, table } from "../FivetranError.js"
import * as Limiter from "./limiter.js"
import * as Api from "./schema.js"

/** What a read cost: reported as evidence by the checks. */
export interface ReadMeta {
  /** HTTP requests behind this value (list pages count one each; 0 when another read answered it). */
  readonly requests: number
  /** Attempts, retries included; for a value taken from a list already read, the list's (they held it). */
  readonly attempts: number
  /** `X-Rate-Limit-Remaining` of the last response, when sent. */
  readonly rateLimitRemaining?: number | undefined
  /** Milliseconds spent waiting because Fivetran sent `Retry-After` (absent when it never did). */
  readonly retryAfterWaitedMs?: number | undefined
}

/** A decoded value and what it cost to read. */
export interface Read<A> {
  readonly value: A
  readonly meta: ReadMeta
}

/** One API call. */
export interface Operation {
  readonly method: "GET" | "POST"
  readonly path: string
  readonly accept: string
  readonly query?: Readonly<Record<string, string | undefined>> | undefined
  readonly body?: unknown
  /** What is being read, for messages: `connection "abc"`. */
  readonly what: string
}

/** What the caller needs from the client options. */
export interface Settings {
  readonly baseUrl: string
  readonly apiKey: Redacted.Redacted<string>
  readonly apiSecret: Redacted.Redacted<string>
  readonly timeout: Duration.DurationInput
  readonly checkTimeout: Duration.DurationInput
  readonly maxBodyBytes: number
  readonly concurrency: number
  readonly maxAttempts: number
  readonly baseDelay: Duration.DurationInput
  readonly maxDelay: Duration.DurationInput
}

/** The caller: one request, or one decoded value. */
export interface Caller {
  readonly send: (op: Operation) => Effect.Effect<Read<unknown>, FivetranError>
  readonly one: <A, I>(op: Operation, schema: Schema.Schema<A, I>) => Effect.Effect<Read<A>, FivetranError>
}

/** A `FivetranError` (the vendor field is always `fivetran`). */
export const fivetranError = (fields: Omit<ConstructorParameters<typeof FivetranError>[0], "vendor">) =>
  new FivetranError({ vendor: "fivetran", ...fields })

/** Statuses worth another attempt on a read (500 included: Fivetran documents it as transient). */
const RETRYABLE = new Set([408, 500, 502, 503, 504])
/**
 * Statuses whose `Retry-After` is honoured. Fivetran documents it on 429
 * ("the number of seconds to wait", https://fivetran.com/docs/rest-api/rate-limiting);
 * on 503 it is HTTP's own meaning (RFC 9110 §10.2.3), seconds or an HTTP-date.
 */
const RETRY_AFTER_STATUSES = new Set([429, 503])

/** Transport error codes whose remediation (from core) beats "check egress": TLS verification, body cap. */
const OWN_ADVICE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|LG_BODY_TOO_LARGE/

const TRANSPORT_REASONS: Record<HttpTransport.HttpErrorReason, VendorError.Reason> = {
  Transport: "transport",
  Timeout: "timeout",
  InvalidRequest: "invalid-request",
  RateLimited: "rate-limited"
}

const remediation = {
  unauthenticated: "Fivetran rejected the API key and secret. Set FIVETRAN_API_KEY / FIVETRAN_API_SECRET " +
    "to an active key pair (Fivetran dashboard → your user → API key); " +
    "regenerating a key invalidates the old secret.",
  permissionDenied: (what: string) =>
    `The API key's user lacks permission for ${what}. Grant the role named in this check's "role" field ` +
    "(read-only roles suffice for reads) on the right destination or account.",
  notFound: (what: string) =>
    `Check the id: ${what} does not exist, or the API key's user cannot see it. ` +
    "Ids are in the Fivetran dashboard URL or the list endpoints.",
  rateLimited: (after: number | undefined) =>
    "Fivetran's account-wide API quota is exhausted" +
    (after !== undefined ? `; it asks to wait ${after} seconds. ` : ". ") +
    "Re-run after that, and check what else uses this account's API (other automation shares the hourly quota).",
  unavailable: "Fivetran answered with a server error after retries. Check https://status.fivetran.com and re-run.",
  refused: (status: number) =>
    `Fivetran refused the request (${status}). Check the request against the API reference; ` +
    "the message above says what was wrong.",
  unreachable: (origin: string) =>
    `Fivetran's API at ${origin} could not be reached. Check network egress and proxy settings; ` +
    "if it persists, check https://status.fivetran.com.",
  notJson: "A proxy or gateway may be answering instead of Fivetran; check the base URL and any egress proxy, " +
    "then retry.",
  shape: "Fivetran's response did not match the documented schema. Check that the base URL points at the v1 API; " +
    "if Fivetran changed the shape, update @launchgate/fivetran."
} as const

const remediationFor = (reason: VendorError.Reason, what: string, status: number, after: number | undefined) => {
  switch (reason) {
    case "unauthenticated":
      return remediation.unauthenticated
    case "permission-denied":
      return remediation.permissionDenied(what)
    case "not-found":
      return remediation.notFound(what)
    case "rate-limited":
      return remediation.rateLimited(after)
    case "unavailable":
      return remediation.unavailable
    default:
      return remediation.refused(status)
  }
}

/** Why a server-requested wait was not honoured (reported in the error). */
interface Refusal {
  readonly waitMs: number
  /** `cap`: longer than `retry.maxDelay`; `deadline`: would end past the check timeout. */
  readonly because: "cap" | "deadline"
  readonly remainingMs: number
}

const seconds = (ms: number) => Math.round(ms / 100) / 10
const truncate = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}…` : s)

const parseIntHeader = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const n = Number(value.trim())
  return Number.isFinite(n) ? n : undefined
}

/** The `Retry-After` waits actually taken: the first `attempts - 1` recorded waits. */
const waited = (waits: ReadonlyArray<number | undefined>, attempts: number): { retryAfterWaitedMs?: number } => {
  const taken = waits.slice(0, Math.max(0, attempts - 1)).filter((w): w is number => w !== undefined)
  return taken.length === 0 ? {} : { retryAfterWaitedMs: Math.round(taken.reduce((a, b) => a + b, 0)) }
}

const refusalText = (refused: Refusal | undefined, checkTimeoutMs: number): string => {
  if (refused === undefined) return ""
  if (refused.because === "cap") {
    return `; Retry-After asked to wait ${seconds(refused.waitMs)} s, longer than retry.maxDelay allows`
  }
  return `; Retry-After asked to wait ${seconds(refused.waitMs)} s but only ${
    seconds(Math.max(0, refused.remainingMs))
  } s remained of the ${seconds(checkTimeoutMs)} s check timeout, so it failed instead of sleeping past the deadline`
}

type EnvelopeDecoder<A> = (u: unknown) => Effect.Effect<{ readonly data: A }, ParseResult.ParseError>

// One decoder per data schema, for the life of the process. `Envelope(schema)` builds a new struct, and Schema
// compiles a parser per distinct schema: built per response, every response paid for a fresh parser (about a
// third of a 200-connection run's CPU time).
const envelopeDecoders = new WeakMap<Schema.Schema.Any, EnvelopeDecoder<unknown>>()
const envelopeDecoder = <A, I>(schema: Schema.Schema<A, I>): EnvelopeDecoder<A> => {
  let decoder = envelopeDecoders.get(schema) as EnvelopeDecoder<A> | undefined
  if (decoder === undefined) {
    decoder = Schema.decodeUnknown(Api.Envelope(schema))
    envelopeDecoders.set(schema, decoder as EnvelopeDecoder<unknown>)
  }
  return decoder
}

/** Build the caller. Needs the run's {@link HttpTransport.HttpTransport}. */
export const make = (settings: Settings): Effect.Effect<Caller, never, HttpTransport.HttpTransport> =>
  Effect.gen(function*() {
    const http = yield* HttpTransport.HttpTransport
    const limiter = Limiter.make(settings.concurrency)
    const key = Redacted.value(settings.apiKey)
    const basic = Buffer.from(`${key}:${Redacted.value(settings.apiSecret)}`).toString("base64")
    Redaction.register(settings.apiKey)
    Redaction.register(settings.apiSecret)
    Redaction.register(basic)
    const checkTimeoutMs = Duration.toMillis(Duration.decode(settings.checkTimeout))
    const maxDelayMs = Duration.toMillis(Duration.decode(settings.maxDelay))
    // The run's clock measures the budget (it runs at real speed, but a run may pin its "now").
    const clock = yield* Effect.clock

    const requestedWaitMs = (r: HttpTransport.HttpResponse): number | undefined => {
      if (!RETRY_AFTER_STATUSES.has(r.status)) return undefined
      // An HTTP-date is the server's wall-clock time: compare it with ours, not with a pinned run clock.
      const wait = HttpTransport.parseRetryAfter(r.headers["retry-after"], Date.now())
      return wait === undefined ? undefined : Duration.toMillis(wait)
    }

    /**
     * One read's retry policy for the transport. It honours `Retry-After` on 429/503 only while
     * the wait fits both `retry.maxDelay` and what is left of the check timeout; otherwise it
     * stops and records why, so the error can say so.
     */
    const readPolicy = (deadline: number, waits: Array<number | undefined>, refused: { last?: Refusal }) => ({
      maxAttempts: settings.maxAttempts,
      baseDelay: settings.baseDelay,
      maxDelay: settings.maxDelay,
      retryOn: (r: HttpTransport.HttpResponse) => {
        delete refused.last
        if (r.status !== 429 && !RETRYABLE.has(r.status)) return false
        const waitMs = requestedWaitMs(r)
        if (waitMs === undefined) return true
        const remainingMs = deadline - clock.unsafeCurrentTimeMillis()
        if (waitMs > maxDelayMs) refused.last = { waitMs, because: "cap", remainingMs }
        else if (waitMs >= remainingMs) refused.last = { waitMs, because: "deadline", remainingMs }
        return refused.last === undefined
      },
      // Called once per failed attempt, in order: the first `attempts - 1` entries are the waits taken.
      retryAfter: (r: HttpTransport.HttpResponse) => {
        const waitMs = requestedWaitMs(r)
        waits.push(waitMs)
        return waitMs === undefined ? undefined : Duration.millis(waitMs)
      }
    }) satisfies HttpTransport.RetryPolicy

    const statusError = (
      op: Operation,
      url: URL,
      response: HttpTransport.HttpResponse,
      meta: ReadMeta,
      refused?: Refusal
    ) => {
      const parsed = Option.getOrUndefined(Schema.decodeUnknownOption(Schema.parseJson())(response.body))
      const body = Option.getOrUndefined(Schema.decodeUnknownOption(Api.ErrorBody)(parsed))
      const code = body?.code
      const said = body?.message ?? (parsed === undefined ? truncate(response.body, 120) : undefined)
      const detail = `${op.method} ${url.pathname} (${op.what}) answered ${response.status}${code ? ` ${code}` : ""}${
        said ? `: ${said}` : ""
      }`
      const reason = VendorError.classify({ status: response.status, code }, table)
      const wait = response.status === 429
        ? HttpTransport.parseRetryAfter(response.headers["retry-after"], Date.now())
        : undefined
      const after = wait === undefined ? undefined : Math.ceil(Duration.toSeconds(wait))
      const retryAfter = after ?? (refused === undefined ? undefined : Math.ceil(refused.waitMs / 1000))
      return fivetranError({
        reason,
        method: op.method,
        url: url.toString(),
        status: response.status,
        attempts: meta.attempts,
        rateLimitRemaining: meta.rateLimitRemaining,
        ...(meta.retryAfterWaitedMs !== undefined ? { retryAfterWaitedMs: meta.retryAfterWaitedMs } : {}),
        ...(code !== undefined ? { code } : {}),
        ...(retryAfter !== undefined ? { retryAfter } : {}),
        message: detail + (after !== undefined ? ` (Retry-After ${after}s)` : "") +
          refusalText(refused, checkTimeoutMs),
        remediation: remediationFor(reason, op.what, response.status, after)
      })
    }

    const transportError = (op: Operation, url: URL, e: HttpTransport.HttpError, waits: Array<number | undefined>) =>
      fivetranError({
        reason: TRANSPORT_REASONS[e.reason],
        method: op.method,
        url: url.toString(),
        message: `${op.method} ${url.pathname} (${op.what}) failed: ${e.message}`,
        attempts: e.attempts,
        ...waited(waits, e.attempts),
        // TLS failures and oversized bodies are not reachability problems: keep the transport's advice.
        remediation: e.remediation !== undefined && e.code !== undefined && OWN_ADVICE.test(e.code)
          ? e.remediation
          : remediation.unreachable(url.origin)
      })

    const send = (op: Operation): Effect.Effect<Read<unknown>, FivetranError> =>
      Effect.gen(function*() {
        const url = new URL(`${settings.baseUrl}${op.path}`)
        for (const [k, v] of Object.entries(op.query ?? {})) if (v !== undefined) url.searchParams.set(k, v)
        const headers: Record<string, string> = {
          accept: op.accept,
          "user-agent": "launchgate-fivetran",
          authorization: `Basic ${basic}`,
          ...(op.body !== undefined ? { "content-type": "application/json" } : {})
        }
        const waits: Array<number | undefined> = []
        const refused: { last?: Refusal } = {}
        const response = yield* limiter.withPermit(Effect.suspend(() =>
          http.request({
            method: op.method,
            url,
            headers,
            ...(op.body !== undefined ? { body: JSON.stringify(op.body) } : {}),
            timeout: settings.timeout,
            maxBodyBytes: settings.maxBodyBytes,
            // The budget starts when the request does (after waiting for a permit); writes are never retried.
            retry: op.method === "GET"
              ? readPolicy(clock.unsafeCurrentTimeMillis() + checkTimeoutMs, waits, refused)
              : false
          })
        )).pipe(Effect.mapError((e) => transportError(op, url, e, waits)))
        const meta: ReadMeta = {
          requests: 1,
          attempts: response.attempts,
          rateLimitRemaining: parseIntHeader(response.headers["x-rate-limit-remaining"]),
          ...waited(waits, response.attempts)
        }
        if (response.status < 200 || response.status >= 300) {
          return yield* Effect.fail(statusError(op, url, response, meta, refused.last))
        }
        const json = yield* Effect.try({
          try: () => JSON.parse(response.body) as unknown,
          catch: () =>
            fivetranError({
              reason: "invalid-response",
              method: op.method,
              url: url.toString(),
              status: response.status,
              attempts: meta.attempts,
              rateLimitRemaining: meta.rateLimitRemaining,
              message: `${op.method} ${url.pathname} (${op.what}) answered ${response.status} ` +
                `with a body that is not JSON: ${JSON.stringify(truncate(response.body, 120))}`,
              remediation: remediation.notJson
            })
        })
        return { value: json, meta }
      })

    const one = <A, I>(op: Operation, schema: Schema.Schema<A, I>): Effect.Effect<Read<A>, FivetranError> =>
      Effect.flatMap(send(op), (sent) =>
        envelopeDecoder(schema)(sent.value).pipe(
          Effect.map((envelope) => ({ value: envelope.data, meta: sent.meta })),
          Effect.mapError((error) =>
            fivetranError({
              reason: "invalid-response",
              method: op.method,
              url: `${settings.baseUrl}${op.path}`,
              status: 200,
              attempts: sent.meta.attempts,
              rateLimitRemaining: sent.meta.rateLimitRemaining,
              message: `${op.what}: the response is not the documented shape: ${
                truncate(ParseResult.TreeFormatter.formatErrorSync(error), 400)
              }`,
              remediation: remediation.shape
            })
          )
        ))

    return { send, one }
  })
