/**
 * The Fivetran REST API v1 client the checks use: HTTP Basic with a
 * `Redacted` key and secret, the `{ code, message, data }` envelope decoded
 * with Schema, cursor pagination, error bodies mapped to
 * {@link FivetranError}, and reads shared within a run.
 *
 * Reads go through Effect's `Request` / `RequestResolver` with a request
 * cache created when the layer is built. The runner builds a gate's layer
 * once per run, so ten checks on one connection cost one
 * `GET /v1/connections/{id}`, and a group check over 200 connections costs
 * the list pages plus 200 detail reads, shared with every other check.
 *
 * @since 0.1.0
 */
import { HttpTransport, Redaction } from "@launchgate/core"
import {
  Config,
  type ConfigError,
  Context,
  Duration,
  Effect,
  Layer,
  Option,
  ParseResult,
  Redacted,
  Request,
  RequestResolver,
  Schema
} from "effect"
import type { NonEmptyArray } from "effect/Array"
import { FivetranError } from "./FivetranError.js"
import * as Api from "./internal/schema.js"

export type {
  ConnectionDetails,
  ConnectionSummary,
  DestinationDetails,
  GroupDetails,
  SchemaConfig,
  SetupTest,
  WebhookDetails,
  WebhookTestResult
} from "./internal/schema.js"
export { UnknownValue } from "./internal/schema.js"

/** Fivetran's API base URL. */
export const DEFAULT_BASE_URL = "https://api.fivetran.com/v1"

/** `Accept` for the operations the spec defaults to version 2 (connections, destinations). */
export const ACCEPT_V2 = "application/json;version=2"
const ACCEPT_V1 = "application/json"

/** Client options. */
export interface Options {
  /** The API key (Fivetran dashboard → API key). Registered for redaction. */
  readonly apiKey: Redacted.Redacted<string>
  /** The API secret. Registered for redaction. */
  readonly apiSecret: Redacted.Redacted<string>
  /** Default `https://api.fivetran.com/v1`. */
  readonly baseUrl?: string | undefined
  /** Items per list page, 1..1000. Default 1000 (fewest requests). */
  readonly pageSize?: number | undefined
  /** Requests in flight at once, across all checks of a run. Default 8. */
  readonly concurrency?: number | undefined
  /** Per-attempt timeout. Default 10 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * The timeout of the checks using this client: the runner's `checkTimeout`
   * (default 30 seconds) or `Check.timeout`. A read never sleeps on a
   * `Retry-After` that would end past it: it fails at once as `error`,
   * saying how long Fivetran asked to wait and how long remained. Default 30 seconds.
   */
  readonly checkTimeout?: Duration.DurationInput | undefined
  /** Largest response body read, in bytes. Default 16 MiB (a 1000-item list page is far smaller). */
  readonly maxBodyBytes?: number | undefined
  readonly retry?: {
    /** Attempts for reads, the first included. Default 4. */
    readonly maxAttempts?: number | undefined
    /** First backoff; doubles with jitter. Default 200 ms. */
    readonly baseDelay?: Duration.DurationInput | undefined
    /**
     * The longest `Retry-After` worth waiting for. A 429 asking for longer
     * (Fivetran's hourly quota answers `Retry-After: 3600`) fails at once as
     * `RateLimited` instead of holding the run. Default 10 seconds.
     */
    readonly maxRetryAfter?: Duration.DurationInput | undefined
  } | undefined
}

/** What a read cost: reported as evidence by the checks. */
export interface ReadMeta {
  /** HTTP requests behind this value (list pages count one each). */
  readonly requests: number
  /** Attempts, retries included. */
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

/** The client service. Every read is shared within a run; writes and tests never are. */
export interface Service {
  readonly baseUrl: string
  /** `GET /v1/connections/{id}` (Accept version 2). */
  readonly connection: (id: string) => Effect.Effect<Read<Api.ConnectionDetails>, FivetranError>
  /** `GET /v1/connections/{id}/schemas`. */
  readonly connectionSchemas: (id: string) => Effect.Effect<Read<Api.SchemaConfig>, FivetranError>
  /** Every page of `GET /v1/connections?group_id=…`. */
  readonly groupConnections: (groupId: string) => Effect.Effect<Read<ReadonlyArray<Api.ConnectionSummary>>, FivetranError>
  /** `GET /v1/groups/{id}`. */
  readonly group: (id: string) => Effect.Effect<Read<Api.GroupDetails>, FivetranError>
  /** `GET /v1/destinations/{id}` (Accept version 2). */
  readonly destination: (id: string) => Effect.Effect<Read<Api.DestinationDetails>, FivetranError>
  /** Every page of `GET /v1/webhooks` (account and group webhooks). */
  readonly webhooks: Effect.Effect<Read<ReadonlyArray<Api.WebhookDetails>>, FivetranError>
  /** `POST /v1/connections/{id}/test`: runs setup tests (active, never cached, never retried). */
  readonly runSetupTests: (
    id: string,
    options?: { readonly trustCertificates?: boolean; readonly trustFingerprints?: boolean }
  ) => Effect.Effect<Read<Api.ConnectionDetails>, FivetranError>
  /** `POST /v1/webhooks/{id}/test`: asks Fivetran to deliver a test event (active, never cached). */
  readonly testWebhook: (id: string, event: string) => Effect.Effect<Read<Api.WebhookTestResult>, FivetranError>
  /** The run's shared HTTP transport, for checks that call the product (webhook receivers). */
  readonly http: HttpTransport.Service
}

/** The Fivetran client. */
export class FivetranClient extends Context.Tag("@launchgate/fivetran/FivetranClient")<FivetranClient, Service>() {}

// One request type per shared read; structural equality makes them cache keys.
interface GetConnection extends Request.Request<Read<Api.ConnectionDetails>, FivetranError> {
  readonly _tag: "GetConnection"
  readonly id: string
}
interface GetConnectionSchemas extends Request.Request<Read<Api.SchemaConfig>, FivetranError> {
  readonly _tag: "GetConnectionSchemas"
  readonly id: string
}
interface ListGroupConnections extends Request.Request<Read<ReadonlyArray<Api.ConnectionSummary>>, FivetranError> {
  readonly _tag: "ListGroupConnections"
  readonly groupId: string
}
interface GetGroup extends Request.Request<Read<Api.GroupDetails>, FivetranError> {
  readonly _tag: "GetGroup"
  readonly id: string
}
interface GetDestination extends Request.Request<Read<Api.DestinationDetails>, FivetranError> {
  readonly _tag: "GetDestination"
  readonly id: string
}
interface ListWebhooks extends Request.Request<Read<ReadonlyArray<Api.WebhookDetails>>, FivetranError> {
  readonly _tag: "ListWebhooks"
}
const GetConnection = Request.tagged<GetConnection>("GetConnection")
const GetConnectionSchemas = Request.tagged<GetConnectionSchemas>("GetConnectionSchemas")
const ListGroupConnections = Request.tagged<ListGroupConnections>("ListGroupConnections")
const GetGroup = Request.tagged<GetGroup>("GetGroup")
const GetDestination = Request.tagged<GetDestination>("GetDestination")
const ListWebhooks = Request.tagged<ListWebhooks>("ListWebhooks")

/** Statuses worth another attempt on a read (500 included: Fivetran documents it as transient). */
const RETRYABLE = new Set([408, 500, 502, 503, 504])
/**
 * Statuses whose `Retry-After` is honoured. Fivetran documents it on 429
 * ("the number of seconds to wait", https://fivetran.com/docs/rest-api/rate-limiting);
 * on 503 it is HTTP's own meaning (RFC 9110 §10.2.3), seconds or an HTTP-date.
 */
const RETRY_AFTER_STATUSES = new Set([429, 503])

/** Why a server-requested wait was not honoured (reported in the error). */
interface Refusal {
  readonly status: number
  readonly waitMs: number
  /** `cap`: longer than `retry.maxRetryAfter`; `deadline`: would end past the check timeout. */
  readonly because: "cap" | "deadline"
  readonly remainingMs: number
}

interface Operation {
  readonly method: "GET" | "POST"
  readonly path: string
  readonly accept: string
  readonly query?: Readonly<Record<string, string | undefined>> | undefined
  readonly body?: unknown
  /** What is being read, for messages: `connection "abc"`. */
  readonly what: string
}

const enc = encodeURIComponent

// Transport error codes whose remediation (from core) beats "check egress": TLS verification, body cap.
const OWN_ADVICE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|LG_BODY_TOO_LARGE/

/** The `Retry-After` waits actually taken: the first `attempts - 1` recorded waits. */
const waited = (waits: ReadonlyArray<number | undefined>, attempts: number): { retryAfterWaitedMs?: number } => {
  const taken = waits.slice(0, Math.max(0, attempts - 1)).filter((w): w is number => w !== undefined)
  return taken.length === 0 ? {} : { retryAfterWaitedMs: Math.round(taken.reduce((a, b) => a + b, 0)) }
}

const parseIntHeader = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const n = Number(value.trim())
  return Number.isFinite(n) ? n : undefined
}

const truncate = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}…` : s)

/** Build the client. Needs the run's {@link HttpTransport.HttpTransport}. */
export const make = (options: Options): Effect.Effect<Service, never, HttpTransport.HttpTransport> =>
  Effect.gen(function*() {
    const http = yield* HttpTransport.HttpTransport
    const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "")
    const pageSize = Math.min(1000, Math.max(1, Math.trunc(options.pageSize ?? 1000)))
    const timeout = options.timeout ?? "10 seconds"
    const maxRetryAfter = Duration.decode(options.retry?.maxRetryAfter ?? "10 seconds")
    const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024
    const semaphore = yield* Effect.makeSemaphore(Math.max(1, options.concurrency ?? 8))
    // Created with the layer, so it lives exactly as long as one run.
    const cache = yield* Request.makeCache({ capacity: 100_000, timeToLive: "1 days" })

    const basic = Buffer.from(`${Redacted.value(options.apiKey)}:${Redacted.value(options.apiSecret)}`).toString("base64")
    Redaction.register(options.apiKey)
    Redaction.register(options.apiSecret)
    Redaction.register(basic)

    const checkTimeoutMs = Duration.toMillis(Duration.decode(options.checkTimeout ?? "30 seconds"))
    const maxRetryAfterMs = Duration.toMillis(maxRetryAfter)
    // The run's clock measures the budget (it runs at real speed, but a run may pin its "now").
    const clock = yield* Effect.clock
    const requestedWaitMs = (r: HttpTransport.HttpResponse): number | undefined => {
      if (!RETRY_AFTER_STATUSES.has(r.status)) return undefined
      // An HTTP-date is the server's wall-clock time: compare it with ours, not with a pinned run clock.
      const wait = HttpTransport.parseRetryAfter(r.headers["retry-after"], Date.now())
      return wait === undefined ? undefined : Duration.toMillis(wait)
    }

    /**
     * One read's retry policy. It honours `Retry-After` on 429/503 only while
     * the wait fits both `retry.maxRetryAfter` and what is left of the check
     * timeout; otherwise it stops and records why, so the error can say so.
     */
    const readPolicy = (deadline: number, waits: Array<number | undefined>, refused: { last?: Refusal | undefined }) => ({
      maxAttempts: options.retry?.maxAttempts ?? 4,
      baseDelay: options.retry?.baseDelay ?? "200 millis",
      maxDelay: maxRetryAfter,
      retryOn: (r: HttpTransport.HttpResponse) => {
        refused.last = undefined
        if (r.status !== 429 && !RETRYABLE.has(r.status)) return false
        const waitMs = requestedWaitMs(r)
        if (waitMs === undefined) return true
        const remainingMs = deadline - clock.unsafeCurrentTimeMillis()
        if (waitMs > maxRetryAfterMs) refused.last = { status: r.status, waitMs, because: "cap", remainingMs }
        else if (waitMs >= remainingMs) refused.last = { status: r.status, waitMs, because: "deadline", remainingMs }
        return refused.last === undefined
      },
      // Called once per failed attempt, in order: the first `attempts - 1` entries are the waits taken.
      retryAfter: (r: HttpTransport.HttpResponse) => {
        const waitMs = requestedWaitMs(r)
        waits.push(waitMs)
        return waitMs === undefined ? undefined : Duration.millis(waitMs)
      }
    }) satisfies HttpTransport.RetryPolicy

    const send = (op: Operation): Effect.Effect<{ readonly body: unknown; readonly meta: ReadMeta }, FivetranError> =>
      Effect.gen(function*() {
        const url = new URL(`${baseUrl}${op.path}`)
        for (const [k, v] of Object.entries(op.query ?? {})) if (v !== undefined) url.searchParams.set(k, v)
        const headers: Record<string, string> = {
          accept: op.accept,
          "user-agent": "launchgate-fivetran",
          // Unwrapped here, at the moment the header is written, and nowhere else.
          authorization: `Basic ${basic}`
        }
        if (op.body !== undefined) headers["content-type"] = "application/json"
        const base = { method: op.method, url: url.toString() }
        const waits: Array<number | undefined> = []
        const refused: { last?: Refusal | undefined } = {}
        const response = yield* semaphore.withPermits(1)(Effect.suspend(() =>
          http.request({
            method: op.method,
            url,
            headers,
            ...(op.body !== undefined ? { body: JSON.stringify(op.body) } : {}),
            timeout,
            maxBodyBytes,
            // The budget starts when the request does (after waiting for a permit).
            retry: op.method === "GET" ? readPolicy(clock.unsafeCurrentTimeMillis() + checkTimeoutMs, waits, refused) : false
          })
        )).pipe(
          Effect.mapError((e) =>
            new FivetranError({
              ...base,
              reason: "Transport",
              message: `${op.method} ${url.pathname} (${op.what}) failed: ${e.message}`,
              attempts: e.attempts,
              ...waited(waits, e.attempts),
              // TLS failures and oversized bodies are not reachability problems: keep the transport's advice.
              remediation: e.remediation !== undefined && e.code !== undefined && OWN_ADVICE.test(e.code)
                ? e.remediation
                : `Fivetran's API at ${url.origin} could not be reached. Check network egress and proxy settings; if it persists, check https://status.fivetran.com.`
            })
          )
        )
        const meta: ReadMeta = {
          requests: 1,
          attempts: response.attempts,
          rateLimitRemaining: parseIntHeader(response.headers["x-rate-limit-remaining"]),
          ...waited(waits, response.attempts)
        }
        if (response.status < 200 || response.status >= 300) {
          return yield* Effect.fail(statusError(op, base, response, meta, refused.last, checkTimeoutMs))
        }
        const json = yield* Effect.try({
          try: () => JSON.parse(response.body) as unknown,
          catch: () =>
            new FivetranError({
              ...base,
              reason: "Decode",
              status: response.status,
              attempts: meta.attempts,
              rateLimitRemaining: meta.rateLimitRemaining,
              message: `${op.method} ${url.pathname} (${op.what}) answered ${response.status} with a body that is not JSON: ${
                JSON.stringify(truncate(response.body, 120))
              }`,
              remediation:
                "A proxy or gateway may be answering instead of Fivetran; check the base URL and any egress proxy, then retry."
            })
        })
        return { body: json, meta }
      })

    const decode = <A, I>(op: Operation, schema: Schema.Schema<A, I>, sent: { body: unknown; meta: ReadMeta }) =>
      Schema.decodeUnknown(Api.Envelope(schema))(sent.body).pipe(
        Effect.map((envelope) => envelope.data),
        Effect.mapError((error) =>
          new FivetranError({
            method: op.method,
            url: `${baseUrl}${op.path}`,
            reason: "Decode",
            status: 200,
            attempts: sent.meta.attempts,
            rateLimitRemaining: sent.meta.rateLimitRemaining,
            message: `${op.what}: the response is not the documented shape: ${
              truncate(ParseResult.TreeFormatter.formatErrorSync(error), 400)
            }`,
            remediation:
              "Fivetran's response did not match the documented schema. Check that the base URL points at the v1 API; if Fivetran changed the shape, update @launchgate/fivetran."
          })
        )
      )

    const one = <A, I>(op: Operation, schema: Schema.Schema<A, I>): Effect.Effect<Read<A>, FivetranError> =>
      Effect.flatMap(send(op), (sent) => Effect.map(decode(op, schema, sent), (value) => ({ value, meta: sent.meta })))

    const all = <A, I>(op: Operation, item: Schema.Schema<A, I>): Effect.Effect<Read<ReadonlyArray<A>>, FivetranError> =>
      Effect.gen(function*() {
        const items: Array<A> = []
        const seen = new Set<string>()
        let cursor: string | undefined
        let requests = 0
        let attempts = 0
        let rateLimitRemaining: number | undefined
        let retryAfterWaitedMs: number | undefined
        for (;;) {
          const pageOp = { ...op, query: { ...op.query, limit: String(pageSize), cursor } }
          const sent = yield* send(pageOp)
          const page = yield* decode(pageOp, Api.Page(item), sent)
          requests++
          attempts += sent.meta.attempts
          rateLimitRemaining = sent.meta.rateLimitRemaining ?? rateLimitRemaining
          if (sent.meta.retryAfterWaitedMs !== undefined) {
            retryAfterWaitedMs = (retryAfterWaitedMs ?? 0) + sent.meta.retryAfterWaitedMs
          }
          items.push(...page.items)
          const next = page.next_cursor
          if (next === undefined || next === "" || page.items.length === 0) break
          if (seen.has(next)) {
            return yield* Effect.fail(
              new FivetranError({
                method: "GET",
                url: `${baseUrl}${op.path}`,
                reason: "Decode",
                attempts,
                message: `${op.what}: pagination returned cursor ${JSON.stringify(next)} twice; stopping instead of looping`,
                remediation: "Fivetran's pagination repeated a cursor. Retry later; report it to Fivetran support if it persists."
              })
            )
          }
          seen.add(next)
          cursor = next
        }
        return {
          value: items,
          meta: { requests, attempts, rateLimitRemaining, ...(retryAfterWaitedMs !== undefined ? { retryAfterWaitedMs } : {}) }
        }
      })

    // Each request is its own HTTP call (Fivetran has no batch reads; the semaphore bounds them),
    // looked up in the run's request cache first, so a resource is read once per run.
    const cachedRead = <Req extends Request.Request<any, any>>(
      run: (request: Req) => Effect.Effect<Request.Request.Success<Req>, Request.Request.Error<Req>>
    ) => {
      const resolver = RequestResolver.makeBatched((requests: NonEmptyArray<Req>) =>
        Effect.forEach(requests, (r) => Request.completeEffect(r, run(r)), { concurrency: "unbounded", discard: true })
      )
      return (request: Req): Effect.Effect<Request.Request.Success<Req>, Request.Request.Error<Req>> =>
        Effect.request(request, resolver).pipe(Effect.withRequestCaching(true), Effect.withRequestCache(cache))
    }

    const getConnection = cachedRead<GetConnection>((r) =>
      one({
        method: "GET",
        path: `/connections/${enc(r.id)}`,
        accept: ACCEPT_V2,
        what: `connection ${JSON.stringify(r.id)}`
      }, Api.ConnectionDetails)
    )
    const getSchemas = cachedRead<GetConnectionSchemas>((r) =>
      one({
        method: "GET",
        path: `/connections/${enc(r.id)}/schemas`,
        accept: ACCEPT_V1,
        what: `schema config of connection ${JSON.stringify(r.id)}`
      }, Api.SchemaConfig)
    )
    const listGroupConnections = cachedRead<ListGroupConnections>((r) =>
      all({
        method: "GET",
        path: "/connections",
        accept: ACCEPT_V2,
        query: { group_id: r.groupId },
        what: `connections of group ${JSON.stringify(r.groupId)}`
      }, Api.ConnectionSummary)
    )
    const getGroup = cachedRead<GetGroup>((r) =>
      one({ method: "GET", path: `/groups/${enc(r.id)}`, accept: ACCEPT_V1, what: `group ${JSON.stringify(r.id)}` }, Api.GroupDetails)
    )
    const getDestination = cachedRead<GetDestination>((r) =>
      one({
        method: "GET",
        path: `/destinations/${enc(r.id)}`,
        accept: ACCEPT_V2,
        what: `destination ${JSON.stringify(r.id)}`
      }, Api.DestinationDetails)
    )
    const listWebhooks = cachedRead<ListWebhooks>(() =>
      all({ method: "GET", path: "/webhooks", accept: ACCEPT_V1, what: "webhooks" }, Api.WebhookDetails)
    )

    return {
      baseUrl,
      connection: (id) => getConnection(GetConnection({ id })),
      connectionSchemas: (id) => getSchemas(GetConnectionSchemas({ id })),
      groupConnections: (groupId) => listGroupConnections(ListGroupConnections({ groupId })),
      group: (id) => getGroup(GetGroup({ id })),
      destination: (id) => getDestination(GetDestination({ id })),
      webhooks: Effect.suspend(() => listWebhooks(ListWebhooks({}))),
      runSetupTests: (id, opts = {}) =>
        one({
          method: "POST",
          path: `/connections/${enc(id)}/test`,
          accept: ACCEPT_V2,
          body: {
            ...(opts.trustCertificates !== undefined ? { trust_certificates: opts.trustCertificates } : {}),
            ...(opts.trustFingerprints !== undefined ? { trust_fingerprints: opts.trustFingerprints } : {})
          },
          what: `setup tests of connection ${JSON.stringify(id)}`
        }, Api.ConnectionDetails),
      testWebhook: (id, event) =>
        one({
          method: "POST",
          path: `/webhooks/${enc(id)}/test`,
          accept: ACCEPT_V1,
          body: { event },
          what: `test of webhook ${JSON.stringify(id)}`
        }, Api.WebhookTestResult),
      http
    } satisfies Service
  })

const seconds = (ms: number) => Math.round(ms / 100) / 10

const statusError = (
  op: Operation,
  base: { readonly method: string; readonly url: string },
  response: HttpTransport.HttpResponse,
  meta: ReadMeta,
  refused: Refusal | undefined,
  checkTimeoutMs: number
): FivetranError => {
  let parsed: unknown
  try {
    parsed = JSON.parse(response.body)
  } catch {
    parsed = undefined
  }
  const body = Option.getOrUndefined(Schema.decodeUnknownOption(Api.ErrorBody)(parsed))
  const code = body?.code
  const said = body?.message ?? (parsed === undefined ? truncate(response.body, 120) : undefined)
  const detail = `${op.method} ${new URL(base.url).pathname} (${op.what}) answered ${response.status}${
    code ? ` ${code}` : ""
  }${said ? `: ${said}` : ""}`
  const refusal = refused === undefined ? "" : refused.because === "deadline"
    ? `; Retry-After asked to wait ${seconds(refused.waitMs)} s but only ${
      seconds(Math.max(0, refused.remainingMs))
    } s remained of the ${seconds(checkTimeoutMs)} s check timeout, so it failed instead of sleeping past the deadline`
    : `; Retry-After asked to wait ${seconds(refused.waitMs)} s, longer than retry.maxRetryAfter allows`
  const common = {
    ...base,
    status: response.status,
    attempts: meta.attempts,
    rateLimitRemaining: meta.rateLimitRemaining,
    ...(meta.retryAfterWaitedMs !== undefined ? { retryAfterWaitedMs: meta.retryAfterWaitedMs } : {}),
    ...(code !== undefined ? { code } : {})
  }
  switch (response.status) {
    case 401:
      return new FivetranError({
        ...common,
        reason: "Auth",
        message: detail,
        remediation:
          "Fivetran rejected the API key and secret. Set FIVETRAN_API_KEY / FIVETRAN_API_SECRET to an active key pair (Fivetran dashboard → your user → API key); regenerating a key invalidates the old secret."
      })
    case 403:
      return new FivetranError({
        ...common,
        reason: "Auth",
        message: detail,
        remediation:
          `The API key's user lacks permission for ${op.what}. Grant the role named in this check's "role" field (read-only roles suffice for reads) on the right destination or account.`
      })
    case 404:
      return new FivetranError({
        ...common,
        reason: "NotFound",
        message: detail,
        remediation:
          `Check the id: ${op.what} does not exist, or the API key's user cannot see it. Ids are in the Fivetran dashboard URL or the list endpoints.`
      })
    case 429: {
      const wait = HttpTransport.parseRetryAfter(response.headers["retry-after"], Date.now())
      const after = wait === undefined ? undefined : Math.ceil(Duration.toSeconds(wait))
      return new FivetranError({
        ...common,
        reason: "RateLimited",
        message: `${detail}${after !== undefined ? ` (Retry-After ${after}s)` : ""}${refusal}`,
        ...(after !== undefined ? { retryAfterSeconds: after } : {}),
        remediation:
          `Fivetran's account-wide API quota is exhausted${
            after !== undefined ? `; it asks to wait ${after} seconds` : ""
          }. Re-run after that, and check what else uses this account's API (other automation shares the hourly quota).`
      })
    }
    default:
      return new FivetranError({
        ...common,
        reason: "Status",
        message: `${detail}${refusal}`,
        ...(refused !== undefined ? { retryAfterSeconds: Math.ceil(refused.waitMs / 1000) } : {}),
        remediation: response.status >= 500
          ? "Fivetran answered with a server error after retries. Check https://status.fivetran.com and re-run."
          : `Fivetran refused the request (${response.status}). Check the request against the API reference; the message above says what was wrong.`
      })
  }
}

/**
 * The client as a layer, built once per run (which scopes the shared-read
 * cache to the run).
 *
 * @example
 * Fivetran.layer({ apiKey: Redacted.make(key), apiSecret: Redacted.make(secret) })
 */
export const layer = (options: Options): Layer.Layer<FivetranClient, never, HttpTransport.HttpTransport> =>
  Layer.effect(FivetranClient, make(options))

/** The configuration read by {@link layerConfig} by default: `FIVETRAN_API_KEY`, `FIVETRAN_API_SECRET`, `FIVETRAN_BASE_URL`. */
export const defaultConfig: Config.Config.Wrap<Options> = {
  apiKey: Config.redacted("FIVETRAN_API_KEY"),
  apiSecret: Config.redacted("FIVETRAN_API_SECRET"),
  baseUrl: Config.string("FIVETRAN_BASE_URL").pipe(Config.withDefault(DEFAULT_BASE_URL))
}

/**
 * The client from Effect `Config` (the environment by default). A missing
 * key fails the layer with a `ConfigError` naming the variable, so every
 * check reports `error`, never `pass`.
 *
 * @example
 * Fivetran.layerConfig() // FIVETRAN_API_KEY, FIVETRAN_API_SECRET
 */
export const layerConfig = (
  config: Config.Config.Wrap<Options> = defaultConfig
): Layer.Layer<FivetranClient, FivetranError, HttpTransport.HttpTransport> =>
  Layer.effect(
    FivetranClient,
    Effect.flatMap(Effect.mapError(Config.unwrap(config), fromConfigError), make)
  )

// Effect redacts the messages of `Config.redacted` failures, so name the keys ourselves.
const configProblems = (e: ConfigError.ConfigError): Array<string> => {
  switch (e._op) {
    case "And":
    case "Or":
      return [...configProblems(e.left), ...configProblems(e.right)]
    case "MissingData":
      return [`${e.path.join(".")} is not set`]
    default:
      return [`${e.path.join(".")} is invalid${e.message.includes("<redacted>") ? "" : `: ${e.message}`}`]
  }
}

const fromConfigError = (e: ConfigError.ConfigError): FivetranError => {
  const problems = [...new Set(configProblems(e))]
  return new FivetranError({
    reason: "Config",
    method: "-",
    url: "-",
    message: `the Fivetran client is not configured: ${problems.join("; ")}`,
    remediation:
      "Set FIVETRAN_API_KEY and FIVETRAN_API_SECRET (a Fivetran API key of a read-only user; see the README for the role each check needs), or pass apiKey/apiSecret to Fivetran.layer."
  })
}
