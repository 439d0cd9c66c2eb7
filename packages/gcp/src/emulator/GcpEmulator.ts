/**
 * A Google Cloud emulator on the launchgate emulator kit: Cloud Run Admin v2
 * (services, revisions, traffic updates as long-running operations with a
 * reconcile delay, service URLs that answer from the revision the traffic
 * split picks), Secret Manager v1 metadata (`:access` always 403, and
 * logged), Cloud Monitoring v3 uptime checks, alert policies and
 * notification channels, and Billing Budgets v1. Bearer auth (401 with
 * ErrorInfo), an OAuth token endpoint for offline ADC tests, `google.rpc.Status`
 * errors (injected faults included), pagination, 403 for denied APIs.
 *
 * Point the client at it with `Gcp.layer({ baseUrls: running.url, accessToken })`.
 *
 * @example
 * const gcp = await GcpEmulator.start({ seed: (s) => GcpEmulator.add(s, cloudRunService({ minInstances: 0 })) })
 * // … run a gate with
 * // Gcp.layer({ project: "demo-project", region: "us-central1", baseUrls: gcp.url, accessToken: Redacted.make("test") })
 * await gcp.close()
 *
 * @since 0.1.0
 */
import { Emulator, type Fault, type Running, type StartOptions } from "@launchgate/core/emulator"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { Fixture } from "./builders.js"
import { apply } from "./builders.js"
import { routes as apiRoutes } from "./internal/apis.js"
import { errorInfo, googleError, hash, rateLimited, unavailable } from "./internal/google.js"
import { routes as runRoutes, serviceUrl, tick } from "./internal/run.js"
import { type Api, initialState, type Settings, type State } from "./internal/state.js"

export type { Api, Settings, State }
export { DEFAULT_BILLING_ACCOUNT, DEFAULT_PROJECT, DEFAULT_PROJECT_NUMBER, DEFAULT_REGION, initialState } from "./internal/state.js"
export { rateLimited, unavailable }

const apiOf = (path: string): Api | undefined =>
  /^\/v3\/projects\/[^/]+$/.test(path) || path.startsWith("/v3/folders/")
    ? "resourceManager"
    : path.startsWith("/v2/")
    ? "run"
    : path.startsWith("/v1/projects/")
    ? "secretManager"
    : path.startsWith("/v3/")
    ? "monitoring"
    : path.startsWith("/v1/billingAccounts/")
    ? "budgets"
    : undefined

const DOMAINS: Record<Api, string> = {
  run: "run",
  secretManager: "secretmanager",
  monitoring: "monitoring",
  budgets: "billing",
  resourceManager: "resourcemanager"
}
const HOSTS: Record<Api, string> = {
  run: "run.googleapis.com",
  secretManager: "secretmanager.googleapis.com",
  monitoring: "monitoring.googleapis.com",
  budgets: "billingbudgets.googleapis.com",
  resourceManager: "cloudresourcemanager.googleapis.com"
}

/** The permission a request needs, e.g. `run.services.get`. */
const permissionOf = (api: Api, method: string, path: string): string => {
  // Without the version: `projects/p/secrets` is a list, `projects/p/secrets/s` a get.
  const segments = path.split("/").filter((s) => s !== "").slice(1)
  const isList = segments.length % 2 === 1
  const collection = (isList ? segments[segments.length - 1] : segments[segments.length - 2]) ?? "resources"
  const verb = method === "PATCH" ? "update" : isList ? "list" : "get"
  return `${DOMAINS[api]}.${collection.replace(/:.*$/, "")}.${verb}`
}

/**
 * The project Google charges a call to when user credentials from `gcloud auth
 * application-default login` carry no quota project: the project of gcloud's
 * own OAuth client (as Google's error shows it, `metadata.consumer`).
 */
export const GCLOUD_CLIENT_PROJECT = "projects/764086051850"

// Access tokens the token endpoint issued for user (refresh-token) credentials, per state.
const userTokens = new WeakMap<State, Set<string>>()
const issuedTo = (state: State) => {
  let set = userTokens.get(state)
  if (!set) userTokens.set(state, (set = new Set()))
  return set
}

const EXPECTED_CREDENTIAL = "Expected OAuth 2 access token, login cookie or other valid authentication credential. " +
  "See https://developers.google.com/identity/sign-in/web/devconsole-project."
const MISSING_CREDENTIALS = `Request is missing required authentication credential. ${EXPECTED_CREDENTIAL}`
const INVALID_CREDENTIALS = `Request had invalid authentication credentials. ${EXPECTED_CREDENTIAL}`
const NEEDS_QUOTA_PROJECT = (host: string) =>
  "Your application is authenticating by using local Application Default Credentials. " +
  `The ${host} API requires a quota project, which is not set by default. To learn how to set your quota project, ` +
  "see https://cloud.google.com/docs/authentication/adc-troubleshooting/user-creds ."

/**
 * An OAuth 2.0 token endpoint (`POST /token`, the refresh-token grant
 * google-auth-library sends for `authorized_user` credentials): point a
 * client's `oauth2TokenUrl` here to test Application Default Credentials
 * offline. The tokens it issues are accepted, and marked as user credentials.
 */
const tokenRoute = Emulator.route<State>("POST", "/token", (req, { state }) => {
  const form = new URLSearchParams(req.body)
  if (form.get("grant_type") !== "refresh_token" || !form.get("refresh_token")) {
    return { status: 400, json: { error: "invalid_grant", error_description: "Bad Request" } }
  }
  const token = `ya29.emulated-user-${hash(`${form.get("refresh_token")}:${issuedTo(state).size}`, 8)}`
  issuedTo(state).add(token)
  return { json: { access_token: token, expires_in: 3599, token_type: "Bearer", scope: form.get("scope") ?? "" } }
}, "token")

/** The emulator definition (for `Emulator.start` / `Emulator.scoped` from the core kit). */
export const definition = Emulator.define<State>({
  name: "gcp",
  initialState,
  routes: [tokenRoute, ...runRoutes, ...apiRoutes],
  before: (req, { state }, route) => {
    tick(state)
    if (route?.name === "serve" || route?.name === "token") return undefined
    const auth = req.headers["authorization"] ?? ""
    const token = /^Bearer\s+(\S+)$/i.exec(auth)?.[1]
    const api = apiOf(req.path)
    const service = api ? { service: HOSTS[api] } : {}
    const issued = token !== undefined && issuedTo(state).has(token)
    if (!token) {
      return googleError(401, MISSING_CREDENTIALS, {
        headers: { "www-authenticate": 'Bearer realm="https://accounts.google.com/"' },
        details: [errorInfo("CREDENTIALS_MISSING", "googleapis.com", service)]
      })
    }
    if (!issued && state.settings.tokens !== undefined && !state.settings.tokens.includes(token)) {
      return googleError(401, INVALID_CREDENTIALS, {
        headers: { "www-authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
        details: [errorInfo("ACCESS_TOKEN_EXPIRED", "googleapis.com", service)]
      })
    }
    // Billing Budgets charges user credentials to a quota project; without one, Google answers as if the API were
    // disabled, on gcloud's own client project (the consumer).
    if (api === "budgets" && issued && !req.headers["x-goog-user-project"]) {
      return googleError(403, NEEDS_QUOTA_PROJECT(HOSTS.budgets), {
        details: [
          errorInfo("SERVICE_DISABLED", "googleapis.com", { consumer: GCLOUD_CLIENT_PROJECT, service: HOSTS.budgets })
        ]
      })
    }
    if (api && state.settings.deny.has(api)) {
      const permission = permissionOf(api, req.method, req.path)
      const resource = resourceOf(req.path)
      return googleError(403, `Permission '${permission}' denied on resource '${resource}' (or it may not exist).`, {
        details: [errorInfo("IAM_PERMISSION_DENIED", HOSTS[api], { permission, resource })]
      })
    }
    return undefined
  },
  notFound: (req) => googleError(404, `The requested URL ${req.path} was not found on this server.`)
})

/** The resource a request is about: the named resource, or the parent of a list. */
const resourceOf = (path: string): string => {
  const segments = path.split("/").filter((s) => s !== "").slice(1)
  const named = segments.length % 2 === 1 ? segments.slice(0, -1) : segments
  return named.join("/").replace(/:.*$/, "")
}

/**
 * A fault from the core kit answers with the kit's own body unless it brings
 * `json`; Google always answers errors with a `google.rpc.Status`, and the
 * official clients raise an error without a code otherwise. Fill it in.
 */
const asGoogle = (fault: Fault): Fault => {
  if (fault.kind === "status" && fault.json === undefined) {
    const json = fault.status === 503 ? unavailable(0) : googleError(fault.status, `Injected ${fault.status}.`).json
    return { ...fault, json }
  }
  if (fault.kind === "rate-limit" && fault.json === undefined) {
    if (typeof fault.retryAfter === "number") return { ...fault, json: rateLimited(fault.retryAfter) }
    // An HTTP-date Retry-After has no RetryInfo twin: keep the ErrorInfo only.
    const body = rateLimited(0)
    return { ...fault, json: { error: { ...body.error, details: body.error.details.slice(0, 1) } } }
  }
  return fault
}

const googleFaults = (running: Running<State>): Running<State> => {
  const add = running.faults.add.bind(running.faults)
  running.faults.add = (rule) => add({ ...rule, fault: asGoogle(rule.fault) })
  return running
}

/** Options of {@link start}. */
export interface Options extends Omit<StartOptions<State>, "seed"> {
  /** Change the initial state: add fixtures, turn knobs. */
  readonly seed?: ((state: State) => void) | undefined
  /** Fixtures to add before `seed` runs. */
  readonly fixtures?: ReadonlyArray<Fixture> | undefined
  /** Override settings (page size, reconcile delay, accepted tokens, denied APIs …). */
  readonly settings?: Partial<Settings> | undefined
}

const startOptions = (options: Options): StartOptions<State> => {
  const { fixtures, settings, seed, ...rest } = options
  return {
    ...rest,
    seed: (state) => {
      if (settings) Object.assign(state.settings, settings)
      if (fixtures) add(state, ...fixtures)
      seed?.(state)
    }
  }
}

/** Start the emulator on 127.0.0.1 (a random port unless `port` is given). */
export const start = (options: Options = {}): Promise<Running<State>> =>
  Emulator.start(definition, startOptions(options)).then(googleFaults)

/** Start it as a scoped resource (Effect API). */
export const scoped = (options: Options = {}): Effect.Effect<Running<State>, never, Scope.Scope> =>
  Effect.map(Emulator.scoped(definition, startOptions(options)), googleFaults)

/** Add fixtures (made with the builders) to a state. */
export const add = (state: State, ...fixtures: ReadonlyArray<Fixture>): State => {
  for (const f of fixtures) apply(state, f)
  return state
}

/** The URL a running emulator serves a Cloud Run service on (`projects/p/locations/l/services/s`). */
export const urlOf = (running: Pick<Running<State>, "url">, serviceName: string): string => serviceUrl(running.url, serviceName)
