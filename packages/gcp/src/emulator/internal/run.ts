/**
 * Cloud Run Admin API v2 in the emulator: services, revisions, traffic
 * updates as long-running operations with a reconcile delay, and service
 * URLs that answer from the revision the traffic split picks.
 *
 * @internal
 */
import { Emulator, type EmulatorRequest, type HandlerContext, type Route } from "@launchgate/core/emulator"
import { copy, fail, hash, page, type Resource } from "./google.js"
import { projectId, type State } from "./state.js"

const LATEST = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
const REVISION = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION"

const last = (name: string) => name.slice(name.lastIndexOf("/") + 1)

const serviceKey = (state: State, p: string, l: string, s: string) => `projects/${projectId(state, p)}/locations/${l}/services/${s}`

/** The URL the emulator serves a service on. */
export const serviceUrl = (base: string, serviceName: string): string => {
  const [, project, , location, , id] = serviceName.split("/")
  return `${base}/_run/${project}/${location}/${id}`
}

/** Resolve a traffic split to statuses (LATEST → the latest ready revision). */
export const statusesFor = (service: Resource): Array<Resource> =>
  ((service["traffic"] ?? []) as Array<Resource>).map((t) => ({
    type: t["type"] ?? REVISION,
    ...(t["type"] === LATEST ? {} : { revision: t["revision"] }),
    ...((t["percent"] ?? 0) > 0 ? { percent: t["percent"] } : {}),
    ...(t["tag"] ? { tag: t["tag"] } : {})
  }))

/** Apply traffic changes whose reconcile delay has passed. */
export const tick = (state: State, now = Date.now()): void => {
  for (const [name, pending] of state.pending) {
    if (pending.applyAt > now) continue
    state.pending.delete(name)
    const service = state.services.get(name)
    const op = state.operations.get(pending.operation)
    if (!service || !op) continue
    if (pending.error !== undefined) {
      service["traffic"] = copy(pending.previousTraffic)
      op.error = { code: 9, status: "FAILED_PRECONDITION", message: pending.error }
    } else {
      service["trafficStatuses"] = statusesFor(service)
    }
    service["reconciling"] = false
    service["observedGeneration"] = service["generation"]
    service["updateTime"] = new Date(now).toISOString()
    op.done = true
  }
}

/**
 * Cloud Run fills the server default (100) into `maxInstanceCount` when a deploy leaves it unset, and
 * returns it on reads: https://cloud.google.com/run/docs/reference/rest/v2/RevisionScaling and
 * https://cloud.google.com/run/docs/configuring/max-instances ("By default ... a maximum of 100 instances").
 */
export const SERVER_DEFAULT_MAX_INSTANCES = 100

const withDefaultScaling = (scaling: Resource | undefined): Resource => ({
  ...(scaling ?? {}),
  maxInstanceCount: scaling?.["maxInstanceCount"] ?? SERVER_DEFAULT_MAX_INSTANCES
})

const renderRevision = (revision: Resource): Resource => {
  const out = copy(revision)
  out["scaling"] = withDefaultScaling(out["scaling"])
  return out
}

const render = (state: State, service: Resource, base: string): Resource => {
  const out = copy(service)
  if (out["template"] !== undefined) out["template"]["scaling"] = withDefaultScaling(out["template"]["scaling"])
  if (state.settings.serveUrls && out["uri"] === undefined) {
    const uri = serviceUrl(base, service["name"])
    out["uri"] = uri
    out["urls"] = [uri]
    for (const t of (out["trafficStatuses"] ?? []) as Array<Resource>) if (t["tag"]) t["uri"] = `${uri}/_tag/${t["tag"]}`
  }
  return out
}

/** The rendered service (for uptime checks that target it). */
export const renderedService = (state: State, name: string, base: string): Resource | undefined => {
  const service = state.services.get(name)
  return service ? render(state, service, base) : undefined
}

const getService = (state: State, req: EmulatorRequest): Resource => {
  const { p, l, s } = req.params as Record<string, string>
  const service = state.services.get(serviceKey(state, p!, l!, s!))
  if (!service) return fail(404, `Resource 'projects/${p}/locations/${l}/services/${s}' was not found`)
  return service
}

const updateTraffic = (req: EmulatorRequest, { state, url }: HandlerContext<State>) => {
  const service = getService(state, req)
  const mask = (req.query.get("updateMask") ?? "").split(",").map((m) => m.trim())
  if (!mask.includes("traffic")) fail(400, "The emulator only supports updateMask=traffic.")
  const body = req.json() as Resource
  if (body["etag"] !== undefined && body["etag"] !== service["etag"]) {
    fail(409, `etag mismatch: the service changed since it was read (have ${service["etag"]}).`)
  }
  const traffic = body["traffic"]
  if (!Array.isArray(traffic) || traffic.length === 0) return fail(400, "traffic must be a non-empty list")
  const revisions = new Set([...state.revisions.values()].filter((r) => r["service"] === service["name"]).map((r) => last(r["name"])))
  let sum = 0
  const tags = new Set<string>()
  for (const t of traffic as Array<Resource>) {
    sum += t["percent"] ?? 0
    if (t["type"] !== LATEST && !revisions.has(String(t["revision"]))) fail(400, `Revision ${t["revision"]} does not exist.`)
    if (t["tag"]) {
      if (tags.has(t["tag"])) fail(400, `Tag ${t["tag"]} is used twice.`)
      tags.add(t["tag"])
    }
  }
  if (sum !== 100) fail(400, `Traffic percentages must add up to 100, got ${sum}.`)

  state.settings.trafficUpdates++
  const failing = state.settings.failTrafficUpdates
  const broken = failing !== undefined && state.settings.trafficUpdates > failing.after
  if (broken && failing.mode === "http") fail(failing.status ?? 503, "The service is currently unavailable.")

  const [, project, , location] = service["name"].split("/")
  const operation = `projects/${project}/locations/${location}/operations/${crypto.randomUUID()}`
  const previousTraffic = copy(service["traffic"] ?? [])
  service["traffic"] = copy(traffic)
  service["generation"] = String(Number(service["generation"] ?? "1") + 1)
  service["reconciling"] = true
  service["etag"] = `"${hash(`${service["name"]}${service["generation"]}${Date.now()}`, 8)}"`
  state.operations.set(operation, { done: false, service: service["name"] })
  state.pending.set(service["name"], {
    applyAt: Date.now() + state.settings.reconcileDelayMs,
    operation,
    previousTraffic,
    ...(broken ? { error: "Revision traffic could not be updated (injected failure)." } : {})
  })
  return { json: renderOperation(state, operation, url) }
}

const renderOperation = (state: State, name: string, base: string): Resource => {
  const op = state.operations.get(name)
  if (!op) return fail(404, `Operation ${name} was not found`)
  const service = renderedService(state, op.service, base)
  return {
    name,
    metadata: { "@type": "type.googleapis.com/google.cloud.run.v2.Service", ...service },
    done: op.done,
    ...(op.done && op.error ? { error: op.error } : {}),
    ...(op.done && !op.error ? { response: { "@type": "type.googleapis.com/google.cloud.run.v2.Service", ...service } } : {})
  }
}

const isReady = (revision: Resource | undefined) =>
  ((revision?.["conditions"] ?? []) as Array<Resource>).some((c) => c["type"] === "Ready" && c["state"] === "CONDITION_SUCCEEDED")

/** Answer on a service URL from the revision the traffic split picks (weighted round robin). */
const serve = (req: EmulatorRequest, { state }: HandlerContext<State>) => {
  const { p, l, s } = req.params as Record<string, string>
  const service = state.services.get(serviceKey(state, p!, l!, s!))
  if (!service) return { status: 404, body: "Page not found" }
  const rest = req.params["rest"] ?? ""
  const statuses = (service["trafficStatuses"] ?? []) as Array<Resource>
  const resolve = (t: Resource) => (t["type"] === LATEST ? last(service["latestReadyRevision"] ?? "") : t["revision"])
  let revision: string | undefined
  const tagged = /^_tag\/([^/]+)/.exec(rest)
  if (tagged) revision = statuses.find((t) => t["tag"] === tagged[1]) ? resolve(statuses.find((t) => t["tag"] === tagged[1])!) : undefined
  else {
    const slot = state.settings.served++ % 100
    let acc = 0
    for (const t of statuses) {
      acc += t["percent"] ?? 0
      if (slot < acc) {
        revision = resolve(t)
        break
      }
    }
  }
  if (!revision) return { status: 503, body: "no revision is serving" }
  const revisionResource = state.revisions.get(`${service["name"]}/revisions/${revision}`)
  const status = state.serving.get(revision)?.status ?? (isReady(revisionResource) ? 200 : 503)
  return { status, json: { service: s, revision, path: `/${rest}` } }
}

export const routes: ReadonlyArray<Route<State>> = [
  Emulator.route<State>("GET", "/v2/projects/{p}/locations/{l}/services", (req, { state, url }) => {
    const prefix = `projects/${projectId(state, req.params["p"]!)}/locations/${req.params["l"]}/services/`
    const items = [...state.services.values()].filter((s) => s["name"].startsWith(prefix))
    return page(items, req, "services", state.settings.maxPageSize, (s) => render(state, s, url))
  }),
  Emulator.route<State>("GET", "/v2/projects/{p}/locations/{l}/services/{s}", (req, { state, url }) => ({
    json: render(state, getService(state, req), url)
  })),
  Emulator.route<State>("PATCH", "/v2/projects/{p}/locations/{l}/services/{s}", updateTraffic),
  Emulator.route<State>("GET", "/v2/projects/{p}/locations/{l}/services/{s}/revisions", (req, { state }) => {
    const service = getService(state, req)
    const items = [...state.revisions.values()].filter((r) => r["service"] === service["name"])
    return page(items, req, "revisions", state.settings.maxPageSize, renderRevision)
  }),
  Emulator.route<State>("GET", "/v2/projects/{p}/locations/{l}/services/{s}/revisions/{r}", (req, { state }) => {
    const service = getService(state, req)
    const revision = state.revisions.get(`${service["name"]}/revisions/${req.params["r"]}`)
    if (!revision) return fail(404, `Resource '${service["name"]}/revisions/${req.params["r"]}' was not found`)
    return { json: renderRevision(revision) }
  }),
  Emulator.route<State>("GET", "/v2/projects/{p}/locations/{l}/operations/{o}", (req, { state, url }) => {
    const location = `projects/${projectId(state, req.params["p"]!)}/locations/${req.params["l"]}`
    return { json: renderOperation(state, `${location}/operations/${req.params["o"]}`, url) }
  }),
  Emulator.route<State>("*", "/_run/{p}/{l}/{s}", serve, "serve"),
  Emulator.route<State>("*", "/_run/{p}/{l}/{s}/{rest*}", serve, "serve")
]
