import { describe, expect, it } from "@effect/vitest"
import * as Format from "../src/internal/reporters/format.js"
import { ConsoleReporter, Gate, Outcome, type Report, Runner } from "../src/index.js"
import * as Fixture from "./reporters/fixture.js"
import { recorder } from "./reporters/fixture.js"

const lineOf = (text: string, id: string): string => {
  const line = text.split("\n").find((l) => l.includes(` ${id} `) || l.includes(` ${id}: `))
  if (line === undefined) throw new Error(`no line for ${id}`)
  return line
}

describe("ConsoleReporter.render", () => {
  it("verbose: groups items by tier, one line each with its word, id, title, owner and message", async () => {
    const report = await Fixture.run()
    const text = ConsoleReporter.render(report, { verbose: true })
    const critical = text.indexOf("Launch-critical (")
    const adjacent = text.indexOf("Launch-adjacent (")
    const post = text.indexOf("Post-launch (")
    expect(critical).toBeGreaterThan(-1)
    expect(adjacent).toBeGreaterThan(critical)
    expect(post).toBeGreaterThan(adjacent)
    for (const item of report.items) {
      const start = text.indexOf(`${item.id} `)
      // Each item is listed under its own tier.
      const tierStart = { "launch-critical": critical, "launch-adjacent": adjacent, "post-launch": post }[item.tier]
      expect(start).toBeGreaterThan(tierStart)
    }
    expect(lineOf(text, "acme.api.min-instances")).toMatch(
      /^ {2}BLOCKING {5}acme\.api\.min-instances +API keeps a warm instance \[platform\]: 0 instances$/
    )
    expect(lineOf(text, "acme.api.health")).toMatch(/PASSED/)
    expect(lineOf(text, "acme.api.probe")).toMatch(/BLOCKING .*: \(error\) could not decide: connection refused/)
    expect(lineOf(text, "acme.db.backups")).toMatch(/DEFERRED/)
    expect(lineOf(text, "acme.api.alerts")).toMatch(/NON-BLOCKING/)
    expect(lineOf(text, "acme.api.canary")).toMatch(/SKIPPED/)
    expect(lineOf(text, "acme.api.dashboards")).toMatch(/NON-BLOCKING/)
  })

  it("verbose: shows evidence, remediation and docs under every item; the default shows no evidence", async () => {
    const report = await Fixture.run()
    const text = ConsoleReporter.render(report, { verbose: true })
    const block = text.slice(text.indexOf("acme.api.min-instances "), text.indexOf("acme.api.probe "))
    expect(block).toContain(`observed: 0`)
    expect(block).toContain(`expected: ">= 1"`)
    expect(block).toContain("fix: Set min instances to 1.")
    expect(block).toContain("docs: https://docs.acme.dev/min-instances")
    expect(text).toContain("FAIL  us-central1: not serving")
    expect(text).toContain(`url: "https://api.acme.dev/healthz"`)
    expect(text).toContain("PASS  europe-west1: serving")

    const compact = ConsoleReporter.render(report)
    expect(compact).not.toContain("observed: 0")
    expect(compact).not.toContain("https://api.acme.dev/healthz")
    expect(compact).not.toContain("europe-west1")
  })

  it("verbose: lists deferrals, rollback plans, unsupported cases, counts by tier, the reasons, then the verdict", async () => {
    const report = await Fixture.run()
    const text = ConsoleReporter.render(report, { verbose: true })
    const deferrals = text.slice(text.indexOf("\nDeferrals\n"), text.indexOf("\nRollback plans\n"))
    expect(deferrals).toMatch(/active +acme\.db\.backups \[data-team\] expires 2026-04-01, 31 days left: backups move/)
    expect(deferrals).toMatch(/expired acme\.api\.tls \[security\] expired 2026-02-01: renewal pending/)
    expect(deferrals).toMatch(/stale +acme\.api\.health/)
    expect(deferrals).toContain("risk: a day of data lost on a disaster; follow-up: ACME-42; approved by cto")
    expect(text).toContain("deferral expired (expired: covers nothing): renewal pending (security, expired 2026-02-01)")
    expect(text).toContain(
      "acme.api: gcloud run services update-traffic api --to-revisions PREV=100; kill switch: flag api.enabled; owner: platform; verified by acme.api.kill-switch (pass)"
    )
    expect(text).toContain("acme.db: no rollback: schema changes are forward-only")
    expect(text).toContain("- IPv6-only clients: no AAAA records yet")
    expect(text).toContain("launch-critical: 2 passed, 4 blocking (1 error), 1 deferred")
    expect(text).toContain("post-launch: 1 non-blocking")
    expect(text.trimEnd().split("\n").at(-1)).toBe("BLOCKED: 4 blocking, 3 warnings, 1 deferred, 12 items")
    for (const reason of report.reasons) expect(text).toContain(`  - ${reason}`)
    expect(text).toContain("launchgate: acme api launch → production")
  })

  it("says READY for a ready gate", async () => {
    const text = ConsoleReporter.render(await Fixture.run(Fixture.readyGate()))
    expect(text).toContain("READY: 0 blocking, 1 warning, 0 deferred, 2 items")
    expect(text).not.toContain("BLOCKED")
  })

  it("colours only when asked, and never passes control characters from checks to the terminal", async () => {
    const report = await Fixture.run()
    const plain = ConsoleReporter.render(report)
    expect(plain).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/)
    expect(lineOf(plain, "acme.api.weird")).toContain("a | b ↵ line two")
    expect(lineOf(plain, "acme.api.weird")).toContain("\\u0001\\u001b[31m")
    const coloured = ConsoleReporter.render(report, { color: true })
    expect(coloured).toContain("\u001b[31mBLOCKING    \u001b[0m")
    // Stripping the colours gives back the plain text.
    expect(coloured.replace(/\u001b\[\d+m/g, "")).toBe(plain)
  })

  it("shows an interrupted run and a gate with no items", async () => {
    const report = await Runner.runPromise(Fixture.single(Fixture.hanging("acme.api.hang")), { deadline: "30 millis" })
    const text = ConsoleReporter.render(report)
    expect(text).toContain("interrupted: overall deadline of 30ms exceeded")
    expect(lineOf(text, "acme.api.hang")).toMatch(/BLOCKING .*\(error\) did not finish/)

    const empty = ConsoleReporter.render(await Runner.runPromise(Gate.make({ name: "empty", items: [] })))
    expect(empty).toContain("No items: this gate checks nothing")
  })
})

describe("ConsoleReporter.render: a report a person reads (issue 14, point 10)", () => {
  it("says what each result means in a word, with a legend of one or two lines explaining every word used", async () => {
    const report = await Fixture.run()
    for (const options of [{ width: 80 }, { verbose: true }]) {
      const text = ConsoleReporter.render(report, options)
      expect(text).not.toMatch(/[✗!↷i] FAIL/)
      const lines = text.split("\n")
      // The legend: the lines between the two header lines and the first blank line.
      const legend = lines.slice(2, lines.indexOf(""))
      expect(legend.length).toBeGreaterThanOrEqual(1)
      expect(legend.length).toBeLessThanOrEqual(2)
      for (const l of legend) expect([...l].length).toBeLessThanOrEqual(options.width ?? 120)
      const used = new Set<string>()
      for (const line of lines.slice(2 + legend.length)) {
        const word = /^\s*(BLOCKING|NON-BLOCKING|DEFERRED|ATTESTED|PASSED|WARNING|SKIPPED) /.exec(line)?.[1]
        if (word !== undefined) used.add(word)
        for (const m of line.matchAll(/\d+ (passed|attested|blocking|non-blocking|deferred|warning|skipped)s?\b/g)) {
          used.add(m[1]!.toUpperCase())
        }
        if (line.includes("(error)")) used.add("(error)")
      }
      expect([...used]).toEqual(expect.arrayContaining(["BLOCKING", "NON-BLOCKING", "DEFERRED", "PASSED", "(error)"]))
      const explained = new RegExp(`(^| · )${"WORD"} [a-z]`)
      for (const word of used) {
        const pattern = new RegExp(explained.source.replace("WORD", word.replace(/[()]/g, "\\$&")))
        expect(legend.some((l) => pattern.test(l)), `${word} in ${legend.join(" / ")}`).toBe(true)
      }
    }
    // Every word has a meaning in the full legend.
    for (const word of ["BLOCKING", "NON-BLOCKING", "DEFERRED", "ATTESTED", "PASSED", "WARNING", "SKIPPED", "(error)"]) {
      expect(ConsoleReporter.LEGEND).toContain(`${word} `)
    }
  })

  it("fits lines to the width given, keeping the full text for verbose", async () => {
    const report = await Fixture.run()
    const long = "x".repeat(400)
    const item = report.items.find((i) => i.id === "acme.api.min-instances")!
    const widened: Report.Report = { ...report, items: report.items.map((i) => (i === item ? { ...i, message: `0 ${long}` } : i)) }
    const fitted = ConsoleReporter.render(widened, { width: 80 })
    for (const line of fitted.split("\n")) expect([...line].length, line).toBeLessThanOrEqual(80)
    expect(fitted).not.toContain(long)
    expect(fitted).toContain("long lines cut: --verbose and the report files have it all")
    expect(ConsoleReporter.render(widened, { width: 80, verbose: true })).toContain(long)
    expect(ConsoleReporter.render(widened)).toContain(long)
  })

  it("gives each blocker its tier, owner and the first line of its fix, above the verdict", async () => {
    const text = ConsoleReporter.render(await Fixture.run())
    const head = text.slice(0, text.indexOf("BLOCKED:"))
    expect(head).toMatch(/BLOCKING +acme\.api\.min-instances: 0 instances\n +launch-critical · platform · fix: Set min/)
    // A fix on the failing subject stands in when the item has none of its own.
    expect(head).toMatch(/acme\.api\.regions: .*\n +launch-critical · sre · fix: Redeploy us-central1\./)
    const verbose = ConsoleReporter.render(await Fixture.run(), { verbose: true })
    expect(verbose.slice(0, verbose.indexOf("BLOCKED:"))).toMatch(
      /- acme\.api\.min-instances .*\n\s+owner: platform; fix: Set min instances to 1\./
    )
  })

  it("says 'interrupted' once and a repeated prefix once", async () => {
    const report = await Fixture.run()
    const interrupted: Report.Report = {
      ...report,
      run: { ...report.run, interrupted: true, interruptReason: "interrupted: SIGINT" },
      items: report.items.map((i) =>
        i.id === "acme.api.probe" ? { ...i, message: "GET https://x.test/a: GET https://x.test/a failed: refused" } : i
      )
    }
    const text = ConsoleReporter.render(interrupted)
    expect(text).toContain("interrupted: SIGINT")
    expect(text).not.toContain("interrupted: interrupted")
    expect(text).toContain("GET https://x.test/a failed: refused")
    expect(text).not.toContain("GET https://x.test/a: GET")
  })
})

/** The fixture gate with `extra` plainly passing launch-critical checks on `acme.api` (50+ items in all). */
const bigGate = (extra: number) => {
  const base = Fixture.gate()
  const passes = Array.from({ length: extra }, (_, n) => ({
    check: Fixture.simple(`acme.api.ok-${n}`, () => Outcome.pass(`fine ${n}`, { observed: n })),
    tier: "launch-critical" as const,
    owner: "platform"
  }))
  return Fixture.gate({ items: [...base.items.map((i) => ({ check: i.check, tier: i.tier, owner: i.owner })), ...passes] })
}

describe("ConsoleReporter.render: short by default (issue 14's first command)", () => {
  it("renders a 60-item report in 40 lines or fewer: blockers with owner and fix, no passed item, the verdict last", async () => {
    const report = await Runner.runPromise(bigGate(49), { now: Fixture.NOW })
    expect(report.items.length).toBeGreaterThanOrEqual(60)
    const text = ConsoleReporter.render(report, { width: 80 })
    const lines = text.trimEnd().split("\n")
    expect(lines.length).toBeLessThanOrEqual(40)
    for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(80)
    expect(lines.at(-1)).toBe(Format.verdictLine(report))
    const blockers = report.items.filter((i) => i.disposition === "blocking")
    expect(blockers.length).toBe(4)
    for (const item of blockers) {
      const at = lines.findIndex((l) => l.startsWith(`BLOCKING     ${item.id}: `))
      expect(at, item.id).toBeGreaterThan(-1)
      expect(lines[at + 1]).toContain(`${item.tier} · ${item.owner}`)
      const fix = item.remediation ?? item.subjects?.find((s) => s.remediation !== undefined)?.remediation
      if (fix !== undefined) expect(lines[at + 1]).toContain(`fix: ${fix.split("\n")[0]}`)
    }
    // Passed items are counted, not named.
    for (const item of report.items.filter((i) => i.status === "pass" && i.disposition === "ok")) {
      expect(text, item.id).not.toMatch(new RegExp(`${item.id.replace(/\./g, "\\.")}\\b`))
    }
    expect(text).toContain("launch-critical: 51 passed, 4 blocking (1 error), 1 deferred")
    // The other items that need a look: one line each, grouped by word.
    const others = report.items.filter((i) => ["warning", "info", "deferred"].includes(i.disposition) && i.status !== "pass")
    expect(others.length).toBeGreaterThan(0)
    for (const item of others) expect(lines.filter((l) => l.includes(` ${item.id} [`)), item.id).toHaveLength(1)
    const order = lines.map((l) => /^(DEFERRED|NON-BLOCKING|WARNING) +\S+ \[/.exec(l)?.[1]).filter((w) => w !== undefined)
    expect(order).toEqual([...order].sort((a, b) => ["DEFERRED", "NON-BLOCKING", "WARNING"].indexOf(a) -
      ["DEFERRED", "NON-BLOCKING", "WARNING"].indexOf(b)))
    // A skip the check chose itself is counted; it hides no result.
    expect(text).not.toContain("acme.api.canary")
    expect(text).toMatch(/\(\d+ items not listed.*--verbose/)
  })

  it("lists a check the runner did not run (a prerequisite failed) as SKIPPED", async () => {
    const needsProbe = Fixture.simple("acme.api.after-probe", () => Outcome.pass("ok"), { dependsOn: ["acme.api.probe"] })
    const base = Fixture.gate()
    const report = await Fixture.run(Fixture.gate({
      items: [...base.items.map((i) => ({ check: i.check, tier: i.tier, owner: i.owner })),
        { check: needsProbe, tier: "launch-adjacent", owner: "qa" }]
    }))
    expect(lineOf(ConsoleReporter.render(report), "acme.api.after-probe")).toMatch(/^SKIPPED +acme\.api\.after-probe \[qa\]: not run/)
  })

  it("verbose: true lists every item", async () => {
    const report = await Runner.runPromise(bigGate(49), { now: Fixture.NOW })
    const text = ConsoleReporter.render(report, { verbose: true, width: 80 })
    for (const item of report.items) expect(text, item.id).toContain(` ${item.id} `)
    expect(text.trimEnd().split("\n").at(-1)).toBe(Format.verdictLine(report))
  })
})

describe("ConsoleReporter.progress", () => {
  it("writes one plain line per finished item when the stream is not a TTY", async () => {
    const out = recorder({ isTTY: false })
    const onEvent = ConsoleReporter.progress(out.stream)
    const report = await Runner.runPromise(Fixture.gate(), { now: Fixture.NOW, onEvent })
    onEvent.done()
    const text = out.text()
    expect(text).not.toContain("\r")
    expect(text).not.toContain("\u001b")
    const lines = text.trimEnd().split("\n")
    expect(lines).toHaveLength(report.items.length)
    lines.forEach((line, i) => expect(line.startsWith(`[${i + 1}/${report.items.length}] `)).toBe(true))
    expect(lines.find((l) => l.includes("acme.api.min-instances"))).toMatch(/BLOCKING +acme\.api\.min-instances {2}API keeps a warm instance \[platform\]: 0 instances/)
  })

  it("follows the stream's isTTY unless told otherwise", async () => {
    const out = recorder({ isTTY: true })
    await Runner.runPromise(Fixture.readyGate(), { now: Fixture.NOW, onEvent: ConsoleReporter.progress(out.stream, { isTTY: false }) })
    expect(out.text()).not.toContain("\r")
    const tty = recorder({ isTTY: true })
    await Runner.runPromise(Fixture.readyGate(), { now: Fixture.NOW, onEvent: ConsoleReporter.progress(tty.stream) })
    expect(tty.text()).toContain("\r\u001b[2K")
  })

  it("rewrites one live line on a TTY, keeps lines for items that need attention, fits the width and clears at the end", async () => {
    const out = recorder({ isTTY: true, columns: 40 })
    const onEvent = ConsoleReporter.progress(out.stream)
    const report = await Runner.runPromise(Fixture.gate(), { now: Fixture.NOW, onEvent, concurrency: 2 })
    const text = out.text()
    expect(text).toContain("running: ")
    // Permanent lines: exactly the items that did not plainly pass.
    const permanent = text.split("\n").slice(0, -1).map((l) => l.split("\r\u001b[2K").at(-1)!)
    const attention = report.items.filter((i) => i.status !== "pass" || i.disposition !== "ok")
    expect(permanent).toHaveLength(attention.length)
    for (const item of attention) expect(permanent.some((l) => l.includes(` ${item.id} `))).toBe(true)
    // Live lines never wrap: each stays within the terminal width.
    const live = text.split(/\r\u001b\[2K|\n/).filter((s) => s.includes("running: "))
    expect(live.length).toBeGreaterThan(0)
    for (const line of live) expect(line.length).toBeLessThan(40)
    // The last item clears the live line.
    expect(text.split(/\r\u001b\[2K|\n/).at(-1)).toBe("")
  })

  it("done() clears a live line left by a run that ended early", () => {
    const out = recorder({ isTTY: true })
    const onEvent = ConsoleReporter.progress(out.stream)
    onEvent({ type: "start", index: 0, id: "acme.api.slow", total: 3 })
    expect(out.text()).toBe("[0/3] running: acme.api.slow")
    onEvent.done()
    expect(out.text()).toBe("[0/3] running: acme.api.slow\r\u001b[2K")
    onEvent.done()
    expect(out.chunks).toHaveLength(2)
  })

  it("scrubs secrets from progress lines", () => {
    const out = recorder({ isTTY: false })
    const item = { id: "acme.api.x", title: "x", owner: "sre", status: "fail", disposition: "blocking", message: "got Bearer abcdefghijklmnop123" } as Report.ItemReport
    ConsoleReporter.progress(out.stream)({ type: "finish", index: 0, item, total: 1 })
    expect(out.text()).toContain("Bearer <redacted>")
    expect(out.text()).not.toContain("abcdefghijklmnop123")
  })
})
