import { afterEach, describe, expect, it } from "@effect/vitest"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { HtmlReporter, Outcome, Redaction, type Report, Runner } from "../src/index.js"
import { earlier, threeRuns, writeHistory } from "./browser/history.js"
import * as Fixture from "./reporters/fixture.js"

const withDir = async <A>(f: (dir: string) => Promise<A>): Promise<A> => {
  const dir = await mkdtemp(join(tmpdir(), "launchgate-html-"))
  try {
    return await f(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** The markup between the first `<section id="…">` and its end. */
const section = (html: string, id: string): string => {
  const start = html.indexOf(`<section id="${id}"`)
  expect(start, `section ${id}`).toBeGreaterThan(-1)
  return html.slice(start, html.indexOf("</section>", start))
}

describe("HtmlReporter.render", () => {
  afterEach(() => Redaction.clearRegistry())

  it("is one self-contained page: a no-network CSP, no external reference of any kind", async () => {
    const html = HtmlReporter.render(await Fixture.run())
    expect(html.startsWith("<!doctype html>")).toBe(true)
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; ` +
        `script-src 'unsafe-inline'; img-src data:">`
    )
    expect(html).not.toMatch(/<(link|img|iframe|object|embed|base)\b/i)
    expect(html).not.toMatch(/\b(src|href)\s*=/i)
    expect(html).not.toMatch(/url\(|@import/i)
  })

  it("leads with the verdict and each blocker with owner, tier and the first remediation line", async () => {
    const report = await Fixture.run()
    const html = HtmlReporter.render(report)
    const verdict = html.indexOf(`id="verdict"`)
    const blockers = section(html, "blockers")
    expect(verdict).toBeLessThan(html.indexOf(`id="blockers"`))
    expect(html.indexOf(`id="blockers"`)).toBeLessThan(html.indexOf(`id="items"`))
    expect(section(html, "verdict")).toContain(
      `<h1><span class="badge blocked">BLOCKED</span>Launch blocked: acme api launch → production</h1>`
    )
    const ids = report.items.filter((i) => i.disposition === "blocking").map((i) => i.id)
    expect(ids.length).toBeGreaterThan(0)
    for (const id of ids) expect(blockers).toContain(`<code>${id}</code>`)
    expect(blockers).toContain("owner <b>platform</b> · launch-critical · fail")
    expect(blockers).toContain("<b>Fix: </b>Set min instances to 1.")
    // A blocker whose fix is on a subject still shows it.
    expect(blockers).toContain("<b>Fix: </b>Redeploy us-central1.")
    expect(HtmlReporter.render(await Fixture.run(Fixture.readyGate()))).not.toContain(`id="blockers"`)
  })

  it("groups items by tier and surface with a status filter, evidence in <details>, subjects failures first", async () => {
    const html = HtmlReporter.render(await Fixture.run())
    const items = section(html, "items")
    for (const d of ["blocking", "warning", "deferred", "info", "ok", "skipped"]) {
      expect(items).toContain(`<input type="checkbox" id="f-${d}" checked>`)
      expect(html).toContain(`body:has(#f-${d}:not(:checked)) .item[data-disposition="${d}"]{display:none}`)
    }
    expect(items.indexOf("<h3>Launch-critical")).toBeLessThan(items.indexOf("<h3>Launch-adjacent"))
    expect(items).toContain("<h4>acme.db</h4>")
    const min = items.slice(items.indexOf(`data-id="acme.api.min-instances"`))
    expect(min).toMatch(/^data-id="acme.api.min-instances"><details open>/)
    expect(min).toContain("<dt>observed</dt><dd><pre>0</pre></dd><dt>expected</dt><dd><pre>&gt;= 1</pre></dd>")
    expect(min).toContain("<dt>remediation</dt><dd>Set min instances to 1.</dd>")
    const regions = items.slice(items.indexOf(`data-id="acme.api.regions"`))
    expect(regions).toContain("2 subjects, 1 failing")
    expect(regions.indexOf("us-central1")).toBeLessThan(regions.indexOf("europe-west1"))
  })

  it("shows deferrals on a timeline (expired and expiring soon marked), rollback, attestations, unsupported", async () => {
    const report = await Fixture.run()
    const soon: Report.Report = {
      ...report,
      deferrals: report.deferrals.map((d) => (d.check === "acme.db.backups" ? { ...d, daysLeft: 3 } : d))
    }
    const html = HtmlReporter.render(soon)
    const deferrals = section(html, "deferrals")
    expect(deferrals).toMatch(/<code>acme\.api\.tls<\/code> <span class="pill expired">expired<\/span>/)
    expect(deferrals).toMatch(/<code>acme\.db\.backups<\/code> <span class="pill soon">expiring soon<\/span>/)
    expect(deferrals).toMatch(/<code>acme\.api\.health<\/code> <span class="pill stale">stale: remove it<\/span>/)
    expect(deferrals).toContain(`class="bar expired"`)
    expect(deferrals).toContain("now: 2026-03-01")
    const rollback = section(html, "rollback")
    expect(rollback).toContain("<dt>kill switch</dt><dd>flag api.enabled</dd>")
    expect(rollback).toContain("<code>acme.api.kill-switch</code>")
    expect(rollback).toContain(`<span class="pill ok">passed</span>`)
    expect(rollback).toContain("<dt>no rollback</dt><dd>schema changes are forward-only</dd>")
    expect(section(html, "unsupported")).toContain("<b>IPv6-only clients</b>: no AAAA records yet")
  })

  it("gives attestations their age at the time of the run", async () => {
    const { Attestation, Gate } = await import("../src/index.js")
    const gate = Gate.make({
      name: "attested",
      items: [{
        check: Attestation.make({
          id: "acme.process.rehearsal",
          title: "Rollback rehearsed",
          attestedBy: "Dana (platform)",
          on: "2026-02-20",
          evidence: "https://tickets.example/OPS-1",
          validForDays: 30
        }),
        tier: "launch-adjacent",
        owner: "platform"
      }]
    })
    const html = HtmlReporter.render(await Fixture.run(gate))
    const attestations = section(html, "attestations")
    expect(attestations).toContain("<td>Dana (platform)</td><td>2026-02-20</td><td>9 days</td><td>30 days</td>")
    expect(attestations).toContain("https://tickets.example/OPS-1")
  })

  it("escapes everything: markup in check text never becomes markup", async () => {
    const evil = Fixture.simple(
      "acme.api.evil",
      () =>
        Outcome.fail(`<script>alert(1)</script>"><img src=x onerror=alert(2)>`, {
          observed: `</pre><script>alert(3)</script>`,
          remediation: `'><svg onload=alert(4)>`
        }),
      { title: `<b onmouseover=alert(5)>t</b>` }
    )
    const html = HtmlReporter.render(await Runner.runPromise(Fixture.single(evil)))
    expect(html).not.toMatch(/<script>alert|<img|<svg onload|<b onmouseover|<\/pre><script/)
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;")
    expect(html).toContain("&#39;&gt;&lt;svg onload=alert(4)&gt;")
    // One script element: the reporter's own.
    expect(html.match(/<script>/g)).toHaveLength(1)
  })

  it("never holds a registered secret, in the current run or the history", async () => {
    const secret = "hunter2-Zq8v<&>\"secret"
    Redaction.register(secret)
    const leaky = Fixture.simple("acme.api.leak", () => Outcome.fail(`got ${secret}`, { observed: secret }))
    const report = await Runner.runPromise(Fixture.single(leaky))
    const history: HtmlReporter.History = {
      runs: [{ ...earlier(report, 1, []), items: report.items.map((i) => ({ ...i, message: `was ${secret}` })) }],
      skipped: [{ file: `${secret}.json`, reason: "not JSON" }]
    }
    const html = HtmlReporter.render(report, { history })
    expect(html).toContain("&lt;redacted&gt;")
    for (const spelling of ["hunter2", "Zq8v", "hunter2-Zq8v&lt;&amp;&gt;&quot;secret"]) expect(html).not.toContain(spelling)
  })

  it("adds the trend of earlier runs and what newly fails since the last one", async () => {
    const report = await Fixture.run()
    const html = HtmlReporter.render(report, { history: { runs: threeRuns(report), skipped: [] } })
    const trend = section(html, "trend")
    expect(trend).toContain("<h2>Trend (4 runs)</h2>")
    expect(trend).toContain("<svg")
    expect(trend.match(/<circle /g)).toHaveLength(4)
    expect(trend).toContain("Newly failing since last run (1)")
    expect(trend).toMatch(/<li><code>acme\.api\.min-instances<\/code> pass → fail \[launch-critical, platform\]: 0 instances<\/li>/)
    expect(HtmlReporter.render(report)).not.toContain(`id="trend"`)
  })

  it("stays small with a long history: runs beyond maxRuns are summarised in one line", async () => {
    const report = await Fixture.run()
    const runs = Array.from({ length: 200 }, (_, i) => earlier(report, 200 - i, i % 2 === 0 ? ["acme.api.min-instances"] : []))
    const long = HtmlReporter.render(report, { history: { runs, skipped: [] } })
    const short = HtmlReporter.render(report, { history: { runs: runs.slice(-29), skipped: [] } })
    expect(section(long, "trend").match(/<circle /g)).toHaveLength(30)
    expect(long).toContain("171 earlier runs (2025-08-13 to 2026-01-30) summarised: 0 ready, 171 blocked.")
    expect(long.length).toBeLessThan(short.length * 1.1)
    expect(section(HtmlReporter.render(report, { history: { runs, skipped: [] }, maxRuns: 5 }), "trend").match(/<circle /g))
      .toHaveLength(5)
  })
})

describe("HtmlReporter.loadHistory", () => {
  it("reads a folder of JSON reports oldest first, skipping unreadable files with a note", async () => {
    await withDir(async (dir) => {
      const report = await Fixture.run()
      await writeHistory(dir, [...threeRuns(report)].reverse())
      await writeFile(join(dir, "broken.json"), "{ not json")
      await writeFile(join(dir, "other.json"), JSON.stringify({ hello: "world" }))
      await writeFile(join(dir, "notes.txt"), "ignored: not .json")
      const history = await HtmlReporter.loadHistory(dir)
      expect(history.runs.map((r) => r.run.startedAt)).toEqual(threeRuns(report).map((r) => r.run.startedAt))
      expect(history.skipped.map((s) => [s.file, s.reason.split(" (")[0]])).toEqual([
        ["broken.json", "not JSON"],
        ["other.json", "not a launchgate report"]
      ])
      const html = HtmlReporter.render(report, { history })
      expect(html).toContain("Skipped broken.json: not JSON.")
      expect(html).toContain("Newly failing since last run (1)")
    })
  })

  it("treats a missing folder as no history, and never counts the current run twice", async () => {
    expect(await HtmlReporter.loadHistory(join(tmpdir(), "launchgate-no-such-dir-4f1c"))).toEqual({ runs: [], skipped: [] })
    await withDir(async (dir) => {
      const report = await Fixture.run()
      await writeHistory(dir, [...threeRuns(report), report])
      const html = HtmlReporter.render(report, { history: await HtmlReporter.loadHistory(dir) })
      expect(section(html, "trend")).toContain("<h2>Trend (4 runs)</h2>")
    })
  })
})
