/**
 * `launchgate diff <previous.json> <current.json>`: compare two runs; exit 1
 * when anything launch-critical regressed.
 */
import * as ReportDiff from "../../ReportDiff.js"
import * as Args from "./args.js"
import type { Command } from "./command.js"
import { EXIT_BLOCKED, EXIT_READY, type Io, UsageError } from "./io.js"
import { readReport } from "./reportFile.js"

const usage = `Usage: launchgate diff <previous.json> <current.json> [options]

Compare two JSON reports (written by \`launchgate run --json\`): checks newly
failing, fixed, still failing, new or removed; deferrals added, removed,
expired or now stale.

Options:
  --json         Print the comparison as JSON instead of text
  -h, --help     Show this help

Exit codes: 0 no launch-critical regression, 1 a launch-critical regression
(a launch-critical check blocks now and did not before, or the verdict went
from ready to blocked), 2 usage error or unreadable report.`

const options = { json: { type: "boolean" } } as const

const execute = async (args: ReadonlyArray<string>, io: Io): Promise<number> => {
  const { values, positionals } = Args.parse(args, options)
  if (positionals.length !== 2) {
    throw new UsageError(`expected <previous.json> <current.json>, got ${positionals.length} file${positionals.length === 1 ? "" : "s"}`)
  }
  const [previousFile, currentFile] = positionals as [string, string]
  const previous = await readReport(io.cwd, previousFile, "previous")
  const current = await readReport(io.cwd, currentFile, "current")
  const result = ReportDiff.diff(previous, current)
  io.stdout.write(`${values.json ? JSON.stringify(result, null, 2) : ReportDiff.render(result)}\n`)
  return result.regressed ? EXIT_BLOCKED : EXIT_READY
}

export const diff: Command = {
  name: "diff",
  args: "<previous.json> <current.json>",
  summary: "Compare two reports (exit 1 on a launch-critical regression)",
  usage,
  execute
}
