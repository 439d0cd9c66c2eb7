import { afterEach, describe, expect, it } from "@effect/vitest"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { GitHubActions, MarkdownReporter, Outcome, Redaction, type Report, Runner } from "../src/index.js"
import * as Fixture from "./reporters/fixture.js"

/** Undo GitHub's escaping of a workflow command's message (what the runner does before showing it). */
const unescapeData = (s: string) => s.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%")
const unescapeProperty = (s: string) => unescapeData(s.replace(/%3A/g, ":").replace(/%2C/g, ","))

/** Parse a workflow command line as the runner would: `::name key=value,key=value::message`. */
const parseCommand = (line: string) => {
  const match = /^::(error|warning) ([^:]*)::(.*)$/s.exec(line)
  expect(match, line).not.toBeNull()
  const properties = Object.fromEntries(match![2]!.split(",").map((p) => {
    const eq = p.indexOf("=")
    return [p.slice(0, eq), unescapeProperty(p.slice(eq + 1))]
  }))
  return { name: match![1]!, properties, message: unescapeData(match![3]!) }
}

describe("GitHubActions.commands", () => {
  afterEach(() => Redaction.clearRegistry())

  it("errors each blocking item, warns non-blocking failures and deferrals expiring within 7 days", async () => {
    const report = await Fixture.run()
    const lines = GitHubActions.commands(report)
    const parsed = lines.map(parseCommand)
    const errors = parsed.filter((c) => c.name === "error").map((c) => c.properties["title"])
    expect(errors.sort()).toEqual(report.items.filter((i) => i.disposition === "blocking").map((i) => i.id).sort())
    expect(errors).toContain("acme.api.min-instances")
    const min = parsed.find((c) => c.properties["title"] === "acme.api.min-instances")!
    expect(min.message).toBe(
      "API keeps a warm instance: 0 instances (blocks the launch; launch-critical, owner platform)\n" +
        "remediation: Set min instances to 1."
    )
    const warnings = parsed.filter((c) => c.name === "warning").map((c) => c.properties["title"])
    // alerts (launch-adjacent fail) and dashboards (post-launch fail); not the plain warning, not the deferred item.
    expect(warnings).toEqual(["acme.api.alerts", "acme.api.dashboards"])
    // Each command is one line: the message's line breaks are escaped.
    for (const line of lines) expect(line).not.toMatch(/[\r\n]/)
  })

  it("warns about an active deferral with 7 days or fewer left, not one with more", async () => {
    const report = await Fixture.run()
    const soon: Report.Report = {
      ...report,
      deferrals: report.deferrals.map((d) => d.check === "acme.db.backups" ? { ...d, daysLeft: 7 } : d)
    }
    const parsed = GitHubActions.commands(soon).map(parseCommand)
    const deferral = parsed.find((c) => c.properties["title"] === "deferral acme.db.backups")!
    expect(deferral.name).toBe("warning")
    expect(deferral.message).toContain("expires 2026-04-01, 7 days left")
    expect(deferral.message).toContain("owner data-team, follow-up ACME-42")
    const later = { ...soon, deferrals: soon.deferrals.map((d) => ({ ...d, daysLeft: d.daysLeft === 7 ? 8 : d.daysLeft })) }
    expect(GitHubActions.commands(later).some((l) => l.includes("deferral acme.db.backups"))).toBe(false)
  })

  it("escapes data and properties exactly as GitHub's toolkit does", () => {
    expect(GitHubActions.escapeData("100% done\r\nnext::error::x")).toBe("100%25 done%0D%0Anext::error::x")
    expect(GitHubActions.escapeProperty("a:b,c%\n")).toBe("a%3Ab%2Cc%25%0A")
    // % first, so an escape already in the text is not decoded by the runner into a line break.
    expect(GitHubActions.escapeData("literal %0A")).toBe("literal %250A")
  })

  it("cannot be made to issue a command of its own through a check's message or id", async () => {
    const evil = Fixture.simple(
      "acme.api.evil,x:y",
      () => Outcome.fail("line one\n::error title=forged::pwned\r\n50% %0A done"),
      { title: "Evil" }
    )
    const lines = GitHubActions.commands(await Runner.runPromise(Fixture.single(evil)))
    expect(lines).toHaveLength(1)
    const line = lines[0]!
    expect(line).toContain("title=acme.api.evil%2Cx%3Ay::")
    expect(line).toContain("line one%0A::error title=forged::pwned%0D%0A50%25 %250A done")
    const parsed = parseCommand(line)
    expect(parsed.properties).toEqual({ title: "acme.api.evil,x:y" })
    expect(parsed.message).toContain("line one\n::error title=forged::pwned\r\n50% %0A done")
  })

  it("never prints a registered secret, in any spelling, in titles or messages", async () => {
    const secret = "s3cr3t:value,with%chars"
    Redaction.register(secret)
    const leaky = Fixture.simple(`acme.api.${secret}`, () => Outcome.fail(`token is ${secret}\nagain ${secret}`))
    const lines = GitHubActions.commands(await Runner.runPromise(Fixture.single(leaky)))
    const text = lines.join("\n")
    expect(text).toContain("<redacted>")
    for (const spelling of [secret, GitHubActions.escapeData(secret), GitHubActions.escapeProperty(secret), "s3cr3t"]) {
      expect(text).not.toContain(spelling)
    }
  })

  it("errors a blocked verdict that no item explains (an interrupted run)", async () => {
    const gate = Fixture.single(Fixture.hanging("acme.api.hang"), "launch-adjacent")
    const report = await Runner.runPromise(gate, { deadline: "20 millis" })
    const parsed = GitHubActions.commands(report).map(parseCommand)
    const verdict = parsed.find((c) => c.properties["title"] === "launchgate verdict")!
    expect(verdict.name).toBe("error")
    expect(verdict.message).toContain("overall deadline")
    expect(GitHubActions.commands(await Fixture.run(Fixture.readyGate()))).toEqual([])
  })
})

describe("GitHubActions.emit", () => {
  it("writes the commands and appends the Markdown report to the step summary file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "launchgate-gha-"))
    try {
      const summaryFile = join(dir, "summary.md")
      await writeFile(summaryFile, "earlier step\n")
      const report = await Fixture.run()
      const written: Array<string> = []
      await GitHubActions.emit(report, { summaryFile, write: (line) => void written.push(line) })
      expect(written).toEqual(GitHubActions.commands(report).map((l) => `${l}\n`))
      const text = await readFile(summaryFile, "utf8")
      expect(text.startsWith("earlier step\n")).toBe(true)
      expect(text).toContain(MarkdownReporter.MARKER)
      expect(text).toContain(MarkdownReporter.render(report))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
