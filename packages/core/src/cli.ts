/**
 * `@launchgate/core/cli`: the `launchgate` command.
 *
 * - `launchgate run <gate-file>` runs a gate, prints the report and writes
 *   `--json`, `--junit`, `--markdown` and `--html` files.
 * - `launchgate plan <gate-file>` lists checks, owners, deferrals and what
 *   expires soon, without running anything.
 * - `launchgate docs <gate-file>` writes the launch-readiness document
 *   (`--check` fails when the committed copy is out of date).
 * - `launchgate diff <previous.json> <current.json>` compares two runs.
 * - `launchgate init` scaffolds a gate, a vitest smoke file and a CI workflow.
 *
 * Exit codes: 0 ready, 1 blocked (or, for `plan --strict`, something
 * expired or expiring), 2 configuration or usage error. See docs/cli.md.
 *
 * @since 0.1.0
 */
import type { Command, Context } from "./cli/command.js"
import { diff, docs, init, plan, run } from "./cli/commands.js"
import { ConfigError, EXIT_USAGE, type Io, processIo, UsageError } from "./cli/io.js"
import { didYouMean } from "./cli/suggest.js"
import { version } from "./internal/version.js"

export type { Context as MainOptions } from "./cli/command.js"
export type { Io } from "./cli/io.js"

/** The commands, in help order. Each one's implementation is imported only when it runs. */
const commands: ReadonlyArray<Command> = [run, plan, docs, diff, init]

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

const unknownCommand = (io: Io, name: string): number => {
  const hint = didYouMean(name, [...commands.map((c) => c.name), "help"])
  io.stderr.write(`launchgate: unknown command "${name}".${hint}\n\n${usage()}\n`)
  return EXIT_USAGE
}

const describe = (error: unknown): string => (error instanceof Error ? error.stack ?? error.message : String(error))

/**
 * Run the CLI with the arguments after \`launchgate\`; resolves to the exit
 * code. Never throws: every problem is printed and mapped to an exit code.
 * \`options.loadTs\` makes TypeScript importable (the \`launchgate\` package
 * passes tsx's \`register\`); it is called only when a .ts gate file loads.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2))
 */
export const main = async (argv: ReadonlyArray<string>, io: Io = processIo(), options: Context = {}): Promise<number> => {
  const [first, ...rest] = argv
  if (first === undefined) {
    // A bare \`launchgate\` is a usage mistake: the usage goes where errors go.
    io.stderr.write(`${usage()}\n`)
    return EXIT_USAGE
  }
  if (first === "--help" || first === "-h") {
    io.stdout.write(`${usage()}\n`)
    return 0
  }
  if (first === "--version" || first === "-v") {
    io.stdout.write(`${version}\n`)
    return 0
  }
  if (first === "help") {
    const topic = rest[0]
    const command = topic === undefined ? undefined : findCommand(topic)
    if (topic !== undefined && command === undefined) return unknownCommand(io, topic)
    io.stdout.write(`${command ? command.usage : usage()}\n`)
    return 0
  }
  const command = findCommand(first)
  if (command === undefined) {
    if (first.startsWith("-")) {
      io.stderr.write(`launchgate: unknown option '${first}'.${didYouMean(first, ["--help", "--version"])}\n\n${usage()}\n`)
      return EXIT_USAGE
    }
    return unknownCommand(io, first)
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout.write(`${command.usage}\n`)
    return 0
  }
  try {
    const { execute } = await command.load()
    return await execute(rest, io, options)
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`launchgate ${command.name}: ${error.message}\n\n${command.usage}\n`)
    } else if (error instanceof ConfigError) {
      io.stderr.write(`launchgate ${command.name}: ${error.message}\n`)
    } else {
      io.stderr.write(`launchgate ${command.name}: internal error: ${describe(error)}\n`)
    }
    return EXIT_USAGE
  }
}
