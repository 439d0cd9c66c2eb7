/**
 * The README's example gate, run against a realistic emulated project: ready
 * when healthy, blocked by exactly the planted problems otherwise.
 */
import { type Check, Gate, Runner } from "@launchgate/core"
import { describe, expect, it } from "vitest"
import { Budget, CloudRun, type GcpServices, Monitoring, SecretManager } from "../src/index.js"
import { type Problem, seedRealisticProject } from "../src/emulator/index.js"
import { layerFor, NOW, withEmulator } from "./support.js"

const api = { service: "api" }
const critical = (owner: string) => (check: Check.Check<GcpServices>) => ({ check, tier: "launch-critical" as const, owner })

const gate = (url: string, allowDrill = false) =>
  Gate.make({
    name: "api public launch",
    environment: "production",
    items: [
      ...CloudRun.all(api).map(critical("platform")),
      ...SecretManager.all({ referencedBy: api }).map(critical("security")),
      ...Monitoring.all({ ...api, path: "/healthz" }).map(critical("sre")),
      ...Budget.all().map((check) => ({ check, tier: "launch-adjacent" as const, owner: "finance" })),
      {
        check: CloudRun.rollbackDrill({ service: "api", pollInterval: "10 millis", probe: { ratePerSecond: 20, settle: "50 millis", requestTimeout: "5 seconds" } }),
        tier: "launch-critical",
        owner: "platform",
        allowActive: allowDrill
      }
    ],
    rollback: {
      "gcp.cloud-run": { procedure: "gcloud run services update-traffic api --region us-central1 --to-revisions PREVIOUS=100" },
      "gcp.secret-manager": { procedure: "gcloud secrets versions enable PREVIOUS --secret NAME; redeploy pinned to it" },
      "gcp.monitoring": { none: "configuration only: nothing to roll back" }
    },
    layer: layerFor({ url })
  })

describe("the README gate on a realistic project", () => {
  it("is ready when the project is healthy, drill included", () =>
    withEmulator({ seed: (s) => seedRealisticProject(s, { now: NOW }) }, async (gcp) => {
      const report = await Runner.runPromise(gate(gcp.url, true), { now: NOW })
      expect(report.items.filter((i) => i.status !== "pass").map((i) => `${i.id}: ${i.message}`)).toEqual([])
      expect(report.verdict).toBe("ready")
      expect(gcp.requests({ route: "access" })).toHaveLength(0)
    }))

  it("is blocked by exactly the planted problems", () => {
    const problems: ReadonlyArray<Problem> = ["min-instances-zero", "literal-secret-env", "rotation-overdue", "unverified-channel", "no-forecast-rule"]
    return withEmulator({ seed: (s) => seedRealisticProject(s, { now: NOW, problems }) }, async (gcp) => {
      const report = await Runner.runPromise(gate(gcp.url), { now: NOW })
      expect(report.verdict).toBe("blocked")
      expect(report.items.filter((i) => i.status !== "pass" && i.status !== "skip").map((i) => [i.id, i.status, i.disposition])).toEqual([
        ["gcp.cloud-run.min-instances", "fail", "blocking"],
        ["gcp.cloud-run.secret-env", "fail", "blocking"],
        ["gcp.secret-manager.rotation-overdue", "fail", "blocking"],
        // The stuck rotation left a 94-day-old newest version, older than version-age's 90 days too.
        ["gcp.secret-manager.version-age", "fail", "blocking"],
        ["gcp.monitoring.notification-channels", "fail", "blocking"],
        ["gcp.budget.project-budget", "fail", "warning"]
      ])
      expect(report.items.find((i) => i.id === "gcp.cloud-run.rollback-drill")!.status).toBe("skip")
      expect(JSON.stringify(report)).not.toContain("SG.launchgate-demo-not-a-real-key")
    })
  })
})
