/**
 * `launchgate run <gate-file>`: run a gate, print the console report, write
 * the report files asked for, and exit 0 ready / 1 blocked / 2 usage or
 * configuration error.
 */
import { mkdir, writeFile } from "node:fs/promises"
import * as nodePath from "node:path"
import * as ConsoleReporter from "../../ConsoleReporter.js"
import * as Gate from "../../Gate.js"
import * as JsonReporter from "../../JsonReporter.js"
import * as JUnitReporter from "../../JUnitReporter.js"
import * as MarkdownReporter from "../../MarkdownReporter.js"
import type * as Report from "../../Report.js"
import * as ReportDiff from "../../ReportDiff.js"
import * as Runner from "../../Runner.js"
import * as Args from "./args.js"
import type { Command } from "./command.js"
import { ConfigError, EXIT_USAGE, type Io, useColor } from "./io.js"
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
  readonly render: (report: Report.Report) => string
}

const writeReportFile = async (io: Io, file: ReportFile, report: Report.Report): Promise<boolean> => {
  const path = nodePath.resolve(io.cwd, file.path)
  try {
    const text = file.render(report)
    await mkdir(nodePath.dirname(path), { recursive: true })
    await writeFile(path, text.endsWith("\n") ? text : `${text}\n`)
    io.stderr.write(`launchgate: wrote ${file.flag} report to ${file.path}\n`)
    return true
  } catch (error) {
    io.stderr.write(`launchgate: could not write the ${file.flag} report to ${file.path}: ${error instanceof Error ? error.message : String(error)}\n`)
    return false
  }
}

/** The console report; should the reporter itself fail, the verdict and reasons still reach the reader. */
const printReport = (io: Io, report: Report.Report, color: boolean, verbose: boolean): void => {
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
      ? [{ flag: "--console", path: values.console, render: (r: Report.Report) => ConsoleReporter.render(r, { color: false, verbose: values.verbose === true }) }]
      : [])
  ]

  // Read the baseline first: an unreadable one is a usage problem, found before anything runs.
  const baseline = values.baseline === undefined ? undefined : await readReport(io.cwd, values.baseline, "--baseline")
  const { gate } = await loadGate(file, io.cwd, values.env)
  if (allowActive) {
    const known = new Set(Gate.checks(gate).map((c) => c.id))
    const unknown = allowActive.filter((id) => !known.has(id))
    if (unknown.length > 0) {
      throw new ConfigError(`--allow-active names ${unknown.map((id) => `"${id}"`).join(", ")}, not a check of gate "${gate.name}"`)
    }
  }

  const controller = new AbortController()
  const unsubscribe = io.onInterrupt(() => {
    if (controller.signal.aborted) return
    io.stderr.write("\nlaunchgate: interrupted; stopping checks and writing the reports (Ctrl-C again to quit now)\n")
    controller.abort("SIGINT")
  })
  let report: Report.Report
  try {
    const onEvent = ConsoleReporter.progress(io.stderr, { isTTY: io.stderr.isTTY === true })
    report = await Runner.runPromise(gate, {
      signal: controller.signal,
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(timeout !== undefined ? { checkTimeout: timeout * 1000 } : {}),
      ...(deadline !== undefined ? { deadline: deadline * 1000 } : {}),
      ...(values["fail-fast"] ? { failFast: true } : {}),
      ...(allowActive ? { allowActive } : {}),
      ...(now ? { now } : {}),
      onEvent
    })
  } finally {
    unsubscribe()
  }

  printReport(io, report, useColor(io, values), values.verbose === true)
  let written = true
  for (const reportFile of reportFiles) written = (await writeReportFile(io, reportFile, report)) && written
  let regressed = false
  if (baseline) {
    const changes = ReportDiff.diff(baseline, report)
    regressed = changes.regressed
    io.stdout.write(`\n${ReportDiff.render(changes)}\n`)
  }
  const code = Math.max(Runner.exitCode(report), regressed ? 1 : 0)
  if (!written) return Math.max(code, EXIT_USAGE)
  return code
}

export const run: Command = {
  name: "run",
  summary: "Run a gate and print its report (exit 0 ready, 1 blocked)",
  usage,
  execute
}
