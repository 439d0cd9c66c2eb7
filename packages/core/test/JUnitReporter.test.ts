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
  properties: { property: Array<Property> }
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
  testsuites: Omit<TestSuite, "testcase" | "properties"> & { testsuite: Array<TestSuite> }
}

const parse = (xml: string): Parsed => {
  expect(XMLValidator.validate(xml)).toBe(true)
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

const render = async (gate?: Gate.Gate) => parse(JUnitReporter.render(await Fixture.run(gate)))

const cases = (parsed: Parsed): Array<TestCase> => parsed.testsuites.testsuite.flatMap((s) => s.testcase)

const caseOf = (parsed: Parsed, id: string, subject?: string): TestCase => {
  const found = cases(parsed).filter((c) => props(c)["id"] === id && props(c)["subject"] === subject)
  expect(found).toHaveLength(1)
  return found[0]!
}

describe("JUnitReporter.render", () => {
  it("writes one suite per tier and one test case per item, named [tier] title (id), classname = surface", async () => {
    const report = await Fixture.run()
    const parsed = parse(JUnitReporter.render(report))
    expect(parsed.testsuites.testsuite.map((s) => s["@_name"])).toEqual(["launch-critical", "launch-adjacent", "post-launch"])
    for (const item of report.items.filter((i) => i.subjects === undefined)) {
      const c = caseOf(parsed, item.id)
      expect(c["@_name"]).toBe(`[${item.tier}] ${item.title} (${item.id})`)
      expect(c["@_classname"]).toBe(item.surface)
      const suite = parsed.testsuites.testsuite.find((s) => s.testcase.includes(c))!
      expect(suite["@_name"]).toBe(item.tier)
    }
    expect(parsed.testsuites["@_tests"]).toBe(String(cases(parsed).length))
    expect(cases(parsed)).toHaveLength(report.items.length + 1) // regions has two subjects
  })

  it("gives each test case its tier, owner, category, status and disposition as properties", async () => {
    const parsed = await render()
    expect(props(caseOf(parsed, "acme.api.min-instances"))).toMatchObject({
      tier: "launch-critical",
      owner: "platform",
      category: "capacity",
      status: "fail",
      disposition: "blocking",
      surface: "acme.api"
    })
    expect(props(caseOf(parsed, "acme.db.backups"))).toMatchObject({
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

  it("keeps non-blocking problems out of <failure>, in system-out, unless the policy blocks", async () => {
    const parsed = await render()
    for (const id of ["acme.api.alerts", "acme.api.latency", "acme.api.dashboards"]) {
      const c = caseOf(parsed, id)
      expect(c.failure).toBeUndefined()
      expect(c.error).toBeUndefined()
      expect(c.skipped).toBeUndefined()
    }
    expect(caseOf(parsed, "acme.api.alerts")["system-out"]).toContain("WARNING")
    expect(caseOf(parsed, "acme.api.alerts")["system-out"]).toContain("remediation: Create an alert policy.")
    expect(caseOf(parsed, "acme.api.dashboards")["system-out"]).toContain("INFO")

    const blocking = await render(Fixture.gate({ policy: { launchAdjacent: "block" } }))
    expect(caseOf(blocking, "acme.api.alerts").failure!["@_message"]).toBe("no alert policy")
    expect(caseOf(blocking, "acme.api.latency").failure).toBeUndefined()
  })

  it("writes each subject as its own test case", async () => {
    const parsed = await render()
    expect(cases(parsed).filter((c) => props(c)["id"] === "acme.api.regions")).toHaveLength(2)
    const down = caseOf(parsed, "acme.api.regions", "us-central1")
    expect(down["@_name"]).toBe("[launch-critical] Every region serves (acme.api.regions): us-central1")
    expect(down.failure!["@_message"]).toBe("not serving")
    expect(down.failure!["#text"]).toContain("remediation: Redeploy us-central1.")
    const up = caseOf(parsed, "acme.api.regions", "europe-west1")
    expect(up.failure).toBeUndefined()
    expect(props(up)).toMatchObject({ status: "pass", disposition: "ok" })
  })

  it("counts per suite and overall, and times in seconds", async () => {
    const parsed = await render()
    const root = parsed.testsuites
    expect([root["@_tests"], root["@_failures"], root["@_errors"], root["@_skipped"]]).toEqual(["13", "3", "1", "2"])
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
