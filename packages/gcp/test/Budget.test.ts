import { describe, expect, it } from "vitest"
import { Budget } from "../src/index.js"
import { budget } from "../src/emulator/index.js"
import { runCheck, withEmulator } from "./support.js"

describe("gcp.budget.project-budget", () => {
  it("passes for a project-scoped budget with a forecasted-spend rule", () =>
    withEmulator({ fixtures: [budget()] }, async (gcp) => {
      const item = await runCheck(gcp, Budget.projectBudget())
      expect(item.status).toBe("pass")
      expect(item.message).toBe("budget demo-project monthly covers demo-project: 1000 USD, thresholds 50% CURRENT_SPEND, 90% CURRENT_SPEND, 100% CURRENT_SPEND, 100% FORECASTED_SPEND")
      // The API filters budgets by project.
      expect(gcp.requests({ path: "/v1/billingAccounts/012345-6789AB-CDEF01/budgets" })[0]!.query["scope"]).toBe("projects/demo-project")
    }))

  it("fails without a forecast rule", () =>
    withEmulator({ fixtures: [budget({ thresholds: [{ percent: 0.5 }, { percent: 1 }] })] }, async (gcp) => {
      const item = await runCheck(gcp, Budget.projectBudget())
      expect(item.status).toBe("fail")
      expect(item.message).toContain("no forecasted-spend rule")
    }))

  it("fails when only other projects or the whole account have budgets", () =>
    withEmulator({ fixtures: [budget({ project: "other-project", projectNumber: "999" }), budget({ project: null })] }, async (gcp) => {
      const item = await runCheck(gcp, Budget.projectBudget())
      expect(item.status).toBe("fail")
      expect(item.message).toBe("no budget is scoped to project demo-project (1 billing-account-wide budget(s) do not count)")
      expect(item.remediation).toContain("gcloud billing budgets create --billing-account=012345-6789AB-CDEF01")
      const accountWide = await runCheck(gcp, Budget.projectBudget({ acceptAccountWide: true }))
      expect(accountWide.status).toBe("pass")
    }))

  it("needs a billing account", () =>
    withEmulator({}, async (gcp) => {
      const item = await runCheck(gcp, Budget.projectBudget(), { layer: { billingAccount: undefined } })
      expect(item.status).toBe("error")
      expect(item.evidence["error"]).toMatchObject({ reason: "Config", path: "billingAccount" })
    }))
})

describe("gcp.budget.notifications", () => {
  it("passes when the budget notifies channels or a topic", () =>
    withEmulator({ fixtures: [budget({ channels: [], pubsubTopic: "projects/demo-project/topics/budget" })] }, async (gcp) => {
      const item = await runCheck(gcp, Budget.notifications())
      expect(item.status).toBe("pass")
      expect(item.message).toContain("topic projects/demo-project/topics/budget")
    }))

  it("fails when only the billing admins hear about it", () =>
    withEmulator({ fixtures: [budget({ channels: [] })] }, async (gcp) => {
      const item = await runCheck(gcp, Budget.notifications())
      expect(item.status).toBe("fail")
      expect(item.message).toBe("budgets for demo-project notify no channel or topic (only billing admins by email)")
      expect((await runCheck(gcp, Budget.notifications({ acceptDefaultRecipients: true }))).status).toBe("pass")
    }))
})
