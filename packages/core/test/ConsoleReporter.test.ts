import { describe, expect, it } from "@effect/vitest"
import { ConsoleReporter, Gate, type Report, Runner } from "../src/index.js"
import * as Fixture from "./reporters/fixture.js"
import { recorder } from "./reporters/fixture.js"

const lineOf = (text: string, id: string): string => {
  const line = text.split("\n").find((l) => l.includes(` ${id} `))
  if (line === undefined) throw new Error(`no line for ${id}`)
  return line
}

describe("ConsoleReporter.render", () => {
  it("groups items by tier, one line each with symbol, status, id, title, owner and message", async () => {
    const report = await Fixture.run()
    const text = ConsoleReporter.render(report)
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

  it("shows evidence, remediation and docs under items that did not pass, and hides them for passes unless verbose", async () => {
    const report = await Fixture.run()
    const text = ConsoleReporter.render(report)
    const block = text.slice(text.indexOf("acme.api.min-instances "), text.indexOf("acme.api.probe "))
    expect(block).toContain(`observed: 0`)
    expect(block).toContain(`expected: ">= 1"`)
    expect(block).toContain("fix: Set min instances to 1.")
    expect(block).toContain("docs: https://docs.acme.dev/min-instances")
    expect(text).toContain("FAIL  us-central1: not serving")
    expect(text).not.toContain("https://api.acme.dev/healthz")

    const verbose = ConsoleReporter.render(report, { verbose: true })
    expect(verbose).toContain(`url: "https://api.acme.dev/healthz"`)
    expect(verbose).toContain("PASS  europe-west1: serving")
  })

  it("lists deferrals with their state, rollback plans, unsupported cases, a summary by tier and the verdict with reasons", async () => {
    const report = await Fixture.run()
    const text = ConsoleReporter.render(report)
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
    expect(text).toMatch(/launch-critical +2 pass, 3 fail, 1 error, 1 deferred/)
    expect(text).toMatch(/post-launch +1 fail/)
    expect(text).toContain("BLOCKED: 4 blocking, 3 warnings, 1 deferred, 12 items")
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
  it("says what each result means in a word, with a one-line legend, instead of four kinds of FAIL", async () => {
    const text = ConsoleReporter.render(await Fixture.run())
    expect(text).toContain(ConsoleReporter.LEGEND)
    expect(ConsoleReporter.LEGEND.length).toBeLessThanOrEqual(80)
    expect(text).not.toMatch(/[✗!↷i] FAIL/)
    const labels = new Set(text.split("\n").map((l) => /^ {2}([A-Z-]+) /.exec(l)?.[1]).filter((l) => l !== undefined))
    expect([...labels].sort()).toEqual(expect.arrayContaining(["BLOCKING", "DEFERRED", "NON-BLOCKING", "PASSED", "SKIPPED"]))
  })

  it("fits lines to the width given, keeping the full text for verbose", async () => {
    const report = await Fixture.run()
    const long = "x".repeat(400)
    const item = report.items.find((i) => i.id === "acme.api.min-instances")!
    const widened: Report.Report = { ...report, items: report.items.map((i) => (i === item ? { ...i, message: `0 ${long}` } : i)) }
    const fitted = ConsoleReporter.render(widened, { width: 80 })
    for (const line of fitted.split("\n")) expect([...line].length, line).toBeLessThanOrEqual(80)
    expect(fitted).not.toContain(long)
    expect(fitted).toContain("--verbose and the report files have the full text")
    expect(ConsoleReporter.render(widened, { width: 80, verbose: true })).toContain(long)
    expect(ConsoleReporter.render(widened)).toContain(long)
  })

  it("gives each blocker its owner and the first line of its fix under the verdict", async () => {
    const text = ConsoleReporter.render(await Fixture.run())
    const tail = text.slice(text.indexOf("BLOCKED:"))
    expect(tail).toMatch(/- acme\.api\.min-instances .*\n\s+owner: platform; fix: Set min instances to 1\./)
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
