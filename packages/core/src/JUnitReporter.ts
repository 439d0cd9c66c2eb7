/**
 * JUnit reporter. (Stub: being implemented.)
 * @since 0.1.0
 */
import type * as Report from "./Report.js"

/** Render a report. */
export const render = (_report: Report.Report): string => {
  throw new Error("JUnitReporter.render: not implemented yet")
}
