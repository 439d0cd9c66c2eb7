/**
 * `launchgate docs <gate-file>`: write the launch-readiness document from the
 * gate definition (and optionally the last report), or check that the
 * committed copy is up to date.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises"
import * as nodePath from "node:path"
import * as ReadinessDocument from "../ReadinessDocument.js"
import * as Args from "./args.js"
import { docsOptions } from "./commands.js"
import type { Context } from "./command.js"
import { EXIT_BLOCKED, EXIT_READY, type Io } from "./io.js"
import { loadGate } from "./load.js"
import { localLaunchScope } from "./plan.js"
import { readReport } from "./reportFile.js"

const normalize = (text: string) => (text.endsWith("\n") ? text : `${text}\n`)

export const execute = async (args: ReadonlyArray<string>, io: Io, context: Context): Promise<number> => {
  const { values, positionals } = Args.parse(args, docsOptions)
  const file = Args.gateFile(positionals)
  const loaded = await loadGate(file, io.cwd, values.env, context)
  const report = values.report === undefined ? undefined : await readReport(io.cwd, values.report, "--report")
  // A local launch scope (task files) is read now; any other is named (docs starts nothing, contacts nothing).
  // `--now` pins the instant the scope is judged at (which deferrals have expired), so a committed document
  // generated for a fixed date stays stable.
  const launchScope = await localLaunchScope(loaded.gate, Args.instant("now", values.now))
  const text = normalize(ReadinessDocument.render(loaded.gate, {
    ...(report ? { report } : {}),
    ...(launchScope ? { launchScope } : {})
  }))
  if (values.stdout) {
    io.stdout.write(text)
    return EXIT_READY
  }
  const out = values.out !== undefined
    ? nodePath.resolve(io.cwd, values.out)
    : nodePath.join(nodePath.dirname(loaded.path), "LAUNCH-READINESS.md")
  const shown = nodePath.relative(io.cwd, out) || out
  if (values.check) {
    const current = await readFile(out, "utf8").catch(() => undefined)
    if (current === text) {
      io.stdout.write(`launchgate docs: ${shown} is up to date\n`)
      return EXIT_READY
    }
    io.stderr.write(
      `launchgate docs: ${shown} is ${current === undefined ? "missing" : "out of date with the gate"}; ` +
        `regenerate it with \`launchgate docs ${file}${values.env ? ` --env ${values.env}` : ""}\` and commit it\n`
    )
    return EXIT_BLOCKED
  }
  await mkdir(nodePath.dirname(out), { recursive: true })
  await writeFile(out, text)
  io.stderr.write(`launchgate docs: wrote ${shown}\n`)
  return EXIT_READY
}
