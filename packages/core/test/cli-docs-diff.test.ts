import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { inProcess } from "./helpers/cli.js"
import { Check, Gate, JsonReporter, Outcome, Runner } from "../src/index.js"

const cli = inProcess

const gateWith = (statuses: Record<string, Outcome.Status>) =>
  Gate.make({
    name: "diffed",
    items: Object.entries(statuses).map(([id, status]) => ({
      check: Check.make({ id, title: id, surface: "acme.api", category: "capacity", run: Effect.succeed(Outcome.fromStatus(status, status)) }),
      tier: "launch-critical" as const,
      owner: "platform"
    })),
    rollback: { "acme.api": { procedure: "roll back" } }
  })

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "launchgate-docs-diff-"))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe("launchgate diff", () => {
  it("exits 1 on a launch-critical regression and 0 otherwise, printing what changed", async () => {
    const good = await Runner.runPromise(gateWith({ "acme.api.a": "pass", "acme.api.b": "fail" }))
    const worse = await Runner.runPromise(gateWith({ "acme.api.a": "fail", "acme.api.b": "fail" }))
    await writeFile(join(dir, "good.json"), JsonReporter.render(good))
    await writeFile(join(dir, "worse.json"), JsonReporter.render(worse))

    const regressed = await cli(["diff", join(dir, "good.json"), join(dir, "worse.json")])
    expect(regressed.code).toBe(1)
    expect(regressed.stdout).toContain("Launch-critical regressions (1):")
    expect(regressed.stdout).toContain("acme.api.a [launch-critical, platform]: pass → fail")
    expect(regressed.stdout).toContain("Still failing (1):")

    const improved = await cli(["diff", join(dir, "worse.json"), join(dir, "good.json"), "--json"])
    expect(improved.code).toBe(0)
    expect(JSON.parse(improved.stdout)).toMatchObject({ regressed: false, fixed: [{ id: "acme.api.a" }] })
  })

  it("is a usage error with one file, and a configuration error for a file that is not a report", async () => {
    expect((await cli(["diff", "only.json"])).code).toBe(2)
    await writeFile(join(dir, "junk.json"), JSON.stringify({ schemaVersion: 1, verdict: "maybe" }))
    const junk = await cli(["diff", join(dir, "junk.json"), join(dir, "junk.json")])
    expect(junk.code).toBe(2)
    expect(junk.stderr).toContain("is not a launchgate JSON report")
  })
})

describe("launchgate docs", () => {
  it("writes LAUNCH-READINESS.md, and --check fails when it drifts from the gate", async () => {
    const out = join(dir, "LAUNCH-READINESS.md")
    const gateFile = join("test", "fixtures", "cli", "ready.ts")
    const written = await cli(["docs", gateFile, "--out", out])
    expect(written.code).toBe(0)
    const text = await readFile(out, "utf8")
    expect(text).toContain("# Launch readiness:")
    expect(text).toContain("## Launch-review coverage")

    expect((await cli(["docs", gateFile, "--out", out, "--check"])).code).toBe(0)
    await writeFile(out, text.replace("## Deferrals", "## Deferrals (edited by hand)"))
    const drift = await cli(["docs", gateFile, "--out", out, "--check"])
    expect(drift.code).toBe(1)
    expect(drift.stderr).toContain("out of date with the gate")
    expect((await cli(["docs", gateFile, "--out", join(dir, "missing.md"), "--check"])).stderr).toContain("is missing")
  })

  it("prints with --stdout and lists docs and diff in the help", async () => {
    const printed = await cli(["docs", join("test", "fixtures", "cli", "ready.ts"), "--stdout"])
    expect(printed.code).toBe(0)
    expect(printed.stdout).toContain("# Launch readiness:")
    const help = await cli(["--help"])
    expect(help.stdout).toMatch(/docs <gate-file>\s+Write the launch-readiness document/)
    expect(help.stdout).toMatch(/diff <previous\.json> <current\.json>\s+Compare two reports/)
  })
})

describe("launchgate run --baseline", () => {
  it("prints the comparison and exits 1 on a launch-critical regression", async () => {
    const gateFile = join("test", "fixtures", "cli", "ready.ts")
    const json = join(dir, "baseline.json")
    const console = join(dir, "console", "report.txt")
    const first = await cli(["run", gateFile, "--now", "2030-01-01", "--json", json, "--console", console])
    expect(first.code).toBe(0)
    // --console writes the full report (as --verbose: every item, its evidence, uncut, no colours); stdout off a
    // terminal is the short report in 80 columns, which counts passed items without naming them.
    const text = await readFile(console, "utf8")
    const report = JsonReporter.parse(await readFile(json, "utf8"))
    for (const item of report.items) expect(text).toContain(item.message)
    for (const item of report.items) expect(text).toContain(` ${item.id} `)
    expect(first.stdout).not.toContain("fixture.api.healthy")
    for (const line of first.stdout.split("\n")) expect([...line].length, line).toBeLessThanOrEqual(80)
    expect(text).not.toMatch(/\u001b\[/)
    const same = await cli(["run", gateFile, "--now", "2030-01-01", "--baseline", json])
    expect(same.code).toBe(0)
    expect(same.stdout).toContain("Result: no launch-critical regression.")

    // A baseline in which a launch-critical check passed that now blocks: fake it by editing the baseline.
    const previous = JsonReporter.parse(await readFile(json, "utf8"))
    const extra = { ...previous.items[0]!, id: "acme.removed", disposition: "ok" as const, status: "pass" as const }
    await writeFile(json, JsonReporter.render({ ...previous, items: [...previous.items, extra] }))
    const removed = await cli(["run", gateFile, "--now", "2030-01-01", "--baseline", json])
    expect(removed.stdout).toContain("Removed checks (1):")
    expect(removed.code).toBe(0)

    // A launch-critical check that passed in the baseline and blocks now is a regression: exit 1.
    const blockedNow = await cli(["run", join("test", "fixtures", "cli", "blocked.ts"), "--json", join(dir, "blocked.json")])
    expect(blockedNow.code).toBe(1)
    const blocked = JsonReporter.parse(await readFile(join(dir, "blocked.json"), "utf8"))
    const passingBefore = {
      ...blocked,
      verdict: "ready" as const,
      reasons: [],
      items: blocked.items.map((i) => ({ ...i, status: "pass" as const, disposition: "ok" as const }))
    }
    await writeFile(json, JsonReporter.render(passingBefore))
    const regression = await cli(["run", join("test", "fixtures", "cli", "blocked.ts"), "--baseline", json])
    expect(regression.code).toBe(1)
    expect(regression.stdout).toContain("Launch-critical regressions")

    expect((await cli(["run", gateFile, "--now", "2030-01-01", "--baseline", join(dir, "nope.json")])).code).toBe(2)
  })
})
