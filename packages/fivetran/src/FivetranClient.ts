/**
 * The Fivetran REST API v1 client the checks use: HTTP Basic with a
 * `Redacted` key and secret, every request through core's `HttpTransport`
 * (one caller, Fivetran's retry policy), the `{ code, message, data }` envelope
 * decoded with Schema, cursor pagination, errors mapped to {@link FivetranError}
 * with `VendorError.classify`, and reads shared within a run.
 *
 * Reads are `ResourceStore` kinds (internal/resources.ts) in a store built
 * with the layer, i.e. once per run: the account's connection list
 * (`GET /v1/connections`, whose items carry the details) is read once and
 * answers every connection read and every group's membership, so any number of
 * checks over 200 connections cost its pages only (one at the default page
 * size); `GET /v1/connections/{id}` is sent only for an id the list lacks.
 *
 * @since 0.1.0
 */
import { HttpTransport, VendorError } from "@launchgate/core"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import { FivetranError } from "./FivetranError.js"
import * as Http from "./internal/http.js"
import * as Resources from "./internal/resources.js"
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
export type { Read, ReadMeta } from "./internal/http.js"
export { ACCEPT_V2 } from "./internal/resources.js"

/** Fivetran's API base URL. */
export const DEFAULT_BASE_URL = "https://api.fivetran.com/v1"

/**
 * The largest list page Fivetran serves: `limit` "accepts a number in the range 1..1000; the default
 * value is 100" (OpenAPI `list_connections`, https://fivetran.com/docs/rest-api/pagination).
 */
export const MAX_PAGE_SIZE = 1000

/** Client options. */
export interface Options {
  /** The API key (Fivetran dashboard → API key). Registered for redaction. */
  readonly apiKey: Redacted.Redacted<string>
  /** The API secret. Registered for redaction. */
  readonly apiSecret: Redacted.Redacted<string>
  /** Default `https://api.fivetran.com/v1`. */
  readonly baseUrl?: string | undefined
  /** Items per list page, 1..1000. Default 1000, the maximum (fewest requests). */
  readonly pageSize?: number | undefined
  /** Requests in flight at once, across all checks of a run. Default 16, the transport's connections per origin. */
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
  /**
   * Retries of reads, the shape every vendor takes: `maxAttempts` (the first included, default 4), `baseDelay`
   * (first backoff, doubling with jitter, default 200 ms) and `maxDelay`, the longest wait accepted (default
   * 10 seconds): a 429 asking for longer (Fivetran's hourly quota answers `Retry-After: 3600`) fails at once
   * as `rate-limited` instead of holding the run.
   */
  readonly retry?: RetryOptions | undefined
}

/** Retry knobs for reads: core's policy fields (the transport does the retrying). */
export type RetryOptions = Pick<HttpTransport.RetryPolicy, "maxAttempts" | "baseDelay" | "maxDelay"> & {
  /** @deprecated Renamed `maxDelay` (the same setting, named as in every package); `maxDelay` wins if both are set. */
  readonly maxRetryAfter?: Duration.DurationInput | undefined
}

/** The client service. Every read is shared within a run; writes and tests never are. */
export interface Service {
  readonly baseUrl: string
  /**
   * A connection's details: its item in the account's connection list (`GET /v1/connections`, read once per run),
   * else `GET /v1/connections/{id}` (Accept version 2), which also serves when the listing failed.
   */
  readonly connection: (id: string) => Effect.Effect<Http.Read<Api.ConnectionDetails>, FivetranError>
  /**
   * Several connections' details, one result per id in order, each what {@link connection} gives for it (a
   * failed read is that id's `Left`). Ids the account list answers cost no read of their own, so a check over
   * hundreds of connections waits for the listing once instead of once per connection; the others are read
   * concurrently as {@link connection} reads them.
   */
  readonly connections: (
    ids: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<Either.Either<Http.Read<Api.ConnectionDetails>, FivetranError>>>
  /** `GET /v1/connections/{id}/schemas`. */
  readonly connectionSchemas: (id: string) => Effect.Effect<Http.Read<Api.SchemaConfig>, FivetranError>
  /**
   * The connections of a group: the account's connection list (shared with {@link connection}) filtered by
   * `group_id`, or every page of `GET /v1/connections?group_id=…` if the account listing failed.
   */
  readonly groupConnections: (
    groupId: string
  ) => Effect.Effect<Http.Read<ReadonlyArray<Api.ConnectionSummary>>, FivetranError>
  /** `GET /v1/groups/{id}`. */
  readonly group: (id: string) => Effect.Effect<Http.Read<Api.GroupDetails>, FivetranError>
  /** `GET /v1/destinations/{id}` (Accept version 2). */
  readonly destination: (id: string) => Effect.Effect<Http.Read<Api.DestinationDetails>, FivetranError>
  /** Every page of `GET /v1/webhooks` (account and group webhooks). */
  readonly webhooks: Effect.Effect<Http.Read<ReadonlyArray<Api.WebhookDetails>>, FivetranError>
  /** `POST /v1/connections/{id}/test`: runs setup tests (active, never cached, never retried). */
  readonly runSetupTests: (
    id: string,
    options?: { readonly trustCertificates?: boolean; readonly trustFingerprints?: boolean }
  ) => Effect.Effect<Http.Read<Api.ConnectionDetails>, FivetranError>
  /** `POST /v1/webhooks/{id}/test`: asks Fivetran to deliver a test event (active, never cached). */
  readonly testWebhook: (id: string, event: string) => Effect.Effect<Http.Read<Api.WebhookTestResult>, FivetranError>
  /** The run's shared HTTP transport, for checks that call the product (webhook receivers). */
  readonly http: HttpTransport.Service
}

/** The Fivetran client. */
export class FivetranClient extends Context.Tag("@launchgate/fivetran/FivetranClient")<FivetranClient, Service>() {}

const enc = encodeURIComponent

/** Build the client. Needs the run's {@link HttpTransport.HttpTransport}. */
export const make = (options: Options): Effect.Effect<Service, never, HttpTransport.HttpTransport> =>
  Effect.gen(function*() {
    const http = yield* HttpTransport.HttpTransport
    const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "")
    const call = yield* Http.make({
      baseUrl,
      apiKey: options.apiKey,
      apiSecret: options.apiSecret,
      timeout: options.timeout ?? "10 seconds",
      checkTimeout: options.checkTimeout ?? "30 seconds",
      maxBodyBytes: options.maxBodyBytes ?? 16 * 1024 * 1024,
      concurrency: options.concurrency ?? 16,
      maxAttempts: options.retry?.maxAttempts ?? 4,
      baseDelay: options.retry?.baseDelay ?? "200 millis",
      maxDelay: options.retry?.maxDelay ?? options.retry?.maxRetryAfter ?? "10 seconds"
    })
    const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(options.pageSize ?? MAX_PAGE_SIZE)))
    // Built with the layer, so it lives exactly as long as one run.
    const store = yield* Resources.make(call, pageSize)
    const connection = (id: string) => Effect.map(store.get("connection", id), Resources.toRead)

    return {
      baseUrl,
      connection,
      connections: (ids) =>
        Effect.flatMap(Effect.either(Resources.accountAnswers(store)), (answers) => {
          // The listing failed for the whole account: every connection read fails with its error.
          if (Either.isLeft(answers)) return Effect.succeed(ids.map(() => Either.left(answers.left)))
          const found = ids.map((id) => answers.right(id))
          const missing = ids.filter((_, i) => found[i] === undefined)
          if (missing.length === 0) return Effect.succeed(found.map((read) => Either.right(read!)))
          return Effect.map(
            Effect.forEach(missing, (id) => Effect.either(connection(id)), { concurrency: "unbounded" }),
            (read) => {
              let next = 0
              return found.map((hit) => (hit === undefined ? read[next++]! : Either.right(hit)))
            }
          )
        }),
      connectionSchemas: (id) => Effect.map(store.get("schemas", id), Resources.toRead),
      // The account list filtered by each item's `group_id` (`group_id` is documented as a filter of that very
      // list), so every group and every connection of a run share one listing. If the listing failed in a way
      // that may be particular to it, the group's own filtered list decides, with its own precise error.
      groupConnections: (groupId) =>
        store.list("accountMember", "").pipe(
          Effect.map((f) => {
            const read = Resources.toRead(f)
            return { ...read, value: read.value.filter((m) => m.summary.group_id === groupId) }
          }),
          Effect.catchIf(Resources.fallsBack, () => Effect.map(store.list("groupMember", groupId), Resources.toRead)),
          Effect.map((read) => ({ ...read, value: read.value.map((m) => m.summary) }))
        ),
      group: (id) => Effect.map(store.get("group", id), Resources.toRead),
      destination: (id) => Effect.map(store.get("destination", id), Resources.toRead),
      webhooks: Effect.map(store.list("webhook", ""), Resources.toRead),
      runSetupTests: (id, opts = {}) =>
        call.one({
          method: "POST",
          path: `/connections/${enc(id)}/test`,
          accept: Resources.ACCEPT_V2,
          body: {
            ...(opts.trustCertificates !== undefined ? { trust_certificates: opts.trustCertificates } : {}),
            ...(opts.trustFingerprints !== undefined ? { trust_fingerprints: opts.trustFingerprints } : {})
          },
          what: `setup tests of connection ${JSON.stringify(id)}`
        }, Api.ConnectionDetails),
      testWebhook: (id, event) =>
        call.one({
          method: "POST",
          path: `/webhooks/${enc(id)}/test`,
          accept: Resources.ACCEPT_V1,
          body: { event },
          what: `test of webhook ${JSON.stringify(id)}`
        }, Api.WebhookTestResult),
      http
    } satisfies Service
  })

/**
 * The client as a layer, built once per run (which scopes the shared-read
 * cache to the run).
 *
 * @example
 * Fivetran.layer({ apiKey: Redacted.make(key), apiSecret: Redacted.make(secret) })
 */
export const layer = (options: Options): Layer.Layer<FivetranClient, never, HttpTransport.HttpTransport> =>
  Layer.effect(FivetranClient, make(options))

/**
 * What {@link layerConfig} reads by default: `FIVETRAN_API_KEY`, `FIVETRAN_API_SECRET`, `FIVETRAN_BASE_URL`.
 * `Config.all` reads every key and accumulates the failures, so all missing variables are reported together.
 */
export const defaultConfig: Config.Config<Options> = Config.all({
  apiKey: Config.redacted("FIVETRAN_API_KEY"),
  apiSecret: Config.redacted("FIVETRAN_API_SECRET"),
  baseUrl: Config.string("FIVETRAN_BASE_URL").pipe(Config.withDefault(DEFAULT_BASE_URL))
})

/**
 * The client from Effect `Config` (the environment by default). Missing or
 * invalid keys fail the layer with one `config` {@link FivetranError} per key,
 * all in the layer's `Cause`, so every check reports `error` (never `pass`)
 * and the runner lists each key under `run.configurationErrors`.
 *
 * @example
 * Fivetran.layerConfig() // FIVETRAN_API_KEY, FIVETRAN_API_SECRET
 */
export const layerConfig = (
  config: Config.Config.Wrap<Options> = defaultConfig
): Layer.Layer<FivetranClient, FivetranError, HttpTransport.HttpTransport> =>
  Layer.effect(
    FivetranClient,
    Config.unwrap(config).pipe(
      Effect.catchAll((e) => Effect.failCause(configFailures(e))),
      Effect.flatMap(make)
    )
  )

// Effect redacts the messages of `Config.redacted` failures, so name the keys ourselves.
const problemOf = ({ message }: VendorError.ConfigProblem): string =>
  message === "is missing" ? "is not set" : `is invalid${message.includes("<redacted>") ? "" : `: ${message}`}`

const configRemediation = "Set FIVETRAN_API_KEY and FIVETRAN_API_SECRET (a Fivetran API key of a read-only user; " +
  "see the README for the role each check needs), or pass apiKey/apiSecret to Fivetran.layer."

/** One `config` error per key, side by side in one `Cause`, so none hides another. */
const configFailures = (e: ConfigError.ConfigError): Cause.Cause<FivetranError> => {
  const problems = VendorError.configProblems(e).map((p) => ({ path: p.path, problem: problemOf(p) }))
  const unique = new Map(problems.map((p) => [`${p.path} ${p.problem}`, p]))
  const failures = [...unique.values()].map(({ path, problem }) =>
    Cause.fail(Http.fivetranError({
      reason: "config",
      path,
      message: `the Fivetran client is not configured: ${path} ${problem}`,
      remediation: configRemediation
    }))
  )
  return failures.reduce<Cause.Cause<FivetranError>>(Cause.parallel, Cause.empty)
}
