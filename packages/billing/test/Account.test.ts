import { describe, expect, it } from "@effect/vitest"
import { runCheck, runChecks } from "@launchgate/core/testing"
import * as Account from "../src/Account.js"
import { seedRealisticAccount } from "../src/emulator/index.js"
import { hits, NOW, on, withEmulator } from "./support.js"

describe("billing.account.*", () => {
  it("passes every account check on a healthy account, from one GET /v1/account", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      const checks = [Account.chargesEnabled(), Account.payoutsEnabled(), Account.requirements()]
      const report = await runChecks(checks, on(stripe))
      expect(report.items.map((i) => [i.id, i.status])).toEqual([
        ["billing.account.charges-enabled", "pass"],
        ["billing.account.payouts-enabled", "pass"],
        ["billing.account.requirements", "pass"]
      ])
      expect(report.verdict).toBe("ready")
      expect(hits(stripe, "/v1/account")).toHaveLength(1)
      expect(stripe.log.every((e) => e.method === "GET")).toBe(true)
    }))

  it("fails charges-enabled when the account is disabled, with the reason as evidence", () =>
    withEmulator(seedRealisticAccount({ now: NOW, problems: { chargesDisabled: true } }), async (stripe) => {
      const item = await runCheck(Account.chargesEnabled(), on(stripe))
      expect(item.status).toBe("fail")
      expect(item.disposition).toBe("blocking")
      expect(item.evidence["observed"]).toMatchObject({ chargesEnabled: false, disabledReason: "requirements.past_due" })
      expect(item.evidence["expected"]).toEqual({ chargesEnabled: true, disabledReason: null })
      expect(item.remediation).toContain("Dashboard")
    }))

  it("fails charges-enabled when charges are on but a disabled_reason is set", () =>
    withEmulator((s) => void (s.account.requirements.disabled_reason = "rejected.fraud"), async (stripe) => {
      const item = await runCheck(Account.chargesEnabled(), on(stripe))
      expect(item.status).toBe("fail")
      expect(item.message).toContain("rejected.fraud")
    }))

  it("fails payouts-enabled when payouts are off", () =>
    withEmulator(seedRealisticAccount({ now: NOW, problems: { payoutsDisabled: true } }), async (stripe) => {
      const item = await runCheck(Account.payoutsEnabled(), on(stripe))
      expect(item.status).toBe("fail")
      expect(item.evidence["observed"]).toMatchObject({ payoutsEnabled: false })
    }))

  it("fails requirements when information is currently due, naming the fields and deadline", () =>
    withEmulator(seedRealisticAccount({ now: NOW, problems: { requirementsDue: true } }), async (stripe) => {
      const item = await runCheck(Account.requirements(), on(stripe))
      expect(item.status).toBe("fail")
      expect(item.message).toContain("business_profile.url")
      expect(item.message).toContain("2026-06-04")
    }))

  it("fails requirements when onboarding is unfinished", () =>
    withEmulator((s) => void (s.account.details_submitted = false), async (stripe) => {
      const item = await runCheck(Account.requirements(), on(stripe))
      expect(item.status).toBe("fail")
      expect(item.message).toContain("details_submitted")
    }))

  it("warns when a verification deadline falls within the window (injected clock), passes when it is further", () =>
    withEmulator(seedRealisticAccount({ now: NOW, problems: { deadlineInDays: 5 } }), async (stripe) => {
      const soon = await runCheck(Account.requirements({ deadlineWithin: "14 days" }), on(stripe))
      expect(soon.status).toBe("warn")
      expect(soon.message).toContain("5 day(s) away")
      expect(soon.message).toContain("company.tax_id")
      // The same account, judged 30 days earlier, is outside the 14-day window.
      const earlier = await runCheck(Account.requirements({ deadlineWithin: "14 days" }), on(stripe, {
        now: new Date(NOW.getTime() - 30 * 86_400_000)
      }))
      expect(earlier.status).toBe("pass")
    }))
})
