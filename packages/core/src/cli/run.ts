/**
 * `launchgate run <gate-file>`: run a gate, print the console report, write
 * the report files asked for, and exit 0 ready / 1 blocked / 2 usage or
 * configuration error.
 */
import { mkdir, stat, writeFile } from "node:fs/promises"
import * as nodePath from "node:path"
import * as ConsoleReporter from "../ConsoleReporter.js"
import * as Gate from "../Gate.js"
import * as GitHubActions from "../GitHubActions.js"
import * as HtmlReporter from "../HtmlReporter.js"
import * as JsonReporter from "../JsonReporter.js"
import * as JUnitReporter from "../JUnitReporter.js"
import * as MarkdownReporter from "../MarkdownReporter.js"
import { gitCommit } from "../internal/metadata.js"
import { version } from "../internal/version.js"
import { type Report as ReportType, SCHEMA_VERSION } from "../Report.js"
import * as ReportDiff from "../ReportDiff.js"
import * as Runner from "../Runner.js"
import * as Args from "./args.js"
import { runOptions } from "./commands.js"
import type { Context } from "./command.js"
import { ConfigError, EXIT_BLOCKED, EXIT_READY, EXIT_USAGE, type Io, UsageError, useColor } from "./io.js"
import { loadGate } from "./load.js"
import { readReport } from "./reportFile.js"
import { select } from "./select.js"

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
const printReport = (io: Io, report: ReportType, options: ConsoleReporter.RenderOptions): void => {
  let text: string
  try {
    text = ConsoleReporter.render(report, options)
  } catch (error) {
    text = [
      `launchgate: the console reporter failed (${error instanceof Error ? error.message : String(error)})`,
      `${report.gate.name}: ${report.verdict.toUpperCase()}`,
      ...report.reasons.map((r) => `  - ${r}`)
    ].join("\n")
  }
  io.stdout.write(text.endsWith("\n") ? text : `${text}\n`)
}

type Values = ReturnType<typeof Args.parse<typeof runOptions>>["values"]

const NON_BLOCKING = ["skipped", "failure"] as const
const EXPECTED = ["ready", "blocked"] as const

const oneOf = <const T extends string>(flag: string, value: string | undefined, allowed: ReadonlyArray<T>): T | undefined => {
  if (value === undefined) return undefined
  if ((allowed as ReadonlyArray<string>).includes(value)) return value as T
  throw new UsageError(`${flag} expects ${allowed.join(" or ")}, got ${JSON.stringify(value)}`)
}

/** Text width for the console report: the terminal's, 80 off a terminal, unbounded with --verbose. */
const consoleWidth = (io: Io, verbose: boolean): number | undefined => {
  if (verbose) return undefined
  const columns = (io.stdout as { readonly columns?: number | undefined }).columns
  return io.stdout.isTTY === true && columns !== undefined && columns > 0 ? columns : 80
}

const reportFilesOf = (values: Values, junitNonBlocking: "skipped" | "failure" | undefined): Array<ReportFile> => {
  const file = (flag: string, path: string | undefined, render: (r: ReportType) => string): Array<ReportFile> =>
    path === undefined ? [] : [{ flag, path, render }]
  return [
    ...file("--json", values.json, JsonReporter.render),
    ...file("--junit", values.junit, (r) => JUnitReporter.render(r, { nonBlocking: junitNonBlocking })),
    ...file("--markdown", values.markdown, MarkdownReporter.render),
    // The file is the whole report (every item, its evidence, every character): the short form is for the screen.
    ...file("--console", values.console, (r) => ConsoleReporter.render(r, { color: false, verbose: true }))
  ]
}

export const execute = async (args: ReadonlyArray<string>, io: Io, context: Context): Promise<number> => {
  const { values, positionals } = Args.parse(args, runOptions)
  const file = Args.gateFile(positionals)
  const wholeNumber = { integer: true, min: 1, what: "a whole number of checks >= 1" }
  const seconds = { min: 0.001, what: "a number of seconds > 0" }
  const junitNonBlocking = oneOf("--junit-nonblocking", values["junit-nonblocking"], NON_BLOCKING)
  const planned: Planned = {
    file,
    reportFiles: reportFilesOf(values, junitNonBlocking),
    controller: new AbortController(),
    startedAt: Date.now(),
    concurrency: Args.number("concurrency", values.concurrency, wholeNumber),
    timeout: Args.number("timeout", values.timeout, seconds),
    deadline: Args.number("deadline", values.deadline, seconds),
    now: Args.instant("now", values.now),
    allowActive: Args.list(values["allow-active"]),
    only: Args.list(values.only),
    expect: oneOf("--expect", values.expect, EXPECTED)
  }
  if (planned.only !== undefined && planned.only.length === 0) throw new UsageError("--only expects check ids or globs")

  // Signals are handled from the start: an interrupt while the gate file loads still leaves a report.
  const { controller } = planned
  const unsubscribe = io.onInterrupt((signal) => {
    if (controller.signal.aborted) return
    io.stderr.write(`\nlaunchgate: ${signal}; stopping checks and writing the reports (send it again to quit now)\n`)
    controller.abort(signal)
  })
  try {
    return await runAndReport(io, values, planned, context)
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
  readonly only: ReadonlyArray<string> | undefined
  readonly expect: "ready" | "blocked" | undefined
}

const withNotes = (report: ReportType, notes: ReadonlyArray<string>): ReportType =>
  notes.length === 0 ? report : { ...report, run: { ...report.run, notes: [...(report.run.notes ?? []), ...notes] } }

const checkAllowActive = (gate: Gate.Gate<any>, allowActive: ReadonlyArray<string> | undefined): void => {
  if (!allowActive) return
  const known = new Set(Gate.checks(gate).map((c) => c.id))
  const unknown = allowActive.filter((id) => !known.has(id))
  if (unknown.length > 0) {
    throw new ConfigError(`--allow-active names ${unknown.map((id) => `"${id}"`).join(", ")}, not a check of gate "${gate.name}"`)
  }
}

const runGate = async (io: Io, values: Values, plan: Planned, gate: Gate.Gate<any>): Promise<ReportType> => {
  // Off a terminal the report lists every item; progress lines would only print them twice.
  const showProgress = io.stderr.isTTY === true || values.progress === true
  const onEvent = showProgress ? ConsoleReporter.progress(io.stderr, { isTTY: io.stderr.isTTY === true }) : undefined
  return Runner.runPromise(gate, {
    signal: plan.controller.signal,
    ...(plan.concurrency !== undefined ? { concurrency: plan.concurrency } : {}),
    ...(plan.timeout !== undefined ? { checkTimeout: plan.timeout * 1000 } : {}),
    ...(plan.deadline !== undefined ? { deadline: plan.deadline * 1000 } : {}),
    ...(values["fail-fast"] ? { failFast: true } : {}),
    ...(plan.allowActive ? { allowActive: plan.allowActive } : {}),
    ...(plan.now ? { now: plan.now } : {}),
    ...(onEvent ? { onEvent } : {})
  })
}

const runAndReport = async (io: Io, values: Values, plan: Planned, context: Context): Promise<number> => {
  const { file, controller } = plan
  // Read the baseline and the history first: an unreadable baseline is a usage problem, found before anything runs;
  // an unreadable history file is a note (a history is a convenience, the current run is the evidence).
  const baseline = values.baseline === undefined ? undefined : await readReport(io.cwd, values.baseline, "--baseline")
  const history = values.history === undefined ? undefined : await HtmlReporter.loadHistory(nodePath.resolve(io.cwd, values.history))
  const notes = (history?.skipped ?? []).map((s) => `--history: left out ${s.file}: ${s.reason}`)
  const interrupted = aborted(controller.signal)
  // A gate module may await anything at its top level: the load races the signal, not the other way round.
  const loaded = await Promise.race([loadGate(file, io.cwd, values.env, context), interrupted])
  let report: ReportType
  if (typeof loaded === "string") {
    report = notLoadedReport(file, loaded, plan.startedAt)
  } else {
    checkAllowActive(loaded.gate, plan.allowActive)
    const selection = plan.only === undefined ? undefined : select(loaded.gate, plan.only)
    report = await runGate(io, values, plan, selection?.gate ?? loaded.gate)
    if (selection) notes.unshift(selection.note)
  }
  report = withNotes(report, notes)
  const reportFiles = [
    ...plan.reportFiles,
    ...(values.html === undefined
      ? []
      : [{ flag: "--html", path: values.html, render: (r: ReportType) => HtmlReporter.render(r, { history }) }])
  ]

  const configurationErrors = report.run.configurationErrors ?? []
  if (configurationErrors.length === 0) {
    const verbose = values.verbose === true
    printReport(io, report, { color: useColor(io, values), verbose, width: consoleWidth(io, verbose) })
  } else {
    // Nothing ran: the one message naming every missing or invalid value is the whole story.
    io.stderr.write(
      `launchgate run: the gate's configuration is incomplete (${configurationErrors.length} problem${
        configurationErrors.length === 1 ? "" : "s"
      }); no check ran:\n${configurationErrors.map((e) => `  - ${e.path !== undefined ? `${e.path}: ` : ""}${e.message}`).join("\n")}\n`
    )
  }
  let written = true
  for (const reportFile of reportFiles) written = (await writeReportFile(io, reportFile, report)) && written
  if (values.github === true || io.env["GITHUB_ACTIONS"] === "true") {
    const summaryFile = io.env["GITHUB_STEP_SUMMARY"]
    await GitHubActions.emit(report, { summaryFile, write: (line) => void io.stdout.write(line) }).catch((error: unknown) => {
      written = false
      io.stderr.write(`launchgate: could not append to GITHUB_STEP_SUMMARY (${summaryFile}): ${String(error)}\n`)
    })
  }
  if (configurationErrors.length > 0) return EXIT_USAGE
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
  if (plan.expect !== undefined) return expected(io, report, plan.expect, code)
  return code
}

/** `--expect VERDICT` (demos): exit 0 when the run ended as intended, and say what `run` alone would have done. */
const expected = (io: Io, report: ReportType, want: "ready" | "blocked", code: number): number => {
  const got = report.verdict
  const verdict = got.toUpperCase()
  if (got === want && !report.run.interrupted) {
    io.stdout.write(`\nAs expected, the verdict is ${verdict}: \`launchgate run\` without --expect exits ${code} for it.\n`)
    return EXIT_READY
  }
  io.stdout.write(`\nNot as expected: the verdict is ${verdict}${report.run.interrupted ? " (interrupted)" : ""}, ` +
    `--expect said ${want.toUpperCase()} (exit 1).\n`)
  return EXIT_BLOCKED
}
