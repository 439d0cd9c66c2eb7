import { describe, expect, it } from "vitest"
import { Monitoring } from "../src/index.js"
import { alertPolicy, cloudRunService, notificationChannel, uptimeCheck } from "../src/emulator/index.js"
import { apiRequests, NOW, runCheck, runChecks, withEmulator } from "./support.js"

const at = { now: NOW }
const healthy = () => [cloudRunService(at), uptimeCheck(), alertPolicy(), notificationChannel()]
// The service read and the project's three Monitoring lists, once each (sorted).
const SERVICE_AND_MONITORING_LISTS = [
  "GET /v2/projects/demo-project/locations/us-central1/services/api",
  "GET /v3/projects/demo-project/alertPolicies",
  "GET /v3/projects/demo-project/notificationChannels",
  "GET /v3/projects/demo-project/uptimeCheckConfigs"
]

describe("gcp.monitoring.uptime-check", () => {
  it("passes when an uptime check requests the health path under the service URL", () =>
    withEmulator({ fixtures: healthy() }, async (gcp) => {
      const item = await runCheck(gcp, Monitoring.uptimeCheck({ service: "api", path: "/healthz" }))
      expect(item.status).toBe("pass")
      expect(item.message).toBe("uptime check api-uptime requests /_run/demo-project/us-central1/api/healthz every 60s from 5 checker locations")
    }))

  it("accepts a check on the Cloud Run service as a monitored resource", () =>
    withEmulator({ fixtures: [cloudRunService(at), uptimeCheck({ resourceType: "cloud_run_revision" })] }, async (gcp) => {
      expect((await runCheck(gcp, Monitoring.uptimeCheck({ service: "api", path: "/healthz" }))).status).toBe("pass")
    }))

  it("fails when no uptime check targets the service, with the gcloud command", () =>
    withEmulator({ fixtures: [cloudRunService(at), uptimeCheck({ host: "other.example.com" })] }, async (gcp) => {
      const item = await runCheck(gcp, Monitoring.uptimeCheck({ service: "api" }))
      expect(item.status).toBe("fail")
      expect(item.remediation).toContain("gcloud monitoring uptime create api-uptime --resource-type=cloud-run-revision")
    }))

  it("fails when the check is too slow, runs from too few locations or requests the wrong path", () =>
    withEmulator({ fixtures: [cloudRunService(at), uptimeCheck({ period: "900s", regions: ["EUROPE", "ASIA_PACIFIC"], path: "/" })] }, async (gcp) => {
      const item = await runCheck(gcp, Monitoring.uptimeCheck({ service: "api", path: "/healthz" }))
      expect(item.status).toBe("fail")
      expect(item.message).toContain("it requests /_run/demo-project/us-central1/api/, expected /_run/demo-project/us-central1/api/healthz")
      expect(item.message).toContain("its period 900s is longer than 300s")
      expect(item.message).toContain("it runs from 2 checker location(s) (EUROPE, ASIA_PACIFIC), fewer than 3")
    }))

  it("counts checker locations, not regions: USA alone holds three (Oregon, Iowa, Virginia)", () =>
    withEmulator({
      fixtures: [
        cloudRunService(at),
        uptimeCheck({ regions: ["USA"] }),
        cloudRunService({ ...at, name: "web" }),
        uptimeCheck({ service: "web", regions: ["USA", "USA_IOWA"] })
      ]
    }, async (gcp) => {
      const item = await runCheck(gcp, Monitoring.uptimeCheck({ service: ["api", "web"], path: "/healthz" }))
      expect(item.subjects!.map((s) => [s.subject, s.status, s.message])).toEqual([
        ["api", "pass", "uptime check api-uptime requests /_run/demo-project/us-central1/api/healthz every 60s from 3 checker locations"],
        ["web", "pass", "uptime check web-uptime requests /_run/demo-project/us-central1/web/healthz every 60s from 3 checker locations"]
      ])
    }))

  it("on a host shared by several services, a service's evidence holds only the checks under its own URL", () =>
    withEmulator({
      fixtures: [
        cloudRunService(at),
        uptimeCheck(),
        cloudRunService({ ...at, name: "web" }),
        uptimeCheck({ service: "web" }),
        cloudRunService({ ...at, name: "jobs" })
      ]
    }, async (gcp) => {
      // The emulator serves every service from one origin, by path: as a path-routing load balancer would.
      const item = await runCheck(gcp, Monitoring.uptimeCheck({ service: ["api", "web", "jobs"], path: "/healthz" }))
      const ids = (s: { readonly evidence: Record<string, unknown> }) =>
        ((s.evidence["observed"] as { uptimeChecks?: Array<{ id: string }> }).uptimeChecks ?? []).map((c) => c.id)
      expect(item.subjects!.map((s) => [s.subject, s.status, ids(s)])).toEqual([
        ["api", "pass", ["api-uptime"]],
        ["web", "pass", ["web-uptime"]],
        // Another service's check on the same host does not watch this one.
        ["jobs", "fail", []]
      ])
    }))

  it("a region launchgate cannot map to checkers is an error, not a guess", () =>
    withEmulator({ fixtures: [cloudRunService(at), uptimeCheck({ regions: ["USA", "ANTARCTICA"] })] }, async (gcp) => {
      const item = await runCheck(gcp, Monitoring.uptimeCheck({ service: "api" }))
      expect(item.status).toBe("error")
      expect(item.message).toContain('unknown value "ANTARCTICA" for selectedRegions')
    }))

  it("watches an explicit URL", () =>
    withEmulator({ fixtures: [uptimeCheck({ host: "api.example.com", path: "/healthz" })] }, async (gcp) => {
      expect((await runCheck(gcp, Monitoring.uptimeCheck({ url: "https://api.example.com/" }))).status).toBe("pass")
      expect((await runCheck(gcp, Monitoring.uptimeCheck({ url: "https://www.example.com/" }))).status).toBe("fail")
    }))
})

describe("gcp.monitoring.uptime-alert", () => {
  it("passes when an enabled policy on check_id notifies a channel", () =>
    withEmulator({ fixtures: healthy() }, async (gcp) => {
      const item = await runCheck(gcp, Monitoring.uptimeAlert({ service: "api" }))
      expect(item.status).toBe("pass")
    }))

  it("fails when no policy references the check, or the policy is disabled", async () => {
    await withEmulator({ fixtures: [cloudRunService(at), uptimeCheck(), alertPolicy({ uptimeCheck: "some-other-check" })] }, async (gcp) => {
      const item = await runCheck(gcp, Monitoring.uptimeAlert({ service: "api" }))
      expect(item.status).toBe("fail")
      expect(item.message).toBe('no alert policy has a condition on metric.label.check_id = "api-uptime"')
    })
    await withEmulator({ fixtures: [cloudRunService(at), uptimeCheck(), alertPolicy({ enabled: false }), alertPolicy({ displayName: "mute", channels: [] })] }, async (gcp) => {
      const item = await runCheck(gcp, Monitoring.uptimeAlert({ service: "api" }))
      expect(item.status).toBe("fail")
      expect(item.message).toMatch(/disabled or notify nobody: .*\(disabled\), .*\(no channels\)/)
    })
  })

  it("an unreported enabled flag is an error, not a pass", () =>
    withEmulator({ fixtures: [cloudRunService(at), uptimeCheck(), alertPolicy({ enabled: null })] }, async (gcp) => {
      expect((await runCheck(gcp, Monitoring.uptimeAlert({ service: "api" }))).status).toBe("error")
    }))
})

describe("gcp.monitoring.notification-channels", () => {
  it("passes when the channels are enabled and verified (or need no verification)", () =>
    withEmulator({
      fixtures: [...healthy().slice(0, 2), alertPolicy({ channels: ["oncall", "pager"] }), notificationChannel(), notificationChannel({ id: "pager", type: "pagerduty" })]
    }, async (gcp) => {
      const item = await runCheck(gcp, Monitoring.notificationChannels({ service: "api" }))
      expect(item.status).toBe("pass")
      expect(item.message).toBe("2 channel(s) enabled and deliverable")
    }))

  it("fails for disabled, unverified and deleted channels", () =>
    withEmulator({
      fixtures: [
        cloudRunService(at),
        uptimeCheck(),
        alertPolicy({ channels: ["mail", "off", "gone"] }),
        notificationChannel({ id: "mail", verificationStatus: "UNVERIFIED" }),
        notificationChannel({ id: "off", enabled: false })
      ]
    }, async (gcp) => {
      const item = await runCheck(gcp, Monitoring.notificationChannels({ service: "api" }))
      expect(item.status).toBe("fail")
      expect(item.message).toBe("3 of 3 channel(s) cannot deliver: mail (email) (unverified), off (email) (disabled), gone (deleted)")
    }))

  it("reads the channels even when no enabled policy pages anyone, and reports them in the same run", () =>
    withEmulator({
      fixtures: [
        cloudRunService(at),
        uptimeCheck(),
        alertPolicy({ enabled: false, channels: ["mail", "pager"] }),
        notificationChannel({ id: "mail", verificationStatus: "UNVERIFIED" }),
        notificationChannel({ id: "pager", type: "pagerduty" })
      ]
    }, async (gcp) => {
      const item = await runCheck(gcp, Monitoring.notificationChannels({ service: "api" }))
      expect(item.status).toBe("fail")
      expect(item.message).toBe(
        "no enabled alert policy on the uptime check notifies a channel (see gcp.monitoring.uptime-alert); its channels cannot deliver either: mail (email) (unverified)"
      )
      expect((item.evidence["observed"] as { channels: Array<{ id: string }> }).channels.map((c) => c.id)).toEqual(["mail", "pager"])
      expect(item.remediation).toContain("gcloud alpha monitoring channels verify mail")
    }))

  it("the three monitoring checks share one list of each kind", () =>
    withEmulator({ fixtures: healthy() }, async (gcp) => {
      const report = await runChecks(gcp, Monitoring.all({ service: "api", path: "/healthz" }))
      expect(report.items.map((i) => i.status)).toEqual(["pass", "pass", "pass"])
      expect(apiRequests(gcp).sort()).toEqual(SERVICE_AND_MONITORING_LISTS)
    }))

  // Issue 13: none of the project's lists needs another's answer, so a check reads them at once rather than one
  // after another (services, then uptime checks, then policies, then channels: four round trips deep).
  it("reads its project lists while the service read is still out, not after it", () =>
    withEmulator({ fixtures: healthy() }, async (gcp) => {
      // The service read never answers: whatever else was requested went out alongside it.
      gcp.faults.add({ method: "GET", path: "/v2/projects/demo-project/locations/us-central1/services/api", fault: { kind: "hang" } })
      const item = await runCheck(gcp, Monitoring.notificationChannels({ service: "api" }), { checkTimeout: "1 second" })
      expect(item.status).toBe("error")
      expect(apiRequests(gcp).sort()).toEqual(SERVICE_AND_MONITORING_LISTS)
    }))

  it("a list it reads ahead does not decide the outcome when the judging never needs it", () =>
    withEmulator({ fixtures: [cloudRunService(at), uptimeCheck({ host: "other.example.com" })] }, async (gcp) => {
      // No uptime check targets the service, so policies and channels do not matter: their failure must not show.
      gcp.faults.add({ method: "GET", path: "/v3/projects/demo-project/alertPolicies", fault: { kind: "status", status: 403 } })
      gcp.faults.add({ method: "GET", path: "/v3/projects/demo-project/notificationChannels", fault: { kind: "status", status: 403 } })
      const item = await runCheck(gcp, Monitoring.notificationChannels({ service: "api" }))
      expect(item.status).toBe("fail")
      expect(item.message).toContain("no enabled alert policy on the uptime check notifies a channel")
    }))
})
