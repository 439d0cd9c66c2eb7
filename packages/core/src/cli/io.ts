/**
 * What the CLI reads and writes, injectable so `main` can be driven from a
 * test or another program without touching the real process.
 */

/** Exit codes, documented in docs/cli.md. */
export const EXIT_READY = 0
export const EXIT_BLOCKED = 1
export const EXIT_USAGE = 2

export type Stream = NodeJS.WritableStream & { readonly isTTY?: boolean | undefined }

export interface Io {
  readonly stdout: Stream
  readonly stderr: Stream
  /** Relative paths (gate file, report files) resolve against it. */
  readonly cwd: string
  readonly env: Readonly<Record<string, string | undefined>>
  /** Subscribe to interrupts (Ctrl-C, SIGTERM); the handler gets the signal's name. Returns the unsubscribe. */
  readonly onInterrupt: (handler: (signal: string) => void) => () => void
}

/** The real process. A second signal while the first is being handled exits at once (130). */
export const processIo = (): Io => ({
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
  onInterrupt: (handler) => {
    let seen = 0
    // Node passes the signal's name, so a SIGTERM from a CI runner is reported as SIGTERM.
    const listener = (signal: NodeJS.Signals) => {
      seen++
      if (seen > 1) process.exit(130)
      handler(signal)
    }
    process.on("SIGINT", listener)
    process.on("SIGTERM", listener)
    return () => {
      process.off("SIGINT", listener)
      process.off("SIGTERM", listener)
    }
  }
})

/** A mistake in the command line: printed with the command's usage, exit 2. */
export class UsageError extends Error {
  override readonly name = "UsageError"
}

/** The gate file cannot be loaded or is not a valid gate: printed as is, exit 2. */
export class ConfigError extends Error {
  override readonly name = "ConfigError"
}

/** Should output be coloured? `--color` / `--no-color` win; then NO_COLOR, FORCE_COLOR and the terminal. */
export const useColor = (io: Io, flags: { readonly color?: boolean | undefined; readonly "no-color"?: boolean | undefined }): boolean => {
  if (flags["no-color"]) return false
  if (flags.color) return true
  if (io.env["NO_COLOR"] !== undefined && io.env["NO_COLOR"] !== "") return false
  if (io.env["FORCE_COLOR"] !== undefined && io.env["FORCE_COLOR"] !== "0") return true
  return io.stdout.isTTY === true && io.env["TERM"] !== "dumb"
}
