/**
 * `launchgate diff <previous.json> <current.json>`: compare two runs; exit 1
 * when anything launch-critical regressed.
 */
import * as ReportDiff from "../ReportDiff.js"
import * as Args from "./args.js"
import { diffOptions } from "./commands.js"
import type { Context } from "./command.js"
import { EXIT_BLOCKED, EXIT_READY, type Io, UsageError } from "./io.js"
import { readReport } from "./reportFile.js"

export const execute = async (args: ReadonlyArray<string>, io: Io, _context: Context): Promise<number> => {
  const { values, positionals } = Args.parse(args, diffOptions)
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
