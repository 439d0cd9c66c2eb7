import { spawn } from "node:child_process"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { XMLParser } from "fast-xml-parser"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { inProcess } from "./helpers/cli.js"
import { JsonReporter } from "../src/index.js"

const core = fileURLToPath(new URL("..", import.meta.url))
const bin = join(core, "bin", "launchgate.mjs")
const fixture = (name: string) => join("test", "fixtures", "cli", name)

interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Run the real bin in a child process (cwd: packages/core, so fixture paths print as test/fixtures/cli/…). */
const launchgate = (args: ReadonlyArray<string>, onStderr?: (text: string, child: ReturnType<typeof spawn>) => void) =>
  new Promise<Result>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: core,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => {
      stderr += d
      onStderr?.(stderr, child)
    })
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "launchgate-cli-"))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe("launchgate CLI (in process)", () => {
  it("prints help for the CLI and each command, and the version", async () => {
    const top = await inProcess(["--help"])
    expect(top.code).toBe(0)
    expect(top.stdout).toMatch(/run <gate-file>[\s\S]*plan <gate-file>[\s\S]*Exit codes:/)
    for (const argv of [["help", "run"], ["run", "--help"]]) {
      const r = await inProcess(argv)
      expect(r.code).toBe(0)
      expect(r.stdout).toContain("Usage: launchgate run <gate-file>")
      expect(r.stdout).toContain("--allow-active")
    }
    expect((await inProcess(["plan", "-h"])).stdout).toContain("--within DAYS")
    expect((await inProcess(["--version"])).stdout).toMatch(/^\d+\.\d+\.\d+/)
  })

  it("exits 2 with the usage on usage errors, before loading anything", async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
      [[], /Usage: launchgate <command>/],
      [["deploy"], /unknown command "deploy"/],
      [["help", "deploy"], /unknown command "deploy"/],
      [["run"], /launchgate run: missing <gate-file>/],
      [["run", "a.ts", "b.ts"], /expected one <gate-file>, got 2/],
      [["run", "gate.ts", "--concurrency", "0"], /--concurrency expects a whole number of checks >= 1, got "0"/],
      [["run", "gate.ts", "--timeout", "soon"], /--timeout expects a number of seconds > 0/],
      [["run", "gate.ts", "--now", "yesterday"], /--now expects an ISO-8601 date/],
      [["run", "gate.ts", "--jsn", "r.json"], /Unknown option '--jsn'/],
      [["plan", "gate.ts", "--within=-1"], /--within expects a number of days >= 0/],
      [["plan", "gate.ts", "--within"], /Option '--within <value>' argument missing$/m]
    ]
    for (const [argv, message] of cases) {
      const r = await inProcess(argv)
      expect(r.code, argv.join(" ")).toBe(2)
      expect(r.stderr + r.stdout, argv.join(" ")).toMatch(message)
    }
    // Command usage follows a command's usage error.
    expect((await inProcess(["run"])).stderr).toContain("Usage: launchgate run <gate-file>")
  })

  it("exits 2 naming the path when the gate file does not exist", async () => {
    const r = await inProcess(["run", "test/fixtures/cli/nope.ts"])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("gate file not found: test/fixtures/cli/nope.ts")
  })
})

// Child processes load tsx and effect (~2 CPU-seconds each): generous timeouts for a busy CI machine.
describe.concurrent("launchgate CLI (child process)", { timeout: 120_000 }, () => {
  it("run: exits 0 when ready and writes parseable JSON, JUnit and Markdown reports (directories created)", async () => {
    const json = join(dir, "ready", "nested", "report.json")
    const junit = join(dir, "ready", "junit.xml")
    const markdown = join(dir, "ready", "md", "report.md")
    const r = await launchgate([
      "run", fixture("ready.ts"), "--now", "2030-01-01T00:00:00Z",
      "--json", json, "--junit", junit, "--markdown", markdown
    ])
    expect(r.stderr).not.toContain("could not write")
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("cli fixture (ready)")
    const report = JsonReporter.parse(await readFile(json, "utf8"))
    expect(report.verdict).toBe("ready")
    expect(report.items.map((i) => [i.id, i.disposition])).toEqual([
      ["fixture.api.healthy", "ok"],
      ["fixture.api.alerts", "warning"],
      ["fixture.api.load-test", "deferred"],
      ["fixture.process.rehearsal", "ok"]
    ])
    expect(report.items.find((i) => i.kind === "attestation")?.meta).toMatchObject({ attestedBy: "Dana" })
    const xml = new XMLParser({ ignoreAttributes: false }).parse(await readFile(junit, "utf8"))
    expect(JSON.stringify(xml)).toContain("fixture.api.healthy")
    expect(await readFile(markdown, "utf8")).toContain("cli fixture (ready)")
  })

  it("run: exits 1 when blocked (named `gate` export), with the evidence in the console report", async () => {
    const r = await launchgate(["run", fixture("blocked.ts"), "--no-color"])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain("min instances is 0")
    expect(r.stdout).not.toMatch(/\u001b\[/)
  })

  it("run: exits 2 on an invalid gate, naming the file and the bad field", async () => {
    const r = await launchgate(["run", fixture("invalid.ts")])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("test/fixtures/cli/invalid.ts")
    expect(r.stderr).toContain("items[0].tier")
    expect(r.stdout).toBe("")
  })

  it("run --env: one gate module, different thresholds per environment", async () => {
    const json = join(dir, "env", "production.json")
    const [staging, production] = await Promise.all([
      launchgate(["run", fixture("environments.ts"), "--env", "staging"]),
      launchgate(["run", fixture("environments.ts"), "--env", "production", "--json", json])
    ])
    expect(staging.code).toBe(0)
    expect(production.code).toBe(1)
    const report = JsonReporter.parse(await readFile(json, "utf8"))
    expect(report.gate.environment).toBe("production")
    expect(report.items[0]?.evidence).toMatchObject({ observed: 2, expected: ">= 3" })
  })

  it("plan --strict: exits 1 with a deferral expiring within --within days, 0 when outside it", async () => {
    const now = "2030-01-01T00:00:00Z"
    const [expiring, quiet] = await Promise.all([
      launchgate(["plan", fixture("ready.ts"), "--now", now, "--within", "14", "--strict"]),
      launchgate(["plan", fixture("ready.ts"), "--now", now, "--within", "5", "--strict"])
    ])
    expect(expiring.code).toBe(1)
    expect(expiring.stdout).toMatch(/EXPIRING\s+fixture\.api\.load-test/)
    expect(expiring.stdout).toContain("fixture.api.load-test: deferral expires 2030-01-10 (in 9 days)")
    expect(quiet.code).toBe(0)
    expect(quiet.stdout).toMatch(/launch-critical \(3\)[\s\S]*fixture\.api\.healthy[\s\S]*owner: platform/)
    expect(quiet.stdout).toContain("Nothing expired or expiring within 5 days.")
  })

  it("run: Ctrl-C aborts the checks, still writes the report marked interrupted, and exits 1", async () => {
    const json = join(dir, "interrupted", "report.json")
    let sent = false
    const r = await launchgate(["run", fixture("hanging.ts"), "--json", json], (stderr, child) => {
      if (!sent && stderr.includes("FIXTURE-HANGING")) {
        sent = true
        child.kill("SIGINT")
      }
    })
    expect(sent).toBe(true)
    expect(r.code).toBe(1)
    const report = JsonReporter.parse(await readFile(json, "utf8"))
    expect(report.run.interrupted).toBe(true)
    expect(report.verdict).toBe("blocked")
    expect(report.items.find((i) => i.id === "fixture.api.hangs")?.status).toBe("error")
  })
})
