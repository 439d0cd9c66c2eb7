import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import { version } from "../src/internal/version.js"
import { JsonReporter, Outcome, Report, Runner } from "../src/index.js"
import * as Fixture from "./reporters/fixture.js"

const reportError = (f: () => unknown): JsonReporter.ReportError => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(JsonReporter.ReportError)
    return e as JsonReporter.ReportError
  }
  throw new Error("expected a ReportError")
}

describe("JsonReporter.render", () => {
  it("writes the report as pretty JSON that decodes with the exported schema and reads back equal", async () => {
    const report = await Fixture.run()
    const text = JsonReporter.render(report)
    expect(text.endsWith("}\n")).toBe(true)
    expect(text.split("\n")[1]).toBe(`  "schemaVersion": 1,`)
    const decoded = Schema.decodeUnknownSync(Report.Report)(JSON.parse(text))
    expect(decoded).toEqual(report)
    expect(JsonReporter.parse(text)).toEqual(report)
  })

  it("carries the run metadata that makes it evidence on its own", async () => {
    const json = JSON.parse(JsonReporter.render(await Fixture.run()))
    expect(json.gate).toEqual({ name: "acme api launch", description: "Public launch of the acme API", environment: "production" })
    expect(Date.parse(json.run.startedAt)).toBeGreaterThanOrEqual(Fixture.NOW.getTime())
    expect(Date.parse(json.run.finishedAt)).toBeGreaterThanOrEqual(Date.parse(json.run.startedAt))
    expect(json.run.launchgateVersion).toBe(version)
    expect(json.run.nodeVersion).toBe(process.version)
    expect(json.verdict).toBe("blocked")
    expect(json.reasons).toHaveLength(4)
    const backups = json.items.find((i: { id: string }) => i.id === "acme.db.backups")
    expect(backups).toMatchObject({ status: "fail", disposition: "deferred", deferral: { state: "active", owner: "data-team" } })
    expect(json.deferrals.map((d: { state: string }) => d.state)).toEqual(["active", "expired", "stale"])
  })

  it("stays valid JSON when evidence holds secret-named keys of every JSON type", async () => {
    const secretive = Fixture.simple("acme.api.keys", () =>
      Outcome.fail("see evidence", {
        evidence: { token: null, password: true, apiKey: 12345678, secret: ["abcdefgh", 42], cookie: { session: "s-1234" } }
      }))
    const text = JsonReporter.render(await Runner.runPromise(Fixture.single(secretive)))
    const item = JsonReporter.parse(text).items[0]!
    expect(item.evidence).toEqual({
      token: null,
      password: true,
      apiKey: "<redacted>",
      secret: ["<redacted>", "<redacted>"],
      cookie: { session: "<redacted>" }
    })
  })

  it("refuses a report that does not match the schema, naming the bad field", async () => {
    const report = await Fixture.run()
    const broken = { ...report, items: [{ ...report.items[0]!, status: "passed" }] } as unknown as Report.Report
    const error = reportError(() => JsonReporter.render(broken))
    expect(error.reason).toBe("Schema")
    expect(error.message).toContain(`items[0].status: Expected "pass" | "fail" | "warn" | "error" | "skip", actual "passed"`)
  })
})

describe("JsonReporter.parse", () => {
  it("names each bad field of a report file", async () => {
    const json = JSON.parse(JsonReporter.render(await Fixture.run()))
    json.items[2].status = "passed"
    delete json.run.startedAt
    json.summary.total = "12"
    const error = reportError(() => JsonReporter.parse(JSON.stringify(json)))
    expect(error.reason).toBe("Schema")
    expect(error.issues).toEqual(expect.arrayContaining([
      { path: "items[2].status", message: `Expected "pass" | "fail" | "warn" | "error" | "skip", actual "passed"` },
      { path: "run.startedAt", message: "is required" },
      { path: "summary.total", message: `Expected number, actual "12"` }
    ]))
    expect(error.message).toMatch(/^the report is not valid \(Schema\):\n {2}- /)
  })

  it("refuses text that is not JSON and reports of another schema version", () => {
    expect(reportError(() => JsonReporter.parse("{\"schemaVersion\": 1,")).reason).toBe("Json")
    const version = reportError(() => JsonReporter.parse(JSON.stringify({ schemaVersion: 2 })))
    expect(version.reason).toBe("Version")
    expect(version.issues).toEqual([{ path: "schemaVersion", message: "this launchgate reads version 1, the report is version 2" }])
    expect(reportError(() => JsonReporter.parse("[]")).issues[0]!.path).toBe("(report)")
  })

  it("ignores fields added by a newer minor release", async () => {
    const report = await Fixture.run()
    const json = JSON.parse(JsonReporter.render(report))
    json.futureField = { anything: true }
    json.items[0].alsoNew = 1
    expect(JsonReporter.parse(JSON.stringify(json))).toEqual(report)
  })
})
