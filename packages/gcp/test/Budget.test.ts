import { describe, expect, it } from "vitest"
import { Budget } from "../src/index.js"
import { budget, folder, project } from "../src/emulator/index.js"
import { apiRequests, runCheck, runChecks, withEmulator } from "./support.js"

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
      expect(item.message).toBe("no budget covers all of project demo-project (1 billing-account-wide budget(s) do not count)")
      expect(item.remediation).toContain("gcloud billing budgets create --billing-account=012345-6789AB-CDEF01")
      const accountWide = await runCheck(gcp, Budget.projectBudget({ acceptAccountWide: true }))
      expect(accountWide.status).toBe("pass")
    }))

  it("needs a billing account", () =>
    withEmulator({}, async (gcp) => {
      const item = await runCheck(gcp, Budget.projectBudget(), { layer: { billingAccount: undefined } })
      expect(item.status).toBe("error")
      expect(item.evidence["error"]).toMatchObject({ reason: "config", path: "billingAccount" })
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

describe("budget coverage: what covers the project (budgetFilter)", () => {
  const tree = [project("demo-project", "123456789012", "folders/42"), folder("42", "organizations/7")]

  it("a budget on the project's folder or organization covers it", () =>
    withEmulator({ fixtures: [...tree, budget({ project: null, displayName: "eng folder", resourceAncestors: ["folders/42"] })] }, async (gcp) => {
      const item = await runCheck(gcp, Budget.projectBudget())
      expect(item.status).toBe("pass")
      expect(item.message).toContain("budget eng folder covers demo-project")
      expect(item.evidence["observed"]).toMatchObject({ budgets: [{ resourceAncestors: ["folders/42"] }] })
    }))

  it("a folder the project is not in does not count (the API does not return it for the project)", () =>
    withEmulator({ fixtures: [...tree, folder("99", "organizations/7"), budget({ project: null, resourceAncestors: ["folders/99"] })] }, async (gcp) => {
      expect((await runCheck(gcp, Budget.projectBudget())).status).toBe("fail")
    }))

  it("a folder-scoped budget is confirmed by the project's parent chain: one read per ancestor", () =>
    withEmulator({ fixtures: [...tree, budget({ project: null, resourceAncestors: ["folders/42"] })] }, async (gcp) => {
      const items = await runChecks(gcp, [Budget.projectBudget(), Budget.notifications()])
      expect(items.items.map((i) => i.status)).toEqual(["pass", "pass"])
      expect(apiRequests(gcp).filter((r) => r.includes("/v3/"))).toEqual([
        "GET /v3/projects/demo-project",
        "GET /v3/folders/42"
      ])
    }))

  it("a folder-scoped budget whose ancestry cannot be read is not counted: error, naming roles/browser", () =>
    withEmulator({
      fixtures: [...tree, budget({ project: null, resourceAncestors: ["folders/42"] })],
      settings: { deny: new Set(["resourceManager"]) }
    }, async (gcp) => {
      const item = await runCheck(gcp, Budget.projectBudget())
      expect(item.status).toBe("error")
      expect(item.evidence["error"]).toMatchObject({ reason: "permission-denied", role: "roles/browser" })
    }))

  it("a budget narrowed to one service or one label covers part of the spend: warn, with the filter", () =>
    withEmulator({
      fixtures: [
        budget({ displayName: "run only", services: ["services/152E-C115-5142"] }),
        budget({ displayName: "team a", labels: { team: ["a"] } })
      ]
    }, async (gcp) => {
      const item = await runCheck(gcp, Budget.projectBudget())
      expect(item.status).toBe("warn")
      expect(item.message).toBe("budget run only covers only part of demo-project's spend (services services/152E-C115-5142)")
      expect(item.evidence["observed"]).toMatchObject({ budgets: [], partialBudgets: [{ narrowedBy: ["services services/152E-C115-5142"] }, { narrowedBy: ['labels {"team":["a"]}'] }] })
      const notify = await runCheck(gcp, Budget.notifications())
      expect(notify.status).toBe("warn")
    }))

  it("a custom period that has ended no longer covers the project", () =>
    withEmulator({ fixtures: [budget({ customPeriod: { startDate: { year: 2025, month: 1, day: 1 }, endDate: { year: 2025, month: 12, day: 31 } } })] }, async (gcp) => {
      const item = await runCheck(gcp, Budget.projectBudget())
      expect(item.status).toBe("warn")
      expect(item.message).toContain("custom period ended 2025-12-31")
    }))

  it("a filter naming only other projects contradicts the scope and does not count", () =>
    withEmulator({ fixtures: [budget({ project: "other-project", projectNumber: "999" })] }, async (gcp) => {
      // The emulator honours scope; a server that ignores it must not turn another project's budget into a pass.
      gcp.state.budgets.forEach((b) => (b["budgetFilter"]["projects"] = ["projects/999"]))
      const item = await runCheck(gcp, Budget.projectBudget())
      expect(item.status).toBe("fail")
    }))

  it("the emulator serves Resource Manager v3 projects.get and folders.get with parents", () =>
    withEmulator({ fixtures: tree }, async (gcp) => {
      const headers = { authorization: "Bearer test" }
      const p = await (await fetch(`${gcp.url}/v3/projects/demo-project`, { headers })).json()
      expect(p).toMatchObject({ name: "projects/123456789012", projectId: "demo-project", parent: "folders/42" })
      const f = await (await fetch(`${gcp.url}/v3/folders/42`, { headers })).json()
      expect(f).toMatchObject({ name: "folders/42", parent: "organizations/7" })
      expect((await fetch(`${gcp.url}/v3/folders/1`, { headers })).status).toBe(403)
    }))
})
