/**
 * `launchgate run <gate-file>`: run a gate, print the console report, write
 * the report files asked for, and exit 0 ready / 1 blocked / 2 usage or
 * configuration error.
 */
import { mkdir, stat, writeFile } from "node:fs/promises"
import * as nodePath from "node:path"
import * as ConsoleReporter from "../../ConsoleReporter.js"
import * as Gate from "../../Gate.js"
import * as JsonReporter from "../../JsonReporter.js"
import * as JUnitReporter from "../../JUnitReporter.js"
import * as MarkdownReporter from "../../MarkdownReporter.js"
import { gitCommit } from "../metadata.js"
import { version } from "../version.js"
import { type Report as ReportType, SCHEMA_VERSION } from "../../Report.js"
import * as ReportDiff from "../../ReportDiff.js"
import * as Runner from "../../Runner.js"
import * as Args from "./args.js"
import type { Command } from "./command.js"
import { ConfigError, EXIT_BLOCKED, EXIT_READY, EXIT_USAGE, type Io, useColor } from "./io.js"
import { loadGate } from "./load.js"
import { readReport } from "./reportFile.js"

const usage = `Usage: launchgate run <gate-file> [options]

Run the gate exported by <gate-file> (TypeScript or JavaScript), print the
report, and write report files when asked.

Options:
  --env NAME            Target environment, passed to a gate module that exports
                        a function (env) => gate (staging, production, …)
  --json FILE           Write the JSON report (schema version 1)
  --junit FILE          Write a JUnit XML report
  --markdown FILE       Write a Markdown report (for PR comments, job summaries)
  --console FILE        Also write the console report (plain text, no colours)
  --concurrency N       Checks running at once (default 8)
  --timeout SECONDS     Timeout of one check unless it sets its own (default 30)
  --deadline SECONDS    Deadline for the whole run; unfinished checks end error
  --fail-fast           Stop at the first blocking result
  --allow-active IDS    Let these active checks run (comma-separated ids)
  --now ISO             Pin "now" for expiry and freshness rules
  --baseline FILE       Compare with a previous JSON report and print what changed;
                        a launch-critical regression exits 1
  --verbose             Show evidence for passing checks too
  --color, --no-color   Force colours on or off (default: on for a terminal,
                        off when NO_COLOR is set)
  -h, --help            Show this help

Report files are written (directories created) even when the run is
interrupted (Ctrl-C); the report is then marked interrupted and the exit code
is 1.

Exit codes: 0 ready, 1 blocked (or interrupted, or a launch-critical regression
against --baseline), 2 configuration or usage error.`

const options = {
  env: { type: "string" },
  json: { type: "string" },
  junit: { type: "string" },
  markdown: { type: "string" },
  console: { type: "string" },
  concurrency: { type: "string" },
  timeout: { type: "string" },
  deadline: { type: "string" },
  "fail-fast": { type: "boolean" },
  "allow-active": { type: "string", multiple: true },
  now: { type: "string" },
  baseline: { type: "string" },
  verbose: { type: "boolean" },
  color: { type: "boolean" },
  "no-color": { type: "boolean" }
} as const

interface ReportFile {
  readonly flag: string
  readonly path: string
  readonly render: (report: ReportType) => string
}

// Writing a report is local I/O: if it has not ended by then, something is wrong with the target file system.
const WRITE_TIMEOUT_MS = 30_000

/**
 * Create `dir` and its missing parents one level at a time. Node 20's
 * `mkdir(…, { recursive: true })` spins forever under /proc; walking up to the
 * nearest existing ancestor and creating each level with a plain `mkdir` fails
 * at once with the real reason instead.
 */
const ensureDirectory = async (dir: string): Promise<void> => {
  const missing: Array<string> = []
  let current = dir
  for (;;) {
    const found = await stat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined
      throw error
    })
    if (found) {
      if (!found.isDirectory()) throw new Error(`${current} exists and is not a directory`)
      break
    }
    missing.unshift(current)
    const parent = nodePath.dirname(current)
    if (parent === current) break
    current = parent
  }
  for (const level of missing) {
    await mkdir(level).catch((error: NodeJS.ErrnoException) => {
      // Another process may have created it meanwhile.
      if (error.code !== "EEXIST") throw error
    })
  }
}

/** Write one report file, bounded in time; every failure is printed with the file and the reason. */
const writeReportFile = async (io: Io, file: ReportFile, report: ReportType): Promise<boolean> => {
  const path = nodePath.resolve(io.cwd, file.path)
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${WRITE_TIMEOUT_MS / 1000} s (is the file system responding?)`)),
      WRITE_TIMEOUT_MS
    )
    timer.unref?.()
  })
  try {
    const text = file.render(report)
    await Promise.race([
      (async () => {
        await ensureDirectory(nodePath.dirname(path))
        await writeFile(path, text.endsWith("\n") ? text : `${text}\n`)
      })(),
      timedOut
    ])
    io.stderr.write(`launchgate: wrote ${file.flag} report to ${file.path}\n`)
    return true
  } catch (error) {
    io.stderr.write(
      `launchgate: could not write the ${file.flag} report to ${file.path} (${path}): ${
        error instanceof Error ? error.message : String(error)
      }\n`
    )
    return false
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The report of a run interrupted before its gate file finished loading: no
 * check ran, so the verdict is blocked and the report says why.
 */
const notLoadedReport = (file: string, reason: string, startedAt: number): ReportType => {
  const finishedAt = Date.now()
  const counts = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0, deferred: 0 }
  const commit = gitCommit()
  return {
    schemaVersion: SCHEMA_VERSION,
    gate: { name: `(not loaded: ${file})` },
    run: {
      startedAt: new Date(startedAt).toISOString(),
      finishedAt: new Date(finishedAt).toISOString(),
      durationMs: finishedAt - startedAt,
      launchgateVersion: version,
      ...(commit ? { gitCommit: commit } : {}),
      nodeVersion: process.version,
      interrupted: true,
      interruptReason: reason,
      notes: [`the gate file ${file} never finished loading; no check ran`]
    },
    verdict: "blocked",
    reasons: [`run ${reason} before the gate file ${file} finished loading; no check ran`],
    policy: { launchAdjacent: "warn" },
    summary: {
      total: 0,
      blocking: 0,
      warnings: 0,
      byTier: { "launch-critical": counts, "launch-adjacent": counts, "post-launch": counts }
    },
    items: [],
    deferrals: [],
    rollback: [],
    unsupported: []
  }
}

const aborted = (signal: AbortSignal): Promise<string> =>
  new Promise((resolve) => {
    const done = () => resolve(`interrupted: ${String(signal.reason)}`)
    if (signal.aborted) done()
    else signal.addEventListener("abort", done, { once: true })
  })

/** The console report; should the reporter itself fail, the verdict and reasons still reach the reader. */
const printReport = (io: Io, report: ReportType, color: boolean, verbose: boolean): void => {
  let text: string
  try {
    text = ConsoleReporter.render(report, { color, verbose })
  } catch (error) {
    text = [
      `launchgate: the console reporter failed (${error instanceof Error ? error.message : String(error)})`,
      `${report.gate.name}: ${report.verdict.toUpperCase()}`,
      ...report.reasons.map((r) => `  - ${r}`)
    ].join("\n")
  }
  io.stdout.write(text.endsWith("\n") ? text : `${text}\n`)
}

const execute = async (args: ReadonlyArray<string>, io: Io): Promise<number> => {
  const { values, positionals } = Args.parse(args, options)
  const file = Args.gateFile(positionals)
  const concurrency = Args.number("concurrency", values.concurrency, { integer: true, min: 1, what: "a whole number of checks >= 1" })
  const timeout = Args.number("timeout", values.timeout, { min: 0.001, what: "a number of seconds > 0" })
  const deadline = Args.number("deadline", values.deadline, { min: 0.001, what: "a number of seconds > 0" })
  const now = Args.instant("now", values.now)
  const allowActive = Args.list(values["allow-active"])
  const reportFiles: Array<ReportFile> = [
    ...(values.json !== undefined ? [{ flag: "--json", path: values.json, render: JsonReporter.render }] : []),
    ...(values.junit !== undefined ? [{ flag: "--junit", path: values.junit, render: JUnitReporter.render }] : []),
    ...(values.markdown !== undefined ? [{ flag: "--markdown", path: values.markdown, render: MarkdownReporter.render }] : []),
    ...(values.console !== undefined
      ? [{ flag: "--console", path: values.console, render: (r: ReportType) => ConsoleReporter.render(r, { color: false, verbose: values.verbose === true }) }]
      : [])
  ]

  // Signals are handled from the start: an interrupt while the gate file loads still leaves a report.
  const startedAt = Date.now()
  const controller = new AbortController()
  const unsubscribe = io.onInterrupt((signal) => {
    if (controller.signal.aborted) return
    io.stderr.write(`\nlaunchgate: ${signal}; stopping checks and writing the reports (send it again to quit now)\n`)
    controller.abort(signal)
  })
  try {
    const plan = { file, reportFiles, controller, startedAt, concurrency, timeout, deadline, now, allowActive }
    return await runAndReport(io, values, plan)
  } finally {
    unsubscribe()
  }
}

interface Planned {
  readonly file: string
  readonly reportFiles: ReadonlyArray<ReportFile>
  readonly controller: AbortController
  readonly startedAt: number
  readonly concurrency: number | undefined
  readonly timeout: number | undefined
  readonly deadline: number | undefined
  readonly now: Date | undefined
  readonly allowActive: ReadonlyArray<string> | undefined
}

const runAndReport = async (
  io: Io,
  values: ReturnType<typeof Args.parse<typeof options>>["values"],
  plan: Planned
): Promise<number> => {
  const { file, controller, allowActive } = plan
  // Read the baseline first: an unreadable one is a usage problem, found before anything runs.
  const baseline = values.baseline === undefined ? undefined : await readReport(io.cwd, values.baseline, "--baseline")
  const interrupted = aborted(controller.signal)
  // A gate module may await anything at its top level: the load races the signal, not the other way round.
  const loaded = await Promise.race([loadGate(file, io.cwd, values.env), interrupted])
  let report: ReportType
  if (typeof loaded === "string") {
    report = notLoadedReport(file, loaded, plan.startedAt)
  } else {
    const { gate } = loaded
    if (allowActive) {
      const known = new Set(Gate.checks(gate).map((c) => c.id))
      const unknown = allowActive.filter((id) => !known.has(id))
      if (unknown.length > 0) {
        throw new ConfigError(`--allow-active names ${unknown.map((id) => `"${id}"`).join(", ")}, not a check of gate "${gate.name}"`)
      }
    }
    const onEvent = ConsoleReporter.progress(io.stderr, { isTTY: io.stderr.isTTY === true })
    report = await Runner.runPromise(gate, {
      signal: controller.signal,
      ...(plan.concurrency !== undefined ? { concurrency: plan.concurrency } : {}),
      ...(plan.timeout !== undefined ? { checkTimeout: plan.timeout * 1000 } : {}),
      ...(plan.deadline !== undefined ? { deadline: plan.deadline * 1000 } : {}),
      ...(values["fail-fast"] ? { failFast: true } : {}),
      ...(allowActive ? { allowActive } : {}),
      ...(plan.now ? { now: plan.now } : {}),
      onEvent
    })
  }

  printReport(io, report, useColor(io, values), values.verbose === true)
  let written = true
  for (const reportFile of plan.reportFiles) written = (await writeReportFile(io, reportFile, report)) && written
  let regressed = false
  if (baseline) {
    const changes = ReportDiff.diff(baseline, report)
    regressed = changes.regressed
    io.stdout.write(`\n${ReportDiff.render(changes)}\n`)
  }
  const code = Math.max(Runner.exitCode(report), regressed ? EXIT_BLOCKED : EXIT_READY)
  // A report that could not be written must not hide the verdict: blocked stays 1; only a ready run becomes 2.
  if (!written && code === EXIT_READY) {
    io.stderr.write("launchgate: the gate is ready, but a requested report could not be written (exit 2)\n")
    return EXIT_USAGE
  }
  return code
}

export const run: Command = {
  name: "run",
  summary: "Run a gate and print its report (exit 0 ready, 1 blocked)",
  usage,
  execute
}
