import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { connect } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Deferral, ReadinessDocument, Runner } from "@launchgate/core"
import { describe, expect, it } from "vitest"
import makeGate from "../gate.js"
import { DEMO_NOW } from "../world.js"

const here = new URL("..", import.meta.url)

const refused = (url: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(url)
    const socket = connect({ host: hostname, port: Number(port) })
    socket.once("connect", () => {
      socket.destroy()
      resolve(false)
    })
    socket.once("error", () => resolve(true))
  })

describe("examples/public-launch (offline, against the bundled emulators)", () => {
  it("is blocked by exactly the real problems in the seeded state, with every kind of result in the report", async () => {
    const gate = makeGate("production")
    const report = await Runner.runPromise(gate, { now: DEMO_NOW })
    const byId = new Map(report.items.map((i) => [i.id, i]))

    expect(report.verdict).toBe("blocked")
    expect(report.items.filter((i) => i.disposition === "blocking").map((i) => i.id).sort()).toEqual([
      "billing.portal.configured", // its deferral expired: it covers nothing
      "billing.webhook.endpoint", // planted `webhookApiVersion: null`: events follow the account's default version
      "gcp.secret-manager.rotation-overdue" // the JWT key's rotation is four days late (94 days, every 90)
    ])
    expect(byId.get("billing.webhook.endpoint")!.message).toContain("has no api_version")
    expect(byId.get("gcp.secret-manager.rotation-overdue")!.message).toContain("jwt-signing-key")
    expect(report.reasons.join("\n")).toContain("its deferral expired 2026-11-20")

    // Deferrals: one active, one expiring within days, one expired.
    const states = Object.fromEntries(report.deferrals.map((d) => [d.check, d.state]))
    expect(states).toEqual({
      "gcp.monitoring.notification-channels": "active",
      "fivetran.connection.historical-sync": "active",
      "billing.portal.configured": "expired"
    })
    const expiringSoon = gate.deferrals.filter((d) => Deferral.expiresWithin(d, DEMO_NOW, 7) && Deferral.state(d, DEMO_NOW) !== "expired")
    expect(expiringSoon.map((d) => d.check)).toEqual(["fivetran.connection.historical-sync"])
    expect(byId.get("gcp.monitoring.notification-channels")!.disposition).toBe("deferred")

    // Launch-adjacent problems warn; the stale attestation is one of them.
    expect(byId.get("launch.process.support-trained")).toMatchObject({ kind: "attestation", status: "fail", disposition: "warning" })
    expect(byId.get("launch.process.rollback-rehearsal")).toMatchObject({ kind: "attestation", status: "pass" })
    expect(byId.get("gcp.cloud-run.min-instances")!.disposition).toBe("warning")
    // The same overdue key is also too old for the version-age rule: launch-adjacent, so a warning.
    expect(byId.get("gcp.secret-manager.version-age")).toMatchObject({ status: "fail", disposition: "warning" })
    expect(byId.get("gcp.secret-manager.version-age")!.message).toContain("jwt-signing-key")
    // The latency SLO is judged on the emulator's injected latency with a wide margin: it passes whatever the
    // machine's load, and this test asserts no timing.
    expect(byId.get("app.api.latency-p95")!.status).toBe("pass")
    expect(byId.get("billing.tax.active")!.disposition).toBe("warning")
    expect(byId.get("fivetran.group.coverage")!.disposition).toBe("info")

    // The rollback story works: the drill shifted traffic without a failed request, the kill switch answers,
    // the runbook has its sections and working links.
    expect(byId.get("gcp.cloud-run.rollback-drill")!.status).toBe("pass")
    expect(byId.get("app.flags.checkout-kill-switch")).toMatchObject({ status: "pass", rollbackOf: "billing.catalog", tier: "launch-critical" })
    expect(byId.get("launch.docs.runbook")!.status).toBe("pass")
    expect(byId.get("gcp.cloud-run.rollback-target")!.evidence).toMatchObject({
      command: expect.stringContaining("gcloud run services update-traffic api")
    })

    // Active checks ran because the targets are emulators; receivers verify signatures.
    expect(byId.get("fivetran.webhook.receiver")!.status).toBe("pass")
    expect(byId.get("billing.webhook.receiver")!.status).toBe("pass")
    expect(report.unsupported.map((u) => u.case)).toContain("Multi-region active-active")

    // The emulators were released with the run.
    const urls = [...new Set(report.items.flatMap((i) => JSON.stringify(i.evidence).match(/http:\/\/127\.0\.0\.1:\d+/g) ?? []))]
    expect(urls.length).toBeGreaterThan(0)
    for (const url of urls) expect(await refused(url)).toBe(true)
  }, 120_000)

  it("the committed LAUNCH-READINESS.md is what the gate generates (docs cannot drift from checks)", () => {
    const committed = readFileSync(new URL("LAUNCH-READINESS.md", here), "utf8")
    expect(committed.trimEnd()).toBe(ReadinessDocument.render(makeGate("production")).trimEnd())
  })

  it("making and reading the gate (what plan and docs do) starts no emulator: no new listening socket", () => {
    const servers = () => process.getActiveResourcesInfo().filter((r) => r === "TCPServerWrap").length
    const before = servers()
    for (const environment of ["production", "staging"]) {
      const gate = makeGate(environment)
      ReadinessDocument.render(gate)
      expect(gate.setup).toBeTypeOf("function")
    }
    expect(servers()).toBeLessThanOrEqual(before)
  })

  it("launchgate plan and docs --check read the gate without starting or contacting anything", () => {
    const bin = fileURLToPath(new URL("../../packages/core/bin/launchgate.mjs", here))
    const cwd = fileURLToPath(here)
    const env = { ...process.env, NO_COLOR: "1" }
    const plan = spawnSync(process.execPath, [bin, "plan", "gate.ts", "--now", "2026-11-25T12:00:00Z"], { cwd, encoding: "utf8", env })
    expect(plan.status, plan.stderr).toBe(0)
    // The plan describes the checks; the run-time URLs (random 127.0.0.1 ports) exist only once setup has run.
    expect(plan.stdout).toContain("app.api.latency-p95")
    expect(plan.stdout).not.toMatch(/127\.0\.0\.1/)
    const docs = spawnSync(process.execPath, [bin, "docs", "gate.ts", "--check"], { cwd, encoding: "utf8", env })
    expect(docs.status, docs.stderr).toBe(0)
  }, 120_000)

  it("the demo command runs the gate through the CLI, expects BLOCKED (exit 0), says so last, and leaves the four reports", () => {
    const pkg = JSON.parse(readFileSync(new URL("package.json", here), "utf8")) as { scripts: Record<string, string> }
    const out = mkdtempSync(join(tmpdir(), "public-launch-demo-"))
    try {
      // The demo script's own arguments, with the reports redirected to a temporary folder.
      const args = pkg.scripts["demo"]!.replace(/^launchgate /, "").split(" ").map((a) => a.replace(/^reports\//, `${out}/`))
      const bin = fileURLToPath(new URL("../../packages/core/bin/launchgate.mjs", here))
      const result = spawnSync(process.execPath, [bin, ...args], { cwd: fileURLToPath(here), encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 110_000 })
      expect(result.stderr.slice(-2000)).not.toContain("launchgate run:")
      expect(result.status, result.stderr.slice(-2000)).toBe(0)
      expect(result.stdout).toContain("BLOCKED")
      expect(result.stdout.trimEnd().split("\n").at(-1)).toMatch(/^As expected, the verdict is BLOCKED/)
      for (const file of ["console.txt", "report.json", "junit.xml", "report.md"]) expect(existsSync(join(out, file))).toBe(true)
      expect(JSON.parse(readFileSync(join(out, "report.json"), "utf8")).verdict).toBe("blocked")
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  }, 120_000)

  it("the demo script pins the same instant the seeded state and dates are written against", () => {
    const pkg = JSON.parse(readFileSync(new URL("package.json", here), "utf8")) as { scripts: Record<string, string> }
    expect(pkg.scripts["demo"]).toContain(`--now ${DEMO_NOW.toISOString().replace(".000Z", "Z")}`)
    const root = JSON.parse(readFileSync(new URL("../../package.json", here), "utf8")) as { scripts: Record<string, string> }
    expect(root.scripts["demo"]).toContain("@example/public-launch")
  })
})
