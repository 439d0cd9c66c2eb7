/**
 * Argument parsing on `node:util` `parseArgs`, with every mistake turned into
 * a {@link UsageError} that names the option.
 */
import { parseArgs } from "node:util"
import type { OptionsConfig } from "./command.js"
import { UsageError } from "./io.js"
import { didYouMean } from "./suggest.js"

type Parsed<O extends OptionsConfig> = ReturnType<
  typeof parseArgs<{ args: Array<string>; options: O; allowPositionals: true; strict: true }>
>

/** Parse a command's arguments: strict options, positionals allowed. */
export const parse = <const O extends OptionsConfig>(args: ReadonlyArray<string>, options: O): Parsed<O> => {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true })
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    // Node's messages go on with parseArgs advice ("To specify a positional argument…"); keep the first sentence.
    const first = message.split(/\.? (?=To specify)|\n/)[0]!.replace(/\.$/, "")
    const unknown = /^Unknown option '(--?[^']+)'/.exec(first)?.[1]
    const names = Object.entries(options).flatMap(([name, o]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])])
    throw new UsageError(unknown === undefined ? first : `${first}.${didYouMean(unknown.split("=")[0]!, names)}`)
  }
}

/** Exactly one positional: the gate file. */
export const gateFile = (positionals: ReadonlyArray<string>): string => {
  if (positionals.length === 0) throw new UsageError("missing <gate-file>")
  if (positionals.length > 1) throw new UsageError(`expected one <gate-file>, got ${positionals.length}: ${positionals.join(" ")}`)
  return positionals[0]!
}

/** A number option: `undefined` when absent, a UsageError when not a number in range. */
export const number = (
  name: string,
  value: string | undefined,
  rule: { readonly integer?: boolean; readonly min: number; readonly what: string }
): number | undefined => {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === "" || !Number.isFinite(n) || n < rule.min || (rule.integer === true && !Number.isInteger(n))) {
    throw new UsageError(`--${name} expects ${rule.what}, got ${JSON.stringify(value)}`)
  }
  return n
}

/** `--now ISO`: a date or date-time. */
export const instant = (name: string, value: string | undefined): Date | undefined => {
  if (value === undefined) return undefined
  const date = new Date(value)
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw new UsageError(`--${name} expects an ISO-8601 date or date-time (2026-03-01T12:00:00Z), got ${JSON.stringify(value)}`)
  }
  return date
}

/** `--allow-active a,b --allow-active c`: ids, deduplicated. */
export const list = (values: ReadonlyArray<string> | undefined): ReadonlyArray<string> | undefined =>
  values === undefined
    ? undefined
    : [...new Set(values.flatMap((v) => v.split(",")).map((s) => s.trim()).filter((s) => s.length > 0))]
