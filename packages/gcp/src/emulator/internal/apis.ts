/**
 * Secret Manager v1, Cloud Monitoring v3 and Billing Budgets v1 in the
 * emulator: gets and paginated lists, `:access` refused and logged, names
 * rendered the way Google renders them (Secret Manager answers with project
 * numbers).
 *
 * @internal
 */
import { Emulator, type EmulatorRequest, type Route } from "@launchgate/core/emulator"
import { copy, fail, page, type Resource } from "./google.js"
import { renderedService } from "./run.js"
import { projectId, projectNumber, type State } from "./state.js"

const last = (name: string) => name.slice(name.lastIndexOf("/") + 1)

// --- Secret Manager --------------------------------------------------------

const withNumber = (state: State, name: string): string =>
  name.replace(/^projects\/([^/]+)/, (_, id: string) => `projects/${projectNumber(state, id)}`)

const durationMs = (d: unknown): number | undefined => {
  const m = typeof d === "string" ? /^(\d+(?:\.\d+)?)s$/.exec(d) : null
  return m ? Number(m[1]) * 1000 : undefined
}

/**
 * A secret as Secret Manager v1 returns it. `rotation.rotationPeriod` is "Input only" in the v1
 * discovery document (https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets#rotation),
 * so it is kept in the state but never served; and `nextRotationTime` "will be advanced by this period
 * when the service automatically sends rotation notifications", whether or not a subscriber rotated
 * anything. The emulator advances it from its clock at read time, as many periods as have passed.
 */
const renderSecret = (state: State, secret: Resource): Resource => {
  const out: Resource = { ...copy(secret), name: withNumber(state, secret["name"]) }
  const rotation = out["rotation"] as Resource | undefined
  if (rotation !== undefined) {
    const { rotationPeriod, ...served } = rotation
    const period = durationMs(rotationPeriod)
    const next = typeof served["nextRotationTime"] === "string" ? Date.parse(served["nextRotationTime"]) : NaN
    const now = state.settings.now()
    if (period !== undefined && period > 0 && !Number.isNaN(next) && next <= now) {
      const periods = Math.floor((now - next) / period) + 1
      served["nextRotationTime"] = new Date(next + periods * period).toISOString()
    }
    out["rotation"] = served
  }
  return out
}

const renderVersion = (state: State, version: Resource): Resource => ({ ...copy(version), name: withNumber(state, version["name"]) })

const secretKey = (state: State, req: EmulatorRequest) => `projects/${projectId(state, req.params["p"]!)}/secrets/${req.params["s"]}`

const getSecret = (state: State, req: EmulatorRequest): Resource => {
  const secret = state.secrets.get(secretKey(state, req))
  if (!secret) return fail(404, `Secret [projects/${req.params["p"]}/secrets/${req.params["s"]}] not found.`)
  return secret
}

const versionsOf = (state: State, secretName: string) =>
  [...state.versions.values()]
    .filter((v) => v["name"].startsWith(`${secretName}/versions/`))
    .sort((a, b) => Number(last(b["name"])) - Number(last(a["name"])))

const secretRoutes: ReadonlyArray<Route<State>> = [
  Emulator.route<State>("GET", "/v1/projects/{p}/secrets", (req, { state }) => {
    const prefix = `projects/${projectId(state, req.params["p"]!)}/secrets/`
    const items = [...state.secrets.values()].filter((s) => s["name"].startsWith(prefix))
    return page(items, req, "secrets", state.settings.maxPageSize, (s) => renderSecret(state, s))
  }),
  Emulator.route<State>("GET", "/v1/projects/{p}/secrets/{s}", (req, { state }) => ({ json: renderSecret(state, getSecret(state, req)) })),
  Emulator.route<State>("GET", "/v1/projects/{p}/secrets/{s}/versions", (req, { state }) => {
    const secret = getSecret(state, req)
    return page(versionsOf(state, secret["name"]), req, "versions", state.settings.maxPageSize, (v) => renderVersion(state, v))
  }),
  Emulator.route<State>("GET", "/v1/projects/{p}/secrets/{s}/versions/{v}", (req, { state }) => {
    const secret = getSecret(state, req)
    const id = req.params["v"] === "latest" ? last(versionsOf(state, secret["name"])[0]?.["name"] ?? "") : req.params["v"]
    const version = state.versions.get(`${secret["name"]}/versions/${id}`)
    if (!version) return fail(404, `Secret Version [${secret["name"]}/versions/${req.params["v"]}] not found.`)
    return { json: renderVersion(state, version) }
  }),
  // launchgate never reads payloads: the emulator refuses, and the log proves it was never asked.
  Emulator.route<State>("GET", "/v1/projects/{p}/secrets/{s}/versions/{v}:access", () =>
    fail(403, "Permission 'secretmanager.versions.access' denied (the launchgate emulator never serves payloads).", {
      details: [{
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        reason: "IAM_PERMISSION_DENIED",
        domain: "secretmanager.googleapis.com",
        metadata: { permission: "secretmanager.versions.access" }
      }]
    }), "access")
]

// --- Cloud Monitoring -------------------------------------------------------

const renderUptime = (state: State, check: Resource, base: string): Resource => {
  const out = copy(check)
  const target = state.uptimeTargets.get(check["name"])
  const service = target ? renderedService(state, target.service, base) : undefined
  if (target && service?.["uri"]) {
    const uri = new URL(service["uri"])
    out["monitoredResource"] = {
      type: "uptime_url",
      labels: { project_id: check["name"].split("/")[1], host: uri.hostname }
    }
    out["httpCheck"] = {
      ...(out["httpCheck"] ?? {}),
      path: `${uri.pathname.replace(/\/+$/, "")}${target.path}`,
      port: Number(uri.port || (uri.protocol === "https:" ? 443 : 80)),
      useSsl: uri.protocol === "https:"
    }
  }
  return out
}

const collection = (
  path: string,
  field: string,
  map: (state: State) => Map<string, Resource>,
  render: (state: State, r: Resource, base: string) => Resource = (_, r) => copy(r)
): ReadonlyArray<Route<State>> => [
  Emulator.route<State>("GET", `/v3/projects/{p}/${path}`, (req, { state, url }) => {
    const prefix = `projects/${projectId(state, req.params["p"]!)}/${path}/`
    const items = [...map(state).values()].filter((r) => r["name"].startsWith(prefix))
    return page(items, req, field, state.settings.maxPageSize, (r) => render(state, r, url))
  }),
  Emulator.route<State>("GET", `/v3/projects/{p}/${path}/{id}`, (req, { state, url }) => {
    const name = `projects/${projectId(state, req.params["p"]!)}/${path}/${req.params["id"]}`
    const found = map(state).get(name)
    if (!found) return fail(404, `Requested entity was not found: ${name}`)
    return { json: render(state, found, url) }
  })
]

const monitoringRoutes: ReadonlyArray<Route<State>> = [
  ...collection("uptimeCheckConfigs", "uptimeCheckConfigs", (s) => s.uptimeChecks, renderUptime),
  ...collection("alertPolicies", "alertPolicies", (s) => s.alertPolicies),
  ...collection("notificationChannels", "notificationChannels", (s) => s.channels)
]

// --- Billing budgets ---------------------------------------------------------

/** The project's ancestors, nearest first (`folders/F`, …, `organizations/O`). */
export const ancestorsOf = (state: State, projectIdOrNumber: string): Array<string> => {
  const out: Array<string> = []
  let parent = state.projectParents.get(projectId(state, projectIdOrNumber))
  while (parent !== undefined && !out.includes(parent)) {
    out.push(parent)
    parent = parent.startsWith("folders/") ? state.folders.get(last(parent))?.parent : undefined
  }
  return out
}

/**
 * Does the budget track this project's cost? Its filter names the project (id or number) or one of its
 * folders or organization, or names neither (the whole billing account). `scope` on budgets.list returns
 * "the budgets ... tracking the costs for that project":
 * https://cloud.google.com/billing/docs/reference/budget/rest/v1/billingAccounts.budgets/list
 */
const tracks = (state: State, budget: Resource, id: string): boolean => {
  const filter = (budget["budgetFilter"] ?? {}) as Resource
  const projects = (filter["projects"] ?? []) as Array<string>
  const ancestors = (filter["resourceAncestors"] ?? []) as Array<string>
  if (projects.length === 0 && ancestors.length === 0) return true
  const forms = new Set([`projects/${id}`, `projects/${projectNumber(state, id)}`])
  const chain = new Set(ancestorsOf(state, id))
  return projects.some((p) => forms.has(p)) || ancestors.some((a) => chain.has(a))
}

const budgetRoutes: ReadonlyArray<Route<State>> = [
  Emulator.route<State>("GET", "/v1/billingAccounts/{ba}/budgets", (req, { state }) => {
    const prefix = `billingAccounts/${req.params["ba"]}/budgets/`
    const scope = req.query.get("scope")
    let items = [...state.budgets.values()].filter((b) => b["name"].startsWith(prefix))
    if (scope) {
      const m = /^projects\/([^/]+)$/.exec(scope)
      if (!m) return fail(400, "scope must be projects/PROJECT")
      const id = projectId(state, m[1]!)
      items = items.filter((b) => tracks(state, b, id))
    }
    return page(items, req, "budgets", Math.min(100, state.settings.maxPageSize), copy)
  }),
  Emulator.route<State>("GET", "/v1/billingAccounts/{ba}/budgets/{id}", (req, { state }) => {
    const name = `billingAccounts/${req.params["ba"]}/budgets/${req.params["id"]}`
    const found = state.budgets.get(name)
    if (!found) return fail(404, `Budget ${name} not found.`)
    return { json: copy(found) }
  })
]

// --- Cloud Resource Manager v3 ------------------------------------------------
// projects.get and folders.get, read-only, as https://cloud.google.com/resource-manager/reference/rest/v3/projects
// and https://cloud.google.com/resource-manager/reference/rest/v3/folders describe them: `parent` is
// `folders/{id}` or `organizations/{id}`. An unknown project answers 403 (Google does not say whether it exists).

const resourceManagerRoutes: ReadonlyArray<Route<State>> = [
  Emulator.route<State>("GET", "/v3/projects/{p}", (req, { state }) => {
    const id = projectId(state, req.params["p"]!)
    if (!state.projects.has(id)) {
      const resource = `//cloudresourcemanager.googleapis.com/projects/${req.params["p"]}`
      return fail(403, `Permission 'resourcemanager.projects.get' denied on resource '${resource}' (or it may not exist).`)
    }
    const parent = state.projectParents.get(id)
    return {
      json: {
        name: `projects/${projectNumber(state, id)}`,
        projectId: id,
        ...(parent !== undefined ? { parent } : {}),
        state: "ACTIVE",
        displayName: id
      }
    }
  }),
  Emulator.route<State>("GET", "/v3/folders/{f}", (req, { state }) => {
    const folder = state.folders.get(req.params["f"]!)
    if (!folder) {
      return fail(403, `Permission 'resourcemanager.folders.get' denied on resource 'folders/${req.params["f"]}' (or it may not exist).`)
    }
    return { json: { name: `folders/${req.params["f"]}`, parent: folder.parent, displayName: folder.displayName, state: "ACTIVE" } }
  })
]

export const routes: ReadonlyArray<Route<State>> = [...secretRoutes, ...monitoringRoutes, ...budgetRoutes, ...resourceManagerRoutes]
