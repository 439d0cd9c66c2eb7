/**
 * Issue 13, goal 4: a hand-written sequential baseline. The same checks as bench/world.ts on the same
 * world, written the way a script would be: plain `fetch`, one check at a time, each check fetching what
 * it needs (every page of a list, then the per-resource reads), no cache shared between checks. Where a
 * vendor list already carries what a check needs (Fivetran's connection lists), the script uses the list,
 * as a careful author would; it is a fair competitor, not a straw man.
 *
 * Each check decides with a one-line rule (the world is healthy, so every check must pass); the evidence,
 * remediation and vendor edge cases of the real checks are not reproduced. Compared at 40 ms and at 0 ms
 * of latency on every route. Prints figures; asserts nothing.
 *
 *   pnpm bench baseline-sequential
 */
import { GcpEmulator } from "@launchgate/gcp/emulator"
import * as World from "./world.js"

type Json = any
const P = GcpEmulator.DEFAULT_PROJECT
const REGION = GcpEmulator.DEFAULT_REGION
const BA = GcpEmulator.DEFAULT_BILLING_ACCOUNT

/** A tiny client per vendor: GET with the vendor's auth, JSON out, every page of a list. */
const clients = (world: World.World) => {
  const get = async (url: string, headers: Record<string, string>): Promise<Json> => {
    const res = await fetch(url, { headers })
    if (!res.ok) throw new Error(`${url}: ${res.status}`)
    return res.json()
  }
  const gcpAuth = { authorization: "Bearer ya29.bench-access-token" }
  const { apiKey, apiSecret } = world.fivetran.credentials
  const fivetranAuth = { authorization: `Basic ${Buffer.from(`${apiKey}:${apiSecret}`).toString("base64")}` }
  const stripeAuth = { authorization: `Bearer ${World.stripeKey}` }
  return {
    gcp: (path: string) => get(`${world.gcp.url}${path}`, gcpAuth),
    /** Every item of a Google list (pageToken / nextPageToken). */
    gcpList: async (path: string, field: string): Promise<Array<Json>> => {
      const items: Array<Json> = []
      let token: string | undefined
      do {
        const page = await get(`${world.gcp.url}${path}${token ? `?pageToken=${encodeURIComponent(token)}` : ""}`, gcpAuth)
        items.push(...(page[field] ?? []))
        token = page.nextPageToken
      } while (token)
      return items
    },
    fivetran: (path: string) => get(`${world.fivetran.url}/v1${path}`, fivetranAuth).then((r) => r.data),
    /** Every item of a Fivetran list (limit / cursor / next_cursor). */
    fivetranList: async (path: string): Promise<Array<Json>> => {
      const items: Array<Json> = []
      let cursor: string | undefined
      do {
        const sep = path.includes("?") ? "&" : "?"
        const url = `${world.fivetran.url}/v1${path}${sep}limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`
        const page = (await get(url, fivetranAuth)).data
        items.push(...page.items)
        cursor = page.next_cursor
      } while (cursor)
      return items
    },
    stripe: (path: string) => get(`${world.stripe.url}${path}`, stripeAuth),
    /** Every item of a Stripe list (limit / starting_after / has_more). */
    stripeList: async (path: string): Promise<Array<Json>> => {
      const items: Array<Json> = []
      let after: string | undefined
      for (;;) {
        const sep = path.includes("?") ? "&" : "?"
        const page = await get(`${world.stripe.url}${path}${sep}limit=100${after ? `&starting_after=${after}` : ""}`, stripeAuth)
        items.push(...page.data)
        if (!page.has_more) return items
        after = page.data[page.data.length - 1].id
      }
    }
  }
}

type Clients = ReturnType<typeof clients>

const SERVICES = `/v2/projects/${P}/locations/${REGION}/services`
const SECRETS = `/v1/projects/${P}/secrets`
const ready = (s: Json) => s.terminalCondition?.state === "CONDITION_SUCCEEDED"
const containers = (s: Json): Array<Json> => s.template?.containers ?? []
const secretRefsOf = (s: Json): Array<string> =>
  containers(s).flatMap((c) => (c.env ?? []).flatMap((e: Json) => (e.valueSource ? [e.valueSource.secretKeyRef.secret] : [])))
const versionsOf = (c: Clients, s: Json) => c.gcpList(`/v1/${s.name}/versions`, "versions")

/** The checks of bench/world.ts, by id: each returns whether it passed. */
const checks = (c: Clients): ReadonlyArray<readonly [string, () => Promise<boolean>]> => {
  const services = () => c.gcpList(SERVICES, "services")
  const secrets = () => c.gcpList(SECRETS, "secrets")
  const everyService = (rule: (s: Json) => boolean) => async () => (await services()).every(rule)
  const everySecret = (rule: (s: Json, versions: Array<Json>) => boolean, needsVersions = true) => async () => {
    for (const s of await secrets()) if (!rule(s, needsVersions ? await versionsOf(c, s) : [])) return false
    return true
  }
  const byGroup = async (rule: (connection: Json) => boolean) => {
    for (const group of World.GROUPS) {
      if (!(await c.fivetranList(`/connections?group_id=${group}`)).every(rule)) return false
    }
    return true
  }
  const account = () => c.stripe("/v1/account")
  return [
    ["gcp.cloud-run.healthy", everyService(ready)],
    ["gcp.cloud-run.latest-deploy-live", everyService((s) => s.latestReadyRevision === s.latestCreatedRevision)],
    ["gcp.cloud-run.probes", everyService((s) => containers(s).every((k) => k.startupProbe !== undefined))],
    ["gcp.cloud-run.min-instances", everyService((s) => (s.template?.scaling?.minInstanceCount ?? 0) >= 0)],
    ["gcp.cloud-run.max-instances", everyService((s) => s.template?.scaling?.maxInstanceCount !== undefined)],
    ["gcp.cloud-run.rollback-target", async () => {
      for (const s of await services()) {
        const tagged = (s.traffic ?? []).find((t: Json) => t.tag && t.revision)
        if (!tagged) return false
        const revision = await c.gcp(`/v2/${s.name}/revisions/${tagged.revision}`)
        if (!revision.conditions?.some((k: Json) => k.type === "Ready" && k.state === "CONDITION_SUCCEEDED")) return false
      }
      return true
    }],
    ["gcp.cloud-run.secret-env", everyService((s) => containers(s).every((k) => (k.env ?? []).every((e: Json) => !/KEY|TOKEN/.test(e.name) || e.valueSource)))],
    ["gcp.cloud-run.secret-refs", async () => {
      const known = new Set((await secrets()).map((s) => s.name.split("/").pop()))
      return (await services()).every((s) => secretRefsOf(s).every((r) => known.has(r.split("/").pop())))
    }],
    ["gcp.cloud-run.service-account", everyService((s) => !String(s.template?.serviceAccount ?? "-compute@").includes("-compute@"))],
    ["gcp.cloud-run.ingress", everyService((s) => s.ingress === "INGRESS_TRAFFIC_ALL")],
    ["gcp.secret-manager.rotation", everySecret((s, v) => s.rotation !== undefined && v.length > 0)],
    ["gcp.secret-manager.rotation-overdue", everySecret((s, v) => s.rotation !== undefined && v.length > 0)],
    ["gcp.secret-manager.version-age", everySecret((_, v) => v.some((x) => x.state === "ENABLED"))],
    ["gcp.secret-manager.enabled-versions", everySecret((_, v) => v.filter((x) => x.state === "ENABLED").length <= 2)],
    ["gcp.secret-manager.expiry", everySecret((s) => s.expireTime === undefined, false)],
    ["gcp.monitoring.uptime-check", async () => (await c.gcpList(`/v3/projects/${P}/uptimeCheckConfigs`, "uptimeCheckConfigs")).length >= World.SIZE.services],
    ["gcp.monitoring.uptime-alert", async () => {
      const checks = await c.gcpList(`/v3/projects/${P}/uptimeCheckConfigs`, "uptimeCheckConfigs")
      const policies = await c.gcpList(`/v3/projects/${P}/alertPolicies`, "alertPolicies")
      return checks.every((k) => policies.some((p) => JSON.stringify(p.conditions).includes(k.name.split("/").pop())))
    }],
    ["gcp.monitoring.notification-channels", async () => {
      const policies = await c.gcpList(`/v3/projects/${P}/alertPolicies`, "alertPolicies")
      const channels = new Set((await c.gcpList(`/v3/projects/${P}/notificationChannels`, "notificationChannels")).map((k) => k.name))
      return policies.every((p) => p.notificationChannels.every((n: string) => channels.has(n)))
    }],
    ["gcp.budget.project-budget", async () => (await c.gcpList(`/v1/billingAccounts/${BA}/budgets`, "budgets")).length > 0],
    ["gcp.budget.notifications", async () => {
      const budgets = await c.gcpList(`/v1/billingAccounts/${BA}/budgets`, "budgets")
      const channels = new Set((await c.gcpList(`/v3/projects/${P}/notificationChannels`, "notificationChannels")).map((k) => k.name))
      return budgets.every((b) => (b.notificationsRule?.monitoringNotificationChannels ?? []).every((n: string) => channels.has(n)))
    }],
    ["fivetran.connection.connected", () => byGroup((k) => k.status.setup_state === "connected")],
    ["fivetran.connection.active", () => byGroup((k) => !k.paused)],
    ["fivetran.connection.freshness", () =>
      byGroup((k) => World.NOW.getTime() - Date.parse(k.succeeded_at) <= 2 * k.sync_frequency * 60_000)],
    ["fivetran.connection.tasks", () => byGroup((k) => k.status.tasks.length === 0)],
    ["fivetran.connection.historical-sync", () => byGroup((k) => !k.status.is_historical_sync)],
    ["fivetran.connection.sync-frequency", () => byGroup((k) => k.sync_frequency <= 360)],
    ["fivetran.connection.schema-change-handling", async () => {
      for (const id of World.CONNECTIONS) {
        const schema = await c.fivetran(`/connections/${id}/schemas`)
        if (!["BLOCK_ALL", "ALLOW_COLUMNS"].includes(schema.schema_change_handling)) return false
      }
      return true
    }],
    ...World.GROUPS.flatMap((group): ReadonlyArray<readonly [string, () => Promise<boolean>]> => [
      [`fivetran.destination.connected ${group}`, async () => (await c.fivetran(`/destinations/${group}`)).setup_status === "connected"],
      [`fivetran.destination.region ${group}`, async () => (await c.fivetran(`/destinations/${group}`)).region === "AWS_US_EAST_1"],
      [`fivetran.group.coverage ${group}`, async () => (await c.fivetranList(`/groups/${group}/connections`)).length > 0]
    ]),
    ["fivetran.webhook.configured", async () =>
      (await c.fivetranList("/webhooks")).some((w) => w.url === World.FIVETRAN_WEBHOOK_URL && w.active)],
    ["billing.key.mode", async () => (await account()).id !== undefined],
    ["billing.account.charges-enabled", async () => (await account()).charges_enabled === true],
    ["billing.account.payouts-enabled", async () => (await account()).payouts_enabled === true],
    ["billing.account.requirements", async () => (await account()).requirements.currently_due.length === 0],
    ["billing.catalog.prices", async () => {
      // Stripe takes at most 10 lookup keys per request.
      for (let i = 0; i < World.PLANS.length; i += 10) {
        const keys = World.PLANS.slice(i, i + 10).map((p) => `lookup_keys[]=${p.lookupKey}`).join("&")
        const prices = await c.stripeList(`/v1/prices?active=true&${keys}`)
        if (prices.length !== Math.min(10, World.PLANS.length - i)) return false
      }
      return true
    }],
    ["billing.webhook.endpoint", async () => (await c.stripeList("/v1/webhook_endpoints")).some((e) => e.status === "enabled")],
    ["billing.webhook.delivery", async () => {
      const since = Math.floor(World.NOW.getTime() / 1000) - 86_400
      return (await c.stripeList(`/v1/events?created[gte]=${since}`)).every((e) => e.pending_webhooks === 0)
    }],
    ["billing.portal.configured", async () => (await c.stripeList("/v1/billing_portal/configurations")).some((p) => p.active)],
    ["billing.tax.active", async () => (await c.stripe("/v1/tax/settings")).status === "active"]
  ]
}

/** Run every check, one after the other. */
export const runSequential = async (world: World.World) => {
  const c = clients(world)
  const failed: Array<string> = []
  for (const [id, run] of checks(c)) {
    try {
      if (!(await run())) failed.push(id)
    } catch (error) {
      failed.push(`${id} (${error instanceof Error ? error.message : String(error)})`)
    }
  }
  return failed
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000

const timeBoth = async (world: World.World) => {
  await World.clearLogs(world)
  let started = performance.now()
  let cpu = process.cpuUsage()
  const failed = await runSequential(world)
  const baselineMs = performance.now() - started
  const baselineCpuMs = cpuMs(process.cpuUsage(cpu))
  const baselineRequests = (await World.log(world)).length
  await World.clearLogs(world)
  started = performance.now()
  cpu = process.cpuUsage()
  const report = await World.run(world)
  const oursMs = performance.now() - started
  const oursCpuMs = cpuMs(process.cpuUsage(cpu))
  const notPassing = report.items.filter((i) => i.status !== "pass").map((i) => i.id)
  const oursRequests = (await World.log(world)).length
  return { baselineMs, baselineCpuMs, baselineRequests, failed, oursMs, oursCpuMs, oursRequests, notPassing }
}

export const main = async () => {
  // The emulators run in a child process (as a vendor's servers are elsewhere): this process's CPU is the client's.
  const world = await World.startRemote()
  try {
    // Warm-up of both (module loading, JIT, sockets), not counted.
    await runSequential(world)
    await World.run(world)
    console.log("## launchgate vs a hand-written sequential script (same checks, same world)")
    console.log(`emulators: ${world.where}; times are wall (process CPU)`)
    console.log("latency | baseline ms (requests) | launchgate ms (requests) | baseline / launchgate")
    const rows: Array<{ latency: number; r: Awaited<ReturnType<typeof timeBoth>> }> = []
    for (const latency of [0, 40]) {
      const remove = latency > 0 ? await World.injectEverywhere(world, { kind: "latency", ms: latency }) : async () => {}
      try {
        const r = await timeBoth(world)
        rows.push({ latency, r })
        if (r.failed.length > 0) console.log(`baseline checks not passing: ${r.failed.join(", ")}`)
        if (r.notPassing.length > 0) console.log(`launchgate checks not passing: ${r.notPassing.join(", ")}`)
        console.log(
          `${String(latency).padStart(4)} ms | ${r.baselineMs.toFixed(0)} (CPU ${r.baselineCpuMs.toFixed(0)}; ${
            r.baselineRequests
          } requests) | ${r.oursMs.toFixed(0)} (CPU ${r.oursCpuMs.toFixed(0)}; ${r.oursRequests} requests) | ${
            (r.baselineMs / r.oursMs).toFixed(2)
          }×`
        )
      } finally {
        await remove()
      }
    }
    console.log("goals: ≥ 10× faster than the baseline at 40 ms; not slower (ratio ≥ 1) at 0 ms")
    return rows
  } finally {
    await World.close(world)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
