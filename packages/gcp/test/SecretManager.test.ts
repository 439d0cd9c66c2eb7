import { describe, expect, it } from "vitest"
import { SecretManager } from "../src/index.js"
import { cloudRunService, secret } from "../src/emulator/index.js"
import { apiRequests, NOW, runCheck, runChecks, withEmulator } from "./support.js"

const at = { now: NOW }
const DAY = 86_400_000

describe("gcp.secret-manager.rotation", () => {
  it("passes with a schedule inside the maximum period and a topic", () =>
    withEmulator({ fixtures: [secret({ ...at, name: "stripe" })] }, async (gcp) => {
      const item = await runCheck(gcp, SecretManager.rotation({ secrets: "stripe" }))
      expect(item.status).toBe("pass")
      expect(item.evidence["observed"]).toMatchObject({ rotationPeriod: "2592000s", topics: ["projects/demo-project/topics/secret-rotation"] })
    }))

  it("fails without a schedule or a topic, and with a period over the maximum", () =>
    withEmulator({
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
      expect(byName["slow"]).toContain("rotation period 31536000s is longer than 90 days")
    }))
})

describe("gcp.secret-manager.rotation-overdue", () => {
  it("passes when the next rotation is ahead, or late within the grace", () =>
    withEmulator({ fixtures: [secret({ ...at, name: "a" }), secret({ ...at, name: "b", rotation: { nextInDays: -0.5 } })] }, async (gcp) => {
      const item = await runCheck(gcp, SecretManager.rotationOverdue())
      expect(item.status).toBe("pass")
    }))

  it("fails when the scheduled rotation passed by more than the grace (pinned clock)", () =>
    withEmulator({ fixtures: [secret({ ...at, name: "jwt", rotation: { nextInDays: 25 } })] }, async (gcp) => {
      // The same data, judged 28 days later: the rotation pipeline is three days behind.
      const item = await runCheck(gcp, SecretManager.rotationOverdue({ secrets: "jwt" }), { now: new Date(NOW.getTime() + 28 * DAY) })
      expect(item.status).toBe("fail")
      expect(item.message).toBe("rotation is overdue by 3 days: the rotation pipeline looks stuck")
      expect(item.remediation).toContain("projects/demo-project/topics/secret-rotation")
    }))

  it("skips secrets without a schedule", () =>
    withEmulator({ fixtures: [secret({ ...at, name: "manual", rotation: false })] }, async (gcp) => {
      expect((await runCheck(gcp, SecretManager.rotationOverdue({ secrets: "manual" }))).status).toBe("skip")
    }))
})

describe("gcp.secret-manager.version-age", () => {
  it("passes when the newest enabled version is recent", () =>
    withEmulator({ fixtures: [secret({ ...at, name: "k", newestAgeDays: 10 })] }, async (gcp) => {
      const item = await runCheck(gcp, SecretManager.versionAge({ secrets: "k" }))
      expect(item.status).toBe("pass")
      expect(item.message).toBe("newest enabled version 2 is 10 days old")
    }))

  it("fails when it is older than the maximum age, and when nothing is enabled", () =>
    withEmulator({
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
    withEmulator({ fixtures: [secret({ ...at, name: "k", versions: 5, enabledVersions: 2 })] }, async (gcp) => {
      expect((await runCheck(gcp, SecretManager.enabledVersions({ secrets: "k" }))).status).toBe("pass")
    }))

  it("fails with too many enabled versions, naming the ones to disable", () =>
    withEmulator({ fixtures: [secret({ ...at, name: "k", versions: 4, enabledVersions: 4 })] }, async (gcp) => {
      const item = await runCheck(gcp, SecretManager.enabledVersions({ secrets: "k" }))
      expect(item.status).toBe("fail")
      expect(item.remediation).toBe("Disable versions no longer in use: gcloud secrets versions disable 1 --secret k; gcloud secrets versions disable 2 --secret k")
    }))

  it("fails with none, and an unknown version state is an error", () =>
    withEmulator({
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
    withEmulator({ fixtures: [secret({ ...at, name: "a" }), secret({ ...at, name: "b", expireInDays: 90 })] }, async (gcp) => {
      expect((await runCheck(gcp, SecretManager.expiry())).status).toBe("pass")
    }))

  it("fails when the secret expires within the window", () =>
    withEmulator({ fixtures: [secret({ ...at, name: "b", expireInDays: 7 })] }, async (gcp) => {
      const item = await runCheck(gcp, SecretManager.expiry({ secrets: "b" }))
      expect(item.status).toBe("fail")
      expect(item.message).toMatch(/^expires in 7 days/)
    }))
})

describe("selection", () => {
  it("referencedBy covers exactly the secrets a service uses, sharing reads", () =>
    withEmulator({
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
    withEmulator({ fixtures: [secret({ ...at, name: "prod", labels: { env: "prod" } }), secret({ ...at, name: "dev", rotation: false, labels: { env: "dev" } })] }, async (gcp) => {
      const item = await runCheck(gcp, SecretManager.rotation({ labels: { env: "prod" } }))
      expect(item.status).toBe("pass")
      expect(item.subjects!.map((s) => s.subject)).toEqual(["prod"])
    }))
})
