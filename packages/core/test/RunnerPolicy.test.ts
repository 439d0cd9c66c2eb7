/**
 * The runner's gate policy as a whole: one report per case, its verdict, each
 * item's disposition, the reasons and the summary. (Gate.test.ts has the
 * one-item table; these run mixed gates, where a rule applied to the wrong
 * item would show.)
 */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { Attestation, Check, Gate, Outcome, Runner } from "../src/index.js"

const NOW = new Date("2026-06-15T12:00:00Z")

const fixed = (id: string, status: Outcome.Status, remediation?: string) =>
  Check.make({
    id: `acme.api.${id}`,
    title: id,
    surface: "acme.api",
    category: "capacity",
    run: Effect.succeed(Outcome.fromStatus(status, `${id} is ${status}`, { observed: status, remediation }))
  })

/** A check that only ends when the run interrupts it. */
const never = (id: string) =>
  Check.make({ id: `acme.api.${id}`, title: id, surface: "acme.api", category: "capacity", run: Effect.never })

const item = (check: Check.Check<never>, tier: Gate.Tier) => ({ check, tier, owner: "platform" })

const deferral = (id: string, expires: string) => ({
  check: `acme.api.${id}`,
  owner: "data-team",
  reason: "vendor fix pending",
  risk: "stale dashboards",
  followUp: "JIRA-42",
  expires
})

const gateOf = (items: ReadonlyArray<ReturnType<typeof item>>, extra: Partial<Gate.Input<never>> = {}) =>
  Gate.make({ name: "policy", items, rollback: { "acme.api": { procedure: "roll back" } }, ...extra })

const dispositions = (report: { items: ReadonlyArray<{ id: string; status: string; disposition: string }> }) =>
  Object.fromEntries(report.items.map((i) => [i.id.replace("acme.api.", ""), `${i.status}/${i.disposition}`]))

describe("Runner policy: tier × status under the default policy", () => {
  it("launch-critical fail and error block; the reasons name each, in item order", async () => {
    const report = await Runner.runPromise(
      gateOf([
        item(fixed("c-pass", "pass"), "launch-critical"),
        item(fixed("c-fail", "fail"), "launch-critical"),
        item(fixed("c-warn", "warn"), "launch-critical"),
        item(fixed("c-error", "error"), "launch-critical"),
        item(fixed("c-skip", "skip"), "launch-critical")
      ]),
      { now: NOW }
    )
    expect(dispositions(report)).toEqual({
      "c-pass": "pass/ok",
      "c-fail": "fail/blocking",
      "c-warn": "warn/warning",
      "c-error": "error/blocking",
      "c-skip": "skip/skipped"
    })
    expect(report.verdict).toBe("blocked")
    expect(report.reasons).toEqual([
      "acme.api.c-fail [launch-critical] fail: c-fail is fail",
      "acme.api.c-error [launch-critical] error: c-error is error"
    ])
    expect(report.summary).toMatchObject({ total: 5, blocking: 2, warnings: 1 })
    expect(report.summary.byTier["launch-critical"]).toEqual({ pass: 1, fail: 1, warn: 1, error: 1, skip: 1, deferred: 0 })
    expect(report.policy).toEqual({ launchAdjacent: "warn" })
  })

  it("launch-adjacent fail and error are warnings by default (ready), and block under launchAdjacent: block", async () => {
    const items = [
      item(fixed("a-pass", "pass"), "launch-adjacent"),
      item(fixed("a-fail", "fail"), "launch-adjacent"),
      item(fixed("a-error", "error"), "launch-adjacent"),
      item(fixed("a-warn", "warn"), "launch-adjacent")
    ]
    const lenient = await Runner.runPromise(gateOf(items), { now: NOW })
    expect(dispositions(lenient)).toEqual({
      "a-pass": "pass/ok",
      "a-fail": "fail/warning",
      "a-error": "error/warning",
      "a-warn": "warn/warning"
    })
    expect(lenient.verdict).toBe("ready")
    expect(lenient.reasons).toEqual([])
    expect(lenient.summary).toMatchObject({ blocking: 0, warnings: 3 })

    const strict = await Runner.runPromise(gateOf(items, { policy: { launchAdjacent: "block" } }), { now: NOW })
    expect(dispositions(strict)).toEqual({
      "a-pass": "pass/ok",
      "a-fail": "fail/blocking",
      "a-error": "error/blocking",
      "a-warn": "warn/warning"
    })
    expect(strict.verdict).toBe("blocked")
    expect(strict.reasons).toEqual([
      "acme.api.a-fail [launch-adjacent] fail: a-fail is fail",
      "acme.api.a-error [launch-adjacent] error: a-error is error"
    ])
    expect(strict.policy).toEqual({ launchAdjacent: "block" })
  })

  it("post-launch never blocks, whatever the status and the policy", async () => {
    const items = (["pass", "warn", "fail", "error", "skip"] as const).map((s) => item(fixed(`p-${s}`, s), "post-launch"))
    for (const policy of ["warn", "block"] as const) {
      const report = await Runner.runPromise(gateOf(items, { policy: { launchAdjacent: policy } }), { now: NOW })
      expect(dispositions(report)).toEqual({
        "p-pass": "pass/ok",
        "p-warn": "warn/info",
        "p-fail": "fail/info",
        "p-error": "error/info",
        "p-skip": "skip/skipped"
      })
      expect(report.verdict).toBe("ready")
      expect(report.summary).toMatchObject({ blocking: 0, warnings: 0 })
      expect(report.summary.byTier["post-launch"]).toEqual({ pass: 1, fail: 1, warn: 1, error: 1, skip: 1, deferred: 0 })
    }
  })
})

describe("Runner policy: deferrals", () => {
  it("an active deferral covers a fail or error (deferred, ready); an expired one covers nothing", async () => {
    const report = await Runner.runPromise(
      gateOf([
        item(fixed("covered-fail", "fail"), "launch-critical"),
        item(fixed("covered-error", "error"), "launch-critical"),
        item(fixed("expired", "fail"), "launch-critical"),
        item(fixed("stale", "pass"), "launch-critical"),
        item(fixed("adjacent", "fail"), "launch-adjacent")
      ], {
        deferrals: [
          deferral("covered-fail", "2026-07-01"),
          // An hour past "now": the pinned clock moves on at the real rate while the run goes, so no tighter margin.
          deferral("covered-error", "2026-06-15T13:00:00Z"),
          deferral("expired", "2026-06-15T12:00:00Z"),
          deferral("stale", "2026-07-01"),
          deferral("adjacent", "2026-07-01")
        ]
      }),
      { now: NOW }
    )
    expect(dispositions(report)).toEqual({
      "covered-fail": "fail/deferred",
      "covered-error": "error/deferred",
      expired: "fail/blocking",
      stale: "pass/ok",
      adjacent: "fail/deferred"
    })
    expect(report.items.map((i) => i.deferral?.state)).toEqual(["active", "active", "expired", "stale", "active"])
    expect(report.items[0]!.deferral).toMatchObject({ owner: "data-team", followUp: "JIRA-42", daysLeft: 16 })
    expect(report.verdict).toBe("blocked")
    // The reason says the deferral expired, and when.
    expect(report.reasons).toEqual(["acme.api.expired [launch-critical] fail: expired is fail (its deferral expired 2026-06-15)"])
    // Deferred items count as deferred, not as failures; the rest by status.
    expect(report.summary.byTier["launch-critical"]).toEqual({ pass: 1, fail: 1, warn: 0, error: 0, skip: 0, deferred: 2 })
    expect(report.summary.byTier["launch-adjacent"]).toEqual({ pass: 0, fail: 0, warn: 0, error: 0, skip: 0, deferred: 1 })
    expect(report.summary).toMatchObject({ blocking: 1, warnings: 0 })
    expect(report.deferrals.map((d) => [d.check, d.state])).toEqual([
      ["acme.api.covered-fail", "active"],
      ["acme.api.covered-error", "active"],
      ["acme.api.expired", "expired"],
      ["acme.api.stale", "stale"],
      ["acme.api.adjacent", "active"]
    ])
  })

  it("with every failure deferred, the gate is ready", async () => {
    const report = await Runner.runPromise(
      gateOf([item(fixed("x", "error"), "launch-critical")], { deferrals: [deferral("x", "2026-06-16")] }),
      { now: NOW }
    )
    expect(dispositions(report)).toEqual({ x: "error/deferred" })
    expect(report.verdict).toBe("ready")
    expect(report.summary.blocking).toBe(0)
  })
})

describe("Runner policy: attested items", () => {
  const attestation = (id: string, on: string | undefined) =>
    Attestation.make({
      id: `acme.launch.${id}`,
      title: id,
      ...(on !== undefined ? { on } : {}),
      attestedBy: "Dana (SRE)",
      evidence: "https://tickets.acme.dev/OPS-812",
      validForDays: 30
    })

  it("a fresh attestation is ok; a stale or missing one blocks a launch-critical item and warns a launch-adjacent one", async () => {
    const gate = Gate.make({
      name: "attested",
      items: [
        { check: attestation("fresh", "2026-06-01"), tier: "launch-critical", owner: "sre" },
        { check: attestation("stale", "2026-04-01"), tier: "launch-critical", owner: "sre" },
        { check: attestation("missing", undefined), tier: "launch-adjacent", owner: "sre" }
      ]
    })
    const report = await Runner.runPromise(gate, { now: NOW })
    expect(report.items.map((i) => [i.id, i.kind, i.status, i.disposition])).toEqual([
      ["acme.launch.fresh", "attestation", "pass", "ok"],
      ["acme.launch.stale", "attestation", "fail", "blocking"],
      ["acme.launch.missing", "attestation", "fail", "warning"]
    ])
    expect(report.items[0]!.meta).toMatchObject({ attestedBy: "Dana (SRE)", on: "2026-06-01" })
    expect(report.verdict).toBe("blocked")
    expect(report.reasons).toHaveLength(1)
    expect(report.reasons[0]).toMatch(/^acme\.launch\.stale \[launch-critical\] fail: /)
  })
})

describe("Runner policy: fail-fast and dependents", () => {
  it("fail-fast: the first blocking result stops the run; what did not run is skipped, not an error", async () => {
    const report = await Runner.runPromise(
      gateOf([
        item(fixed("first", "fail"), "launch-critical"),
        item(never("hangs"), "launch-critical"),
        item(never("waits"), "post-launch")
      ]),
      { now: NOW, failFast: true, concurrency: 2 }
    )
    expect(dispositions(report)).toEqual({ first: "fail/blocking", hangs: "skip/skipped", waits: "skip/skipped" })
    expect(report.items[1]!.message).toBe("not run: fail-fast: acme.api.first blocked the gate")
    expect(report.run.interrupted).toBe(false)
    expect(report.run.interruptReason).toBe("fail-fast: acme.api.first blocked the gate")
    expect(report.verdict).toBe("blocked")
    expect(report.reasons).toEqual(["acme.api.first [launch-critical] fail: first is fail"])
  })

  it("fail-fast does not stop on a result that does not block (a deferred failure, a launch-adjacent failure)", async () => {
    const report = await Runner.runPromise(
      gateOf([
        item(fixed("deferred", "fail"), "launch-critical"),
        item(fixed("adjacent", "error"), "launch-adjacent"),
        item(fixed("last", "pass"), "launch-critical")
      ], { deferrals: [deferral("deferred", "2026-07-01")] }),
      { now: NOW, failFast: true, concurrency: 1 }
    )
    expect(dispositions(report)).toEqual({ deferred: "fail/deferred", adjacent: "error/warning", last: "pass/ok" })
    expect(report.run.interrupted).toBe(false)
    expect(report.run.interruptReason).toBeUndefined()
    expect(report.verdict).toBe("ready")
  })

  it("a dependent is skipped when its prerequisite fails, errors or is skipped, and runs after a pass or a warning", async () => {
    const base = (id: string, status: Outcome.Status) => item(fixed(id, status), "launch-critical")
    const dependent = (id: string, on: string) => item(Check.dependsOn(fixed(id, "fail"), [`acme.api.${on}`]), "launch-critical")
    const report = await Runner.runPromise(
      gateOf([
        base("b-fail", "fail"),
        base("b-error", "error"),
        base("b-skip", "skip"),
        base("b-warn", "warn"),
        base("b-pass", "pass"),
        dependent("d-fail", "b-fail"),
        dependent("d-error", "b-error"),
        dependent("d-skip", "b-skip"),
        dependent("d-warn", "b-warn"),
        dependent("d-pass", "b-pass")
      ]),
      { now: NOW }
    )
    expect(dispositions(report)).toMatchObject({
      "d-fail": "skip/skipped",
      "d-error": "skip/skipped",
      "d-skip": "skip/skipped",
      "d-warn": "fail/blocking",
      "d-pass": "fail/blocking"
    })
    const skipped = report.items.find((i) => i.id === "acme.api.d-error")!
    expect(skipped.message).toBe("not run: prerequisite acme.api.b-error ended error")
    expect(skipped.evidence).toEqual({ prerequisite: "acme.api.b-error", prerequisiteStatus: "error" })
    expect(skipped.attempts).toBe(0)
    expect(skipped.dependsOn).toEqual(["acme.api.b-error"])
    // A skipped dependent does not block: only the failures that ran do.
    expect(report.reasons.map((r) => r.split(" ")[0])).toEqual(["acme.api.b-fail", "acme.api.b-error", "acme.api.d-warn", "acme.api.d-pass"])
  })
})
