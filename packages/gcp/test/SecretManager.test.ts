import { describe, expect, it } from "vitest"
import { SecretManager } from "../src/index.js"
import { cloudRunService, secret } from "../src/emulator/index.js"
import { apiRequests, NOW, runCheck, runChecks, withEmulator } from "./support.js"

const at = { now: NOW }
const DAY = 86_400_000
// The emulator's clock is the run's clock, as Google's is for a real run.
const clock = { settings: { now: () => NOW.getTime() } }

describe("gcp.secret-manager.rotation", () => {
  it("passes with a schedule inside the maximum period and a topic", () =>
    withEmulator({ ...clock, fixtures: [secret({ ...at, name: "stripe" })] }, async (gcp) => {
      const item = await runCheck(gcp, SecretManager.rotation({ secrets: "stripe" }))
      expect(item.status).toBe("pass")
      expect(item.evidence["observed"]).toMatchObject({ topics: ["projects/demo-project/topics/secret-rotation"] })
    }))

  it("fails without a schedule or a topic, and with a schedule further than the maximum period", () =>
    withEmulator({
      ...clock,
      fixtures: [
        secret({ ...at, name: "none", rotation: false, topics: [] }),
        secret({ ...at, name: "slow", rotation: { periodDays: 365, nextInDays: 200 } })
      ]
    }, async (gcp) => {
      const item = await runCheck(gcp, SecretManager.rotation())
      expect(item.status).toBe("fail")
      const byName = Object.fromEntries(item.subjects!.map((s) => [s.subject, s.message]))
      expect(byName["none"]).toBe("no rotation schedule (rotation.nextRotationTime unset); no Pub/Sub topic receives rotation notifications")
      expect(byName["slow"]).toContain("more than 90 days away")
    }))

  it("the emulator serves Rotation as the v1 API does: rotationPeriod is input only, nextRotationTime moves on", () =>
    withEmulator({ ...clock, fixtures: [secret({ ...at, name: "jwt", rotation: { periodDays: 30, nextInDays: -40 } })] }, async (gcp) => {
      const res = await fetch(`${gcp.url}/v1/projects/demo-project/secrets/jwt`, { headers: { authorization: "Bearer test" } })
      const body = await res.json() as { rotation: Record<string, string> }
      expect(body.rotation["rotationPeriod"]).toBeUndefined()
      // Planted 40 days in the past, advanced by two 30-day periods: 20 days ahead.
      expect(body.rotation["nextRotationTime"]).toBe(new Date(NOW.getTime() + 20 * DAY).toISOString())
      const item = await runCheck(gcp, SecretManager.rotation({ secrets: "jwt" }))
      expect(item.status).toBe("pass")
      expect((item.evidence["observed"] as Record<string, string>)["rotationPeriod"]).toContain("not returned (input only")
    }))
})

describe("gcp.secret-manager.rotation-overdue", () => {
  it("passes when the newest enabled version is younger than the period plus the grace", () =>
    withEmulator({ ...clock, fixtures: [secret({ ...at, name: "a", newestAgeDays: 5 }), secret({ ...at, name: "b", newestAgeDays: 30.5 })] }, async (gcp) => {
      const item = await runCheck(gcp, SecretManager.rotationOverdue({ period: "30 days" }))
      expect(item.status).toBe("pass")
      expect(item.subjects!.map((s) => s.evidence["observed"])).toMatchObject([{ periodFrom: "stated by the gate" }, { periodFrom: "stated by the gate" }])
    }))

  it("fails when the schedule kept moving but no version was added (a broken subscriber)", () =>
    withEmulator({
      ...clock,
      fixtures: [secret({ ...at, name: "jwt", newestAgeDays: 40, rotation: { periodDays: 30, nextInDays: -10 } })]
    }, async (gcp) => {
      const item = await runCheck(gcp, SecretManager.rotationOverdue({ secrets: "jwt", period: "30 days" }))
      expect(item.status).toBe("fail")
      expect(item.message).toBe("newest enabled version 2 is 40 days old, rotation every 30 days: the rotation pipeline looks stuck")
      expect(item.evidence["observed"]).toMatchObject({ nextRotationTime: new Date(NOW.getTime() + 20 * DAY).toISOString() })
      expect(item.remediation).toContain("projects/demo-project/topics/secret-rotation")
    }))

  it("without a stated period, uses 90 days and says so", () =>
    withEmulator({ ...clock, fixtures: [secret({ ...at, name: "old", newestAgeDays: 95 }), secret({ ...at, name: "ok", newestAgeDays: 40 })] }, async (gcp) => {
      const item = await runCheck(gcp, SecretManager.rotationOverdue())
      const byName = Object.fromEntries(item.subjects!.map((s) => [s.subject, s]))
      expect(byName["old"]!.status).toBe("fail")
      expect(byName["ok"]!.status).toBe("pass")
      expect(byName["ok"]!.evidence["observed"]).toMatchObject({ periodFrom: "default 90 days (rotationPeriod is input only; state `period`)" })
    }))

  it("skips secrets without a schedule or a topic", () =>
    withEmulator({ ...clock, fixtures: [secret({ ...at, name: "manual", rotation: false }), secret({ ...at, name: "silent", topics: [] })] }, async (gcp) => {
      const item = await runCheck(gcp, SecretManager.rotationOverdue({ secrets: ["manual", "silent"] }))
      expect(item.subjects!.map((s) => s.status)).toEqual(["skip", "skip"])
    }))
})

describe("gcp.secret-manager.version-age", () => {
  it("passes when the newest enabled version is recent", () =>
    withEmulator({ ...clock, fixtures: [secret({ ...at, name: "k", newestAgeDays: 10 })] }, async (gcp) => {
      const item = await runCheck(gcp, SecretManager.versionAge({ secrets: "k" }))
      expect(item.status).toBe("pass")
      expect(item.message).toBe("newest enabled version 2 is 10 days old")
    }))

  it("fails when it is older than the maximum age, and when nothing is enabled", () =>
    withEmulator({
      ...clock,
      fixtures: [secret({ ...at, name: "old", newestAgeDays: 200 }), secret({ ...at, name: "off", versionStates: ["DISABLED", "DESTROYED"] })]
    }, async (gcp) => {
      const item = await runCheck(gcp, SecretManager.versionAge({ secrets: ["old", "off"], maxAge: "180 days" }))
      expect(item.status).toBe("fail")
      const byName = Object.fromEntries(item.subjects!.map((s) => [s.subject, s.message]))
      expect(byName["old"]).toBe("newest enabled version 2 is 200 days old")
      expect(byName["off"]).toBe("no enabled version")
    }))
})

describe("gcp.secret-manager.enabled-versions", () => {
  it("passes with one or two enabled versions", () =>
    withEmulator({ ...clock, fixtures: [secret({ ...at, name: "k", versions: 5, enabledVersions: 2 })] }, async (gcp) => {
      expect((await runCheck(gcp, SecretManager.enabledVersions({ secrets: "k" }))).status).toBe("pass")
    }))

  it("fails with too many enabled versions, naming the ones to disable", () =>
    withEmulator({ ...clock, fixtures: [secret({ ...at, name: "k", versions: 4, enabledVersions: 4 })] }, async (gcp) => {
      const item = await runCheck(gcp, SecretManager.enabledVersions({ secrets: "k" }))
      expect(item.status).toBe("fail")
      expect(item.remediation).toBe("Disable versions no longer in use: gcloud secrets versions disable 1 --secret k; gcloud secrets versions disable 2 --secret k")
    }))

  it("fails with none, and an unknown version state is an error", () =>
    withEmulator({
      ...clock,
      fixtures: [secret({ ...at, name: "none", versionStates: ["DISABLED"] }), secret({ ...at, name: "odd", versionStates: ["ENABLED", "SCHEDULED_FOR_DESTRUCTION"] })]
    }, async (gcp) => {
      const item = await runCheck(gcp, SecretManager.enabledVersions())
      const byName = Object.fromEntries(item.subjects!.map((s) => [s.subject, s]))
      expect(byName["none"]!.status).toBe("fail")
      expect(byName["odd"]!.status).toBe("error")
      expect(byName["odd"]!.message).toContain("SCHEDULED_FOR_DESTRUCTION")
      expect(item.status).toBe("error")
    }))
})

describe("gcp.secret-manager.expiry", () => {
  it("passes without expiry or with one far away", () =>
    withEmulator({ ...clock, fixtures: [secret({ ...at, name: "a" }), secret({ ...at, name: "b", expireInDays: 90 })] }, async (gcp) => {
      expect((await runCheck(gcp, SecretManager.expiry())).status).toBe("pass")
    }))

  it("fails when the secret expires within the window", () =>
    withEmulator({ ...clock, fixtures: [secret({ ...at, name: "b", expireInDays: 7 })] }, async (gcp) => {
      const item = await runCheck(gcp, SecretManager.expiry({ secrets: "b" }))
      expect(item.status).toBe("fail")
      expect(item.message).toMatch(/^expires in 7 days/)
    }))
})

describe("selection", () => {
  it("referencedBy covers exactly the secrets a service uses, sharing reads", () =>
    withEmulator({
      ...clock,
      fixtures: [
        cloudRunService({ ...at, env: [{ name: "A_KEY", secret: "a" }, { name: "B_TOKEN", secret: "b" }] }),
        secret({ ...at, name: "a" }),
        secret({ ...at, name: "b" }),
        secret({ ...at, name: "unrelated", rotation: false })
      ]
    }, async (gcp) => {
      const report = await runChecks(gcp, SecretManager.all({ referencedBy: { service: "api" } }))
      expect(report.items.map((i) => [i.id, i.status])).toEqual([
        ["gcp.secret-manager.rotation", "pass"],
        ["gcp.secret-manager.rotation-overdue", "pass"],
        ["gcp.secret-manager.version-age", "pass"],
        ["gcp.secret-manager.enabled-versions", "pass"],
        ["gcp.secret-manager.expiry", "pass"]
      ])
      expect(report.items[0]!.subjects!.map((s) => s.subject)).toEqual(["a", "b"])
      const requests = apiRequests(gcp)
      expect(new Set(requests).size).toBe(requests.length)
      expect(requests.some((r) => r.includes("unrelated"))).toBe(false)
      expect(gcp.requests({ route: "access" })).toHaveLength(0)
    }))

  it("labels filter the project's secrets", () =>
    withEmulator({ ...clock, fixtures: [secret({ ...at, name: "prod", labels: { env: "prod" } }), secret({ ...at, name: "dev", rotation: false, labels: { env: "dev" } })] }, async (gcp) => {
      const item = await runCheck(gcp, SecretManager.rotation({ labels: { env: "prod" } }))
      expect(item.status).toBe("pass")
      expect(item.subjects!.map((s) => s.subject)).toEqual(["prod"])
    }))
})
