/**
 * GitHub Actions output, natively: workflow commands that annotate the run
 * (`::error` for each item that blocks the launch, `::warning` for failures
 * that do not block and for deferrals that expire within a week) and the
 * Markdown report appended to `$GITHUB_STEP_SUMMARY`.
 *
 * Workflow-command text is escaped the way GitHub's own toolkit does
 * (`escapeData` and `escapeProperty` in
 * https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts,
 * documented at https://docs.github.com/en/actions/using-workflows/workflow-commands-for-github-actions):
 * in the message `%` → `%25`, `\r` → `%0D`, `\n` → `%0A`; in a property
 * (`title=`) also `:` → `%3A` and `,` → `%2C`. Without it, a check message
 * holding a line break followed by `::` could issue a command of its own.
 * Every text is scrubbed of secrets before it is escaped (escaping changes
 * how a secret is spelled) and each line again after.
 *
 * @since 0.1.0
 */
import { appendFile } from "node:fs/promises"
import * as Format from "./internal/reporters/format.js"
import * as MarkdownReporter from "./MarkdownReporter.js"
import * as Redaction from "./Redaction.js"
import type * as Report from "./Report.js"

/** Deferrals with this many days left or fewer get a warning. */
export const EXPIRY_WARNING_DAYS = 7

/** Escape a workflow command's message (GitHub toolkit `escapeData`). */
export const escapeData = (text: string): string =>
  text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A")

/** Escape a workflow command property value (GitHub toolkit `escapeProperty`). */
export const escapeProperty = (text: string): string => escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C")

const command = (name: "error" | "warning", title: string, message: string): string =>
  Redaction.scrub(`::${name} title=${escapeProperty(Redaction.scrub(title))}::${escapeData(Redaction.scrub(message))}`)

const itemMessage = (item: Report.ItemReport, note: string): string =>
  [
    `${item.title}: ${item.message} (${note}; ${item.tier}, owner ${item.owner})`,
    ...(item.remediation !== undefined ? [`remediation: ${item.remediation}`] : [])
  ].join("\n")

const isFailure = (item: Report.ItemReport): boolean => item.status === "fail" || item.status === "error"

/**
 * The workflow commands for a report, one line each (without the newline):
 * `::error` for every blocking item (and for a blocked verdict no item
 * explains, e.g. an interrupted run), `::warning` for every failure that does
 * not block (launch-adjacent under `warn`, post-launch) and for every active
 * deferral that expires within {@link EXPIRY_WARNING_DAYS} days.
 *
 * @example
 * for (const line of GitHubActions.commands(report)) console.log(line)
 */
export const commands = (report: Report.Report): ReadonlyArray<string> => {
  const r = Format.scrubReport(report)
  const lines: Array<string> = []
  const blocking = r.items.filter((i) => i.disposition === "blocking")
  for (const item of blocking) lines.push(command("error", item.id, itemMessage(item, "blocks the launch")))
  if (r.verdict === "blocked" && blocking.length === 0) {
    lines.push(command("error", "launchgate verdict", r.reasons.join("\n") || "the gate is blocked"))
  }
  for (const item of r.items) {
    if (!isFailure(item) || item.disposition === "blocking" || item.disposition === "deferred") continue
    if (item.disposition === "skipped") continue
    lines.push(command("warning", item.id, itemMessage(item, "does not block")))
  }
  for (const d of r.deferrals) {
    if (d.state !== "active" || d.daysLeft > EXPIRY_WARNING_DAYS) continue
    lines.push(command(
      "warning",
      `deferral ${d.check}`,
      `the deferral of ${d.check} ${Format.deferralWhen(d)}: ${d.reason} (owner ${d.owner}, follow-up ${d.followUp})`
    ))
  }
  return lines
}

/** The Markdown report for `$GITHUB_STEP_SUMMARY` (the same document as {@link MarkdownReporter.render}). */
export const summary = (report: Report.Report): string => MarkdownReporter.render(report)

/** Where {@link emit} writes. */
export interface EmitOptions {
  /** The step summary file to append the Markdown report to (the CLI passes `$GITHUB_STEP_SUMMARY`). */
  readonly summaryFile?: string | undefined
  /** Where workflow commands go, one line per call (default: `process.stdout`). */
  readonly write?: ((line: string) => void) | undefined
}

/**
 * Emit a report to GitHub Actions: the workflow commands to `write` (the
 * runner reads them from stdout) and, when `summaryFile` is given, the
 * Markdown report appended to it.
 *
 * @example
 * await GitHubActions.emit(report, { summaryFile: process.env.GITHUB_STEP_SUMMARY })
 */
export const emit = async (report: Report.Report, options: EmitOptions = {}): Promise<void> => {
  const write = options.write ?? ((line: string) => void process.stdout.write(line))
  for (const line of commands(report)) write(`${line}\n`)
  if (options.summaryFile !== undefined && options.summaryFile.length > 0) {
    await appendFile(options.summaryFile, `${summary(report)}\n`, "utf8")
  }
}
