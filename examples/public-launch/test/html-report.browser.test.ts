/**
 * The public-launch demo's HTML report, with a history of three earlier runs, opened from disk in a real
 * headless Chromium (Debian's package; no browser download): the verdict and every blocker are on the first
 * screen, the trend shows four runs, the status filter works, and the page makes no request beyond itself.
 * A screenshot is left in `.tmp/public-launch-report.png` for people to look at.
 *
 * The history is real, not doctored: the same gate run at three earlier instants against the same seeded
 * world, so deferrals that had not yet expired then give a different verdict history.
 */
import { existsSync } from "node:fs"
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { HtmlReporter, JsonReporter, Runner } from "@launchgate/core"
import { type Browser, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import makeGate from "../gate.js"
import { DEMO_NOW } from "../world.js"

const REPO = resolve(import.meta.dirname, "../../..")
const DAY = 86_400_000
const onCi = process.env["CI"] === "true"
const configured = process.env["LAUNCHGATE_CHROMIUM"]
const executablePath = configured !== undefined && configured !== ""
  ? (existsSync(configured) ? configured : undefined)
  : ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p))
// Quiet, offline, sandbox-less headless Chromium (containers have no user namespaces).
const ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"
]

if (executablePath === undefined && !onCi) {
  console.warn("public-launch HTML report browser test skipped: no Chromium (set LAUNCHGATE_CHROMIUM or install chromium)")
}

describe.skipIf(executablePath === undefined && !onCi)("the demo's HTML report in a real browser", { timeout: 240_000 }, () => {
  let browser: Browser
  let page: Page
  let dir: string
  let blocking: ReadonlyArray<string> = []
  const requests: Array<string> = []
  const problems: Array<string> = []

  beforeAll(async () => {
    if (executablePath === undefined) throw new Error("CI=true but no Chromium: set LAUNCHGATE_CHROMIUM or apt-get install chromium")
    dir = await mkdtemp(join(tmpdir(), "public-launch-html-"))
    const history = join(dir, "history")
    await mkdir(history)
    // Three earlier runs of the same gate (21, 14 and 7 days before the demo's instant), then the current one.
    for (const daysBefore of [21, 14, 7]) {
      const earlier = await Runner.runPromise(makeGate("production"), { now: new Date(DEMO_NOW.getTime() - daysBefore * DAY) })
      await writeFile(join(history, `run-${daysBefore}.json`), JsonReporter.render(earlier))
    }
    const report = await Runner.runPromise(makeGate("production"), { now: DEMO_NOW })
    blocking = report.items.filter((i) => i.disposition === "blocking").map((i) => i.id)
    const html = HtmlReporter.render(report, { history: await HtmlReporter.loadHistory(history) })
    const file = join(dir, "report.html")
    await writeFile(file, html)
    browser = await chromium.launch({ executablePath, args: ARGS })
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    page.on("request", (r) => requests.push(r.url()))
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`)
    })
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`))
    await page.goto(pathToFileURL(file).href)
  }, 240_000)

  afterAll(async () => {
    await browser?.close()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it("shows the BLOCKED verdict and every blocker, each with its owner, on the first screen", async () => {
    expect(blocking.length).toBeGreaterThan(0)
    const verdict = page.locator("#verdict h1")
    expect(await verdict.isVisible()).toBe(true)
    expect(await verdict.textContent()).toContain("Launch blocked")
    const blockers = page.locator("#blockers li")
    expect(await blockers.count()).toBe(blocking.length)
    const text = (await page.locator("#blockers").textContent()) ?? ""
    for (const id of blocking) expect(text).toContain(id)
    const box = await blockers.first().boundingBox()
    expect(box !== null && box.y < 900 * 1.5).toBe(true)
  })

  it("draws the trend of four runs and shows the launch scope", async () => {
    expect(await page.locator("#trend svg circle").count()).toBe(4)
    expect((await page.locator("body").textContent()) ?? "").toContain("Launch scope")
  })

  it("the Blocking filter hides and shows the blocking items", async () => {
    const items = page.locator('.item[data-disposition="blocking"]')
    expect(await items.first().isVisible()).toBe(true)
    await page.locator('label[for="f-blocking"]').click()
    for (const item of await items.all()) expect(await item.isVisible()).toBe(false)
    await page.locator('label[for="f-blocking"]').click()
    for (const item of await items.all()) expect(await item.isVisible()).toBe(true)
  })

  it("makes no request beyond the file itself and logs no error; leaves a screenshot", async () => {
    expect(requests).toHaveLength(1)
    expect(requests[0]).toMatch(/^file:\/\//)
    expect(problems).toEqual([])
    await mkdir(join(REPO, ".tmp"), { recursive: true })
    await page.screenshot({ path: join(REPO, ".tmp", "public-launch-report.png"), fullPage: true })
  })
})
