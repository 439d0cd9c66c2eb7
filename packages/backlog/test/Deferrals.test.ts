import { Check, Gate, Outcome } from "@launchgate/core"
import { runCheck } from "@launchgate/core/testing"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as Deferrals from "../src/Deferrals.js"
import { providers } from "./scenario.js"

const deferral = (check: string, followUp: string) => ({
  check, owner: "eng", reason: "later", risk: "some", followUp, expires: "2026-12-31"
})
const NOW = new Date("2026-03-01T00:00:00Z")
const RISK = "## Risk\nPayouts may be delayed a day."

describe.each(providers)("backlog.deferrals.tracked over $name", (provider) => {
  it("passes when every follow-up is open, owned and carries a risk note", async () => {
    await provider.serve([
      { n: 1, owners: ["ana"], body: RISK },
      { n: 2, owners: ["bo"], labels: ["risk:medium"] }
    ], async (layer, ref) => {
      const check = Deferrals.tracked({ deferrals: [deferral("a.b.one", ref(1)), deferral("a.b.two", ref(2))] })
      const item = await runCheck(check, { layer, now: NOW })
      expect(item.status).toBe("pass")
      expect(item.subjects?.map((s) => s.status)).toEqual(["pass", "pass"])
    })
  })

  it("fails naming each deferral whose follow-up is missing, closed, ownerless or without a risk note", async () => {
    await provider.serve([
      { n: 1, owners: ["ana"], body: RISK, state: "done" },
      { n: 2, body: RISK },
      { n: 3, owners: ["ana"], body: "no risk section" }
    ], async (layer, ref) => {
      const check = Deferrals.tracked({
        deferrals: [
          deferral("a.b.closed", ref(1)),
          deferral("a.b.ownerless", ref(2)),
          deferral("a.b.riskless", ref(3)),
          deferral("a.b.missing", ref(404))
        ]
      })
      const item = await runCheck(check, { layer, now: NOW })
      expect(item.status).toBe("fail")
      const bySubject = Object.fromEntries((item.subjects ?? []).map((s) => [s.subject, s]))
      expect(bySubject["a.b.closed"]!.message).toContain("is closed")
      expect(bySubject["a.b.ownerless"]!.message).toContain("has no owner")
      expect(bySubject["a.b.riskless"]!.message).toContain("has no risk note")
      expect(bySubject["a.b.missing"]!.status).toBe("fail")
      expect(bySubject["a.b.missing"]!.message).toContain("does not exist")
    })
  })

  it("reads the deferrals of the gate the check belongs to", async () => {
    await provider.serve([{ n: 1, owners: ["ana"], body: RISK, state: "done" }], async (layer, ref) => {
      const deferred = Check.make({
        id: "acme.api.thing", title: "t", surface: "acme.api", category: "capacity",
        run: Effect.succeed(Outcome.fail("not yet"))
      })
      const tracked = Deferrals.tracked({ gate: () => gate })
      const gate: Gate.Gate<any> = Gate.make({
        name: "g",
        items: [{ check: deferred, tier: "post-launch", owner: "eng" }, { check: tracked, tier: "post-launch", owner: "eng" }],
        deferrals: [deferral("acme.api.thing", ref(1))]
      })
      const item = await runCheck(tracked, { layer, now: NOW })
      expect(item.status).toBe("fail")
      expect(item.subjects?.[0]?.subject).toBe("acme.api.thing")
    })
  })
})
