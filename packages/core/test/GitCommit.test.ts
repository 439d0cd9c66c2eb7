import { execFileSync } from "node:child_process"
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
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

  // A `git` on PATH that records being asked and answers a commit of its own.
  const withFakeGit = <A>(body: (asked: string, sha: string) => A): A => {
    const bin = mkdtempSync(join(tmpdir(), "lg-fakegit-"))
    dirs.push(bin)
    const asked = join(bin, "asked")
    const sha = "0123456789abcdef0123456789abcdef01234567"
    writeFileSync(join(bin, "git"), `#!/bin/sh\ntouch '${asked}'\necho ${sha}\n`)
    chmodSync(join(bin, "git"), 0o755)
    const names = ["GITHUB_SHA", "CI_COMMIT_SHA", "COMMIT_SHA", "BUILDKITE_COMMIT", "CIRCLE_SHA1", "GIT_DIR", "PATH"]
    const saved = names.map((n) => [n, process.env[n]] as const)
    names.forEach((n) => delete process.env[n])
    process.env["PATH"] = `${bin}:${saved.find(([n]) => n === "PATH")![1] ?? ""}`
    try {
      return body(asked, sha)
    } finally {
      saved.forEach(([n, v]) => (v === undefined ? delete process.env[n] : (process.env[n] = v)))
    }
  }

  it("starts no git process outside a repository (issue 13: it blocked the event loop on every run)", () =>
    withFakeGit((asked) => {
      const outside = mkdtempSync(join(tmpdir(), "lg-nogit-"))
      dirs.push(outside)
      expect(gitCommit(outside)).toBeUndefined()
      expect(existsSync(asked)).toBe(false)
    }))

  it("asks git when a repository's layout is one the files cannot answer, or GIT_DIR names one", () =>
    withFakeGit((asked, sha) => {
      const odd = mkdtempSync(join(tmpdir(), "lg-oddgit-"))
      dirs.push(odd)
      mkdirSync(join(odd, ".git"))
      // A HEAD naming a ref kept in no file this reads (reftable, say).
      writeFileSync(join(odd, ".git", "HEAD"), "ref: refs/heads/main\n")
      expect(gitCommit(odd)).toBe(sha)
      expect(existsSync(asked)).toBe(true)
      rmSync(asked)
      const outside = mkdtempSync(join(tmpdir(), "lg-gitdir-"))
      dirs.push(outside)
      process.env["GIT_DIR"] = join(odd, ".git")
      expect(gitCommit(outside)).toBe(sha)
      expect(existsSync(asked)).toBe(true)
    }))
})
