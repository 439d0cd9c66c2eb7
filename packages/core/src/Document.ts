/**
 * Document checks: a runbook exists, has the required sections, and its relative links resolve. (Stub.)
 * @since 0.1.0
 */
import type * as Check from "./Check.js"

export interface Options {
  readonly id: string
  readonly title: string
  /** Path of the document, relative to `baseDir` (default: the current directory). */
  readonly path: string
  readonly baseDir?: string | undefined
  /** Headings that must be present (case-insensitive), e.g. ["Rollback", "Kill switch", "Escalation"]. */
  readonly sections?: ReadonlyArray<string> | undefined
  readonly surface?: string | undefined
  readonly category?: Check.Category | undefined
}

export const make = (_options: Options): Check.Check => {
  throw new Error("Document.make: not implemented yet")
}
