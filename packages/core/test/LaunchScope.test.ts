/**
 * A gate's launch-scope declaration: read once per run with the run's services into `report.launchScope`,
 * shown by every reporter, `plan` (local declarations only) and LAUNCH-READINESS.md; a failure is a note.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Context, Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  Check,
  ConsoleReporter,
  Gate,
  HtmlReporter,
  JsonReporter,
  MarkdownReporter,
  Outcome,
  ReadinessDocument,
  Runner
} from "../src/index.js"
import type * as Report from "../src/Report.js"
import { inProcess } from "./helpers/cli.js"

interface Ticket {
  readonly ref: string
  readonly tier?: string
  readonly done?: boolean
  readonly owner?: string
}

/** A tiny in-memory tracker: counts its lists, like a backlog service over a tracker would request them. */
class Tracker extends Context.Tag("test/Tracker")<Tracker, {
  readonly list: Effect.Effect<ReadonlyArray<Ticket>>
  readonly lists: () => number
}>() {}

const trackerLayer = (tickets: ReadonlyArray<Ticket>) =>
  Layer.effect(Tracker, Effect.sync(() => {
    let lists = 0
    return { list: Effect.sync(() => (lists++, tickets)), lists: () => lists }
  }))

const zero = { total: 0, open: 0, done: 0, notPlanned: 0 }

/** A summary computed from the tickets (what a backlog package's declaration does), with the run's deferrals. */
const summarize: Effect.Effect<Report.LaunchScopeSummary, never, Tracker | Gate.RunContext> = Effect.gen(function*() {
  const tracker = yield* Tracker
  const tickets = yield* tracker.list
  const run = yield* Gate.RunContext
  const tiers: Record<string, { total: number; open: number; done: number; notPlanned: number }> = {
    "launch-critical": { ...zero },
    "launch-adjacent": { ...zero },
    "post-launch": { ...zero },
    unclassified: { ...zero },
    conflicting: { ...zero }
  }
  for (const t of tickets) {
    const c = tiers[t.tier ?? "unclassified"]!
    c.total++
    if (t.done) c.done++
    else c.open++
  }
  return {
    total: tickets.length,
    tiers: tiers as Report.LaunchScopeSummary["tiers"],
    openLaunchCritical: tickets.filter((t) => t.tier === "launch-critical" && !t.done).map((t) => {
      const deferral = run.deferrals?.find((d) => d.followUp === t.ref)
      const owners = t.owner ? [t.owner] : []
      const item: Report.LaunchScopeItem = { ref: t.ref, title: `title of ${t.ref}`, status: "open", owners }
      return deferral ? { ...item, deferredBy: deferral.check } : item
    })
  }
})

const tickets: ReadonlyArray<Ticket> = [
  { ref: "T-1", tier: "launch-critical", owner: "payments" },
  { ref: "T-2", tier: "launch-critical" },
  { ref: "T-3", tier: "launch-critical", done: true },
  { ref: "T-4", tier: "post-launch" },
  { ref: "T-5" }
]

const listing = Check.make({
  id: "test.backlog.listed",
  title: "The tracker lists",
  surface: "test.backlog",
  category: "rollout",
  run: Effect.map(Effect.flatMap(Tracker, (t) => t.list), (all) => Outcome.pass(`${all.length} tickets`))
})

const gateWith = (launchScope: Gate.LaunchScopeDeclaration | undefined, layer = trackerLayer(tickets)) =>
  Gate.make({
    name: "launch scope gate",
    items: [{ check: listing, tier: "launch-adjacent", owner: "eng" }],
    deferrals: [{
      check: "test.backlog.listed",
      owner: "eng",
      reason: "later",
      risk: "low",
      followUp: "T-2",
      expires: "2099-01-01"
    }],
    layer,
    ...(launchScope ? { launchScope } : {})
  })

describe("launch scope in a run", () => {
  it("fills report.launchScope from the declaration, with the run's services and deferrals", async () => {
    let lists = () => -1
    const layer = Layer.tap(trackerLayer(tickets), (ctx) => Effect.sync(() => (lists = Context.get(ctx, Tracker).lists)))
    const report = await Runner.runPromise(gateWith({ source: "in-memory tracker", summarize }, layer))
    const scope = report.launchScope!
    expect(scope.source).toBe("in-memory tracker")
    expect(scope.error).toBeUndefined()
    expect(scope.total).toBe(5)
    expect(scope.tiers?.["launch-critical"]).toEqual({ total: 3, open: 2, done: 1, notPlanned: 0 })
    expect(scope.tiers?.unclassified.total).toBe(1)
    expect(scope.openLaunchCritical).toEqual([
      { ref: "T-1", title: "title of T-1", status: "open", owners: ["payments"] },
      { ref: "T-2", title: "title of T-2", status: "open", owners: [], deferredBy: "test.backlog.listed" }
    ])
    // One service instance for the check and the summary: the layer is built once per run.
    expect(lists()).toBe(2)
    expect(report.run.notes).toBeUndefined()
    // The field is part of the schema: the JSON report round-trips it.
    expect(JsonReporter.parse(JsonReporter.render(report)).launchScope).toEqual(scope)
  })

  it("renders a Launch scope section in the Markdown, HTML and console reports", async () => {
    const report = await Runner.runPromise(gateWith({ source: "in-memory tracker", summarize }))
    const md = MarkdownReporter.render(report)
    expect(md).toMatch(/### Launch scope[\s\S]*\| launch-critical \| 3 \| 2 \| 1 \| 0 \|/)
    expect(md).toMatch(/`T-1` \| title of T-1 \| open \| payments \| ❌ not deferred/)
    expect(md).toMatch(/`T-2` \| title of T-2 \| open \| no owner \| ⏳ `test.backlog.listed`/)
    const html = HtmlReporter.render(report)
    expect(html).toContain(`<section id="launch-scope"><h2>Launch scope</h2>`)
    expect(html).toMatch(/<code>T-1<\/code><\/td><td>title of T-1<\/td><td>open<\/td><td>payments<\/td>/)
    const text = ConsoleReporter.render(report, { verbose: true })
    const section = text.slice(text.indexOf("\nLaunch scope\n"))
    expect(section.split("\n").slice(2, 5)).toEqual([
      "  5 items in in-memory tracker: 3 launch-critical (2 open), 0 launch-adjacent, 1 post-launch (1 open), " +
      "1 unclassified (1 open); 2 launch-critical not done (1 deferred, 1 not deferred)",
      "  not done, not deferred: T-1 [payments]",
      "  deferred: T-2 [no owner]"
    ])
    // Without a declaration, no section anywhere.
    const plain = await Runner.runPromise(gateWith(undefined))
    expect(plain.launchScope).toBeUndefined()
    expect(MarkdownReporter.render(plain)).not.toContain("Launch scope")
    expect(HtmlReporter.render(plain)).not.toContain("launch-scope")
    expect(ConsoleReporter.render(plain)).not.toContain("Launch scope")
  })

  it("a failing or malformed summary is a note and launchScope.error, never a crash or an empty scope", async () => {
    const failing = await Runner.runPromise(gateWith({
      source: "in-memory tracker",
      summarize: Effect.fail(new Error("tracker said 503"))
    }))
    expect(failing.launchScope?.error).toContain("tracker said 503")
    expect(failing.launchScope?.total).toBeUndefined()
    expect(failing.launchScope?.openLaunchCritical).toBeUndefined()
    expect(failing.run.notes).toEqual([expect.stringContaining("launch scope (in-memory tracker) could not be read")])
    expect(MarkdownReporter.render(failing)).toContain("could not be read from in-memory tracker")
    const malformed = await Runner.runPromise(gateWith({
      source: "in-memory tracker",
      summarize: Effect.succeed({ total: "many" } as unknown as Report.LaunchScopeSummary)
    }))
    expect(malformed.launchScope?.error).toMatch(/total|tiers/)
    const defect = await Runner.runPromise(gateWith({
      source: "in-memory tracker",
      summarize: Effect.sync(() => {
        throw new Error("boom")
      })
    }))
    expect(defect.launchScope?.error).toContain("boom")
  })

  it("is bounded by the run's deadline", async () => {
    const report = await Runner.runPromise(gateWith({ source: "slow tracker", summarize: Effect.never }), {
      deadline: "300 millis"
    })
    expect(report.launchScope?.error).toMatch(/deadline/)
    expect(report.launchScope?.total).toBeUndefined()
  })

  it("is not read from a non-local source when the gate's services fail", async () => {
    let read = false
    const report = await Runner.runPromise(gateWith(
      { source: "tracker", summarize: Effect.sync(() => (read = true)).pipe(Effect.zipRight(summarize)) },
      Layer.fail(new Error("no tracker")) as unknown as Layer.Layer<Tracker>
    ))
    expect(read).toBe(false)
    expect(report.launchScope?.error).toContain("not read")
  })
})

describe("launch scope in plan and LAUNCH-READINESS.md", () => {
  let dir: string
  const core = fileURLToPath(new URL("../src/index.ts", import.meta.url))
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "launchgate-launch-scope-"))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  /** A gate file whose setup, layer and non-local summary each leave a marker file if they ever run. */
  const gateFile = async (name: string, local: boolean) => {
    const file = join(dir, `${name}.ts`)
    const marker = (what: string) => JSON.stringify(join(dir, `${name}.${what}`))
    await writeFile(file, `
import { writeFileSync } from "node:fs"
import { Effect, Layer } from "effect"
import { Check, Gate, Outcome } from ${JSON.stringify(core)}
const zero = { total: 0, open: 0, done: 0, notPlanned: 0 }
const summary = {
  total: 2,
  tiers: { "launch-critical": { total: 2, open: 1, done: 1, notPlanned: 0 }, "launch-adjacent": zero,
    "post-launch": zero, unclassified: zero, conflicting: zero },
  openLaunchCritical: [{ ref: "LG-7", title: "Turn on live mode", status: "in_progress", owners: ["payments"] }]
}
export default Gate.make({
  name: "plan gate",
  items: [{ check: Check.fromAsync({ id: "p.api.ok", title: "ok", surface: "p.api", category: "rollout",
    run: async () => Outcome.pass("ok") }), tier: "launch-adjacent", owner: "eng" }],
  setup: () => { writeFileSync(${marker("setup")}, "x"); return {} },
  launchScope: {
    source: "task files in backlog/",
    local: ${local},
    summarize: Effect.sync(() => { ${local ? "" : `writeFileSync(${marker("summary")}, "x")`}; return summary })
  }
})
`)
    return file
  }

  it("plan shows a local launch scope and starts nothing", async () => {
    const file = await gateFile("local", true)
    const r = await inProcess(["plan", file])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Launch scope:\n  2 items in task files in backlog\/: 2 launch-critical \(1 open\)/)
    expect(r.stdout).toMatch(/LG-7\s+Turn on live mode\s+\(in_progress\)\s+owner: payments\s+not deferred/)
    await expect(readFile(join(dir, "local.setup"))).rejects.toThrow(/ENOENT/)
  })

  it("plan names a non-local source and reads nothing", async () => {
    const file = await gateFile("remote", false)
    const r = await inProcess(["plan", file])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("Launch scope:\n  read at run time from task files in backlog/")
    await expect(readFile(join(dir, "remote.summary"))).rejects.toThrow(/ENOENT/)
    await expect(readFile(join(dir, "remote.setup"))).rejects.toThrow(/ENOENT/)
  })

  it("docs renders a local launch scope into LAUNCH-READINESS.md and names a non-local one", async () => {
    const local = await inProcess(["docs", await gateFile("doclocal", true), "--stdout"])
    expect(local.stdout).toMatch(/## Launch scope\n\n2 items in task files in backlog\/\.\n/)
    expect(local.stdout).toContain("| LG-7 | Turn on live mode | in_progress | payments | not deferred |")
    const remote = await inProcess(["docs", await gateFile("docremote", false), "--stdout"])
    expect(remote.stdout).toContain("## Launch scope\n\nRead at run time from task files in backlog/")
    await expect(readFile(join(dir, "docremote.summary"))).rejects.toThrow(/ENOENT/)
    // Without a local read, the last report's launch scope is shown.
    const report = await Runner.runPromise(gateWith({ source: "in-memory tracker", summarize }))
    const doc = ReadinessDocument.render(gateWith({ source: "in-memory tracker", summarize }), { report })
    expect(doc).toMatch(/## Launch scope\n\n5 items in in-memory tracker \(last run, read [^)]+\)\./)
  })
})
