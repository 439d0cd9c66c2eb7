/**
 * `launchgate docs <gate-file>`: write the launch-readiness document from the
 * gate definition (and optionally the last report), or check that the
 * committed copy is up to date.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises"
import * as nodePath from "node:path"
import * as ReadinessDocument from "../../ReadinessDocument.js"
import * as Args from "./args.js"
import type { Command } from "./command.js"
import { EXIT_BLOCKED, EXIT_READY, type Io } from "./io.js"
import { loadGate } from "./load.js"
import { readReport } from "./reportFile.js"

const usage = `Usage: launchgate docs <gate-file> [options]

Generate LAUNCH-READINESS.md from the gate definition: scope by tier with
owners, what each check proves, deferrals, rollback and kill-switch
procedures, unsupported cases, and coverage of the launch-review categories.
Nothing runs and nothing is fetched.

Options:
  --env NAME        Target environment, for gate modules that export (env) => gate
  --out FILE        Where to write (default: LAUNCH-READINESS.md beside the gate file)
  --report FILE     Add the verdict and last results from a JSON report
  --stdout          Print the document instead of writing it
  --check           Write nothing; exit 1 when FILE differs from what the gate
                    generates (a CI drift check: docs cannot drift from checks)
  -h, --help        Show this help

Exit codes: 0 written or up to date, 1 out of date (--check), 2 usage or
configuration error.`

const options = {
  env: { type: "string" },
  out: { type: "string" },
  report: { type: "string" },
  stdout: { type: "boolean" },
  check: { type: "boolean" }
} as const

const normalize = (text: string) => (text.endsWith("\n") ? text : `${text}\n`)

const execute = async (args: ReadonlyArray<string>, io: Io): Promise<number> => {
  const { values, positionals } = Args.parse(args, options)
  const file = Args.gateFile(positionals)
  const loaded = await loadGate(file, io.cwd, values.env)
  const report = values.report === undefined ? undefined : await readReport(io.cwd, values.report, "--report")
  const text = normalize(ReadinessDocument.render(loaded.gate, report ? { report } : {}))
  if (values.stdout) {
    io.stdout.write(text)
    return EXIT_READY
  }
  const out = values.out !== undefined ? nodePath.resolve(io.cwd, values.out) : nodePath.join(nodePath.dirname(loaded.path), "LAUNCH-READINESS.md")
  const shown = nodePath.relative(io.cwd, out) || out
  if (values.check) {
    const current = await readFile(out, "utf8").catch(() => undefined)
    if (current === text) {
      io.stdout.write(`launchgate docs: ${shown} is up to date\n`)
      return EXIT_READY
    }
    io.stderr.write(
      `launchgate docs: ${shown} is ${current === undefined ? "missing" : "out of date with the gate"}; regenerate it with \`launchgate docs ${file}${values.env ? ` --env ${values.env}` : ""}\` and commit it\n`
    )
    return EXIT_BLOCKED
  }
  await mkdir(nodePath.dirname(out), { recursive: true })
  await writeFile(out, text)
  io.stderr.write(`launchgate docs: wrote ${shown}\n`)
  return EXIT_READY
}

export const docs: Command = {
  name: "docs",
  summary: "Write the launch-readiness document (LAUNCH-READINESS.md); --check for drift",
  usage,
  execute
}
