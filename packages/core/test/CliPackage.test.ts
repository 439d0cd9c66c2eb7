// Issue 14, point 4: `npx launchgate` runs our CLI from the unscoped `launchgate` package, which carries tsx;
// @launchgate/core has no TypeScript loader (tsx, esbuild) among its runtime dependencies.
import { spawn } from "node:child_process"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { core, fixture } from "./helpers/cliProcess.js"

const pkg = join(core, "..", "launchgate")

const run = (args: ReadonlyArray<string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(pkg, "bin", "launchgate.mjs"), ...args], { cwd: core })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

describe("the launchgate package", { timeout: 300_000 }, () => {
  it("is the unscoped CLI package: bin launchgate, core and tsx as dependencies; core carries no tsx or esbuild", async () => {
    const manifest = JSON.parse(await readFile(join(pkg, "package.json"), "utf8"))
    expect(manifest.name).toBe("launchgate")
    expect(manifest.bin).toEqual({ launchgate: "./bin/launchgate.mjs" })
    expect(Object.keys(manifest.dependencies).sort()).toEqual(["@launchgate/core", "tsx"])
    const coreManifest = JSON.parse(await readFile(join(core, "package.json"), "utf8"))
    expect(Object.keys(coreManifest.dependencies ?? {})).not.toContain("tsx")
    expect(Object.keys(coreManifest.dependencies ?? {})).not.toContain("esbuild")
  })

  it("its bin prints the version and plans a TypeScript gate", async () => {
    const [version, plan] = await Promise.all([
      run(["--version"]),
      run(["plan", fixture("ready.ts"), "--now", "2030-01-01T00:00:00Z"])
    ])
    expect(version.code).toBe(0)
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/)
    expect(plan.code, plan.stderr).toBe(0)
    expect(plan.stdout).toContain("fixture.api.healthy")
  })
})
