/**
 * Issue 13, goals 2 and 3, on the scaled world of bench/world.ts (50 services, 100 secrets, 200 connections
 * in 2 groups, 30 prices):
 *
 * 2. requests the gate sends (the emulators' logs) against the distinct reads that suffice, by route;
 * 3. wall time with 40 ms of latency on every route of every emulator against the critical-path bound
 *    (dependent round trips × 40 ms at 16 requests in flight per origin), and against the harness's floor:
 *    the same requests replayed all at once with no work between them (replay.ts).
 *
 * Prints figures; asserts nothing about time. `BENCH_LATENCIES=40,100,200` repeats goal 3's figures at other
 * latencies (the goal is at 40 ms): the SDK's own time per round trip is fixed, so its share of the bound shrinks
 * as the latency grows, and the ratios show how much of the gap is that cost rather than the shape of the run.
 *
 *   pnpm bench requests
 *   BENCH_LATENCIES=40,100,200 pnpm bench requests
 */
import type { LogEntry } from "@launchgate/core/emulator"
import { replay } from "./replay.js"
import * as World from "./world.js"

/** The HTTP transport's default connections per origin (core's HttpTransport `connections`). */
export const IN_FLIGHT = 16
export const LATENCY_MS = 40
/** The latencies measured: goal 3's, unless BENCH_LATENCIES lists others (milliseconds, comma-separated). */
const latencies = (): ReadonlyArray<number> => {
  const listed = (process.env["BENCH_LATENCIES"] ?? "").split(",").map((x) => x.trim()).filter((x) => x !== "")
  const parsed = listed.map(Number)
  const bad = listed.filter((_, i) => !Number.isInteger(parsed[i]) || parsed[i]! < 0)
  if (bad.length > 0) throw new Error(`BENCH_LATENCIES: ${bad.join(", ")} is not a whole number of milliseconds (e.g. 40,100,200)`)
  return parsed.length > 0 ? parsed : [LATENCY_MS]
}
/** Timed runs at each latency (and as many replays); the median is the figure. */
const RUNS = 5

type Entry = LogEntry & { readonly origin: string }

/** Query parameters that only move through a list's pages. */
const PAGE_PARAMS = ["pageToken", "cursor", "starting_after", "ending_before"]

/**
 * Routes whose reads another read already answers, with the source that says so. Only what a vendor
 * document confirms is listed; everything else counts as needed.
 */
const ANSWERED_BY: Readonly<Record<string, { readonly by: string; readonly source: string }>> = {
  // Fivetran OpenAPI v1 (/work/shared/reference/fivetran): list_connections and list_all_connections_in_group
  // return `ConnectorResponse` items, whose properties include every property of connection_details'
  // `ConnectorResponseV1` (status, setup_tests, schedule, succeeded_at/failed_at …).
  "fivetran GET /v1/connections/{connectionId}": {
    by: "fivetran GET /v1/connections",
    source: "Fivetran OpenAPI: list items (ConnectorResponse) carry every field of connection_details"
  }
}

/**
 * Which list a route's reads wait for (they need an id the list gives). Routes not named here need
 * nothing first: their ids come from the gate (connection ids, group ids) or they are lists themselves.
 */
const AFTER: Readonly<Record<string, string>> = {
  "gcp GET /v2/projects/{p}/locations/{l}/services/{s}/revisions/{r}": "gcp GET /v2/projects/{p}/locations/{l}/services",
  "gcp GET /v1/projects/{p}/secrets/{s}/versions": "gcp GET /v1/projects/{p}/secrets"
}

const routeOf = (e: Entry) => `${e.origin} ${e.route ?? `${e.method} ${e.path}`}`
const isLaterPage = (e: Entry) => PAGE_PARAMS.some((p) => e.query[p] !== undefined)

/** One route's figures. */
export interface RouteFigures {
  readonly route: string
  readonly origin: string
  readonly requests: number
  /** Distinct reads of this route that the run needs (0 when another read answers them). */
  readonly needed: number
  /** Longest page chain of one list on this route (1 for plain gets). */
  readonly pages: number
  readonly note?: string | undefined
}

/**
 * Requests by route, and the distinct reads that suffice: the same method, path and query (page cursors
 * aside) counts once, a list counts once per page (a listing repeated k times shows k first pages), and
 * reads another read answers (ANSWERED_BY) count zero.
 */
export const analyse = (entries: ReadonlyArray<Entry>): ReadonlyArray<RouteFigures> => {
  const byRoute = new Map<string, Array<Entry>>()
  for (const e of entries) byRoute.set(routeOf(e), [...(byRoute.get(routeOf(e)) ?? []), e])
  return [...byRoute].sort(([a], [b]) => a.localeCompare(b)).map(([route, list]) => {
    const byKey = new Map<string, { first: number; all: number }>()
    for (const e of list) {
      const query = Object.entries(e.query).filter(([k]) => !PAGE_PARAMS.includes(k)).sort()
      // The log redacts credential-like query values (`lookup_keys[]` among them): such reads cannot be told
      // apart, so each one counts as needed.
      const hidden = query.some(([, v]) => v === "<redacted>" || (Array.isArray(v) && v.includes("<redacted>")))
      const key = `${e.method} ${e.path} ${JSON.stringify(query)}${hidden ? ` #${e.seq}` : ""}`
      const counts = byKey.get(key) ?? { first: 0, all: 0 }
      counts.all++
      if (!isLaterPage(e)) counts.first++
      byKey.set(key, counts)
    }
    let needed = 0
    let pages = 1
    for (const { first, all } of byKey.values()) {
      const distinctPages = first === 0 ? all : Math.ceil(all / first)
      needed += distinctPages
      pages = Math.max(pages, distinctPages)
    }
    const answered = ANSWERED_BY[route]
    const answeredNow = answered !== undefined && byRoute.has(answered.by)
    return {
      route,
      origin: list[0]!.origin,
      requests: list.length,
      needed: answeredNow ? 0 : needed,
      pages,
      ...(answeredNow ? { note: `answered by ${answered.by.split(" ").slice(1).join(" ")} (${answered.source})` } : {})
    }
  })
}

/**
 * The critical-path bound in round trips, per origin: a list's pages are sequential; reads that need a
 * list's ids start after it; at most IN_FLIGHT requests are in flight per origin; origins run in parallel.
 * Three lower bounds, the largest wins: each list chain with its own fan-out; all fan-outs after the
 * shortest such list; all of the origin's reads at IN_FLIGHT a round.
 */
export const roundTrips = (figures: ReadonlyArray<RouteFigures>): ReadonlyMap<string, number> => {
  const out = new Map<string, number>()
  for (const origin of new Set(figures.map((f) => f.origin))) {
    const mine = figures.filter((f) => f.origin === origin && f.needed > 0)
    const total = mine.reduce((n, f) => n + f.needed, 0)
    const chains = mine.filter((f) => AFTER[f.route] !== undefined).map((f) => {
      const list = mine.find((l) => l.route === AFTER[f.route])
      return { list: list?.pages ?? 0, fanout: f.needed }
    })
    const perChain = Math.max(0, ...chains.map((c) => c.list + Math.ceil(c.fanout / IN_FLIGHT)))
    const shortest = chains.length > 0 ? Math.min(...chains.map((c) => c.list)) : 0
    const fanouts = shortest + Math.ceil(chains.reduce((n, c) => n + c.fanout, 0) / IN_FLIGHT)
    const longestList = Math.max(0, ...mine.map((f) => f.pages))
    out.set(origin, Math.max(perChain, fanouts, Math.ceil(total / IN_FLIGHT), longestList))
  }
  return out
}

const pad = (s: string | number, n: number) => String(s).padStart(n)

/** One run of the gate: wall and CPU time, and whether every check passed. */
const runOnce = async (world: World.World) => {
  await World.clearLogs(world)
  const cpu = process.cpuUsage()
  const started = performance.now()
  const report = await World.run(world)
  const wallMs = performance.now() - started
  const used = process.cpuUsage(cpu)
  const notPassing = report.items.filter((i) => i.status !== "pass").map((i) => `${i.id} ${i.status}: ${i.message}`)
  return { wallMs, cpuMs: (used.user + used.system) / 1000, checks: report.items.length, notPassing }
}

interface WallFigures {
  readonly boundMs: number
  readonly runs: ReadonlyArray<Awaited<ReturnType<typeof runOnce>>>
  readonly replays: ReadonlyArray<Awaited<ReturnType<typeof replay>>>
  readonly slow: Awaited<ReturnType<typeof runOnce>>
  readonly floorMs: number
  readonly sent: number
  readonly notOk: number
}

/** Goal 3's figures at one latency: RUNS runs of the gate and as many replays, interleaved; medians. */
const wallAt = async (world: World.World, latencyMs: number, roundTripsOnPath: number): Promise<WallFigures> => {
  const remove = await World.injectEverywhere(world, { kind: "latency", ms: latencyMs })
  const runs: Array<Awaited<ReturnType<typeof runOnce>>> = []
  const replays: Array<Awaited<ReturnType<typeof replay>>> = []
  let sent = 0
  try {
    // RUNS of each, interleaved, so a busy moment of the machine does not land on one side only.
    for (let i = 0; i < RUNS; i++) {
      runs.push(await runOnce(world))
      const entries = await World.log(world)
      sent = entries.length
      replays.push(await replay(world, entries, IN_FLIGHT))
    }
  } finally {
    await remove()
  }
  const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  return {
    boundMs: roundTripsOnPath * latencyMs,
    runs,
    replays,
    slow: runs.find((r) => r.wallMs === median(runs.map((x) => x.wallMs)))!,
    floorMs: median(replays.map((r) => r.wallMs)),
    sent,
    notOk: replays.reduce((n, r) => n + r.notOk, 0)
  }
}

export const main = async () => {
  // The emulators run in a child process (as a vendor's servers are elsewhere): this process's CPU is the SDK's.
  const world = await World.startRemote()
  try {
    // Warm-up (module loading, JIT), not counted.
    await World.run(world)

    const zero = await runOnce(world)
    const figures = analyse(await World.log(world))
    const requests = figures.reduce((n, f) => n + f.requests, 0)
    const needed = figures.reduce((n, f) => n + f.needed, 0)
    console.log(`## Requests vs distinct reads (${zero.checks} checks, 0 ms latency; emulators: ${world.where})`)
    if (zero.notPassing.length > 0) console.log(`not passing (the world should be healthy):\n  ${zero.notPassing.join("\n  ")}`)
    console.log(`${"route".padEnd(72)} | requests | needed | pages`)
    for (const f of figures) {
      console.log(`${f.route.padEnd(72)} | ${pad(f.requests, 8)} | ${pad(f.needed, 6)} | ${pad(f.pages, 5)}${f.note ? `  ${f.note}` : ""}`)
    }
    console.log(`requests ${requests}, distinct reads ${needed}, ratio ${(requests / needed).toFixed(2)} (goal 1.00)`)
    console.log(`run at 0 ms latency: wall ${zero.wallMs.toFixed(0)} ms, process CPU ${zero.cpuMs.toFixed(0)} ms`)

    const trips = roundTrips(figures)
    const worst = Math.max(...trips.values())
    const ms = (xs: ReadonlyArray<number>) => xs.map((x) => x.toFixed(0)).join(", ")
    let headline: WallFigures | undefined
    for (const latencyMs of latencies()) {
      const wall = await wallAt(world, latencyMs, worst)
      if (latencyMs === LATENCY_MS || headline === undefined) headline = wall
      console.log(`\n## Wall time at ${latencyMs} ms latency on every route`)
      console.log(`round trips per origin at ${IN_FLIGHT} in flight: ${[...trips].map(([o, n]) => `${o} ${n}`).join(", ")}`)
      console.log(`critical-path bound ${worst} × ${latencyMs} ms = ${wall.boundMs} ms`)
      for (const r of wall.runs) {
        if (r.notPassing.length > 0) console.log(`not passing at ${latencyMs} ms:\n  ${r.notPassing.join("\n  ")}`)
      }
      console.log(
        `harness floor (the run's ${wall.sent} requests replayed at once, no work between them): ${ms(wall.replays.map((r) => r.wallMs))} ms, `
          + `median ${wall.floorMs.toFixed(0)} ms = ${(wall.floorMs / wall.boundMs).toFixed(2)}× the bound`
          + (wall.notOk > 0 ? `; ${wall.notOk} replayed answers were not 2xx (the floor is not faithful)` : "")
      )
      console.log(
        `run (${RUNS}): wall ${ms(wall.runs.map((r) => r.wallMs))} ms (process CPU ${ms(wall.runs.map((r) => r.cpuMs))} ms); median ${
          wall.slow.wallMs.toFixed(0)
        } ms: ratio ${(wall.slow.wallMs / wall.boundMs).toFixed(2)} to the bound${latencyMs === LATENCY_MS ? " (goal ≤ 1.2)" : ""}, ${
          (wall.slow.wallMs / wall.floorMs).toFixed(2)
        } to the floor (${((wall.slow.wallMs - wall.floorMs) / worst).toFixed(1)} ms per round trip over it); requests ${wall.sent}`
      )
    }
    const { slow, boundMs, floorMs } = headline!
    return { requests, needed, zero, slow, boundMs, floorMs, trips }
  } finally {
    await World.close(world)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
