/**
 * `@launchgate/core/cli`: the `launchgate` command.
 *
 * - `launchgate run <gate-file>` runs a gate, prints the report and writes
 *   `--json`, `--junit` and `--markdown` files.
 * - `launchgate plan <gate-file>` lists checks, owners, deferrals and what
 *   expires soon, without running anything.
 * - `launchgate docs <gate-file>` writes the launch-readiness document
 *   (`--check` fails when the committed copy is out of date).
 * - `launchgate diff <previous.json> <current.json>` compares two runs.
 *
 * Exit codes: 0 ready, 1 blocked (or, for `plan --strict`, something
 * expired or expiring), 2 configuration or usage error. See docs/cli.md.
 *
 * @since 0.1.0
 */
import type { Command } from "./internal/cli/command.js"
import { ConfigError, EXIT_USAGE, type Io, processIo, UsageError } from "./internal/cli/io.js"
import { diff } from "./internal/cli/diff.js"
import { docs } from "./internal/cli/docs.js"
import { plan } from "./internal/cli/plan.js"
import { run } from "./internal/cli/run.js"
import { version } from "./internal/version.js"

export type { Io } from "./internal/cli/io.js"

/** The commands, in help order. */
const commands: ReadonlyArray<Command> = [run, plan, docs, diff]

const synopsis = (c: Command): string => `${c.name} ${c.args ?? "<gate-file>"}`

const usage = (): string => {
  const width = Math.max(...commands.map((c) => synopsis(c).length), "help [command]".length)
  return `Usage: launchgate <command> [options]

Tells, with evidence, whether a launch is safe.

Commands:
${commands.map((c) => `  ${synopsis(c).padEnd(width)}  ${c.summary}`).join("\n")}
  ${"help [command]".padEnd(width)}  Show help for a command

Options:
  -h, --help     Show help (also: launchgate <command> --help)
  -v, --version  Print the version

Exit codes:
  0  ready (run); nothing lapsing (plan --strict)
  1  blocked or interrupted (run); a deferral or attestation expired or expiring (plan --strict);
     the document is out of date (docs --check); a launch-critical regression (diff, run --baseline)
  2  configuration or usage error (bad option, gate file missing or invalid)`
}

const findCommand = (name: string): Command | undefined => commands.find((c) => c.name === name)

/**
 * Run the CLI with the arguments after `launchgate`; resolves to the exit
 * code. Never throws: every problem is printed and mapped to an exit code.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2))
 */
export const main = async (argv: ReadonlyArray<string>, io: Io = processIo()): Promise<number> => {
  const [first, ...rest] = argv
  if (first === undefined || first === "--help" || first === "-h") {
    io.stdout.write(`${usage()}\n`)
    return first === undefined ? EXIT_USAGE : 0
  }
  if (first === "--version" || first === "-v") {
    io.stdout.write(`${version}\n`)
    return 0
  }
  if (first === "help") {
    const topic = rest[0]
    const command = topic === undefined ? undefined : findCommand(topic)
    if (topic !== undefined && command === undefined) {
      io.stderr.write(`launchgate: unknown command "${topic}"\n\n${usage()}\n`)
      return EXIT_USAGE
    }
    io.stdout.write(`${command ? command.usage : usage()}\n`)
    return 0
  }
  const command = findCommand(first)
  if (command === undefined) {
    io.stderr.write(`launchgate: unknown command "${first}"\n\n${usage()}\n`)
    return EXIT_USAGE
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout.write(`${command.usage}\n`)
    return 0
  }
  try {
    return await command.execute(rest, io)
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`launchgate ${command.name}: ${error.message}\n\n${command.usage}\n`)
    } else if (error instanceof ConfigError) {
      io.stderr.write(`launchgate ${command.name}: ${error.message}\n`)
    } else {
      io.stderr.write(`launchgate ${command.name}: internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
    }
    return EXIT_USAGE
  }
}
