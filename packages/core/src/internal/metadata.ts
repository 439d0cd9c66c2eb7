import { spawnSync } from "node:child_process"
import { existsSync, readFileSync, statSync } from "node:fs"
import * as nodePath from "node:path"

const SHA = /^[0-9a-f]{40}$/

const read = (file: string): string | undefined => {
  try {
    return readFileSync(file, "utf8").trim()
  } catch {
    return undefined
  }
}

/** The git directory of `cwd` (a worktree's `.git` is a file naming it), or undefined outside a repository. */
const gitDirOf = (cwd: string): string | undefined => {
  for (let dir = nodePath.resolve(cwd); ; dir = nodePath.dirname(dir)) {
    const dotGit = nodePath.join(dir, ".git")
    if (existsSync(dotGit)) {
      if (statSync(dotGit).isDirectory()) return dotGit
      const pointer = /^gitdir:\s*(.+)$/m.exec(read(dotGit) ?? "")
      return pointer ? nodePath.resolve(dir, pointer[1]!.trim()) : undefined
    }
    if (nodePath.dirname(dir) === dir) return undefined
  }
}

/**
 * HEAD's commit read from the repository's files (loose ref, then packed-refs; worktrees through `commondir`),
 * or undefined when the layout is one this does not know (reftable, a broken ref): the caller then asks git.
 */
export const headFromFiles = (cwd: string): string | undefined => {
  const gitDir = gitDirOf(cwd)
  if (gitDir === undefined) return undefined
  const head = read(nodePath.join(gitDir, "HEAD"))
  if (head === undefined) return undefined
  if (SHA.test(head)) return head
  const ref = /^ref:\s*(refs\/\S+)$/.exec(head)?.[1]
  if (ref === undefined) return undefined
  const common = read(nodePath.join(gitDir, "commondir"))
  const commonDir = common === undefined ? gitDir : nodePath.resolve(gitDir, common)
  for (const dir of [gitDir, commonDir]) {
    const loose = read(nodePath.join(dir, ref))
    if (loose !== undefined && SHA.test(loose)) return loose
  }
  for (const line of (read(nodePath.join(commonDir, "packed-refs")) ?? "").split("\n")) {
    const [sha, name] = line.trim().split(" ")
    if (name === ref && sha !== undefined && SHA.test(sha)) return sha
  }
  return undefined
}

/**
 * The git commit of the working directory, when one can be found: CI variables first, then the repository's
 * own files, then `git rev-parse HEAD` (only inside a repository). Reading the files first matters: every run
 * records the commit, and a synchronous `git` process per run blocked the event loop for tens of milliseconds (a
 * gate of 100 trivial checks runs in about that long).
 */
export const gitCommit = (cwd: string = process.cwd()): string | undefined => {
  for (const name of ["GITHUB_SHA", "CI_COMMIT_SHA", "COMMIT_SHA", "BUILDKITE_COMMIT", "CIRCLE_SHA1"]) {
    const value = process.env[name]
    if (value && /^[0-9a-f]{7,40}$/i.test(value)) return value
  }
  try {
    const fromFiles = headFromFiles(cwd)
    if (fromFiles !== undefined) return fromFiles
    // Outside any repository git has nothing to say either (unless GIT_DIR points somewhere): no process. A
    // gate run from an unpacked project spent 15-25 ms of blocked event loop per run asking (issue 13).
    if (gitDirOf(cwd) === undefined && process.env["GIT_DIR"] === undefined) return undefined
  } catch {
    // An unreadable layout: git itself decides below.
  }
  try {
    const result = spawnSync("git", ["rev-parse", "HEAD"], {
      cwd,
      encoding: "utf8",
      timeout: 2000,
      stdio: ["ignore", "pipe", "ignore"]
    })
    const out = result.stdout?.trim()
    return result.status === 0 && out && SHA.test(out) ? out : undefined
  } catch {
    return undefined
  }
}
