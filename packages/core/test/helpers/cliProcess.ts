import { spawn } from "node:child_process"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

/** packages/core: the child's working directory, so fixture paths print as test/fixtures/cli/…. */
export const core = fileURLToPath(new URL("../..", import.meta.url))
export const bin = join(core, "bin", "launchgate.mjs")
export const fixture = (name: string) => join("test", "fixtures", "cli", name)

export interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Run the real bin in a child process, off a terminal, with `env` on top of a clean CI-free environment. */
export const launchgate = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}, cwd = core) =>
  new Promise<Result>((resolve, reject) => {
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith("GITHUB_") && k !== "CI")
    ) as Record<string, string>
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: { ...base, NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })
