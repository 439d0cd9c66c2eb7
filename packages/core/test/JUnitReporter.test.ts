import { describe, expect, it } from "@effect/vitest"
import { XMLParser, XMLValidator } from "fast-xml-parser"
import { type Gate, JUnitReporter, Outcome, type Report, Runner } from "../src/index.js"
import * as Fixture from "./reporters/fixture.js"

interface Property { "@_name": string; "@_value": string }
interface Element { "@_message"?: string; "@_type"?: string; "#text"?: string }
interface TestCase {
  "@_name": string
  "@_classname": string
  "@_time": string
  failure?: Element
  error?: Element
  skipped?: Element
  "system-out"?: string
}
interface TestSuite {
  "@_name": string
  "@_tests": string
  "@_failures": string
  "@_errors": string
  "@_skipped": string
  "@_time": string
  "@_timestamp": string
  properties: { property: Array<Property> }
  testcase: Array<TestCase>
}
interface Parsed {
  testsuites: Omit<TestSuite, "testcase" | "properties" | "@_skipped" | "@_timestamp"> & { testsuite: Array<TestSuite> }
}

/**
 * The structural rules of the common JUnit schema, junit-10.xsd as the Jenkins xUnit plugin publishes it
 * (https://github.com/jenkinsci/xunit-plugin/blob/master/src/main/resources/org/jenkinsci/plugins/xunit/types/model/xsd/junit-10.xsd):
 * which attributes each element may carry (and which it must), which children it may hold, and whether it may
 * hold text. XSD forbids undeclared attributes, so an extra one is an error too.
 */
interface Rule {
  readonly required: ReadonlyArray<string>
  readonly optional: ReadonlyArray<string>
  readonly children: ReadonlyArray<string>
  readonly text: boolean
}
const rule = (required: Array<string>, optional: Array<string>, children: Array<string>, text = false): Rule => ({
  required,
  optional,
  children,
  text
})
const message = rule([], ["type", "message"], [], true)
const rerun = rule(["type"], ["message"], ["stackTrace", "system-out", "system-err"], true)
const XSD: Record<string, Rule> = {
  testsuites: rule([], ["name", "time", "tests", "failures", "errors"], ["testsuite"]),
  testsuite: rule(["name", "tests", "failures", "errors"], [
    "group", "time", "skipped", "timestamp", "hostname", "id", "package", "file", "log", "url"
  ], ["testsuite", "properties", "testcase", "system-out", "system-err"]),
  properties: rule([], [], ["property"]),
  property: rule(["name", "value"], [], []),
  testcase: rule(["name"], ["time", "classname", "group"], [
    "skipped", "error", "failure", "rerunFailure", "rerunError", "flakyFailure", "flakyError", "system-out", "system-err"
  ]),
  failure: message,
  error: message,
  skipped: message,
  rerunFailure: rerun,
  rerunError: rerun,
  flakyFailure: rerun,
  flakyError: rerun,
  "system-out": rule([], [], [], true),
  "system-err": rule([], [], [], true),
  stackTrace: rule([], [], [], true)
}
// SUREFIRE_TIME, the type of `time` on testsuite and testsuites.
const SUREFIRE_TIME = /^(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?$/

type Node = Record<string, unknown> & { ":@"?: Record<string, string> }

/** Every violation of junit-10.xsd's rules in a document (empty when it conforms). */
const xsdViolations = (xml: string): Array<string> => {
  const nodes = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "",
    preserveOrder: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true
  }).parse(xml) as Array<Node>
  const problems: Array<string> = []
  const visit = (node: Node, path: string, allowed: ReadonlyArray<string>) => {
    const name = Object.keys(node).find((k) => k !== ":@")!
    if (name === "#text") {
      const parent = path.split("/").pop()!
      if (!XSD[parent]?.text) problems.push(`${path}: text not allowed`)
      return
    }
    const here = `${path}/${name}`
    if (!allowed.includes(name)) return void problems.push(`${here}: element not allowed here`)
    const r = XSD[name]!
    const attributes = node[":@"] ?? {}
    for (const a of r.required) if (!(a in attributes)) problems.push(`${here}: missing required @${a}`)
    for (const a of Object.keys(attributes)) {
      if (!r.required.includes(a) && !r.optional.includes(a)) problems.push(`${here}: undeclared @${a}`)
    }
    if ((name === "testsuite" || name === "testsuites") && attributes["time"] !== undefined) {
      if (!SUREFIRE_TIME.test(attributes["time"])) problems.push(`${here}: @time "${attributes["time"]}" is not SUREFIRE_TIME`)
    }
    for (const child of node[name] as Array<Node>) visit(child, here, r.children)
  }
  for (const node of nodes) if (!("?xml" in node)) visit(node, "", ["testsuites", "testsuite"])
  return problems
}

const parse = (xml: string): Parsed => {
  expect(XMLValidator.validate(xml)).toBe(true)
  expect(xsdViolations(xml)).toEqual([])
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    htmlEntities: true,
    isArray: (name) => ["testsuite", "testcase", "property"].includes(name)
  }).parse(xml) as Parsed
}

const props = (c: { properties: { property: Array<Property> } }): Record<string, string> =>
  Object.fromEntries(c.properties.property.map((p) => [p["@_name"], p["@_value"]]))

/** A test case's facts: the `name: value` lines that lead its system-out (junit-10.xsd has no case properties). */
const facts = (c: TestCase): Record<string, string> => {
  const head = (c["system-out"] ?? "").split("\n\n")[0]!
  return Object.fromEntries(head.split("\n").map((line) => [line.slice(0, line.indexOf(": ")), line.slice(line.indexOf(": ") + 2)]))
}

const render = async (gate?: Gate.Gate) => parse(JUnitReporter.render(await Fixture.run(gate)))

const cases = (parsed: Parsed): Array<TestCase> => parsed.testsuites.testsuite.flatMap((s) => s.testcase)

const caseOf = (parsed: Parsed, id: string): TestCase => {
  const found = cases(parsed).filter((c) => facts(c)["id"] === id)
  expect(found).toHaveLength(1)
  return found[0]!
}

describe("JUnitReporter.render", () => {
  it("writes one suite per tier and one test case per item, named [tier] title (id), classname = surface", async () => {
    const report = await Fixture.run()
    const parsed = parse(JUnitReporter.render(report))
    expect(parsed.testsuites.testsuite.map((s) => s["@_name"])).toEqual(["launch-critical", "launch-adjacent", "post-launch"])
    for (const item of report.items) {
      const c = caseOf(parsed, item.id)
      expect(c["@_name"]).toBe(`[${item.tier}] ${item.title} (${item.id})`)
      expect(c["@_classname"]).toBe(item.surface)
      const suite = parsed.testsuites.testsuite.find((s) => s.testcase.includes(c))!
      expect(suite["@_name"]).toBe(item.tier)
    }
    expect(parsed.testsuites["@_tests"]).toBe(String(cases(parsed).length))
    // One case per item, also for items with subjects (regions has two): the counts equal the items.
    expect(cases(parsed)).toHaveLength(report.items.length)
  })

  it("gives each test case its tier, owner, category, status and disposition at the head of system-out", async () => {
    const parsed = await render()
    expect(facts(caseOf(parsed, "acme.api.min-instances"))).toMatchObject({
      tier: "launch-critical",
      owner: "platform",
      category: "capacity",
      status: "fail",
      disposition: "blocking",
      surface: "acme.api"
    })
    expect(facts(caseOf(parsed, "acme.db.backups"))).toMatchObject({
      owner: "data",
      category: "rollback",
      disposition: "deferred",
      "deferral.owner": "data-team",
      "deferral.state": "active",
      "deferral.followUp": "ACME-42"
    })
    const suite = parsed.testsuites.testsuite[0]!
    expect(props(suite)).toMatchObject({ tier: "launch-critical", gate: "acme api launch", environment: "production", verdict: "blocked" })
  })

  it("fails blocking items with their message and evidence, errors checks that could not decide", async () => {
    const parsed = await render()
    const failure = caseOf(parsed, "acme.api.min-instances").failure!
    expect(failure["@_message"]).toBe("0 instances")
    expect(failure["#text"]).toContain(`"observed": 0`)
    expect(failure["#text"]).toContain(`"expected": ">= 1"`)
    expect(failure["#text"]).toContain("remediation: Set min instances to 1.")
    const probe = caseOf(parsed, "acme.api.probe")
    expect(probe.failure).toBeUndefined()
    expect(probe.error!["@_message"]).toBe("could not decide: connection refused")
    // An expired deferral covers nothing: the failure blocks.
    expect(caseOf(parsed, "acme.api.tls").failure!["@_message"]).toBe("certificate expires in 3 days")
    expect(caseOf(parsed, "acme.api.health").failure).toBeUndefined()
  })

  it("skips deferred items with the deferral's reason, owner and expiry, and skipped items with why", async () => {
    const parsed = await render()
    const backups = caseOf(parsed, "acme.db.backups")
    expect(backups.failure).toBeUndefined()
    expect(backups.skipped!["@_message"]).toBe("deferred: backups move to the new cluster (data-team, expires 2026-04-01, 31 days left)")
    expect(backups["system-out"]).toContain("backups are off")
    expect(caseOf(parsed, "acme.api.canary").skipped!["@_message"]).toBe("no canary in this environment")
  })

  it("shows non-blocking failures as skipped (never green), details in system-out, unless the policy blocks", async () => {
    const parsed = await render()
    for (const [id, message] of [["acme.api.alerts", "no alert policy"], ["acme.api.dashboards", "no dashboard"]]) {
      const c = caseOf(parsed, id!)
      expect(c.failure).toBeUndefined()
      expect(c.error).toBeUndefined()
      expect(c.skipped!["@_message"]).toBe(`non-blocking fail: ${message}`)
    }
    expect(caseOf(parsed, "acme.api.alerts")["system-out"]).toContain("WARNING")
    expect(caseOf(parsed, "acme.api.alerts")["system-out"]).toContain("remediation: Create an alert policy.")
    expect(caseOf(parsed, "acme.api.dashboards")["system-out"]).toContain("INFO")
    // A warning is not a failure: it stays a pass with its details in system-out.
    const latency = caseOf(parsed, "acme.api.latency")
    expect([latency.failure, latency.error, latency.skipped]).toEqual([undefined, undefined, undefined])
    expect(latency["system-out"]).toContain("WARNING")
    // The launch-adjacent suite no longer reads all green: its non-blocking failure is counted as skipped.
    const adjacent = parsed.testsuites.testsuite.find((s) => s["@_name"] === "launch-adjacent")!
    expect([adjacent["@_failures"], adjacent["@_errors"], adjacent["@_skipped"]]).toEqual(["0", "0", "2"])

    const blocking = await render(Fixture.gate({ policy: { launchAdjacent: "block" } }))
    expect(caseOf(blocking, "acme.api.alerts").failure!["@_message"]).toBe("no alert policy")
    expect(caseOf(blocking, "acme.api.alerts").failure!["@_type"]).toBe("fail")
    expect(caseOf(blocking, "acme.api.latency").failure).toBeUndefined()
  })

  it("writes non-blocking failures as <failure type=\"non-blocking\"> with nonBlocking: \"failure\"", async () => {
    const report = await Fixture.run()
    const parsed = parse(JUnitReporter.render(report, { nonBlocking: "failure" }))
    const alerts = caseOf(parsed, "acme.api.alerts")
    expect(alerts.skipped).toBeUndefined()
    expect(alerts.failure!["@_type"]).toBe("non-blocking")
    expect(alerts.failure!["@_message"]).toBe("no alert policy")
    expect(alerts.failure!["#text"]).toContain("WARNING: needs attention, does not block the launch")
    expect(caseOf(parsed, "acme.api.dashboards").failure!["@_type"]).toBe("non-blocking")
    expect(parsed.testsuites["@_failures"]).toBe("5")
    expect(props(parsed.testsuites.testsuite[0]!)["junit.nonBlocking"]).toBe("failure")
    // The default says which choice was made too.
    expect(props(parse(JUnitReporter.render(report)).testsuites.testsuite[0]!)["junit.nonBlocking"]).toBe("skipped")
  })

  it("writes an item with subjects as one test case, its subjects listed in the output, failures first", async () => {
    const parsed = await render()
    expect(cases(parsed).filter((c) => facts(c)["id"] === "acme.api.regions")).toHaveLength(1)
    const regions = caseOf(parsed, "acme.api.regions")
    expect(regions["@_name"]).toBe("[launch-critical] Every region serves (acme.api.regions)")
    expect(facts(regions)["subjects"]).toBe("2")
    const body = regions.failure!["#text"]!
    expect(body).toContain("subjects (2, 1 failing; one test case for the item, subjects listed here):")
    expect(body.indexOf("fail  us-central1: not serving")).toBeGreaterThan(-1)
    expect(body.indexOf("fail  us-central1")).toBeLessThan(body.indexOf("pass  europe-west1: serving"))
    expect(body).toContain("us-central1 remediation: Redeploy us-central1.")
    expect(body).toContain(`us-central1 evidence: {"observed":"DOWN","expected":"SERVING"}`)
  })

  it("counts per suite and overall, and times in seconds", async () => {
    const parsed = await render()
    const root = parsed.testsuites
    expect([root["@_tests"], root["@_failures"], root["@_errors"]]).toEqual(["12", "3", "1"])
    const skipped = root.testsuite.reduce((n, s) => n + Number(s["@_skipped"]), 0)
    expect(skipped).toBe(4) // backups (deferred), canary (skip), alerts and dashboards (non-blocking failures)
    for (const suite of root.testsuite) {
      expect(suite["@_tests"]).toBe(String(suite.testcase.length))
      expect(suite["@_failures"]).toBe(String(suite.testcase.filter((c) => c.failure).length))
      expect(suite["@_errors"]).toBe(String(suite.testcase.filter((c) => c.error).length))
      expect(suite["@_skipped"]).toBe(String(suite.testcase.filter((c) => c.skipped).length))
      expect(suite["@_timestamp"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/)
    }
    for (const c of cases(parsed)) {
      expect(c["@_time"]).toMatch(/^\d+\.\d{3}$/)
      expect(Number(c["@_time"])).toBeLessThan(5)
    }
  })

  it("nests times: a case is its item's duration, a suite the wall span of its items, the root the run", async () => {
    const report = await Fixture.run()
    const start = Date.parse(report.run.startedAt)
    const at = (ms: number) => new Date(start + ms).toISOString()
    // Six launch-critical items running concurrently for 1 s each, 10..1210 ms into a 1.5 s run:
    // their sum (6 s) is not a time any reader can use, their span (1.2 s) is.
    let n = 0
    const timed: Report.Report = {
      ...report,
      run: { ...report.run, durationMs: 1_500 },
      items: report.items.map((i) =>
        i.tier !== "launch-critical" ? { ...i, startedAt: at(5), durationMs: 100 }
        : { ...i, startedAt: at(10 + 40 * n++), durationMs: 1_000 }
      )
    }
    const parsed = parse(JUnitReporter.render(timed))
    expect(parsed.testsuites["@_time"]).toBe("1.500")
    const critical = parsed.testsuites.testsuite.find((s) => s["@_name"] === "launch-critical")!
    expect(critical["@_time"]).toBe(((10 + 40 * (n - 1) + 1_000 - 10) / 1000).toFixed(3))
    expect(critical["@_timestamp"]).toBe(at(10).slice(0, 19))
    for (const suite of parsed.testsuites.testsuite) {
      expect(Number(suite["@_time"])).toBeLessThanOrEqual(Number(parsed.testsuites["@_time"]))
      for (const c of suite.testcase) expect(Number(c["@_time"])).toBeLessThanOrEqual(Number(suite["@_time"]))
    }
    // An item reported as running past the end of the run cannot push a suite past the root.
    const late: Report.Report = { ...timed, items: timed.items.map((i) => ({ ...i, durationMs: 9_000 })) }
    for (const suite of parse(JUnitReporter.render(late)).testsuites.testsuite) expect(suite["@_time"]).toBe("1.500")
  })

  it("conforms to junit-10.xsd: the checker rejects what the schema forbids", () => {
    // The negative control of the structural checker itself.
    const bad = `<?xml version="1.0"?>\n<testsuites skipped="1"><testsuite name="x" tests="1" failures="0">` +
      `<testcase name="a"><properties><property name="k" value="v"/></properties></testcase></testsuite></testsuites>`
    expect(xsdViolations(bad)).toEqual([
      "/testsuites: undeclared @skipped",
      "/testsuites/testsuite: missing required @errors",
      "/testsuites/testsuite/testcase/properties: element not allowed here"
    ])
  })

  it("stays valid XML with markup, quotes and control characters in check text", async () => {
    const xml = JUnitReporter.render(await Fixture.run())
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/)
    const weird = caseOf(parse(xml), "acme.api.weird")
    const out = weird["system-out"]!
    expect(out).toContain(`a | b\nline two <script>alert(1)</script> & "q" 'a' ]]> *bold*`)
    expect(out).toContain("\\u0001\\u001b[31m")
  })

  it("keeps an attribute's line breaks", async () => {
    const split = Fixture.simple("acme.api.split", () => Outcome.fail("line one\nline two\r\n\ttabbed"))
    const parsed = parse(JUnitReporter.render(await Runner.runPromise(Fixture.single(split))))
    expect(caseOf(parsed, "acme.api.split").failure!["@_message"]).toBe("line one\nline two\r\n\ttabbed")
  })

  it("stays valid XML when the final scrub masks text the formatter assembled", async () => {
    // "password=" in a title is harmless alone; in the test case name it is followed by the id, which the
    // final pass then masks: the mask must be written escaped, or the XML would break.
    const titled = Fixture.simple("acme.api.pw", () => Outcome.pass("ok"), { title: "password=" })
    const xml = JUnitReporter.render(await Runner.runPromise(Fixture.single(titled)))
    expect(xml).toContain(`name="[launch-critical] password= &lt;redacted&gt;"`)
    expect(cases(parse(xml))[0]!["@_name"]).toBe("[launch-critical] password= <redacted>")
  })

  it("never reads green for a blocked gate: an interrupted run with no blocking item adds a verdict error", async () => {
    const gate = Fixture.single(Fixture.hanging("acme.api.hang"), "launch-adjacent")
    const report: Report.Report = await Runner.runPromise(gate, { deadline: "20 millis" })
    expect(report.verdict).toBe("blocked")
    expect(report.summary.blocking).toBe(0)
    const parsed = parse(JUnitReporter.render(report))
    const verdict = cases(parsed).find((c) => c["@_name"] === "launchgate verdict")!
    expect(verdict.error!["@_message"]).toContain("overall deadline")
    expect(parsed.testsuites["@_errors"]).toBe("1")

    const ready = parse(JUnitReporter.render(await Fixture.run(Fixture.readyGate())))
    expect(cases(ready).some((c) => c["@_name"] === "launchgate verdict")).toBe(false)
    expect(ready.testsuites["@_failures"]).toBe("0")
  })
})
