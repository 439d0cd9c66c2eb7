/**
 * JUnit XML reporter, for the test views of CI systems (GitHub Actions test
 * reporters, GitLab, Jenkins, Azure Pipelines, Buildkite).
 *
 * Layout: one `<testsuite>` per tier, because CI views group and count by
 * suite, so a reader sees launch-critical results apart from post-launch
 * ones without opening a test; the tier is also a property of each test
 * case, for tools that flatten suites. One `<testcase>` per item
 * (`classname` = surface, `name` = `[tier] title (id)`), also when an item
 * covers many resources: its subjects are listed in the case's output
 * (failures first), so `tests` always equals the number of items.
 *
 * A test case fails (`<failure>`, or `<error>` when the check could not
 * decide) exactly when its result blocks the launch, so the CI view is red
 * exactly when the gate is blocked. Deferred failures are `<skipped>` with
 * the deferral's reason, owner and expiry; skipped items are `<skipped>`;
 * non-blocking failures are `<skipped message="non-blocking fail: …">` by
 * default (or `<failure type="non-blocking">` with `nonBlocking: "failure"`),
 * so a test tab never shows them green; warnings and passes keep their
 * details in `<system-out>`. Times are in seconds: a case's time is its
 * item's duration, a suite's the wall span of its items, the root's the
 * run's duration, so they nest.
 *
 * @since 0.1.0
 */
import * as Format from "./internal/reporters/format.js"
import * as Xml from "./internal/reporters/xml.js"
import type { Json } from "./Outcome.js"
import * as Redaction from "./Redaction.js"
import type * as Report from "./Report.js"

/** Options of {@link render}. */
export interface RenderOptions {
  /**
   * How a failure that does not block the launch (a launch-adjacent failure under the `warn` policy, a
   * post-launch failure) is written. `"skipped"` (default): `<skipped message="non-blocking fail: …"/>` and the
   * details in `<system-out>`, so a test tab shows it apart from passes while tools that fail the build on any
   * `<failure>` still pass. `"failure"`: a `<failure type="non-blocking">` (or `<error>`), for teams that want
   * every failure red.
   */
  readonly nonBlocking?: "failure" | "skipped" | undefined
}

interface Resolved {
  readonly nonBlocking: "failure" | "skipped"
}

interface Case {
  readonly element: Xml.Element
  readonly outcome: "passed" | "failure" | "error" | "skipped"
  /** The item behind the case (absent for the synthetic verdict case). */
  readonly item?: Report.ItemReport
}

const property = (name: string, value: string | number | boolean): Xml.Element => ({
  name: "property",
  attributes: [["name", name], ["value", String(value)]]
})

/** What a reader of a test case needs: the message, the evidence, the fix. */
const details = (
  head: string,
  message: string,
  evidence: Readonly<Record<string, Json>>,
  remediation: string | undefined,
  docs: string | undefined
): string => {
  const lines = [head, message]
  if (Object.keys(evidence).length > 0) {
    lines.push(`evidence: ${JSON.stringify(Format.orderedEvidence(evidence), null, 2)}`)
  }
  if (remediation !== undefined) lines.push(`remediation: ${remediation}`)
  if (docs !== undefined) lines.push(`docs: ${docs}`)
  return lines.join("\n")
}

/** Does this result fail without blocking (a launch-adjacent failure under `warn`, a post-launch failure)? */
const nonBlockingFailure = (item: Report.ItemReport): boolean =>
  (item.status === "fail" || item.status === "error") &&
  item.disposition !== "blocking" && item.disposition !== "deferred" && item.disposition !== "skipped"

const NOTE: Record<Report.Disposition, string> = {
  ok: "passed",
  blocking: "BLOCKING: this result blocks the launch",
  warning: "WARNING: needs attention, does not block the launch",
  deferred: "DEFERRED: a failure covered by an active deferral",
  info: "INFO: post-launch result, informational",
  skipped: "SKIPPED"
}

const STATUS_ORDER: Record<Report.ItemReport["status"], number> = { error: 0, fail: 1, warn: 2, skip: 3, pass: 4 }

/** The subjects of an item, failures first, one line each, then the evidence of those that did not pass. */
const subjectLines = (subjects: ReadonlyArray<typeof Report.SubjectReport.Type>): Array<string> => {
  if (subjects.length === 0) return []
  const sorted = [...subjects].sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status])
  const failing = subjects.filter((s) => s.status === "fail" || s.status === "error").length
  const lines = [`subjects (${subjects.length}, ${failing} failing; one test case for the item, subjects listed here):`]
  for (const s of sorted) lines.push(`  ${s.status.padEnd(5)} ${s.subject}: ${s.message}`)
  for (const s of sorted) {
    if (s.status === "pass" || s.status === "skip") continue
    if (Object.keys(s.evidence).length > 0) {
      lines.push(`  ${s.subject} evidence: ${JSON.stringify(Format.orderedEvidence(s.evidence))}`)
    }
    if (s.remediation !== undefined) lines.push(`  ${s.subject} remediation: ${s.remediation}`)
  }
  return lines
}

const testCase = (item: Report.ItemReport, options: Resolved): Case => {
  const subjects = item.subjects ?? []
  // junit-10.xsd allows no <properties> in a <testcase>, so an item's facts lead its <system-out> as
  // `name: value` lines (the suite keeps the run's metadata as real properties).
  const facts: Array<readonly [string, string | number]> = [
    ["id", item.id],
    ["tier", item.tier],
    ["owner", item.owner],
    ["category", item.category],
    ["surface", item.surface],
    ["kind", item.kind],
    ["status", item.status],
    ["disposition", item.disposition],
    ["attempts", item.attempts],
    ...(subjects.length > 0 ? [["subjects", subjects.length] as const] : []),
    ...(item.rollbackOf !== undefined ? [["rollbackOf", item.rollbackOf] as const] : []),
    ...(item.docs !== undefined ? [["docs", item.docs] as const] : []),
    ...(item.deferral
      ? [
        ["deferral.owner", item.deferral.owner] as const,
        ["deferral.expires", item.deferral.expires] as const,
        ["deferral.state", item.deferral.state] as const,
        ["deferral.followUp", item.deferral.followUp] as const
      ]
      : [])
  ]
  const factLines = facts.map(([k, v]) => `${k}: ${String(v).replace(/\r\n|\r|\n/g, " ")}`).join("\n")
  const body = [
    details(`${item.status} (${NOTE[item.disposition]})`, item.message, item.evidence, item.remediation, item.docs),
    ...subjectLines(subjects)
  ].join("\n")
  const children: Array<Xml.Element> = []
  let outcome: Case["outcome"] = "passed"
  if (item.disposition === "deferred" && item.deferral) {
    children.push({ name: "skipped", attributes: [["message", Format.deferralPhrase(item.deferral)]] })
    outcome = "skipped"
  } else if (item.disposition === "skipped" || item.status === "skip") {
    children.push({ name: "skipped", attributes: [["message", item.message]] })
    outcome = "skipped"
  } else if (item.disposition === "blocking") {
    outcome = item.status === "error" ? "error" : "failure"
    children.push({ name: outcome, attributes: [["message", item.message], ["type", item.status]], text: body })
  } else if (nonBlockingFailure(item)) {
    if (options.nonBlocking === "failure") {
      outcome = item.status === "error" ? "error" : "failure"
      children.push({ name: outcome, attributes: [["message", item.message], ["type", "non-blocking"]], text: body })
    } else {
      // Skipped, not passed: a test tab shows it apart from the green ones, and a tool that fails
      // the build on any <failure> still passes, as the gate does.
      children.push({ name: "skipped", attributes: [["message", `non-blocking ${item.status}: ${item.message}`]] })
      outcome = "skipped"
    }
  }
  // A failure's body already carries the details; everything else keeps them in system-out.
  const failed = outcome === "failure" || outcome === "error"
  children.push({ name: "system-out", text: failed ? `${factLines}\n` : `${factLines}\n\n${body}` })
  const name = `[${item.tier}] ${item.title} (${item.id})`
  return {
    element: {
      name: "testcase",
      attributes: [["name", name], ["classname", item.surface], ["time", Format.seconds(item.durationMs)]],
      children
    },
    outcome,
    item
  }
}

const counts = (cases: ReadonlyArray<Case>) => ({
  tests: cases.length,
  failures: cases.filter((c) => c.outcome === "failure").length,
  errors: cases.filter((c) => c.outcome === "error").length,
  skipped: cases.filter((c) => c.outcome === "skipped").length
})

/**
 * A suite's time is the wall-clock span of its items (they run concurrently, so the sum would exceed the
 * run), capped by the run's duration so suites nest inside the root. Items that never started count as 0.
 */
const span = (cases: ReadonlyArray<Case>, runStart: number, runMs: number): { start: number; ms: number } => {
  const timed = cases.flatMap((c) =>
    c.item?.startedAt !== undefined ? [{ start: Date.parse(c.item.startedAt), ms: c.item.durationMs }] : []
  )
  if (timed.length === 0) {
    return { start: runStart, ms: Math.min(runMs, Math.max(0, ...cases.map((c) => c.item?.durationMs ?? 0))) }
  }
  const start = Math.min(...timed.map((t) => t.start))
  const end = Math.max(...timed.map((t) => t.start + t.ms))
  return { start, ms: Math.min(runMs, Math.max(0, end - start)) }
}

// JUnit's timestamp is an xs:dateTime without a zone; launchgate's times are UTC.
const timestamp = (ms: number): string => new Date(ms).toISOString().slice(0, 19)

/**
 * The report as JUnit XML: one `<testsuite>` per tier, one `<testcase>` per
 * item (subjects listed in its output, so `tests` equals the number of
 * items), run metadata as suite properties. Suite times are the wall span of
 * their items and nest within the root's time, the run's duration. A
 * blocked verdict with no blocking item (an interrupted run) adds a
 * `launchgate verdict` test case in error, so the file never reads green for
 * a blocked gate.
 *
 * @example
 * await writeFile("launchgate-junit.xml", JUnitReporter.render(report, { nonBlocking: "skipped" }))
 */
export const render = (report: Report.Report, options: RenderOptions = {}): string => {
  const r = Format.scrubReport(report)
  const resolved: Resolved = { nonBlocking: options.nonBlocking ?? "skipped" }
  const runStart = Date.parse(r.run.startedAt)
  const runMs = Math.max(0, r.run.durationMs)
  const runProperties = [
    property("gate", r.gate.name),
    ...(r.gate.environment !== undefined ? [property("environment", r.gate.environment)] : []),
    property("verdict", r.verdict),
    property("schemaVersion", r.schemaVersion),
    property("launchgateVersion", r.run.launchgateVersion),
    ...(r.run.gitCommit !== undefined ? [property("gitCommit", r.run.gitCommit)] : []),
    property("nodeVersion", r.run.nodeVersion),
    property("startedAt", r.run.startedAt),
    property("finishedAt", r.run.finishedAt),
    property("interrupted", r.run.interrupted),
    property("policy.launchAdjacent", r.policy.launchAdjacent),
    property("junit.nonBlocking", resolved.nonBlocking)
  ]
  const suite = (name: string, cases: ReadonlyArray<Case>, extra: ReadonlyArray<Xml.Element>) => {
    const c = counts(cases)
    const time = span(cases, runStart, runMs)
    return {
      cases,
      element: {
        name: "testsuite",
        attributes: [
          ["name", name],
          ["tests", c.tests],
          ["failures", c.failures],
          ["errors", c.errors],
          ["skipped", c.skipped],
          ["time", Format.seconds(time.ms)],
          ["timestamp", timestamp(time.start)]
        ],
        children: [{ name: "properties", children: [...extra, ...runProperties] }, ...cases.map((x) => x.element)]
      } satisfies Xml.Element
    }
  }

  const suites = Format.itemsByTier(r).map(({ items, tier }) =>
    suite(tier, items.map((item) => testCase(item, resolved)), [property("tier", tier)])
  )
  const failing = suites.some((s) =>
    s.cases.some((c) => (c.outcome === "failure" || c.outcome === "error") && c.item?.disposition === "blocking")
  )
  if (r.verdict === "blocked" && !failing) {
    const message = r.reasons.join("; ") || "the gate is blocked"
    suites.push(suite("launchgate", [{
      element: {
        name: "testcase",
        attributes: [["name", "launchgate verdict"], ["classname", "launchgate"], ["time", Format.seconds(0)]],
        children: [{ name: "error", attributes: [["message", message], ["type", "blocked"]], text: r.reasons.join("\n") }]
      },
      outcome: "error"
    }], []))
  }

  const all = counts(suites.flatMap((s) => s.cases))
  // junit-10.xsd (Jenkins xUnit plugin) allows only name, time, tests, failures and errors on <testsuites>:
  // skipped counts and timestamps live on the suites.
  const root: Xml.Element = {
    name: "testsuites",
    attributes: [
      ["name", `launchgate: ${r.gate.name}`],
      ["tests", all.tests],
      ["failures", all.failures],
      ["errors", all.errors],
      ["time", Format.seconds(runMs)]
    ],
    children: suites.map((s) => s.element)
  }
  return Format.scrubOutput(Xml.document(root), Xml.escapeText(Redaction.MASK))
}
