/**
 * A Google Cloud emulator on the launchgate emulator kit: Cloud Run Admin v2
 * (services, revisions, traffic updates as long-running operations with a
 * reconcile delay, service URLs that answer from the revision the traffic
 * split picks), Secret Manager v1 metadata (`:access` always 403, and
 * logged), Cloud Monitoring v3 uptime checks, alert policies and
 * notification channels, and Billing Budgets v1. Bearer auth (401 without),
 * `google.rpc.Status` errors, pagination, 403 for denied APIs.
 *
 * Point the client at it with `Gcp.layer({ baseUrls: running.url, accessToken })`.
 *
 * @example
 * const gcp = await GcpEmulator.start({ seed: (s) => GcpEmulator.add(s, cloudRunService({ minInstances: 0 })) })
 * // … run a gate with Gcp.layer({ project: "demo-project", region: "us-central1", baseUrls: gcp.url, accessToken: Redacted.make("test") })
 * await gcp.close()
 *
 * @since 0.1.0
 */
import { Emulator, type Running, type StartOptions } from "@launchgate/core/emulator"
import type { Effect, Scope } from "effect"
import type { Fixture } from "./builders.js"
import { apply } from "./builders.js"
import { routes as apiRoutes } from "./internal/apis.js"
import { errorInfo, googleError, rateLimited, unavailable } from "./internal/google.js"
import { routes as runRoutes, serviceUrl, tick } from "./internal/run.js"
import { type Api, initialState, type Settings, type State } from "./internal/state.js"

export type { Api, Settings, State }
export { DEFAULT_BILLING_ACCOUNT, DEFAULT_PROJECT, DEFAULT_PROJECT_NUMBER, DEFAULT_REGION, initialState } from "./internal/state.js"
export { rateLimited, unavailable }

const apiOf = (path: string): Api | undefined =>
  path.startsWith("/v2/")
    ? "run"
    : path.startsWith("/v1/projects/")
    ? "secretManager"
    : path.startsWith("/v3/")
    ? "monitoring"
    : path.startsWith("/v1/billingAccounts/")
    ? "budgets"
    : undefined

const DOMAINS: Record<Api, string> = { run: "run", secretManager: "secretmanager", monitoring: "monitoring", budgets: "billing" }
const HOSTS: Record<Api, string> = {
  run: "run.googleapis.com",
  secretManager: "secretmanager.googleapis.com",
  monitoring: "monitoring.googleapis.com",
  budgets: "billingbudgets.googleapis.com"
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

/** The emulator definition (for `Emulator.start` / `Emulator.scoped` from the core kit). */
export const definition = Emulator.define<State>({
  name: "gcp",
  initialState,
  routes: [...runRoutes, ...apiRoutes],
  before: (req, { state }, route) => {
    tick(state)
    if (route?.name === "serve") return undefined
    const auth = req.headers["authorization"] ?? ""
    const token = /^Bearer\s+(\S+)$/i.exec(auth)?.[1]
    if (!token || (state.settings.tokens !== undefined && !state.settings.tokens.includes(token))) {
      return googleError(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.", {
        headers: { "www-authenticate": 'Bearer realm="https://accounts.google.com/"' }
      })
    }
    const api = apiOf(req.path)
    if (api && state.settings.deny.has(api)) {
      const permission = permissionOf(api, req.method, req.path)
      return googleError(403, `Permission '${permission}' denied on resource (or it may not exist).`, {
        details: [errorInfo("IAM_PERMISSION_DENIED", HOSTS[api], { permission })]
      })
    }
    return undefined
  },
  notFound: (req) => googleError(404, `The requested URL ${req.path} was not found on this server.`)
})

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
export const start = (options: Options = {}): Promise<Running<State>> => Emulator.start(definition, startOptions(options))

/** Start it as a scoped resource (Effect API). */
export const scoped = (options: Options = {}): Effect.Effect<Running<State>, never, Scope.Scope> =>
  Emulator.scoped(definition, startOptions(options))

/** Add fixtures (made with the builders) to a state. */
export const add = (state: State, ...fixtures: ReadonlyArray<Fixture>): State => {
  for (const f of fixtures) apply(state, f)
  return state
}

/** The URL a running emulator serves a Cloud Run service on (`projects/p/locations/l/services/s`). */
export const urlOf = (running: Pick<Running<State>, "url">, serviceName: string): string => serviceUrl(running.url, serviceName)
