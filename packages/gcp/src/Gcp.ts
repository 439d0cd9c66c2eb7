/**
 * The Google Cloud client every `@launchgate/gcp` check uses: REST over the
 * shared launchgate transport (`run.googleapis.com/v2`,
 * `secretmanager.googleapis.com/v1`, `monitoring.googleapis.com/v3`,
 * `billingbudgets.googleapis.com/v1`), Application Default Credentials or an
 * explicit `Redacted` token, and one request per resource per run.
 *
 * The runner builds the gate's layer once per run, so the read cache created
 * by {@link make} lives exactly as long as the run: ten checks on one Cloud
 * Run service cost one GET, and a list already fetched answers later reads of
 * its members.
 *
 * @since 0.1.0
 */
import { HttpTransport, Redaction, VendorError } from "@launchgate/core"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Runtime from "effect/Runtime"
import * as GcpError from "./GcpError.js"
import { transportFetch, Waiters } from "./internal/authFetch.js"
import {
  type Api,
  apis,
  type AuthHeaders,
  decode,
  DEFAULT_BASE_URLS,
  makeCaller,
  type RetryOptions
} from "./internal/http.js"
import { type Fetched, type Kind, makeStore, type TypeOf } from "./internal/resources.js"
import { Operation, type TrafficTarget } from "./internal/schemas.js"

export type { Api, Fetched, Kind, RetryOptions, TypeOf }

/** Options of {@link layer} and {@link make}. */
export interface Options {
  /** The project id the checks look at (`GOOGLE_CLOUD_PROJECT`). */
  readonly project: string
  /** The default Cloud Run region (`GOOGLE_CLOUD_REGION`). */
  readonly region?: string | undefined
  /** The project number, used to recognise `projects/123…` in budget filters (`GCP_PROJECT_NUMBER`). */
  readonly projectNumber?: string | undefined
  /** The billing account (`012345-6789AB-CDEF01`) whose budgets are read (`GCP_BILLING_ACCOUNT`). */
  readonly billingAccount?: string | undefined
  /**
   * An OAuth access token (CI, tests). Without it, Application Default
   * Credentials are used (`gcloud auth application-default login`, workload
   * identity, the metadata server).
   */
  readonly accessToken?: Redacted.Redacted<string> | undefined
  /**
   * The credentials to use instead of Application Default Credentials: a
   * google-auth-library `GoogleAuth` or `AuthClient` (anything with
   * `getRequestHeaders()`). Its `x-goog-user-project` is sent too.
   */
  readonly auth?: AuthClient | undefined
  /**
   * Sent as `x-goog-user-project`: the project billed for quota. Without it,
   * the credentials' own quota project (ADC's `quota_project_id`) is sent.
   */
  readonly quotaProject?: string | undefined
  /**
   * Base URLs without the version (`https://run.googleapis.com`), one for
   * every API (an emulator) or per API (regional endpoints).
   */
  readonly baseUrls?: string | Partial<Record<Api, string>> | undefined
  /** Page size asked of list calls. Default: each API's documented maximum (servers may return fewer). */
  readonly pageSize?: number | undefined
  /** Retries of reads (429, 5xx, connection errors). Defaults: 4 attempts, 200 ms base delay. */
  readonly retry?: RetryOptions | undefined
  /** Per-attempt timeout. Default 10 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * The OAuth 2.0 token endpoint Application Default Credentials exchange a refresh token at
   * (user credentials). Default Google's (`https://oauth2.googleapis.com/token`); the emulator's
   * `POST /token` in tests. Token requests go through the run's transport either way.
   */
  readonly tokenUrl?: string | undefined
}

/** What {@link Options.auth} needs: google-auth-library's `GoogleAuth` and `AuthClient` have it. */
export interface AuthClient {
  readonly getRequestHeaders: (url?: string) => Promise<Headers | Readonly<Record<string, string>>>
}

/** The client. */
export interface Service {
  readonly project: string
  readonly region: string | undefined
  readonly projectNumber: string | undefined
  readonly billingAccount: string | undefined
  /**
   * Read one resource by its full name (`projects/p/locations/l/services/s`).
   * Cached for the run; answered by the collection's list when that list was
   * (or is being) fetched in this run.
   */
  readonly get: <K extends Kind>(kind: K, name: string) => Effect.Effect<Fetched<TypeOf<K>>, GcpError.GcpError>
  /** Read every member of a collection, following `nextPageToken`. Cached for the run. */
  readonly list: <K extends Kind>(
    kind: K,
    parent: string,
    options?: { readonly scope?: string | undefined }
  ) => Effect.Effect<Fetched<ReadonlyArray<TypeOf<K>>>, GcpError.GcpError>
  /** Read one resource bypassing the cache (for code that changes things). */
  readonly fresh: <K extends Kind>(kind: K, name: string) => Effect.Effect<Fetched<TypeOf<K>>, GcpError.GcpError>
  /**
   * PATCH a Cloud Run service's `traffic` (updateMask=traffic). Returns the
   * long-running operation. Needs `run.services.update` (roles/run.developer).
   */
  readonly updateTraffic: (
    service: string,
    traffic: ReadonlyArray<TrafficTarget>,
    etag?: string | undefined
  ) => Effect.Effect<Operation, GcpError.GcpError>
  /** Read a Cloud Run long-running operation (uncached). */
  readonly operation: (name: string) => Effect.Effect<Operation, GcpError.GcpError>
  /**
   * Forget the run's cached reads of a resource (and of its list): for active
   * checks, once the change they made has settled, so checks after them read
   * the new state. `updateTraffic` already does it for the service it patches.
   */
  readonly invalidate: (kind: Kind, name: string) => Effect.Effect<void>
}

/** The client service. Checks require it; {@link layer} provides it. */
export class GcpClient extends Context.Tag("@launchgate/gcp/GcpClient")<GcpClient, Service>() {}

/**
 * What every `@launchgate/gcp` check needs: the client and the runner's HTTP
 * transport (the rollback drill probes the service with it). {@link layer}
 * provides both.
 */
export type GcpServices = GcpClient | HttpTransport.HttpTransport

const CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"

const nonEmpty = (path: string, value: string | undefined) =>
  value !== undefined && value.trim() === ""
    ? Effect.fail(GcpError.config(path, "must not be empty"))
    : Effect.void

const adcFailure = (cause: unknown) =>
  GcpError.make({
    reason: "unauthenticated",
    message: `could not get Application Default Credentials: ${
      cause instanceof Error ? cause.message.split("\n")[0] : String(cause)
    }`,
    remediation: "Run `gcloud auth application-default login` locally; in CI use workload identity federation " +
      "or pass an access token (GCP_ACCESS_TOKEN / Gcp.layer({ accessToken }))."
  })

/**
 * The credential headers of every request. With ADC (or an injected client)
 * they come from `getRequestHeaders()`, the only google-auth-library call that
 * adds the ADC file's `quota_project_id` as `x-goog-user-project`
 * (https://cloud.google.com/docs/authentication/adc-troubleshooting/user-creds).
 * Only the authorization and quota project headers are kept; neither is logged.
 */
const authSource = (
  options: Options,
  transport: HttpTransport.Service,
  runtime: Runtime.Runtime<never>
): Effect.Effect<AuthHeaders, GcpError.GcpError> => {
  if (options.accessToken !== undefined) {
    const token = options.accessToken
    return Effect.sync(() => ({ authorization: Redacted.make(`Bearer ${Redacted.value(token)}`) }))
  }
  // One client per layer, made by the first token request (concurrent first requests share the promise).
  let client: Promise<AuthClient> | undefined
  const waiters = new Waiters()
  return Effect.tryPromise({
    try: (signal) => waiters.wait(signal, async () => {
      // google-auth-library caches and refreshes the token itself.
      client ??= options.auth ? Promise.resolve(options.auth) : applicationDefault(options, transport, runtime, waiters)
      const headers = new Headers(await (await client).getRequestHeaders() as ConstructorParameters<typeof Headers>[0])
      const authorization = headers.get("authorization")
      if (!authorization) throw new Error("Application Default Credentials returned no access token")
      return { authorization, userProject: headers.get("x-goog-user-project") ?? undefined }
    }),
    catch: adcFailure
  }).pipe(
    Effect.map(({ authorization, userProject }) => {
      Redaction.register(authorization.replace(/^Bearer\s+/i, ""))
      return { authorization: Redacted.make(authorization), ...(userProject ? { userProject } : {}) }
    })
  )
}

/**
 * Application Default Credentials whose token requests go through the run's transport
 * (`transporterOptions.fetchImplementation`, google-auth-library's `AuthClientOptions`), so the run's
 * scope closes their sockets and the transport's timeout, body cap and proxy/CA options apply.
 */
const applicationDefault = async (
  options: Options,
  transport: HttpTransport.Service,
  runtime: Runtime.Runtime<never>,
  waiters: Waiters
): Promise<AuthClient> => {
  // Loaded when the first token is needed, not with the package: `plan` and `docs` of a gate never pay for it.
  const { GoogleAuth } = await import("google-auth-library")
  return new GoogleAuth({
    scopes: [CLOUD_PLATFORM],
    clientOptions: {
      transporterOptions: { fetchImplementation: transportFetch(transport, runtime, options.timeout, waiters) },
      ...(options.tokenUrl !== undefined ? { endpoints: { oauth2TokenUrl: options.tokenUrl } } : {})
    }
  })
}

const baseUrlsOf = (option: Options["baseUrls"]): Record<Api, string> => {
  if (option === undefined) return { ...DEFAULT_BASE_URLS }
  if (typeof option === "string") return Object.fromEntries(apis.map((a) => [a, option])) as Record<Api, string>
  return { ...DEFAULT_BASE_URLS, ...option }
}

/**
 * Build the client on the shared transport. Registers the access token with
 * {@link Redaction} so it is masked wherever it might appear.
 */
export const make = (options: Options): Effect.Effect<Service, GcpError.GcpError, HttpTransport.HttpTransport> =>
  Effect.gen(function*() {
    if (typeof options.project !== "string" || options.project.trim() === "") {
      return yield* GcpError.config(
        "project",
        "is required (the project id the checks look at)",
        "Set Gcp.layer({ project }) or GOOGLE_CLOUD_PROJECT."
      )
    }
    yield* nonEmpty("region", options.region)
    yield* nonEmpty("billingAccount", options.billingAccount)
    yield* nonEmpty("quotaProject", options.quotaProject)
    const baseUrls = baseUrlsOf(options.baseUrls)
    for (const api of apis) {
      if (!URL.canParse(baseUrls[api])) {
        return yield* GcpError.config(`baseUrls.${api}`, `is not a URL: ${JSON.stringify(baseUrls[api])}`)
      }
    }
    const pageSize = options.pageSize
    if (pageSize !== undefined && (!Number.isInteger(pageSize) || pageSize < 1)) {
      return yield* GcpError.config("pageSize", `must be a positive integer, got ${pageSize}`)
    }
    if (options.accessToken !== undefined) Redaction.register(options.accessToken)

    const transport = yield* HttpTransport.HttpTransport
    const runtime = yield* Effect.runtime<never>()
    const call = makeCaller({
      baseUrls,
      auth: authSource(options, transport, runtime),
      quotaProject: options.quotaProject,
      project: options.project,
      projectNumber: options.projectNumber,
      retry: options.retry,
      timeout: options.timeout
    }, transport)
    const store = yield* makeStore(call, {
      pageSize,
      project: options.project,
      projectNumber: options.projectNumber
    })

    const operation = (name: string) =>
      call("run", name, { resource: name }).pipe(
        Effect.flatMap((res) => decode(Operation, res.json, { api: "run", url: name, resource: name }))
      )

    const updateTraffic = (service: string, traffic: ReadonlyArray<TrafficTarget>, etag?: string) =>
      call("run", service, {
        method: "PATCH",
        resource: service,
        role: "roles/run.developer",
        query: { updateMask: "traffic" },
        body: { traffic, ...(etag !== undefined ? { etag } : {}) }
      }).pipe(
        Effect.flatMap((res) => decode(Operation, res.json, { api: "run", url: service, resource: service })),
        // The service changed: later reads in this run must not see the cached, pre-change state.
        Effect.ensuring(store.invalidate("service", service))
      )

    return {
      project: options.project,
      region: options.region,
      projectNumber: options.projectNumber,
      billingAccount: options.billingAccount,
      get: store.get,
      list: store.list,
      fresh: store.fresh,
      updateTraffic,
      operation,
      invalidate: store.invalidate
    }
  })

/**
 * The client as a layer on top of the runner's HTTP transport (which it
 * passes through, so checks needing either are satisfied). Put it in the
 * gate's `layer`; the runner builds it once per run.
 *
 * @example
 * Gate.make({ name: "api launch", items, layer: Gcp.layer({ project: "acme-prod", region: "europe-west1" }) })
 */
export const layer = (options: Options): Layer.Layer<GcpServices, GcpError.GcpError, HttpTransport.HttpTransport> =>
  Layer.passthrough(Layer.effect(GcpClient, make(options)))

/**
 * The environment configuration: `GOOGLE_CLOUD_PROJECT` (required),
 * `GOOGLE_CLOUD_REGION`, `GCP_PROJECT_NUMBER`, `GCP_BILLING_ACCOUNT`,
 * `GCP_ACCESS_TOKEN` (redacted; ADC when absent), `GOOGLE_CLOUD_QUOTA_PROJECT`
 * and `GCP_BASE_URL` (one base URL for every API, e.g. an emulator).
 */
export const config: Config.Config<Options> = Config.all({
  project: Config.string("GOOGLE_CLOUD_PROJECT"),
  region: Config.option(Config.string("GOOGLE_CLOUD_REGION")),
  projectNumber: Config.option(Config.string("GCP_PROJECT_NUMBER")),
  billingAccount: Config.option(Config.string("GCP_BILLING_ACCOUNT")),
  accessToken: Config.option(Config.redacted("GCP_ACCESS_TOKEN")),
  quotaProject: Config.option(Config.string("GOOGLE_CLOUD_QUOTA_PROJECT")),
  baseUrls: Config.option(Config.string("GCP_BASE_URL"))
}).pipe(
  Config.map((c): Options => ({
    project: c.project,
    ...optional("region", c.region),
    ...optional("projectNumber", c.projectNumber),
    ...optional("billingAccount", c.billingAccount),
    ...optional("accessToken", c.accessToken),
    ...optional("quotaProject", c.quotaProject),
    ...optional("baseUrls", c.baseUrls)
  }))
)

const optional = <K extends string, A>(key: K, value: { _tag: "Some"; value: A } | { _tag: "None" }) =>
  (value._tag === "Some" ? { [key]: value.value } : {}) as { [P in K]?: A }

/**
 * The client configured from Effect `Config` (the environment by default).
 * Pass your own `Config` (or a record of `Config`s) to read other keys.
 *
 * @example
 * Gcp.layerConfig() // GOOGLE_CLOUD_PROJECT, GOOGLE_CLOUD_REGION, GCP_ACCESS_TOKEN, …
 * Gcp.layerConfig({ project: Config.string("APP_PROJECT"), region: Config.succeed("europe-west1") })
 */
export const layerConfig = (
  options: Config.Config<Options> | Config.Config.Wrap<Options> = config
): Layer.Layer<GcpServices, GcpError.GcpError | ConfigError.ConfigError, HttpTransport.HttpTransport> =>
  Layer.passthrough(Layer.effect(
    GcpClient,
    Config.unwrap(options as Config.Config.Wrap<Options>).pipe(
      // Config.all accumulates: every missing or invalid key is in the one ConfigError. The GcpError names them all
      // for the report; the ConfigError stays in the Cause beside it for callers that collect configuration errors.
      Effect.catchAll((error) => Effect.failCause(Cause.parallel(Cause.fail(configFailure(error)), Cause.fail(error)))),
      Effect.flatMap(make)
    )
  ))

const configFailure = (error: ConfigError.ConfigError): GcpError.GcpError => {
  const problems = VendorError.configProblems(error)
  const paths = [...new Set(problems.map((p) => p.path))]
  return GcpError.make({
    reason: "config",
    path: paths.join(", "),
    message: `GCP configuration is incomplete: ${problems.map((p) => `${p.path} ${p.message}`).join("; ")}`,
    remediation: `Set ${paths.join(", ")} (GOOGLE_CLOUD_PROJECT is required; GOOGLE_CLOUD_REGION and ` +
      "GCP_BILLING_ACCOUNT as the checks need), or pass Gcp.layer({ ... }) explicitly."
  })
}
