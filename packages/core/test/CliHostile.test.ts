import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { JsonReporter } from "../src/index.js"

// Hostile gates through the real bin in a child process: each run must end (with a report or a configuration
// error) instead of hanging, crashing or losing the report. Bounds are liveness backstops far above what the
// runs need (the broken CLI hung for minutes); no assertion depends on how fast the machine is.
const core = fileURLToPath(new URL("..", import.meta.url))
const bin = join(core, "bin", "launchgate.mjs")
const fixture = (dir: "hostile" | "cli", name: string) => join("test", "fixtures", dir, name)
const BACKSTOP_MS = 90_000

interface Result {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

const launchgate = (args: ReadonlyArray<string>, onStderr?: (text: string, child: ReturnType<typeof spawn>) => void) =>
  new Promise<Result>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: core,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    const backstop = setTimeout(() => child.kill("SIGKILL"), BACKSTOP_MS)
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => {
      stderr += d
      onStderr?.(stderr, child)
    })
    child.on("error", reject)
    child.on("close", (code, signal) => {
      clearTimeout(backstop)
      resolve({ code, signal, stdout, stderr })
    })
  })

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "launchgate-hostile-cli-"))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe("launchgate run with hostile gates", { timeout: BACKSTOP_MS + 30_000 }, () => {
  it("a dependsOn cycle is a configuration error naming the cycle: exit 2, nothing runs", async () => {
    const r = await launchgate(["run", fixture("hostile", "cycle.ts")])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("dependency cycle: fixture.api.a → fixture.api.b → fixture.api.a")
    expect(r.stdout).toBe("")
  })

  it("missing configuration of several clients: every variable named in one message, exit 2, the report kept", async () => {
    const json = join(dir, "missing-config", "report.json")
    const r = await launchgate(["run", fixture("hostile", "missing-config.ts"), "--json", json])
    expect(r.code).toBe(2)
    for (const name of ["LG_FIXTURE_ALPHA_API_KEY", "LG_FIXTURE_BETA_PROJECT", "LG_FIXTURE_BETA_TOKEN"]) {
      expect(r.stderr + r.stdout).toContain(name)
    }
    const report = JsonReporter.parse(await readFile(json, "utf8"))
    expect(report.verdict).toBe("blocked")
    expect(report.run.configurationErrors?.map((e) => e.path).sort()).toEqual([
      "LG_FIXTURE_ALPHA_API_KEY", "LG_FIXTURE_BETA_PROJECT", "LG_FIXTURE_BETA_TOKEN"
    ])
    expect(report.items.every((i) => i.status === "error")).toBe(true)
  })

  it("SIGTERM while the gate file loads writes a report that says so, naming SIGTERM, and exits 1", async () => {
    const json = join(dir, "slow-load", "report.json")
    let sent = false
    const r = await launchgate(["run", fixture("hostile", "slow-load.ts"), "--json", json], (stderr, child) => {
      if (!sent && stderr.includes("FIXTURE-LOADING")) {
        sent = true
        child.kill("SIGTERM")
      }
    })
    expect(sent).toBe(true)
    expect(r.signal).toBeNull()
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("SIGTERM")
    const report = JsonReporter.parse(await readFile(json, "utf8"))
    expect(report.verdict).toBe("blocked")
    expect(report.run.interrupted).toBe(true)
    expect(report.run.interruptReason).toBe("interrupted: SIGTERM")
    expect(report.run.notes?.[0]).toContain("never finished loading")
    expect(report.items).toEqual([])
  })

  it("SIGTERM during a check is reported as SIGTERM, not SIGINT", async () => {
    const json = join(dir, "sigterm", "report.json")
    let sent = false
    const r = await launchgate(["run", fixture("cli", "hanging.ts"), "--json", json], (stderr, child) => {
      if (!sent && stderr.includes("FIXTURE-HANGING")) {
        sent = true
        child.kill("SIGTERM")
      }
    })
    expect(r.code).toBe(1)
    const report = JsonReporter.parse(await readFile(json, "utf8"))
    expect(report.run.interruptReason).toBe("interrupted: SIGTERM")
    expect(report.reasons[0]).toBe("run interrupted: SIGTERM")
  })

  it("--deadline also bounds a gate layer that never finishes building: exit 1 with a report", async () => {
    const json = join(dir, "layer", "report.json")
    const r = await launchgate(["run", fixture("hostile", "layer-never-builds.ts"), "--deadline", "1", "--json", json])
    expect(r.stderr).toContain("FIXTURE-BUILDING")
    expect(r.code).toBe(1)
    const report = JsonReporter.parse(await readFile(json, "utf8"))
    expect(report.run.interrupted).toBe(true)
    expect(report.run.interruptReason).toContain("overall deadline of 1s exceeded")
    expect(report.items).toHaveLength(1)
    expect(report.items[0]).toMatchObject({ id: "fixture.api.uses-client", status: "error", disposition: "blocking" })
    expect(report.items[0]!.message).toContain("services were being set up")
  })

  it.skipIf(!existsSync("/proc/self"))(
    "--json under /proc ends promptly: the verdict is kept (exit 1 for blocked) and the file is named",
    async () => {
      const r = await launchgate(["run", fixture("cli", "blocked.ts"), "--json", "/proc/nope/r.json"])
      expect(r.signal).toBeNull()
      expect(r.code).toBe(1)
      expect(r.stdout).toContain("BLOCKED")
      expect(r.stderr).toContain("could not write the --json report to /proc/nope/r.json")
      expect(r.stderr).not.toContain("EEXIST")
    }
  )

  it("a ready gate whose requested report cannot be written exits 2, saying which file and why", async () => {
    const notADirectory = join(dir, "plain-file")
    await writeFile(notADirectory, "not a directory\n")
    const target = join(notADirectory, "r.json")
    const r = await launchgate(["run", fixture("hostile", "ready.ts"), "--json", target])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`could not write the --json report to ${target}`)
    expect(r.stderr).toContain("is not a directory")
    expect(r.stderr).toContain("the gate is ready, but a requested report could not be written")
  })
})
