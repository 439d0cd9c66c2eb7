/**
 * The gate policy as a pure function: plain values in, a report out. No runner, no clock.
 */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { Check, Gate, Outcome, Redaction, Report, Runner } from "../src/index.js"
import * as ReportBuilder from "../src/ReportBuilder.js"

const check = (id: string) =>
  Check.make({ id: `acme.api.${id}`, title: id, surface: "acme.api", category: "capacity", run: Effect.succeed(Outcome.pass("ok")) })

const gate = Gate.make({
  name: "pure",
  items: [
    { check: check("a"), tier: "launch-critical", owner: "platform" },
    { check: check("b"), tier: "launch-adjacent", owner: "platform" },
    { check: check("c"), tier: "post-launch", owner: "platform" }
  ],
  rollback: { "acme.api": { procedure: "roll back" } },
  deferrals: [{ check: "acme.api.a", owner: "o", reason: "r", risk: "r", followUp: "T-1", expires: "2026-07-01" }]
})
const items = Gate.runItems(gate)
const START = Date.parse("2026-06-15T12:00:00Z")
const facts: ReportBuilder.RunFacts = {
  startedAt: START,
  finishedAt: START + 1_500,
  launchgateVersion: "0.0.0-test",
  nodeVersion: "v0-test"
}
const raw = (outcome: Outcome.Outcome): ReportBuilder.Raw => ({ outcome, startedAt: START, durationMs: 3 })
const reportOf = (outcomes: ReadonlyArray<Outcome.Outcome | undefined>, extra: Partial<ReportBuilder.RunFacts> = {}) =>
  ReportBuilder.build(
    gate,
    items,
    outcomes.map((o, i) => (o ? ReportBuilder.itemReport(gate, items[i]!, raw(o), new Date(START)) : undefined)),
    { ...facts, ...extra }
  )

describe("ReportBuilder", () => {
  it("dispositions: the table of tier × status × deferral × policy", () => {
    const warn = { launchAdjacent: "warn" } as const
    expect(ReportBuilder.dispositionOf("launch-critical", "fail", undefined, warn)).toBe("blocking")
    expect(ReportBuilder.dispositionOf("launch-critical", "error", "active", warn)).toBe("deferred")
    expect(ReportBuilder.dispositionOf("launch-critical", "fail", "expired", warn)).toBe("blocking")
    expect(ReportBuilder.dispositionOf("launch-adjacent", "fail", undefined, warn)).toBe("warning")
    expect(ReportBuilder.dispositionOf("launch-adjacent", "fail", undefined, { launchAdjacent: "block" })).toBe("blocking")
    expect(ReportBuilder.dispositionOf("post-launch", "error", undefined, { launchAdjacent: "block" })).toBe("info")
    expect(ReportBuilder.dispositionOf("post-launch", "warn", undefined, warn)).toBe("info")
    expect(ReportBuilder.dispositionOf("launch-adjacent", "warn", undefined, warn)).toBe("warning")
    expect(ReportBuilder.dispositionOf("launch-critical", "skip", undefined, warn)).toBe("skipped")
  })

  it("a complete report from plain values: the deferral covers a, b warns, facts pass through; it decodes", () => {
    const report = reportOf([Outcome.fail("a broke"), Outcome.fail("b broke"), Outcome.pass("c ok")])
    expect(report.items.map((i) => i.disposition)).toEqual(["deferred", "warning", "ok"])
    expect(report.verdict).toBe("ready")
    expect(report.summary).toMatchObject({ total: 3, blocking: 0, warnings: 1 })
    expect(report.summary.byTier["launch-critical"]).toMatchObject({ deferred: 1, fail: 0 })
    expect(report.run).toEqual({
      startedAt: "2026-06-15T12:00:00.000Z",
      finishedAt: "2026-06-15T12:00:01.500Z",
      durationMs: 1_500,
      launchgateVersion: "0.0.0-test",
      nodeVersion: "v0-test",
      interrupted: false
    })
    expect(report.deferrals[0]).toMatchObject({ check: "acme.api.a", state: "active", daysLeft: 16 })
    expect(() => Report.decodeSync(report)).not.toThrow()
  })

  it("items with no outcome: error after an interruption, skipped after fail-fast", () => {
    const interrupted = reportOf([Outcome.pass("ok"), undefined, undefined], { interruptReason: "interrupted: SIGINT" })
    expect(interrupted.items.map((i) => i.status)).toEqual(["pass", "error", "error"])
    expect(interrupted.run.interrupted).toBe(true)
    expect(interrupted.reasons[0]).toBe("run interrupted: SIGINT")
    const failFast = reportOf([Outcome.pass("ok"), undefined, undefined], { interruptReason: "fail-fast: x blocked the gate" })
    expect(failFast.items.map((i) => i.status)).toEqual(["pass", "skip", "skip"])
    expect(failFast.run.interrupted).toBe(false)
  })

  it("configuration errors: listed in run.configurationErrors, first in the reasons, and the gate is blocked", () => {
    const errors = [{ path: "GOOGLE_CLOUD_PROJECT", message: "Expected GOOGLE_CLOUD_PROJECT to exist" }, { message: "bad key" }]
    const report = reportOf([Outcome.skip("n/a"), Outcome.skip("n/a"), Outcome.skip("n/a")], { configurationErrors: errors })
    expect(report.run.configurationErrors).toEqual(errors)
    expect(report.verdict).toBe("blocked")
    expect(report.reasons).toEqual(["configuration is missing or invalid: Expected GOOGLE_CLOUD_PROJECT to exist; bad key"])
    expect(() => Report.decodeSync(report)).not.toThrow()
  })

  it("redacts what checks wrote, once, when the item is built", () => {
    Redaction.register("sk_live_pure_secret_123")
    const item = ReportBuilder.itemReport(gate, items[0]!, raw(Outcome.fail("token sk_live_pure_secret_123 leaked", {
      observed: "sk_live_pure_secret_123"
    })), new Date(START))
    expect(JSON.stringify(item)).not.toContain("sk_live_pure_secret_123")
  })
})

describe("the runner reports each item once", () => {
  it("the finish event carries the very item report the final report holds", async () => {
    const finished: Array<Report.ItemReport> = []
    const report = await Runner.runPromise(gate, {
      onEvent: (e) => {
        if (e.type === "finish") finished[e.index] = e.item
      }
    })
    expect(finished).toHaveLength(3)
    finished.forEach((item, i) => expect(item).toBe(report.items[i]))
  })
})

describe("ReportBuilder: optional fields are carried when given and absent (not undefined) when not", () => {
  const verify = Check.make({
    id: "acme.api.rolled-back",
    title: "rolled back",
    surface: "acme.api",
    category: "rollback",
    run: Effect.succeed(Outcome.pass("ok"))
  })
  const described = Check.make({
    id: "acme.api.full",
    title: "full",
    surface: "acme.api",
    category: "capacity",
    description: "every optional field",
    role: "roles/viewer",
    run: Effect.succeed(Outcome.pass("ok"))
  })
  const full = Gate.make({
    name: "full",
    description: "a gate with everything",
    environment: "production",
    items: [{ check: described, tier: "launch-critical", owner: "platform" }],
    rollback: {
      "acme.api": { procedure: "roll back", killSwitch: "FLAG_OFF", owner: "sre", verify },
      "acme.db": { none: "forward-only migrations" }
    },
    unsupported: ["multi-region", { case: "IPv6", reason: "not offered yet" }],
    deferrals: [{
      check: "acme.api.full",
      owner: "o",
      reason: "r",
      risk: "r",
      followUp: "T-1",
      expires: "2026-07-01",
      approvedBy: "cto"
    }]
  })
  const bare = Gate.make({ name: "bare", items: [{ check: check("a"), tier: "launch-adjacent", owner: "platform" }] })
  const launchScope: Report.LaunchScope = { source: "task files", readAt: "2026-06-15T12:00:00.000Z", error: "unreadable" }

  it("an item: docs, remediation, description, role, startedAt, subjects' remediation, rollbackOf, deferral approver", () => {
    const fullItems = Gate.runItems(full)
    const outcome = Outcome.fromSubjects([
      { ...Outcome.fail("s1 broke", { remediation: "fix s1" }), subject: "s1" },
      { ...Outcome.pass("s2 ok"), subject: "s2" }
    ], { what: "services" })
    const item = ReportBuilder.itemReport(full, fullItems[0]!, {
      outcome: { ...outcome, remediation: "fix it", docs: "https://docs.example/full" },
      startedAt: START,
      durationMs: 3
    }, new Date(START))
    expect(item).toMatchObject({
      docs: "https://docs.example/full",
      remediation: "fix it",
      description: "every optional field",
      role: "roles/viewer",
      startedAt: "2026-06-15T12:00:00.000Z",
      attempts: 1,
      deferral: { approvedBy: "cto" }
    })
    expect(item.subjects).toStrictEqual([
      expect.objectContaining({ subject: "s1", remediation: "fix s1" }),
      expect.not.objectContaining({ remediation: expect.anything() })
    ])
    expect("remediation" in item.subjects![1]!).toBe(false)
    expect("rollbackOf" in item).toBe(false)
    const rollbackItem = ReportBuilder.itemReport(full, fullItems[1]!, raw(Outcome.pass("ok")), new Date(START))
    expect(rollbackItem.rollbackOf).toBe("acme.api")

    const plain = ReportBuilder.itemReport(bare, Gate.runItems(bare)[0]!, { outcome: Outcome.pass("ok"), durationMs: 0 }, new Date(START))
    for (const key of ["docs", "remediation", "description", "role", "startedAt", "subjects", "deferral", "rollbackOf", "meta"]) {
      expect(key in plain, key).toBe(false)
    }
    // Never started: no attempt was made.
    expect(plain.attempts).toBe(0)
  })

  it("the report: gate description and environment, run facts, rollback plans, unsupported reasons, launch scope", () => {
    const fullItems = Gate.runItems(full)
    const report = ReportBuilder.build(full, fullItems, [], {
      ...facts,
      gitCommit: "0123456789abcdef0123456789abcdef01234567",
      interruptReason: "interrupted: SIGTERM",
      insecureOrigins: ["https://staging.internal"],
      notes: ["a note"],
      configurationErrors: [{ path: "FIVETRAN_API_KEY", message: "is missing" }, { message: "STRIPE_KEY is missing" }],
      launchScope
    })
    expect(report.gate).toStrictEqual({ name: "full", description: "a gate with everything", environment: "production" })
    expect(report.run).toMatchObject({
      gitCommit: "0123456789abcdef0123456789abcdef01234567",
      interruptReason: "interrupted: SIGTERM",
      insecureOrigins: ["https://staging.internal"],
      notes: ["a note"],
      configurationErrors: [{ path: "FIVETRAN_API_KEY", message: "is missing" }, { message: "STRIPE_KEY is missing" }]
    })
    expect("path" in report.run.configurationErrors![1]!).toBe(false)
    expect(report.reasons[0]).toBe(
      "configuration is missing or invalid: FIVETRAN_API_KEY: is missing; STRIPE_KEY is missing"
    )
    expect(report.rollback).toStrictEqual([
      { surface: "acme.api", procedure: "roll back", killSwitch: "FLAG_OFF", owner: "sre", verify: "acme.api.rolled-back" },
      { surface: "acme.db", none: "forward-only migrations" }
    ])
    expect(report.unsupported).toStrictEqual([{ case: "multi-region" }, { case: "IPv6", reason: "not offered yet" }])
    expect(report.launchScope).toStrictEqual(launchScope)
    expect(report.deferrals[0]).toMatchObject({ approvedBy: "cto" })

    const plain = ReportBuilder.build(bare, Gate.runItems(bare), [], facts)
    expect(plain.gate).toStrictEqual({ name: "bare" })
    for (const key of ["gitCommit", "interruptReason", "insecureOrigins", "notes", "configurationErrors"]) {
      expect(key in plain.run, key).toBe(false)
    }
    expect("launchScope" in plain).toBe(false)
    const noOwner = Gate.make({ name: "x", items: [], rollback: { "acme.api": { procedure: "p" } } })
    expect(ReportBuilder.build(noOwner, [], [], facts).rollback).toStrictEqual([{ surface: "acme.api", procedure: "p" }])
    const noApprover = ReportBuilder.deferralReport(gate.deferrals[0]!, new Date(START), "fail")
    expect("approvedBy" in noApprover).toBe(false)
  })

  it("a configuration error whose message already names its path is not prefixed twice", () => {
    expect(ReportBuilder.describeConfigurationErrors([
      { path: "A_KEY", message: "A_KEY is missing" },
      { path: "B_KEY", message: "is invalid" }
    ])).toBe("A_KEY is missing; B_KEY: is invalid")
  })

  it("an item that never finished: its message and remediation, fail-fast or not", () => {
    expect(ReportBuilder.isFailFastStop(undefined)).toBe(false)
    expect(ReportBuilder.isFailFastStop("fail-fast: x blocked the gate")).toBe(true)
    expect(ReportBuilder.isFailFastStop("interrupted: fail-fast was asked")).toBe(false)
    const ended = ReportBuilder.unfinished(undefined)
    expect(ended.outcome).toMatchObject({
      status: "error",
      message: "did not finish: run ended early",
      remediation: "Re-run the gate; the run was stopped before this check finished."
    })
    expect(ReportBuilder.unfinished("deadline exceeded").outcome.message).toBe("did not finish: deadline exceeded")
    expect(ReportBuilder.unfinished("fail-fast: x").outcome).toMatchObject({ status: "skip", message: "not run: fail-fast: x" })
  })
})
