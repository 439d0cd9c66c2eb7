import { Check, Gate, Outcome } from "@launchgate/core"
import { runCheck } from "@launchgate/core/testing"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as Backlog from "../src/Backlog.js"
import * as LaunchScope from "../src/LaunchScope.js"
import { providers } from "./scenario.js"

const scope = { milestone: "launch" }
const m = "launch"
const NOW = new Date("2026-03-01T00:00:00Z")
const deferral = (followUp: string, check = "acme.api.thing") => ({
  check, owner: "eng", reason: "later", risk: "some", followUp, expires: "2026-12-31"
})

describe.each(providers)("launch-scope checks over $name", (provider) => {
  it("classified: passes when every open item has exactly one tier (closed items need none)", async () => {
    await provider.serve([
      { n: 1, milestone: m, tiers: ["launch-critical"] },
      { n: 2, milestone: m, tiers: ["post-launch"] },
      { n: 3, milestone: m, state: "done" },
      { n: 4, tiers: [] }
    ], async (layer) => {
      const item = await runCheck(LaunchScope.classified({ scope }), { layer })
      expect(item.status).toBe("pass")
      expect(item.evidence["open"]).toBe(2)
    })
  })

  it("classified: fails listing the unclassified and the doubly classified", async () => {
    await provider.serve([
      { n: 1, milestone: m, tiers: ["launch-critical"] },
      { n: 2, milestone: m },
      { n: 3, milestone: m, tiers: ["launch-critical", "post-launch"] }
    ], async (layer, ref) => {
      const item = await runCheck(LaunchScope.classified({ scope }), { layer })
      expect(item.status).toBe("fail")
      expect((item.evidence["unclassified"] as Array<{ ref: string }>).map((i) => i.ref)).toEqual([ref(2)])
      expect((item.evidence["doublyClassified"] as Array<{ ref: string }>).map((i) => i.ref)).toEqual([ref(3)])
      expect(item.remediation).toContain("exactly one tier")
    })
  })

  it("classified: configurable tier names", async () => {
    await provider.serve([{ n: 1, milestone: m, tiers: ["P0"] }], async (layer) => {
      const names = { "launch-critical": "P0" }
      expect((await runCheck(LaunchScope.classified({ scope }), { layer })).status).toBe("fail")
      expect((await runCheck(LaunchScope.classified({ scope, tierNames: names }), { layer })).status).toBe("pass")
    })
  })

  it("an empty scope is an error, never a pass", async () => {
    await provider.serve([{ n: 1, milestone: "other", tiers: ["launch-critical"] }], async (layer) => {
      const item = await runCheck(LaunchScope.classified({ scope: { label: "nothing-here" } }), { layer })
      expect(item.status).toBe("error")
    })
  })

  it("no-open-blocker: passes when launch-critical items are done, deferred, or not planned and unsupported", async () => {
    await provider.serve([
      { n: 1, milestone: m, tiers: ["launch-critical"], state: "done" },
      { n: 2, milestone: m, tiers: ["launch-critical"] },
      { n: 3, milestone: m, tiers: ["launch-critical"], state: "not_planned" },
      { n: 4, milestone: m, tiers: ["post-launch"] }
    ], async (layer, ref) => {
      const check = LaunchScope.noOpenBlocker({
        scope,
        deferrals: [deferral(ref(2))],
        unsupported: [`${ref(3)}: multi-region`]
      })
      const item = await runCheck(check, { layer, now: NOW })
      expect(item.status).toBe("pass")
      expect(item.subjects?.map((s) => s.subject).sort()).toEqual([ref(1), ref(2), ref(3)].sort())
    })
  })

  it("no-open-blocker: fails on an open item, a not-planned one nobody named, and an expired deferral", async () => {
    await provider.serve([
      { n: 1, milestone: m, tiers: ["launch-critical"] },
      { n: 2, milestone: m, tiers: ["launch-critical"], state: "not_planned" },
      { n: 3, milestone: m, tiers: ["launch-critical"] }
    ], async (layer, ref) => {
      const check = LaunchScope.noOpenBlocker({
        scope,
        deferrals: [{ ...deferral(ref(3)), expires: "2026-02-01" }],
        // Names #20 / LG-20, not the item: a longer reference must not count as naming it.
        unsupported: [`${ref(2)}0 something else`]
      })
      const item = await runCheck(check, { layer, now: NOW })
      expect(item.status).toBe("fail")
      expect((item.evidence["blockers"] as Array<string>).sort()).toEqual([ref(1), ref(2), ref(3)].sort())
      expect(item.evidence["expiredDeferrals"]).toEqual(["acme.api.thing"])
    })
  })

  it("no-open-blocker: a deferral whose follow-up item follows up the blocker covers it", async () => {
    await provider.serve([
      { n: 1, milestone: m, tiers: ["launch-critical"] },
      { n: 2, tiers: ["post-launch"], owners: ["ana"] }
    ], async (layer, ref) => {
      // The follow-up points back at the blocker (a `Follow-up of:` line; for files, follow_up_of).
      const unlinked = await runCheck(LaunchScope.noOpenBlocker({ scope, deferrals: [deferral(ref(2))] }), {
        layer, now: NOW
      })
      expect(unlinked.status).toBe("fail")
    })
    await provider.serve([
      { n: 1, milestone: m, tiers: ["launch-critical"] },
      { n: 2, tiers: ["post-launch"], owners: ["ana"], followUpOf: 1 }
    ], async (layer, ref) => {
      const linked = await runCheck(LaunchScope.noOpenBlocker({ scope, deferrals: [deferral(ref(2))] }), {
        layer, now: NOW
      })
      expect(linked.status).toBe("pass")
      expect(linked.subjects?.[0]?.message).toContain("deferred")
    })
  })

  it("matches-gate: passes when each launch-critical surface has a check or attestation; fails otherwise", async () => {
    await provider.serve([
      { n: 1, milestone: m, tiers: ["launch-critical"], surface: "gcp.cloud-run" },
      { n: 2, milestone: m, tiers: ["post-launch"], surface: "billing.stripe" }
    ], async (layer) => {
      const cloudRun = Check.make({
        id: "gcp.cloud-run.min-instances", title: "t", surface: "gcp.cloud-run", category: "capacity",
        run: Effect.succeed(Outcome.pass("ok"))
      })
      const other = Check.make({
        id: "acme.other.x", title: "t", surface: "acme.other", category: "capacity", run: Effect.succeed(Outcome.pass("ok"))
      })
      const gateWith = (check: Check.Check) =>
        Gate.make({ name: "g", items: [{ check, tier: "post-launch", owner: "eng" }] })
      const covered = await runCheck(LaunchScope.matchesGate({ scope, gate: () => gateWith(cloudRun) }), { layer })
      expect(covered.status).toBe("pass")
      const uncovered = await runCheck(LaunchScope.matchesGate({ scope, gate: () => gateWith(other) }), { layer })
      expect(uncovered.status).toBe("fail")
      // The post-launch billing item never blocks: only the launch-critical surface is reported.
      expect((uncovered.evidence["uncovered"] as Array<{ surface: string }>).map((u) => u.surface)).toEqual(["gcp.cloud-run"])
    })
  })
})

describe("LaunchScope.summarize", () => {
  const item = (ref: string, labels: Array<string>, status: Backlog.Status = "open"): Backlog.Item => ({
    ref, title: ref, status, rawStatus: status, labels, owners: [], body: ""
  })

  it("counts per tier and lists the launch-critical items not done, with the deferral that names them", () => {
    const items = [
      item("acme/api#1", ["launch-critical"]),
      item("acme/api#2", ["launch-critical"], "done"),
      item("acme/api#3", ["launch-critical"], "not-planned"),
      item("acme/api#4", ["post-launch"]),
      item("acme/api#5", []),
      item("acme/api#6", ["post-launch", "launch-adjacent"])
    ]
    const summary = LaunchScope.summarize(items, {
      deferrals: [{ check: "x.y.z", owner: "o", reason: "r", risk: "r", followUp: "#1", expires: new Date("2027-01-01") }]
    })
    expect(summary.total).toBe(6)
    expect(summary.tiers["launch-critical"]).toEqual({ total: 3, open: 1, done: 1, notPlanned: 1 })
    expect(summary.tiers["post-launch"].total).toBe(1)
    expect(summary.tiers.unclassified.total).toBe(1)
    expect(summary.tiers.conflicting.total).toBe(1)
    expect(summary.openLaunchCritical.map((i) => [i.ref, i.deferredBy])).toEqual([
      ["acme/api#1", "x.y.z"],
      ["acme/api#3", undefined]
    ])
    const md = LaunchScope.toMarkdown(summary)
    expect(md).toContain("## Launch scope")
    expect(md).toContain("| launch-critical | 3 | 1 | 1 | 1 |")
    expect(md).toContain("acme/api#1 acme/api#1 (open; no owner) — deferred (x.y.z)")
  })

  it("a deferral whose follow-up follows an item up defers that item too (the rule no-open-blocker uses)", () => {
    const blocker = item("acme/api#10", ["launch-critical"])
    const followUp: Backlog.Item = { ...item("acme/api#11", ["post-launch"]), followUpOf: "#10" }
    const other = item("acme/api#12", ["launch-critical"])
    const summary = LaunchScope.summarize([blocker, followUp, other], {
      deferrals: [{ check: "x.y.z", owner: "o", reason: "r", risk: "r", followUp: "#11", expires: new Date("2027-01-01") }]
    })
    expect(summary.openLaunchCritical.map((i) => [i.ref, i.deferredBy])).toEqual([
      ["acme/api#10", "x.y.z"],
      ["acme/api#12", undefined]
    ])
  })
})
