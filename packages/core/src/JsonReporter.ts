/**
 * JSON reporter: the report as a versioned JSON document that tools can
 * consume, and the reverse, reading such a file back.
 *
 * The format is the {@link Report.Report} schema (documented field by field
 * in `docs/report-schema.md`); `schemaVersion` says which version a file
 * follows. {@link render} validates the report against the schema before
 * writing it, so a file it wrote always reads back with {@link parse}.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { formatPath } from "./Gate.js"
import * as Format from "./internal/reporters/format.js"
import * as Redaction from "./Redaction.js"
import * as Report from "./Report.js"

/** One problem found in a report, at the path of the bad field (`items[3].status`). */
export const ReportIssue = Schema.Struct({ path: Schema.String, message: Schema.String })
export type ReportIssue = typeof ReportIssue.Type

/**
 * A report could not be read or written: not JSON (`Json`), a schema version
 * this launchgate does not read (`Version`), or fields that do not match the
 * schema (`Schema`). Messages are scrubbed of secrets.
 */
export class ReportError extends Schema.TaggedError<ReportError>()("ReportError", {
  reason: Schema.Literal("Json", "Version", "Schema"),
  issues: Schema.Array(ReportIssue),
  remediation: Schema.String
}) {
  override get message(): string {
    const lines = this.issues.map((i) => `  - ${i.path}: ${i.message}`)
    return `the report is not valid (${this.reason}):\n${lines.join("\n")}`
  }
}

// Long enough for any schema message, short enough that a bad field's whole value is not echoed.
const MESSAGE_MAX = 300

/**
 * The schema's issues, one per field: a literal union reports one issue per
 * alternative, merged here into `Expected "pass" | "fail" …, actual "passed"`.
 */
const issuesOf = (error: ParseResult.ParseError): Array<ReportIssue> => {
  const byPath = new Map<string, Array<string>>()
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const path = formatPath(issue.path) || "(report)"
    const message = issue._tag === "Missing" ? "is required" : issue.message
    byPath.set(path, [...(byPath.get(path) ?? []), message])
  }
  return [...byPath].map(([path, messages]) => {
    const parsed = messages.map((m) => /^Expected (.+?), actual ([\s\S]+)$/.exec(m))
    const message = messages.length > 1 && parsed.every((p) => p !== null)
      ? `Expected ${parsed.map((p) => p![1]).join(" | ")}, actual ${parsed[0]![2]}`
      : messages.join("; ")
    // The actual value may be anything a file held: keep it short, and never a secret.
    return { path, message: Format.truncate(Redaction.scrub(message), MESSAGE_MAX) }
  })
}

const schemaError = (error: ParseResult.ParseError, doing: string): ReportError =>
  new ReportError({
    reason: "Schema",
    issues: issuesOf(error),
    remediation: `Fix the named fields; ${doing} follows the launchgate report schema version ${Report.SCHEMA_VERSION}.`
  })

const encode = Schema.encodeEither(Report.Report)
const decode = Schema.decodeUnknownEither(Report.Report)

/**
 * The report as pretty-printed JSON (two-space indent, trailing newline),
 * validated against the report schema and scrubbed of secrets. Throws a
 * {@link ReportError} naming the bad fields when the report does not match
 * the schema (a report built by the runner always does).
 *
 * @example
 * const report = await Runner.runPromise(gate)
 * await writeFile("launchgate-report.json", JsonReporter.render(report))
 */
export const render = (report: Report.Report): string => {
  const encoded = encode(Format.scrubReport(report), { errors: "all", onExcessProperty: "ignore" })
  if (Either.isLeft(encoded)) throw schemaError(encoded.left, "the report to write")
  return Format.scrubOutput(`${JSON.stringify(encoded.right, null, 2)}\n`)
}

/**
 * Read a report written by {@link render} (or any tool following the
 * schema). Throws a {@link ReportError} naming each bad field, e.g.
 * `items[3].status: Expected "pass" | "fail" | …, actual "passed"`. Fields
 * unknown to this version are ignored, so reports from a newer minor release
 * still read; a different `schemaVersion` is refused.
 *
 * @example
 * const baseline = JsonReporter.parse(await readFile("baseline.json", "utf8"))
 */
export const parse = (text: string): Report.Report => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new ReportError({
      reason: "Json",
      issues: [{ path: "(report)", message: Redaction.scrub(e instanceof Error ? e.message : String(e)) }],
      remediation: "The file is not JSON: was it written by the JSON reporter, and written completely?"
    })
  }
  const version = typeof json === "object" && json !== null ? (json as { schemaVersion?: unknown }).schemaVersion : undefined
  if (version !== Report.SCHEMA_VERSION && (typeof version === "number" || typeof version === "string")) {
    throw new ReportError({
      reason: "Version",
      issues: [{
        path: "schemaVersion",
        message: Format.truncate(
          Redaction.scrub(`this launchgate reads version ${Report.SCHEMA_VERSION}, the report is version ${JSON.stringify(version)}`),
          MESSAGE_MAX
        )
      }],
      remediation: "Read the report with the launchgate version that wrote it, or re-run the gate with this one."
    })
  }
  const decoded = decode(json, { errors: "all", onExcessProperty: "ignore" })
  if (Either.isLeft(decoded)) throw schemaError(decoded.left, "a report file")
  return decoded.right
}
