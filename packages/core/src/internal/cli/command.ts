import type { Io } from "./io.js"

/** One `launchgate` command. Adding one (`docs`, `diff`) is one entry in the table in cli.ts. */
export interface Command {
  readonly name: string
  /** The positional arguments as shown in the command list. Default `<gate-file>`. */
  readonly args?: string
  /** One line for the command list. */
  readonly summary: string
  /** The full `--help` text. */
  readonly usage: string
  /** Run with the arguments after the command name; resolves to the exit code. */
  readonly execute: (args: ReadonlyArray<string>, io: Io) => Promise<number>
}
