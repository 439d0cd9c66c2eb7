import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { Check, Gate, Outcome, ReadinessDocument, Runner } from "../src/index.js"

const check = (id: string, category: Check.Category, status: Outcome.Status = "pass") =>
  Check.make({ id, title: `title of ${id}`, surface: id.split(".").slice(0, 2).join("."), category, description: `proves ${id}`, role: "roles/viewer", run: Effect.succeed(Outcome.fromStatus(status, `${id} is ${status}`)) })

const gate = Gate.make({
  name: "doc gate",
  environment: "production",
  items: [
    { check: check("acme.api.min", "capacity"), tier: "launch-critical", owner: "platform" },
    { check: check("acme.api.alerts", "monitoring", "fail"), tier: "launch-critical", owner: "sre" },
    { check: check("acme.web.headers", "security"), tier: "launch-adjacent", owner: "web | team" },
    { check: check("acme.web.tax", "dependencies"), tier: "post-launch", owner: "billing" }
  ],
  deferrals: [{ check: "acme.api.alerts", owner: "sre", reason: "pager vendor migration", risk: "late pages", followUp: "OPS-7", expires: "2026-07-01", approvedBy: "cto" }],
  rollback: {
    "acme.api": { procedure: "shift traffic to the previous revision", killSwitch: "API_ENABLED=false", owner: "platform", verify: check("acme.flags.kill", "rollback") }
  },
  unsupported: [{ case: "multi-region active-active", reason: "single region at launch" }, "customer-managed encryption keys"]
})

describe("ReadinessDocument", () => {
  it("renders scope by tier, deferrals, rollback, unsupported cases and category coverage", () => {
    const doc = ReadinessDocument.render(gate)
    expect(doc).toContain("# Launch readiness: doc gate")
    expect(doc).toContain("| `acme.api.min`<br>title of acme.api.min | platform | Capacity and performance | check | proves acme.api.min | roles/viewer |")
    expect(doc).toContain("web \\| team") // table cells are escaped
    expect(doc).toContain("| `acme.api.alerts` | sre | pager vendor migration | late pages | OPS-7 | 2026-07-01 | cto |")
    expect(doc).toContain("- **Kill switch:** API_ENABLED=false")
    expect(doc).toContain("- **Verified by:** `acme.flags.kill`")
    expect(doc).toContain("(verifies the rollback plan of `acme.api`)")
    expect(doc).toContain("- multi-region active-active — single region at launch")
    expect(doc).toContain("| Failover and rollback | `acme.flags.kill` | 1 |")
    // Categories with no check are flagged.
    expect(doc).toContain("| Architecture | — | ⚠️ no check |")
    expect(doc).toContain("Not covered by any check: Architecture, Automation, Rollout")
  })

  it("is a pure function of the gate without a report (so a committed copy can be checked for drift)", () => {
    expect(ReadinessDocument.render(gate)).toBe(ReadinessDocument.render(gate))
    const changed = Gate.make({ ...gate, items: gate.items.slice(1), deferrals: [], rollback: { "acme.api": { none: "stateless" } }, unsupported: [] } as unknown as Gate.Input<never>)
    expect(ReadinessDocument.render(changed)).not.toBe(ReadinessDocument.render(gate))
  })

  it("adds the verdict and each check's last result when given a report", async () => {
    const report = await Runner.runPromise(gate, { now: new Date("2026-06-15T00:00:00Z") })
    const doc = ReadinessDocument.render(gate, { report })
    expect(doc).toContain("Last run: ✅ **READY**")
    expect(doc).toContain("❌ fail (deferred): acme.api.alerts is fail")
    expect(doc).toContain("2026-07-01 (active)")
  })
})
