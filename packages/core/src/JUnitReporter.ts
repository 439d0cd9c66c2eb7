/**
 * JUnit XML reporter, for the test views of CI systems (GitHub Actions test
 * reporters, GitLab, Jenkins, Azure Pipelines, Buildkite).
 *
 * Layout: one `<testsuite>` per tier, because CI views group and count by
 * suite, so a reader sees launch-critical results apart from post-launch
 * ones without opening a test; the tier is also a property of each test
 * case, for tools that flatten suites. One `<testcase>` per item
 * (`classname` = surface, `name` = `[tier] title (id)`), or one per subject
 * when an item covers many resources.
 *
 * A test case fails (`<failure>`, or `<error>` when the check could not
 * decide) exactly when its result blocks the launch, so the CI view is red
 * exactly when the gate is blocked. Deferred failures are `<skipped>` with
 * the deferral's reason, owner and expiry; skipped items are `<skipped>`;
 * warnings and other non-blocking results keep their details in
 * `<system-out>`. Times are in seconds.
 *
 * @since 0.1.0
 */
import * as Format from "./internal/reporters/format.js"
import * as Xml from "./internal/reporters/xml.js"
import type { Json } from "./Outcome.js"
import * as Redaction from "./Redaction.js"
import type * as Report from "./Report.js"

interface Case {
  readonly element: Xml.Element
  readonly outcome: "passed" | "failure" | "error" | "skipped"
  readonly ms: number
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

/**
 * How the gate treats one subject: a failing subject of a blocking item
 * blocks, of a deferred item is deferred, and so on; a passing or skipped
 * subject is just that.
 */
const subjectDisposition = (item: Report.ItemReport, status: Report.ItemReport["status"]): Report.Disposition => {
  if (status === "pass") return "ok"
  if (status === "skip") return "skipped"
  if (status === "warn") return item.tier === "post-launch" ? "info" : "warning"
  // fail or error: the item's own status is at least this bad, so its disposition applies;
  // an item that claims to pass while a subject fails is reported as a warning, never hidden.
  return item.disposition === "ok" || item.disposition === "skipped" ? "warning" : item.disposition
}

const NOTE: Record<Report.Disposition, string> = {
  ok: "passed",
  blocking: "BLOCKING: this result blocks the launch",
  warning: "WARNING: needs attention, does not block the launch",
  deferred: "DEFERRED: a failure covered by an active deferral",
  info: "INFO: post-launch result, informational",
  skipped: "SKIPPED"
}

const testCase = (
  item: Report.ItemReport,
  result: {
    readonly subject?: string
    readonly status: Report.ItemReport["status"]
    readonly disposition: Report.Disposition
    readonly message: string
    readonly evidence: Readonly<Record<string, Json>>
    readonly remediation?: string | undefined
  },
  ms: number
): Case => {
  const properties: Array<Xml.Element> = [
    property("id", item.id),
    ...(result.subject !== undefined ? [property("subject", result.subject)] : []),
    property("tier", item.tier),
    property("owner", item.owner),
    property("category", item.category),
    property("surface", item.surface),
    property("kind", item.kind),
    property("status", result.status),
    property("disposition", result.disposition),
    property("attempts", item.attempts),
    ...(item.rollbackOf !== undefined ? [property("rollbackOf", item.rollbackOf)] : []),
    ...(item.docs !== undefined ? [property("docs", item.docs)] : []),
    ...(item.deferral
      ? [
        property("deferral.owner", item.deferral.owner),
        property("deferral.expires", item.deferral.expires),
        property("deferral.state", item.deferral.state),
        property("deferral.followUp", item.deferral.followUp)
      ]
      : [])
  ]
  const body = details(
    `${result.status} (${NOTE[result.disposition]})`,
    result.message,
    result.evidence,
    result.remediation,
    item.docs
  )
  const children: Array<Xml.Element> = [{ name: "properties", children: properties }]
  let outcome: Case["outcome"] = "passed"
  if (result.disposition === "deferred" && item.deferral) {
    children.push({ name: "skipped", attributes: [["message", Format.deferralPhrase(item.deferral)]] })
    outcome = "skipped"
  } else if (result.disposition === "skipped" || result.status === "skip") {
    children.push({ name: "skipped", attributes: [["message", result.message]] })
    outcome = "skipped"
  } else if (result.disposition === "blocking") {
    outcome = result.status === "error" ? "error" : "failure"
    children.push({ name: outcome, attributes: [["message", result.message], ["type", result.status]], text: body })
  }
  // A failure's body already carries the details; everything else keeps them in system-out.
  if (outcome !== "failure" && outcome !== "error") children.push({ name: "system-out", text: body })
  const name = `[${item.tier}] ${item.title} (${item.id})${result.subject !== undefined ? `: ${result.subject}` : ""}`
  return {
    element: {
      name: "testcase",
      attributes: [["name", name], ["classname", item.surface], ["time", Format.seconds(ms)]],
      children
    },
    outcome,
    ms
  }
}

/** One test case per item, or per subject (the item's time shared between them). */
const casesOf = (item: Report.ItemReport): Array<Case> => {
  const own = () =>
    testCase(item, {
      status: item.status,
      disposition: item.disposition,
      message: item.message,
      evidence: item.evidence,
      remediation: item.remediation
    }, item.durationMs)
  const subjects = item.subjects ?? []
  if (subjects.length === 0) return [own()]
  const cases = subjects.map((s) =>
    testCase(item, {
      subject: s.subject,
      status: s.status,
      disposition: subjectDisposition(item, s.status),
      message: s.message,
      evidence: s.evidence,
      remediation: s.remediation
    }, item.durationMs / subjects.length)
  )
  // Fail closed: an item whose own result blocks (or is deferred) must show so even if no subject carries it.
  const carried = cases.some((c, i) => subjectDisposition(item, subjects[i]!.status) === item.disposition)
  return carried || item.disposition === "ok" ? cases : [...cases, { ...own(), ms: 0 }]
}

const counts = (cases: ReadonlyArray<Case>) => ({
  tests: cases.length,
  failures: cases.filter((c) => c.outcome === "failure").length,
  errors: cases.filter((c) => c.outcome === "error").length,
  skipped: cases.filter((c) => c.outcome === "skipped").length,
  ms: cases.reduce((sum, c) => sum + c.ms, 0)
})

// JUnit's timestamp is an xs:dateTime without a zone; launchgate's times are UTC.
const timestamp = (iso: string): string => iso.slice(0, 19)

/**
 * The report as JUnit XML: one `<testsuite>` per tier, one `<testcase>` per
 * item (or subject), run metadata as suite properties. A blocked verdict
 * with no blocking item (an interrupted run) adds a `launchgate verdict`
 * test case in error, so the file never reads green for a blocked gate.
 *
 * @example
 * await writeFile("launchgate-junit.xml", JUnitReporter.render(report))
 */
export const render = (report: Report.Report): string => {
  const r = Format.scrubReport(report)
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
    property("policy.launchAdjacent", r.policy.launchAdjacent)
  ]
  const suite = (name: string, cases: ReadonlyArray<Case>, extra: ReadonlyArray<Xml.Element>) => {
    const c = counts(cases)
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
          ["time", Format.seconds(c.ms)],
          ["timestamp", timestamp(r.run.startedAt)]
        ],
        children: [{ name: "properties", children: [...extra, ...runProperties] }, ...cases.map((x) => x.element)]
      } satisfies Xml.Element
    }
  }

  const suites = Format.itemsByTier(r).map(({ items, tier }) =>
    suite(tier, items.flatMap(casesOf), [property("tier", tier)])
  )
  const failing = suites.some((s) => s.cases.some((c) => c.outcome === "failure" || c.outcome === "error"))
  if (r.verdict === "blocked" && !failing) {
    const message = r.reasons.join("; ") || "the gate is blocked"
    suites.push(suite("launchgate", [{
      element: {
        name: "testcase",
        attributes: [["name", "launchgate verdict"], ["classname", "launchgate"], ["time", Format.seconds(0)]],
        children: [{ name: "error", attributes: [["message", message], ["type", "blocked"]], text: r.reasons.join("\n") }]
      },
      outcome: "error",
      ms: 0
    }], []))
  }

  const all = counts(suites.flatMap((s) => s.cases))
  const root: Xml.Element = {
    name: "testsuites",
    attributes: [
      ["name", `launchgate: ${r.gate.name}`],
      ["tests", all.tests],
      ["failures", all.failures],
      ["errors", all.errors],
      ["skipped", all.skipped],
      ["time", Format.seconds(r.run.durationMs)],
      ["timestamp", timestamp(r.run.startedAt)]
    ],
    children: suites.map((s) => s.element)
  }
  return Format.scrubOutput(Xml.document(root), Xml.escapeText(Redaction.MASK))
}
