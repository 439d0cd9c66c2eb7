// The CLI's output and habits through the real bin in a child process (issues 14 and 15): GitHub Actions output,
// HTML with history, JUnit's non-blocking switch, the demo's --expect, progress off a terminal, --only, "did you
// mean", a bare `launchgate`, and a regression listed once by `diff`.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { JsonReporter } from "../src/index.js"
import { fixture, launchgate } from "./helpers/cliProcess.js"

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "launchgate-cli-output-"))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const NOW = ["--now", "2030-01-01T00:00:00Z"]

// Child processes load tsx and effect: generous timeouts for a busy machine (no assertion depends on speed).
describe.concurrent("launchgate run: reports people look at (child process)", { timeout: 400_000 }, () => {
  it("GITHUB_ACTIONS=true: ::error lines for blocking items and the Markdown report appended to the step summary", async () => {
    const summary = join(dir, "step-summary.md")
    await writeFile(summary, "# earlier step\n")
    const [r, plain, flag] = await Promise.all([
      launchgate(["run", fixture("blocked.ts")], { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary }),
      launchgate(["run", fixture("blocked.ts")]),
      launchgate(["run", fixture("blocked.ts"), "--github"])
    ])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^::error title=fixture\.api\.min-instances::/m)
    const text = await readFile(summary, "utf8")
    expect(text.startsWith("# earlier step\n")).toBe(true)
    expect(text).toContain("fixture.api.min-instances")
    // Without the variable (and without --github) nothing of the kind is printed.
    expect(plain.stdout).not.toContain("::error")
    // --github without a summary file: the commands, and no summary to write.
    expect(flag.stdout).toMatch(/^::error title=fixture\.api\.min-instances::/m)
    expect(flag.stderr).not.toContain("GITHUB_STEP_SUMMARY")
  })

  it("--html with --history: one self-contained file with the trend; an unreadable history file becomes a note", async () => {
    const history = join(dir, "history")
    const first = join(history, "2029-12-31.json")
    const r1 = await launchgate(["run", fixture("ready.ts"), ...NOW, "--json", first])
    expect(r1.code).toBe(0)
    await writeFile(join(history, "broken.json"), "{ not json")
    const html = join(dir, "report.html")
    const json = join(dir, "with-history.json")
    const r = await launchgate(["run", fixture("ready.ts"), ...NOW, "--html", html, "--history", history, "--json", json])
    expect(r.code).toBe(0)
    const page = await readFile(html, "utf8")
    expect(page).toMatch(/^<!doctype html>/i)
    expect(page).toContain("<svg")
    expect(page).not.toMatch(/<(script|link|img)[^>]+(src|href)="https?:/i)
    const report = JsonReporter.parse(await readFile(json, "utf8"))
    expect(report.run.notes?.some((n) => n.includes("broken.json"))).toBe(true)
  })

  it("--junit-nonblocking: skipped by default, failure on request, anything else a usage error", async () => {
    const skipped = join(dir, "junit-skipped.xml")
    const failure = join(dir, "junit-failure.xml")
    const [a, b, bad] = await Promise.all([
      launchgate(["run", fixture("ready.ts"), ...NOW, "--junit", skipped]),
      launchgate(["run", fixture("ready.ts"), ...NOW, "--junit", failure, "--junit-nonblocking", "failure"]),
      launchgate(["run", fixture("ready.ts"), "--junit-nonblocking", "red"])
    ])
    expect([a.code, b.code]).toEqual([0, 0])
    expect(await readFile(skipped, "utf8")).not.toMatch(/<failure[^>]*type="non-blocking"/)
    expect(await readFile(failure, "utf8")).toMatch(/<failure[^>]*type="non-blocking"/)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--junit-nonblocking expects skipped or failure, got "red"')
  })

  it("--expect blocked (demos): exit 0 and a last line stating the verdict and what run alone exits", async () => {
    const [demo, wrong, plain] = await Promise.all([
      launchgate(["run", fixture("blocked.ts"), "--expect", "blocked"]),
      launchgate(["run", fixture("blocked.ts"), "--expect", "ready"]),
      launchgate(["run", fixture("blocked.ts")])
    ])
    expect(demo.code).toBe(0)
    expect(demo.stdout.trimEnd().split("\n").at(-1)).toBe(
      "As expected, the verdict is BLOCKED: `launchgate run` without --expect exits 1 for it."
    )
    expect(wrong.code).toBe(1)
    expect(plain.code).toBe(1)
    // Without --expect the verdict is the last line, and the blocker above it carries tier, owner and fix.
    expect(plain.stdout.trimEnd().split("\n").at(-1)).toBe("BLOCKED: 1 blocking, 0 warnings, 0 deferred, 1 item")
    expect(plain.stdout).toMatch(
      /BLOCKING +fixture\.api\.min-instances: min instances is 0\n +launch-critical · platform · fix: set min instances to 1\n/
    )
  })

  it("off a terminal: no progress lines unless --progress; a short report in 80 columns ending with the verdict", async () => {
    const [quiet, progress, verbose] = await Promise.all([
      launchgate(["run", fixture("ready.ts"), ...NOW]),
      launchgate(["run", fixture("ready.ts"), ...NOW, "--progress"]),
      launchgate(["run", fixture("ready.ts"), ...NOW, "--verbose"])
    ])
    expect(quiet.stderr).not.toMatch(/^\[\d+\/\d+\]/m)
    expect(progress.stderr).toMatch(/^\[1\/4\] /m)
    for (const line of quiet.stdout.split("\n")) expect([...line].length, line).toBeLessThanOrEqual(80)
    expect(quiet.stdout).toContain("PASSED fine")
    expect(quiet.stdout.trimEnd().split("\n").at(-1)).toMatch(/^READY: 0 blocking, 1 warning, 1 deferred, 4 items$/)
    // Passed items are counted, not listed; --verbose lists every item.
    expect(quiet.stdout).not.toContain("fixture.api.healthy")
    expect(quiet.stdout).toContain("launch-critical: 1 passed, 1 attested, 1 deferred")
    for (const id of ["fixture.api.healthy", "fixture.api.alerts", "fixture.api.load-test", "fixture.process.rehearsal"]) {
      expect(verbose.stdout).toContain(id)
    }
    expect(verbose.stdout.trimEnd().split("\n").at(-1)).toMatch(/^READY: /)
  })

  it("--only runs a subset (ids or globs), leaves the rest out and says so; a pattern matching nothing is exit 2", async () => {
    const json = join(dir, "only.json")
    const r = await launchgate(["run", fixture("ready.ts"), ...NOW, "--only", "fixture.api.h*,fixture.process.rehearsal", "--json", json])
    expect(r.code).toBe(0)
    const report = JsonReporter.parse(await readFile(json, "utf8"))
    expect(report.items.map((i) => i.id)).toEqual(["fixture.api.healthy", "fixture.process.rehearsal"])
    expect(report.run.notes?.[0]).toMatch(/^subset run \(--only fixture\.api\.h\*,fixture\.process\.rehearsal\): 2 of 4 checks/)
    expect(r.stdout).toContain("note: subset run")
    const none = await launchgate(["run", fixture("ready.ts"), "--only", "nothing.*"])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('--only "nothing.*" matches no check')
  })
})

describe.concurrent("launchgate habits (child process)", { timeout: 400_000 }, () => {
  it("suggests the option or command meant, and a bare launchgate prints the usage to stderr with exit 2", async () => {
    const [option, command, bare] = await Promise.all([
      launchgate(["run", fixture("ready.ts"), "--jsn", "r.json"]),
      launchgate(["rnu", fixture("ready.ts")]),
      launchgate([])
    ])
    expect(option.code).toBe(2)
    expect(option.stderr).toContain("Unknown option '--jsn'. Did you mean `--json`?")
    expect(command.code).toBe(2)
    expect(command.stderr).toContain('unknown command "rnu". Did you mean `run`?')
    expect(bare.code).toBe(2)
    expect(bare.stdout).toBe("")
    expect(bare.stderr).toContain("Usage: launchgate <command>")
  })

  it("diff lists a launch-critical regression once, not again under Newly failing", async () => {
    const good = join(dir, "diff-good.json")
    const bad = join(dir, "diff-bad.json")
    expect((await launchgate(["run", fixture("ready.ts"), ...NOW, "--json", good])).code).toBe(0)
    const report = JsonReporter.parse(await readFile(good, "utf8"))
    const worse = {
      ...report,
      verdict: "blocked" as const,
      items: report.items.map((i) =>
        i.id === "fixture.api.healthy" ? { ...i, status: "fail" as const, disposition: "blocking" as const } : i
      )
    }
    await writeFile(bad, JsonReporter.render(worse))
    const r = await launchgate(["diff", good, bad])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain("Launch-critical regressions (1):")
    expect(r.stdout.match(/fixture\.api\.healthy/g)).toHaveLength(1)
  })
})
