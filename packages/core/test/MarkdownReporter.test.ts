import { describe, expect, it } from "@effect/vitest"
import { Gate, MarkdownReporter, Outcome, Runner } from "../src/index.js"
import * as Fixture from "./reporters/fixture.js"

/** The lines of the section under `### title`, up to the next heading. */
const section = (md: string, title: string): string => {
  const start = md.indexOf(`\n### ${title}\n`)
  expect(start).toBeGreaterThan(-1)
  const end = md.indexOf("\n### ", start + 1)
  return md.slice(start, end === -1 ? undefined : end)
}

/** Cells of a table row, split on unescaped pipes as GFM does. */
const cells = (row: string): Array<string> => row.trim().replace(/^\|/, "").replace(/\|$/, "").split(/(?<!\\)\|/).map((c) => c.trim())

/** The rows of the first table in a text (header, then body; the delimiter row dropped). */
const tableRows = (text: string): Array<Array<string>> => {
  const lines = text.split("\n")
  const first = lines.findIndex((l) => l.startsWith("| "))
  const rows: Array<string> = []
  for (let i = first; i < lines.length && lines[i]!.startsWith("|"); i++) rows.push(lines[i]!)
  return rows.filter((_, i) => i !== 1).map(cells)
}

/** The JSON code blocks inside a text. */
const jsonBlocks = (text: string): Array<unknown> =>
  [...text.matchAll(/^(`{3,})json\n([\s\S]*?)\n\1$/gm)].map((m) => JSON.parse(m[2]!))

/** The text with fenced code blocks removed (what GitHub renders as Markdown and HTML). */
const prose = (md: string): string => md.replace(/^(`{3,})[a-z]*\n[\s\S]*?\n\1$/gm, "")

describe("MarkdownReporter.render", () => {
  it("opens with the marker, the verdict with emoji, the counts and the blocking reasons", async () => {
    const report = await Fixture.run()
    const md = MarkdownReporter.render(report)
    expect(md.split("\n")[0]).toBe(MarkdownReporter.MARKER)
    expect(md.split("\n")[1]).toBe("## ⛔ Launch blocked: acme api launch → production")
    expect(md).toContain("**4 blocking**, 3 warnings, 1 deferred, 12 items checked.")
    expect(md).toContain("- acme.api.min-instances \\[launch-critical\\] fail: 0 instances")
    expect(md.match(/^- acme\.api\.\S+ \\\[launch-critical\\\]/gm)).toHaveLength(report.reasons.length)

    const ready = MarkdownReporter.render(await Fixture.run(Fixture.readyGate()))
    expect(ready.split("\n")[1]).toBe("## ✅ Ready to launch: acme docs launch")
    expect(ready).not.toContain("Why it is blocked")
  })

  it("has a count table and a table per tier with status, check, owner and message", async () => {
    const report = await Fixture.run()
    const md = MarkdownReporter.render(report)
    const counts = tableRows(md.slice(md.indexOf("| Tier |")))
    expect(counts[0]).toEqual(["Tier", "✅ pass", "❌ fail", "⚠️ warn", "❗ error", "⏭️ skip", "⏳ deferred"])
    expect(counts[1]).toEqual(["Launch-critical", "2", "3", "0", "1", "0", "1"])

    for (const [tier, title] of [["launch-critical", "Launch-critical"], ["launch-adjacent", "Launch-adjacent"], ["post-launch", "Post-launch"]] as const) {
      const rows = tableRows(section(md, title))
      expect(rows[0]).toEqual(["Status", "Check", "Owner", "Message"])
      const items = report.items.filter((i) => i.tier === tier)
      expect(rows.slice(1)).toHaveLength(items.length)
      // Every row has exactly four cells, whatever the text held.
      for (const row of rows) expect(row).toHaveLength(4)
      items.forEach((item, i) => expect(rows[i + 1]![1]).toBe(`**${item.title}**<br>\`${item.id}\``))
    }
    const critical = tableRows(section(md, "Launch-critical"))
    expect(critical[2]).toEqual(["❌ fail · blocking", "**API keeps a warm instance**<br>`acme.api.min-instances`", "platform", "0 instances"])
    expect(critical[3]![0]).toBe("❌ error · blocking")
    expect(critical[5]![0]).toBe("⏳ fail · deferred")
    expect(tableRows(section(md, "Launch-adjacent"))[2]![0]).toBe("⚠️ fail · warning")
    expect(tableRows(section(md, "Post-launch"))[1]![0]).toBe("ℹ️ fail · info")
  })

  it("escapes pipes, line breaks, markup and Markdown punctuation inside table cells", async () => {
    const md = MarkdownReporter.render(await Fixture.run())
    const row = tableRows(section(md, "Launch-adjacent")).find((r) => r[1]!.includes("acme.api.weird"))!
    expect(row[3]).toBe(
      "a \\| b<br>line two &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; 'a' \\]\\]&gt; \\*bold\\* \\`tick\\` \\[31m"
    )
    // Outside code blocks nothing from a check becomes HTML.
    expect(prose(md)).not.toContain("<script>")
    expect(md).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/)
  })

  it("puts evidence, remediation and deferral details in <details> blocks", async () => {
    const report = await Fixture.run()
    const md = MarkdownReporter.render(report)
    const details = [...md.matchAll(/<details>\n<summary>(.*)<\/summary>\n\n([\s\S]*?)\n\n<\/details>/g)]
    const byId = new Map(details.map((m) => [/<code>(.*?)<\/code>/.exec(m[1]!)![1]!, m[2]!]))
    // In tier order; the skipped canary has nothing to show beyond its row.
    expect([...byId.keys()]).toEqual([
      "acme.api.health",
      "acme.api.min-instances",
      "acme.api.probe",
      "acme.api.regions",
      "acme.db.backups",
      "acme.api.tls",
      "acme.api.kill-switch",
      "acme.api.latency",
      "acme.api.alerts",
      "acme.api.weird",
      "acme.api.dashboards"
    ])
    const minInstances = byId.get("acme.api.min-instances")!
    expect(jsonBlocks(minInstances)).toEqual([{ observed: 0, expected: ">= 1" }])
    expect(minInstances).toContain("**Remediation:** Set min instances to 1.")
    expect(byId.get("acme.db.backups")).toContain(
      "**Deferral** active (covers the failure): backups move to the new cluster (data-team, expires 2026-04-01, 31 days left)"
    )
    const regions = byId.get("acme.api.regions")!
    expect(tableRows(regions).slice(1)).toEqual([["✅ pass", "`europe-west1`", "serving"], ["❌ fail", "`us-central1`", "not serving"]])
    expect(jsonBlocks(regions)).toContainEqual({ observed: "DOWN", expected: "SERVING" })
    // The evidence block round-trips even when keys and values hold Markdown and HTML.
    const weird = report.items.find((i) => i.id === "acme.api.weird")!
    expect(jsonBlocks(byId.get("acme.api.weird")!)).toEqual([weird.evidence])
  })

  it("keeps a code fence in evidence from closing the block", async () => {
    const fenced = Fixture.simple("acme.api.fenced", () => Outcome.fail("see evidence", { observed: "```\n# not a heading\n````" }))
    const md = MarkdownReporter.render(await Runner.runPromise(Fixture.single(fenced, "launch-adjacent")))
    expect(md).toContain("`````json\n")
    expect(jsonBlocks(md)).toEqual([{ observed: "```\n# not a heading\n````" }])
    expect(prose(md)).not.toContain("# not a heading")
  })

  it("lists deferrals with state, owner, expiry, reason, risk and follow-up; rollback plans; unsupported cases", async () => {
    const md = MarkdownReporter.render(await Fixture.run())
    expect(tableRows(section(md, "Deferrals"))).toEqual([
      ["State", "Check", "Owner", "Expires", "Reason", "Risk", "Follow-up", "Approved by"],
      ["⏳ active", "`acme.db.backups`", "data-team", "2026-04-01 (31 days left)", "backups move to the new cluster", "a day of data lost on a disaster", "ACME-42", "cto"],
      ["❌ expired", "`acme.api.tls`", "security", "2026-02-01 (expired)", "renewal pending", "expired certificate", "ACME-43", "—"],
      ["🧹 stale", "`acme.api.health`", "platform", "2026-05-01 (61 days left)", "flaky health endpoint", "none", "ACME-44", "—"]
    ])
    expect(tableRows(section(md, "Rollback plans")).slice(1)).toEqual([
      ["`acme.api`", "gcloud run services update-traffic api --to-revisions PREV=100", "flag api.enabled", "platform", "✅ `acme.api.kill-switch`"],
      ["`acme.db`", "**No rollback:** schema changes are forward-only", "—", "—", "—"]
    ])
    expect(section(md, "Unsupported")).toContain("- **multi-region active-active**\n- **IPv6-only clients**: no AAAA records yet")
  })

  it("ends with the run metadata", async () => {
    const report = await Fixture.run()
    const rows = Object.fromEntries(tableRows(section(MarkdownReporter.render(report), "Run")).map((r) => [r[0], r[1]]))
    expect(rows).toMatchObject({
      Gate: "acme api launch",
      Environment: "production",
      launchgate: `${report.run.launchgateVersion} (report schema v1)`,
      Started: report.run.startedAt,
      Finished: report.run.finishedAt,
      "Launch-adjacent policy": "warn"
    })
    expect(rows["Commit"]).toBe(report.run.gitCommit !== undefined ? `\`${report.run.gitCommit}\`` : "unknown")
  })

  it("stays under a pull-request comment's size, dropping passing evidence first", async () => {
    const big = (i: number, status: Outcome.Status) =>
      Fixture.simple(`acme.api.big-${i}`, () => Outcome.fromStatus(status, "large evidence", { observed: "x".repeat(5_000) }))
    const items = Array.from({ length: 40 }, (_, i) => ({ check: big(i, i < 30 ? "pass" : "fail"), tier: "launch-adjacent" as const, owner: "sre" }))
    const md = MarkdownReporter.render(await Runner.runPromise(Gate.make({ name: "big", items })))
    expect(md.length).toBeLessThanOrEqual(MarkdownReporter.MAX_LENGTH)
    expect(md).toContain("Evidence of passing checks left out to fit a comment")
    expect(md).not.toContain("<code>acme.api.big-0</code>")
    expect(md).toContain("<code>acme.api.big-39</code>")
    expect(tableRows(section(md, "Launch-adjacent")).slice(1)).toHaveLength(40)
  })
})
