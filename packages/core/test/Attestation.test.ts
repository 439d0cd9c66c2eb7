import { it as effectIt } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { describe, expect, it } from "vitest"
import { Attestation, Check, Gate, Runner } from "../src/index.js"

const rehearsal = (fields: Partial<Attestation.Options> = {}) =>
  Attestation.make({
    id: "acme.launch.rollback-rehearsal",
    title: "Rollback rehearsed on staging",
    attestedBy: "Dana (SRE)",
    on: "2026-03-01",
    evidence: "https://tickets.acme.dev/OPS-812",
    validForDays: 30,
    ...fields
  })

const at = (iso: string) => (check: Check.Check) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(new Date(iso).getTime())
    return yield* Check.runSafely(check)
  })

describe("Attestation", () => {
  it("is an attestation item with its facts in meta and process defaults", () => {
    const check = rehearsal()
    expect(check.kind).toBe("attestation")
    expect(check.surface).toBe("launch.process")
    expect(check.category).toBe("rollout")
    expect(check.meta).toEqual({
      attestedBy: "Dana (SRE)",
      on: "2026-03-01",
      evidence: "https://tickets.acme.dev/OPS-812",
      validForDays: 30,
      expiresOn: "2026-03-31T00:00:00.000Z"
    })
    expect(rehearsal({ surface: "acme.api", category: "rollback" })).toMatchObject({ surface: "acme.api", category: "rollback" })
  })

  effectIt.effect("passes while fresh, with who, when and how long is left", () =>
    Effect.gen(function*() {
      const outcome = yield* at("2026-03-11T12:00:00Z")(rehearsal())
      expect(outcome.status).toBe("pass")
      expect(outcome.message).toContain("Dana (SRE) on 2026-03-01")
      expect(outcome.evidence).toMatchObject({ ageDays: 10, daysLeft: 19, evidence: "https://tickets.acme.dev/OPS-812" })
    }))

  effectIt.effect("fails once stale: the last valid instant passes, the next day fails", () =>
    Effect.gen(function*() {
      expect((yield* at("2026-03-30T23:59:59Z")(rehearsal())).status).toBe("pass")
      const stale = yield* at("2026-03-31T00:00:00Z")(rehearsal())
      expect(stale.status).toBe("fail")
      expect(stale.message).toMatch(/stale: 30 days old, valid for 30/)
      expect(stale.remediation).toContain("Rollback rehearsed on staging")
    }))

  effectIt.effect("fails when dated in the future", () =>
    Effect.gen(function*() {
      const outcome = yield* at("2026-02-28T12:00:00Z")(rehearsal())
      expect(outcome.status).toBe("fail")
      expect(outcome.message).toContain("in the future")
    }))

  effectIt.effect("fails when missing, naming each missing field", () =>
    Effect.gen(function*() {
      const none = Attestation.make({ id: "acme.legal.sign-off", title: "Legal signed off", validForDays: 90 })
      const outcome = yield* at("2026-03-11T00:00:00Z")(none)
      expect(outcome.status).toBe("fail")
      expect(outcome.evidence["missing"]).toEqual(["attestedBy", "on", "evidence"])
      const noLink = yield* at("2026-03-11T00:00:00Z")(rehearsal({ evidence: "  " }))
      expect(noLink.status).toBe("fail")
      expect(noLink.evidence["missing"]).toEqual(["evidence"])
    }))

  it("rejects an unparsable date or validity at construction, naming the field and the fix", () => {
    expect(() => rehearsal({ on: "March 1st" })).toThrow(/"acme\.launch\.rollback-rehearsal": on is not an ISO-8601 date, got "March 1st".*"2026-03-01"/)
    expect(() => rehearsal({ on: "2026-02-30" })).toThrow(/on is not an ISO-8601 date/)
    expect(() => rehearsal({ validForDays: 0 })).toThrow(/validForDays must be a positive number/)
  })

  it("is reported as attested, with meta, and is exempt from the rollback-plan rule", async () => {
    const gate = Gate.make({
      name: "process",
      items: [
        { check: rehearsal(), tier: "launch-critical", owner: "sre" },
        { check: rehearsal({ id: "acme.support.runbook-reviewed", title: "Support reviewed the runbook", on: "2025-01-01" }), tier: "launch-critical", owner: "support" }
      ]
    })
    const report = await Runner.runPromise(gate, { now: new Date("2026-03-11T00:00:00Z") })
    expect(report.items.map((i) => [i.id, i.kind, i.status])).toEqual([
      ["acme.launch.rollback-rehearsal", "attestation", "pass"],
      ["acme.support.runbook-reviewed", "attestation", "fail"]
    ])
    expect(report.items[0]!.meta).toMatchObject({ attestedBy: "Dana (SRE)", on: "2026-03-01" })
    expect(report.verdict).toBe("blocked")
    expect(Attestation.details(gate.items[0]!.check)?.expiresOn?.toISOString()).toBe("2026-03-31T00:00:00.000Z")
  })
})
