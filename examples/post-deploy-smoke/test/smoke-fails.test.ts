// The smoke gate against emulators seeded with real problems: it must block, with the evidence and the
// rollback command CI needs. Also the witness for the healthy run: one real PATCH, nothing else written.
import { type Report, Runner } from "@launchgate/core"
import { revisionId } from "@launchgate/gcp/emulator"
import { describe, expect, test } from "vitest"
import { type EmulatorOptions, SERVICE, SERVICE_NAME, startEmulators } from "../emulators.js"
import defaultGate, { emulatorTargets, SmokeConfigError, smokeGate, targetsFromEnv } from "../smoke.gate.js"

const NEW = revisionId(SERVICE, 3)
const PREVIOUS = revisionId(SERVICE, 2)
const ROLLBACK = `gcloud run services update-traffic api --region us-central1 --project demo-project --to-revisions ${PREVIOUS}=100`

const runAgainst = async (options: EmulatorOptions) => {
  const emulators = await startEmulators(options)
  try {
    const report = await Runner.runPromise(smokeGate(emulatorTargets(emulators), "local"))
    // The emulators' state and request log stay readable after close.
    return { report, gcp: emulators.gcp }
  } finally {
    await emulators.close()
  }
}

const item = (report: Report.Report, id: string) => {
  const found = report.items.find((i) => i.id === id)
  if (!found) throw new Error(`no ${id} in the report`)
  return found
}

/** Prints the evidence when an expectation about an item fails. */
const shown = (i: Report.ItemReport) => `${i.id}: ${i.status} ${i.message}\n${JSON.stringify(i.evidence, null, 2)}`

const AFTER_SHIFT = ["gcp.cloud-run.latest-deploy-live", "gcp.cloud-run.healthy", "smoke.api.health", "smoke.api.latency-p95"]

describe("the smoke gate against the emulators", () => {
  test("promotes the new revision with one real PATCH of traffic while the probe sees no failure", async () => {
    const { gcp, report } = await runAgainst({})
    expect(report.verdict, report.reasons.join("\n")).toBe("ready")

    // The only write: one PATCH of the service's traffic, to 100% on the new revision.
    const writes = gcp.log.filter((e) => e.method !== "GET")
    expect(writes.map((e) => `${e.method} ${e.path}?updateMask=${String(e.query["updateMask"])}`)).toEqual([
      `PATCH /v2/${SERVICE_NAME}?updateMask=traffic`
    ])
    expect(JSON.parse(writes[0]!.body).traffic).toEqual([{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: NEW, percent: 100 }])
    expect(gcp.state.services.get(SERVICE_NAME)!["trafficStatuses"]).toEqual([
      { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: NEW, percent: 100 }
    ])

    // Every probe request reached the Cloud Run service URL and was answered 200, before, during and after.
    const shift = item(report, "smoke.api.zero-downtime-shift")
    expect(shift.status, shown(shift)).toBe("pass")
    const served = gcp.requests({ route: "serve" })
    expect(shift.evidence["total"]).toBe(served.length)
    expect(served.length).toBeGreaterThanOrEqual(20)
    expect(new Set(served.map((e) => e.status))).toEqual(new Set([200]))
    expect(shift.evidence["failures"]).toEqual({ status: 0, reset: 0, timeout: 0, other: 0 })
    expect(shift.evidence["during"]).toEqual({ outcome: "success" })
    // The PATCH happened while the probe ran: requests were served before it and after it.
    const patchSeq = writes[0]!.seq
    expect(served.some((e) => e.seq < patchSeq) && served.some((e) => e.seq > patchSeq)).toBe(true)

    expect(item(report, "gcp.cloud-run.latest-deploy-live").message).toBe(`latest revision ${NEW} is live with all traffic`)
    expect(item(report, "gcp.cloud-run.rollback-target").evidence["command"]).toBe(ROLLBACK)
  })

  test("blocks when the health endpoint reports a failing component", async () => {
    const { report } = await runAgainst({ app: { db: "fail" } })
    expect(report.verdict).toBe("blocked")
    const health = item(report, "smoke.api.health")
    expect(health.status, shown(health)).toBe("fail")
    expect(health.disposition).toBe("blocking")
    expect(health.message).toBe('unhealthy (HTTP 503, status "fail"; db fail)')
    expect(health.subjects?.map((s) => [s.subject, s.status])).toEqual([["db", "fail"], ["cache", "pass"]])
    expect(report.reasons.join("\n")).toContain("smoke.api.health")
    // What the CI rollback step reads: the revision that served before the shift.
    expect(item(report, "gcp.cloud-run.rollback-target").evidence["command"]).toBe(ROLLBACK)
  })

  test("blocks when the new revision answers 503 once traffic moves to it", async () => {
    const { gcp, report } = await runAgainst({ cloudRun: { serving: { 3: 503 } } })
    expect(report.verdict).toBe("blocked")
    const shift = item(report, "smoke.api.zero-downtime-shift")
    expect(shift.status, shown(shift)).toBe("fail")
    expect(shift.message).toMatch(/^\d+ of \d+ requests failed \([\d.]+%: \d+ status\); longest gap without a success \d+ ms; the error budget is 0%$/)
    expect((shift.evidence["failuresByDetail"] as Record<string, number>)["503"]).toBeGreaterThan(0)
    // Nothing is judged on a revision that did not take traffic cleanly.
    for (const id of AFTER_SHIFT) {
      expect(item(report, id)).toMatchObject({ status: "skip", disposition: "skipped", message: "not run: prerequisite smoke.api.zero-downtime-shift ended fail" })
    }
    // The traffic did move (the emulator now serves the broken revision): CI must roll back, to the previous revision.
    expect(gcp.requests({ method: "PATCH" })).toHaveLength(1)
    expect(item(report, "gcp.cloud-run.rollback-target").evidence["command"]).toBe(ROLLBACK)
  })

  test("refuses to move traffic to a revision that is not Ready, and blocks", async () => {
    const { gcp, report } = await runAgainst({ cloudRun: { latestFailure: { message: "The container failed to start and listen on PORT=8080." } } })
    expect(report.verdict).toBe("blocked")
    const shift = item(report, "smoke.api.zero-downtime-shift")
    expect(shift.status, shown(shift)).toBe("error")
    expect(shift.message).toMatch(/^could not decide: the operation under test did not complete/)
    expect(JSON.stringify(shift.evidence["during"])).toContain(`the new revision ${NEW} is not Ready (latest Ready: ${PREVIOUS}); traffic was left where it was`)
    expect(gcp.requests({ method: "PATCH" })).toHaveLength(0)
    expect(gcp.state.services.get(SERVICE_NAME)!["traffic"]).toEqual([{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: PREVIOUS, percent: 100 }])
  })
})

describe("the default gate on the emulators", () => {
  test("making it (what plan and docs do) starts no emulator; running it starts them and closes them", async () => {
    const servers = () => process.getActiveResourcesInfo().filter((r) => r === "TCPServerWrap").length
    const before = servers()
    const gate = defaultGate(undefined)
    expect(gate.setup).toBeTypeOf("function")
    expect(servers()).toBeLessThanOrEqual(before)
    const report = await Runner.runPromise(gate)
    expect(report.verdict, report.reasons.join("\n")).toBe("ready")
    expect(item(report, "smoke.api.latency-p95").status).toBe("pass")
    expect(servers()).toBeLessThanOrEqual(before)
  })
})

describe("targets from the environment (fail closed)", () => {
  const real = {
    SERVICE_URL: "https://api.example.com/",
    CLOUD_RUN_SERVICE: "api",
    GOOGLE_CLOUD_PROJECT: "acme-prod",
    GOOGLE_CLOUD_REGION: "europe-west1"
  }

  test("no SERVICE_URL and no named target: the emulators", () => {
    expect(targetsFromEnv(undefined, {})).toBeUndefined()
    expect(targetsFromEnv("local", { GOOGLE_CLOUD_PROJECT: "set-in-my-shell" })).toBeUndefined()
  })

  test("a named target without SERVICE_URL is refused, never replaced by the emulators", () => {
    expect(() => targetsFromEnv("production", {})).toThrow(SmokeConfigError)
    expect(() => targetsFromEnv("production", {})).toThrow(/"production" but SERVICE_URL is not set/)
  })

  test("SERVICE_URL without the Cloud Run coordinates names what is missing", () => {
    expect(() => targetsFromEnv("production", { SERVICE_URL: real.SERVICE_URL, CLOUD_RUN_SERVICE: "api" })).toThrow(
      "SERVICE_URL is set, so the smoke suite targets a real deploy, but GOOGLE_CLOUD_PROJECT, GOOGLE_CLOUD_REGION are not set"
    )
    expect(() => targetsFromEnv("production", { ...real, SMOKE_P95_MS: "fast" })).toThrow(/SMOKE_P95_MS/)
    expect(() => targetsFromEnv("production", { ...real, SERVICE_URL: "api.example.com" })).toThrow(/not a URL/)
  })

  test("a real target: URLs from SERVICE_URL, the shift allowed and gated on a rollback target", () => {
    const targets = targetsFromEnv("production", { ...real, SMOKE_HEALTH_COMPONENTS: "db, cache", SMOKE_LATENCY_PATH: "/v1/notes" })!
    expect(targets).toMatchObject({
      source: "environment",
      healthUrl: "https://api.example.com/healthz",
      probeUrl: "https://api.example.com/healthz",
      latencyUrl: "https://api.example.com/v1/notes",
      healthComponents: ["db", "cache"],
      p95Ms: 500,
      service: "api",
      project: "acme-prod",
      region: "europe-west1"
    })
    const gate = smokeGate(targets, "production")
    expect(gate.environment).toBe("production")
    expect(gate.items.map((i) => [i.check.id, i.check.active, i.allowActive ?? false, i.check.dependsOn])).toEqual([
      ["gcp.cloud-run.rollback-target", false, false, []],
      ["smoke.api.zero-downtime-shift", true, true, ["gcp.cloud-run.rollback-target"]],
      ...AFTER_SHIFT.map((id) => [id, false, false, ["smoke.api.zero-downtime-shift"]])
    ])
    expect(gate.items.every((i) => i.tier === "launch-critical")).toBe(true)
  })
})
