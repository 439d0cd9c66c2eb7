/**
 * Console reporter. (Stub: being implemented.)
 * @since 0.1.0
 */
import type * as Report from "./Report.js"
import type * as Runner from "./Runner.js"

export interface RenderOptions {
  /** ANSI colours. Default: off. */
  readonly color?: boolean | undefined
  /** Show evidence for passing items too. */
  readonly verbose?: boolean | undefined
}

/** The whole report as text: one line per item grouped by tier, a summary by tier and the verdict. */
export const render = (_report: Report.Report, _options: RenderOptions = {}): string => {
  throw new Error("ConsoleReporter.render: not implemented yet")
}

/** A live progress handler for `Runner` options' `onEvent`: a rewritten line on a TTY, plain lines otherwise. */
export const progress = (
  _stream: NodeJS.WritableStream & { isTTY?: boolean },
  _options: { readonly isTTY?: boolean | undefined } = {}
): (event: Runner.Event) => void => {
  throw new Error("ConsoleReporter.progress: not implemented yet")
}
