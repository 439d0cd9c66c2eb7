import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { connect } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Deferral, Gate, ReadinessDocument, type Report, Runner } from "@launchgate/core"
import { Effect } from "effect"
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
      "backlog.deferrals.tracked", // the portal deferral's follow-up PAY-19 was closed as done: nothing tracks it
      "backlog.launch-scope.no-open-blocker", // PAY-18, PAY-21, SEC-40: launch-critical, open, not deferred
      "billing.portal.configured", // its deferral expired: it covers nothing
      "billing.webhook.endpoint", // planted `webhookApiVersion: null`: events follow the account's default version
      "gcp.secret-manager.rotation-overdue" // the JWT key's rotation is four days late (94 days, every 90)
    ])
    expect(byId.get("billing.webhook.endpoint")!.message).toContain("has no api_version")
    expect(byId.get("gcp.secret-manager.rotation-overdue")!.message).toContain("jwt-signing-key")
    expect(report.reasons.join("\n")).toContain("its deferral expired 2026-11-20")

    // The backlog audit (task files in backlog/): every open item has one tier and every launch-critical surface
    // is checked, but the three live problems are open launch-critical tasks no active deferral covers (PAY-18's
    // deferral expired; OPS-340 and DATA-76 are deferred through their follow-ups), and the portal deferral's
    // follow-up is closed. The other two deferrals are tracked by open, owned follow-ups with a risk note.
    expect(byId.get("backlog.launch-scope.classified")).toMatchObject({ status: "pass", disposition: "ok" })
    expect(byId.get("backlog.launch-scope.matches-gate")).toMatchObject({ status: "pass", disposition: "ok" })
    const blockers = byId.get("backlog.launch-scope.no-open-blocker")!
    expect(blockers.evidence).toMatchObject({
      blockers: ["PAY-18", "PAY-21", "SEC-40"],
      expiredDeferrals: ["billing.portal.configured"]
    })
    const subjects = (id: string) =>
      Object.fromEntries((byId.get(id)!.subjects ?? []).map((s) => [s.subject, s.status]))
    expect(subjects("backlog.launch-scope.no-open-blocker")).toEqual({
      "DATA-76": "pass", "DATA-77": "pass", "OPS-340": "pass", "OPS-342": "pass", "PAY-19": "pass",
      "PAY-18": "fail", "PAY-21": "fail", "SEC-40": "fail"
    })
    expect(subjects("backlog.deferrals.tracked")).toEqual({
      "gcp.monitoring.notification-channels": "pass",
      "fivetran.connection.historical-sync": "pass",
      "billing.portal.configured": "fail"
    })
    expect(byId.get("backlog.deferrals.tracked")!.message).toContain("billing.portal.configured (fail: follow-up PAY-19 is closed (done))")

    // The report's "Launch scope" section: the ten task files, seven launch-critical items not done.
    expect(report.launchScope).toMatchObject({
      source: 'task files in backlog/, milestone "public launch"',
      total: 10,
      tiers: {
        "launch-critical": { total: 8, open: 7, done: 1, notPlanned: 0 },
        "launch-adjacent": { total: 1, open: 1 },
        "post-launch": { total: 1, open: 1 }
      }
    })
    expect(report.launchScope!.openLaunchCritical!.map((i) => i.ref)).toEqual([
      "DATA-76", "DATA-77", "OPS-340", "OPS-342", "PAY-18", "PAY-21", "SEC-40"
    ])
    expect(report.run.notes).toBeUndefined()

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

  it("the committed LAUNCH-READINESS.md is what the gate generates (docs cannot drift from checks)", async () => {
    const committed = readFileSync(new URL("LAUNCH-READINESS.md", here), "utf8")
    const gate = makeGate("production")
    // As `launchgate docs` does: the launch scope is local (task files), so it is read now and shown.
    // (A `local` declaration provides its own services; only the run context is left to give.)
    const read = Runner.readLaunchScope(gate.launchScope!).pipe(
      Effect.provideService(Gate.RunContext, { gate: gate.name, environment: gate.environment, deferrals: gate.deferrals })
    ) as Effect.Effect<Report.LaunchScope>
    // The document is generated for the demo's instant (`launchgate docs --now`), so deferral expiry does not
    // change it as real time passes.
    const launchScope = await Effect.runPromise(Effect.withClock(read, Runner.pinnedClock(DEMO_NOW)))
    expect(launchScope.error).toBeUndefined()
    expect(committed.trimEnd()).toBe(ReadinessDocument.render(gate, { launchScope }).trimEnd())
    expect(committed).toContain("## Launch scope")
    expect(committed).toContain("| SEC-40 | Repair the JWT signing key rotation pipeline | not_started | security | not deferred |")
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
    const docs = spawnSync(process.execPath, [bin, "docs", "gate.ts", "--check", "--now", DEMO_NOW.toISOString()], { cwd, encoding: "utf8", env })
    expect(docs.status, docs.stderr).toBe(0)
  }, 120_000)

  it("the demo command runs the gate through the CLI, expects BLOCKED (exit 0), says so last, and leaves the five reports", () => {
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
      for (const file of ["console.txt", "report.json", "junit.xml", "report.md", "report.html"]) {
        expect(existsSync(join(out, file))).toBe(true)
      }
      expect(JSON.parse(readFileSync(join(out, "report.json"), "utf8")).verdict).toBe("blocked")
      // Every human report carries the "Launch scope" section read from the ten task files in backlog/.
      for (const file of ["console.txt", "report.md", "report.html"]) {
        const text = readFileSync(join(out, file), "utf8")
        expect(text, file).toMatch(/Launch scope(<\/h2>)?\s*(<p[^>]*>)?10 items in task files in backlog\//)
      }
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
