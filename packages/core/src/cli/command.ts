import type { ParseArgsConfig } from "node:util"
import type { Io } from "./io.js"

export type OptionsConfig = NonNullable<ParseArgsConfig["options"]>

/** What a command needs besides its arguments and the process's streams. */
export interface Context {
  /**
   * Make `import()` of TypeScript work for the rest of the process (the `launchgate` package passes tsx's
   * `register`). Without it, a TypeScript gate file is loaded through tsx when the caller has it installed.
   */
  readonly loadTs?: (() => Promise<unknown>) | undefined
}

/** The part of a command that does the work, loaded only when the command runs (start-up stays light). */
export interface Implementation {
  readonly execute: (args: ReadonlyArray<string>, io: Io, context: Context) => Promise<number>
}

/**
 * One `launchgate` command. Adding one is one entry in the table in commands.ts; its implementation module is
 * imported only when it runs, so `--help` and `--version` load nothing heavy.
 */
export interface Command {
  readonly name: string
  /** The positional arguments as shown in the command list. Default `<gate-file>`. */
  readonly args?: string
  /** One line for the command list. */
  readonly summary: string
  /** The full `--help` text. */
  readonly usage: string
  /** Its options, for parsing and for "did you mean" suggestions. */
  readonly options: OptionsConfig
  readonly load: () => Promise<Implementation>
}
