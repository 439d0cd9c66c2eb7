import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { gitCommit, headFromFiles } from "../src/internal/metadata.js"

const dirs: Array<string> = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

const git = (cwd: string, ...args: Array<string>) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd, encoding: "utf8" }).trim()

const repo = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "lg-git-"))
  dirs.push(dir)
  git(dir, "init", "-q", "-b", "main")
  writeFileSync(join(dir, "a.txt"), "a")
  git(dir, "add", "a.txt")
  git(dir, "commit", "-q", "-m", "first")
  return dir
}

describe("the run's git commit, read from the repository's files (no git process per run)", () => {
  it("agrees with git rev-parse HEAD: loose ref, after a new commit, packed refs, detached HEAD, worktree", () => {
    const dir = repo()
    expect(headFromFiles(dir)).toBe(git(dir, "rev-parse", "HEAD"))
    writeFileSync(join(dir, "b.txt"), "b")
    git(dir, "add", "b.txt")
    git(dir, "commit", "-q", "-m", "second")
    const second = git(dir, "rev-parse", "HEAD")
    expect(headFromFiles(join(dir))).toBe(second)
    git(dir, "pack-refs", "--all")
    expect(headFromFiles(dir)).toBe(second)
    git(dir, "checkout", "-q", "--detach", "HEAD~1")
    expect(headFromFiles(dir)).toBe(git(dir, "rev-parse", "HEAD"))
    expect(headFromFiles(dir)).not.toBe(second)
    git(dir, "checkout", "-q", "main")
    const tree = mkdtempSync(join(tmpdir(), "lg-worktree-"))
    dirs.push(tree)
    rmSync(tree, { recursive: true })
    git(dir, "worktree", "add", "-q", "-b", "other", tree)
    writeFileSync(join(tree, "c.txt"), "c")
    git(tree, "add", "c.txt")
    git(tree, "commit", "-q", "-m", "in the worktree")
    expect(headFromFiles(tree)).toBe(git(tree, "rev-parse", "HEAD"))
    expect(headFromFiles(tree)).not.toBe(second)
    expect(headFromFiles(dir)).toBe(second)
  })

  it("from a subdirectory, and nothing outside a repository", () => {
    const dir = repo()
    const sub = join(dir, "nested")
    execFileSync("mkdir", ["-p", sub])
    expect(headFromFiles(sub)).toBe(git(dir, "rev-parse", "HEAD"))
    const outside = mkdtempSync(join(tmpdir(), "lg-nogit-"))
    dirs.push(outside)
    expect(headFromFiles(outside)).toBeUndefined()
    // CI variables come first; without them, no commit is invented.
    const names = ["GITHUB_SHA", "CI_COMMIT_SHA", "COMMIT_SHA", "BUILDKITE_COMMIT", "CIRCLE_SHA1"]
    const saved = names.map((n) => [n, process.env[n]] as const)
    names.forEach((n) => delete process.env[n])
    try {
      expect(gitCommit(outside)).toBeUndefined()
      expect(gitCommit(sub)).toBe(git(dir, "rev-parse", "HEAD"))
    } finally {
      saved.forEach(([n, v]) => (v === undefined ? delete process.env[n] : (process.env[n] = v)))
    }
  })
})
