import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { Check, Gate, Outcome, ReportDiff, Runner } from "../src/index.js"

const NOW = new Date("2026-06-15T12:00:00Z")

const gateWith = (statuses: Record<string, Outcome.Status>, deferrals: Array<{ check: string; expires: string }> = []) =>
  Gate.make({
    name: "diff",
    items: Object.entries(statuses).map(([id, status]) => ({
      check: Check.make({ id, title: id, surface: "acme.api", category: "capacity", run: Effect.succeed(Outcome.fromStatus(status, status)) }),
      tier: id.includes("adjacent") ? "launch-adjacent" as const : "launch-critical" as const,
      owner: "platform"
    })),
    rollback: { "acme.api": { procedure: "roll back" } },
    deferrals: deferrals.map((d) => ({ ...d, owner: "o", reason: "r", risk: "r", followUp: "T-1" }))
  })

describe("ReportDiff", () => {
  it("classifies newly failing, fixed, still failing, new and removed checks", async () => {
    const before = await Runner.runPromise(gateWith({ "a.x.ok-then-fail": "pass", "a.x.fail-then-ok": "fail", "a.x.still": "error", "a.x.gone": "pass" }), { now: NOW })
    const after = await Runner.runPromise(gateWith({ "a.x.ok-then-fail": "fail", "a.x.fail-then-ok": "pass", "a.x.still": "fail", "a.x.new": "pass" }), { now: NOW })
    const d = ReportDiff.diff(before, after)
    expect(d.newlyFailing.map((c) => c.id)).toEqual(["a.x.ok-then-fail"])
    expect(d.fixed.map((c) => c.id)).toEqual(["a.x.fail-then-ok"])
    expect(d.stillFailing.map((c) => c.id)).toEqual(["a.x.still"])
    expect(d.added.map((c) => c.id)).toEqual(["a.x.new"])
    expect(d.removed.map((c) => c.id)).toEqual(["a.x.gone"])
    expect(d.criticalRegressions.map((c) => c.id)).toEqual(["a.x.ok-then-fail"])
    expect(d.regressed).toBe(true)
    const text = ReportDiff.render(d)
    expect(text).toContain("Launch-critical regressions (1):")
    expect(text).toContain("a.x.ok-then-fail [launch-critical, platform]: pass → fail")
  })

  it("a launch-adjacent regression is reported but is not a launch-critical regression", async () => {
    const before = await Runner.runPromise(gateWith({ "a.x.adjacent": "pass", "a.x.ok": "pass" }), { now: NOW })
    const after = await Runner.runPromise(gateWith({ "a.x.adjacent": "fail", "a.x.ok": "pass" }), { now: NOW })
    const d = ReportDiff.diff(before, after)
    expect(d.newlyFailing.map((c) => c.id)).toEqual(["a.x.adjacent"])
    expect(d.regressed).toBe(false)
  })

  it("tracks deferrals added, expired and stale; an expiring deferral is a critical regression", async () => {
    const gate = gateWith({ "a.x.deferred": "fail", "a.x.fixed": "pass" }, [{ check: "a.x.deferred", expires: "2026-06-20" }])
    const before = await Runner.runPromise(gateWith({ "a.x.deferred": "fail", "a.x.fixed": "fail" }), { now: NOW })
    const after = await Runner.runPromise(gate, { now: new Date("2026-06-25T00:00:00Z") })
    const d = ReportDiff.diff(before, after)
    expect(d.deferralsAdded.map((x) => x.check)).toEqual(["a.x.deferred"])
    expect(d.deferralsExpired.map((x) => x.check)).toEqual(["a.x.deferred"])
    expect(d.criticalRegressions.map((c) => c.id)).toEqual([]) // it was blocking before too
    expect(d.fixed.map((c) => c.id)).toEqual(["a.x.fixed"])

    const covered = await Runner.runPromise(gate, { now: NOW })
    const lapsed = ReportDiff.diff(covered, after)
    expect(covered.verdict).toBe("ready")
    expect(lapsed.criticalRegressions.map((c) => c.id)).toEqual(["a.x.deferred"])
    expect(lapsed.deferralsExpired).toHaveLength(1)
    expect(lapsed.regressed).toBe(true)

    const staleGate = gateWith({ "a.x.deferred": "pass" }, [{ check: "a.x.deferred", expires: "2026-06-20" }])
    const stale = ReportDiff.diff(covered, await Runner.runPromise(staleGate, { now: NOW }))
    expect(stale.deferralsStale.map((x) => x.check)).toEqual(["a.x.deferred"])
    expect(ReportDiff.render(stale)).toContain("now stale")
  })

  it("render lists a launch-critical regression once: not again under Newly failing or New checks", async () => {
    const before = await Runner.runPromise(gateWith({ "a.x.critical": "pass", "a.x.adjacent": "pass" }), { now: NOW })
    const after = await Runner.runPromise(
      gateWith({ "a.x.critical": "fail", "a.x.adjacent": "fail", "a.x.new-critical": "fail", "a.x.new-adjacent": "pass" }),
      { now: NOW }
    )
    const d = ReportDiff.diff(before, after)
    // The lists stay as computed (JSON consumers see every list); only the text shows each change once.
    expect(d.criticalRegressions.map((c) => c.id)).toEqual(["a.x.critical", "a.x.new-critical"])
    expect(d.newlyFailing.map((c) => c.id)).toEqual(["a.x.critical", "a.x.adjacent"])
    expect(d.added.map((c) => c.id)).toEqual(["a.x.new-critical", "a.x.new-adjacent"])
    const text = ReportDiff.render(d)
    const occurrences = (id: string) => text.split("\n").filter((l) => l.startsWith(`  - ${id} `)).length
    expect(occurrences("a.x.critical")).toBe(1)
    expect(occurrences("a.x.new-critical")).toBe(1)
    expect(occurrences("a.x.adjacent")).toBe(1)
    expect(occurrences("a.x.new-adjacent")).toBe(1)
    expect(text).toContain("Launch-critical regressions (2):")
    expect(text).toContain("Newly failing (1):\n  - a.x.adjacent ")
    expect(text).toContain("New checks (1):\n  - a.x.new-adjacent ")
  })

  it("render leaves out a heading whose every change is a launch-critical regression", async () => {
    const before = await Runner.runPromise(gateWith({ "a.x.critical": "pass" }), { now: NOW })
    const after = await Runner.runPromise(gateWith({ "a.x.critical": "fail" }), { now: NOW })
    const text = ReportDiff.render(ReportDiff.diff(before, after))
    expect(text).toContain("Launch-critical regressions (1):")
    expect(text).not.toContain("Newly failing")
  })

  it("identical reports: no change, no regression", async () => {
    const report = await Runner.runPromise(gateWith({ "a.x.ok": "pass" }), { now: NOW })
    const d = ReportDiff.diff(report, report)
    expect(d.regressed).toBe(false)
    expect(ReportDiff.render(d)).toContain("No change.")
  })
})
