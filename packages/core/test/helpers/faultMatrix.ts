/**
 * The fault-matrix shape every package copies: one table of rows (a fault the
 * emulator injects) by columns (a check against the faulty endpoint), each
 * cell with the status it must end in and a generous time bound, printed as a
 * table in the test output so a reader sees the whole matrix at once.
 */
import type { Outcome } from "../../src/index.js"

/** The status a cell must end in; a list when more than one honest answer exists (never `pass` where it must not). */
export type Expected = Outcome.Status | ReadonlyArray<Outcome.Status>

/** One row: a fault, the check timeout the row runs with, and what each column must report. */
export interface Row<Column extends string, Context> {
  readonly fault: string
  /** The check's timeout: short, so slow faults end quickly. */
  readonly timeoutMs: number
  /** Upper bound on a cell's wall time; at least 10x what the cell needs, so only a hang breaks it. */
  readonly withinMs: number
  /** Inject the fault (and anything else the row needs) before the cell runs. */
  readonly arrange: (context: Context) => void
  readonly expect: Readonly<Record<Column, Expected>>
}

/** What one cell observed. */
export interface Cell {
  readonly fault: string
  readonly column: string
  readonly expected: Expected
  readonly status: Outcome.Status
  readonly elapsedMs: number
  readonly withinMs: number
  readonly requests: number
  readonly message: string
}

/** Does the observed status satisfy the expectation? */
export const satisfies = (expected: Expected, status: Outcome.Status): boolean =>
  typeof expected === "string" ? expected === status : expected.includes(status)

/** The matrix as a fixed-width text table (fault × column: observed status, requests, time). */
export const format = (cells: ReadonlyArray<Cell>): string => {
  const columns = [...new Set(cells.map((c) => c.column))]
  const faults = [...new Set(cells.map((c) => c.fault))]
  const text = (c: Cell | undefined) =>
    c === undefined
      ? "-"
      : `${satisfies(c.expected, c.status) ? "" : "!! "}${c.status} (${c.requests} req, ${c.elapsedMs} ms)`
  const rows = [["fault", ...columns], ...faults.map((f) => [f, ...columns.map((col) => text(cells.find((c) => c.fault === f && c.column === col)))])]
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  const line = (r: ReadonlyArray<string>) => `| ${r.map((v, i) => v.padEnd(widths[i]!)).join(" | ")} |`
  return [line(rows[0]!), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.slice(1).map(line)].join("\n")
}
