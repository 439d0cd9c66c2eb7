import { spawnSync } from "node:child_process"

/**
 * The git commit of the working directory, when one can be found: CI
 * variables first (no process needed), then `git rev-parse HEAD`.
 */
export const gitCommit = (): string | undefined => {
  for (const name of ["GITHUB_SHA", "CI_COMMIT_SHA", "COMMIT_SHA", "BUILDKITE_COMMIT", "CIRCLE_SHA1"]) {
    const value = process.env[name]
    if (value && /^[0-9a-f]{7,40}$/i.test(value)) return value
  }
  try {
    const result = spawnSync("git", ["rev-parse", "HEAD"], { encoding: "utf8", timeout: 2000, stdio: ["ignore", "pipe", "ignore"] })
    const out = result.stdout?.trim()
    return result.status === 0 && out && /^[0-9a-f]{40}$/.test(out) ? out : undefined
  } catch {
    return undefined
  }
}
