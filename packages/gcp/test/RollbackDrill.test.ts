import { describe, expect, it } from "vitest"
import { CloudRun } from "../src/index.js"
import { cloudRunService, revisionId } from "../src/emulator/index.js"
import { NOW, runCheck, withEmulator } from "./support.js"

const at = { now: NOW }
const NAME = "projects/demo-project/locations/us-central1/services/api"
const fast = {
  service: "api",
  pollInterval: "10 millis",
  convergeTimeout: "5 seconds",
  // A modest rate and a generous timeout: CI machines are busy, and a slow answer is not downtime.
  probe: { ratePerSecond: 25, settle: "150 millis", requestTimeout: "5 seconds" }
} as const
const settings = { reconcileDelayMs: 40 }

describe("gcp.cloud-run.rollback-drill", () => {
  it("is active: skipped unless the gate allows it, and sends nothing", () =>
    withEmulator({ fixtures: [cloudRunService(at)], settings }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.rollbackDrill(fast))
      expect(item.status).toBe("skip")
      expect(item.active).toBe(true)
      expect(gcp.requests({ method: "PATCH" })).toHaveLength(0)
    }))

  it("rolls back under probe and restores the original split, end to end", () =>
    withEmulator({ fixtures: [cloudRunService(at)], settings }, async (gcp) => {
      const original = structuredClone(gcp.state.services.get(NAME)!["traffic"])
      const item = await runCheck(gcp, CloudRun.rollbackDrill(fast), { allowActive: true })
      expect(item.status).toBe("pass")
      expect(item.message).toMatch(new RegExp(`^rolled back api to ${revisionId("api", 2)} in \\d+ ms with 0 failed of \\d+ probe requests`))
      expect(item.role).toContain("roles/run.developer")
      const evidence = item.evidence as Record<string, any>
      expect(evidence["timeToRollbackMs"]).toBeGreaterThanOrEqual(40)
      expect(evidence["restore"]).toMatchObject({ attempted: true, ok: true })
      expect(evidence["rollbackCommand"]).toBe(`gcloud run services update-traffic api --region us-central1 --project demo-project --to-revisions ${revisionId("api", 2)}=100`)
      expect(item.attempts).toBeGreaterThan(2)

      // Two PATCHes: the shift (all to the tagged revision, tag kept) and the restore.
      const patches = gcp.requests({ method: "PATCH" })
      expect(patches.map((p) => p.query["updateMask"])).toEqual(["traffic", "traffic"])
      expect(JSON.parse(patches[0]!.body).traffic).toEqual([{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: revisionId("api", 2), percent: 100, tag: "rollback" }])
      expect(JSON.parse(patches[1]!.body).traffic).toEqual(original)
      expect(gcp.state.services.get(NAME)!["traffic"]).toEqual(original)

      // The probe hit the service URL the emulator serves, and every request succeeded.
      const served = new Set(gcp.requests({ route: "serve" }).map((e) => e.status))
      expect(served).toEqual(new Set([200]))
      expect(evidence["probe"]["total"]).toBe(gcp.requests({ route: "serve" }).length)
      expect(gcp.requests({ route: "access" })).toHaveLength(0)
    }))

  it("says loudly when the restore fails, with the command to finish by hand", () =>
    withEmulator({ fixtures: [cloudRunService(at)], settings: { ...settings, failTrafficUpdates: { after: 1, mode: "http", status: 503 } } }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.rollbackDrill(fast), { allowActive: true })
      expect(item.status).toBe("fail")
      expect(item.message).toMatch(/^RESTORE FAILED: api may still send 100% of traffic to api-00002-\w+ \(.*503 UNAVAILABLE.*\); finish by hand: gcloud run services update-traffic api --region us-central1 --project demo-project --to-latest/)
      expect(item.remediation).toContain("Restore the original traffic now: gcloud run services update-traffic api --region us-central1 --project demo-project --to-latest")
      expect((item.evidence as Record<string, any>)["restore"]).toMatchObject({ attempted: true, ok: false })
      // The service really is left on the rollback revision.
      expect(gcp.state.services.get(NAME)!["traffic"][0]).toMatchObject({ revision: revisionId("api", 2), percent: 100 })
    }))

  it("reports a restore whose operation fails", () =>
    withEmulator({ fixtures: [cloudRunService(at)], settings: { ...settings, failTrafficUpdates: { after: 1, mode: "operation" } } }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.rollbackDrill(fast), { allowActive: true })
      expect(item.status).toBe("fail")
      expect(item.message).toContain("RESTORE FAILED")
      expect(item.message).toContain("FAILED_PRECONDITION")
    }))

  it("fails when requests fail during the shift (a broken rollback revision), and still restores", () =>
    withEmulator({ fixtures: [cloudRunService({ ...at, serving: { 2: 503 } })], settings }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.rollbackDrill(fast), { allowActive: true })
      expect(item.status).toBe("fail")
      expect(item.message).toMatch(/^requests failed during the rollback: \d+ of \d+ requests failed/)
      expect((item.evidence as Record<string, any>)["restore"]).toMatchObject({ ok: true })
      expect(gcp.state.services.get(NAME)!["traffic"][0]).toMatchObject({ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 })
    }))

  it("a rejected shift changes nothing and is not 'restored'", () =>
    withEmulator({ fixtures: [cloudRunService(at)], settings: { ...settings, failTrafficUpdates: { after: 0, mode: "http", status: 409 } } }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.rollbackDrill(fast), { allowActive: true })
      expect(item.status).toBe("fail")
      expect(item.message).toMatch(/^the rollback to api-00002-\w+ did not complete: PATCH .* 409/)
      expect((item.evidence as Record<string, any>)["restore"]).toEqual({ attempted: false })
      expect(gcp.requests({ method: "PATCH" })).toHaveLength(1)
    }))

  it("fails without a rollback target, before changing anything", () =>
    withEmulator({ fixtures: [cloudRunService({ ...at, revisions: 1 })], settings }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.rollbackDrill(fast), { allowActive: true })
      expect(item.status).toBe("fail")
      expect(item.message).toBe("no rollback target for api: nothing to drill")
      expect(gcp.requests({ method: "PATCH" })).toHaveLength(0)
    }))
})
