/**
 * The floor this bench's harness allows, measured rather than computed: the requests a gate run sent, sent
 * again all at once with nothing in between — no dependencies (no list waits for its pages, no fan-out for
 * its list), no decoding, no judging, no reports — through plain undici pools of {@link IN_FLIGHT}
 * connections per origin, the transport's own limit. What it costs above the computed critical-path bound is
 * the harness's: the emulators' own work per request (they share this machine's two cores with the client),
 * connection set-up and the event loop. No run of a gate can be faster than this on the same machine.
 *
 * Used by requests.ts; prints nothing itself.
 */
import { Pool } from "undici"
import * as World from "./world.js"

/** One replay: wall time, this process's CPU time, and answers that were not 2xx (0 when the replay is faithful). */
export interface Replay {
  readonly wallMs: number
  readonly cpuMs: number
  readonly requests: number
  readonly notOk: number
}

const queryString = (query: World.Entry["query"]): string => {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    // The log hides page tokens (they are credential-like): a later page is replayed as the first page of
    // the same list, the same route and page size, which costs the emulator the same work.
    if (k === "pageToken") continue
    for (const one of Array.isArray(v) ? v : [v]) params.append(k, String(one))
  }
  const text = params.toString()
  return text === "" ? "" : `?${text}`
}

/** Replay `entries` (a run's log) against `world` once, every origin at once, at most `inFlight` per origin. */
export const replay = async (world: World.World, entries: ReadonlyArray<World.Entry>, inFlight: number): Promise<Replay> => {
  const base: Record<string, string> = { gcp: world.gcp.url, fivetran: world.fivetran.url, stripe: world.stripe.url }
  const basic = Buffer.from(`${world.fivetran.credentials.apiKey}:${world.fivetran.credentials.apiSecret}`).toString("base64")
  const authorization: Record<string, string> = {
    gcp: `Bearer ${World.GCP_TOKEN}`,
    fivetran: `Basic ${basic}`,
    stripe: `Bearer ${World.stripeKey}`
  }
  const pools = new Map(Object.entries(base).map(([origin, url]) => [origin, new Pool(url, { connections: inFlight })]))
  let notOk = 0
  const cpu = process.cpuUsage()
  const started = performance.now()
  try {
    await Promise.all(entries.map(async (e) => {
      const pool = pools.get(e.origin)
      if (pool === undefined) throw new Error(`no origin ${e.origin} in the world`)
      // Replaying a write would change the world the next run judges.
      if (e.method !== "GET") throw new Error(`the replay sends reads only; the run sent ${e.method} ${e.path}`)
      const res = await pool.request({
        method: e.method as "GET",
        path: `${e.path}${queryString(e.query)}`,
        headers: { authorization: authorization[e.origin]!, accept: "application/json" }
      })
      // Read the whole body, as a client must before it can use the answer.
      await res.body.text()
      if (res.statusCode < 200 || res.statusCode > 299) notOk++
    }))
  } finally {
    await Promise.all([...pools.values()].map((p) => p.close()))
  }
  const wallMs = performance.now() - started
  const used = process.cpuUsage(cpu)
  return { wallMs, cpuMs: (used.user + used.system) / 1000, requests: entries.length, notOk }
}
