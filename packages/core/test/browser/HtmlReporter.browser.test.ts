import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { type Browser, chromium, type Page } from "playwright-core"
import { HtmlReporter } from "../../src/index.js"
import * as Fixture from "../reporters/fixture.js"
import { CHROMIUM_ARGS, findChromium } from "./chromium.js"
import { threeRuns, writeHistory } from "./history.js"

const executablePath = findChromium()
const onCi = process.env["CI"] === "true"
const REPO = resolve(import.meta.dirname, "../../../..")

if (executablePath === undefined && !onCi) {
  console.warn(
    "HtmlReporter browser test skipped: no Chromium found (set LAUNCHGATE_CHROMIUM, or install /usr/bin/chromium)"
  )
}

describe.skipIf(executablePath === undefined && !onCi)("HtmlReporter in a real browser", () => {
  let browser: Browser
  let page: Page
  let dir: string
  const requests: Array<string> = []
  const problems: Array<string> = []

  beforeAll(async () => {
    // Under CI=true a missing browser fails here, loudly, instead of skipping.
    if (executablePath === undefined) throw new Error("CI=true but no Chromium: set LAUNCHGATE_CHROMIUM or apt-get install chromium")
    dir = await mkdtemp(join(tmpdir(), "launchgate-html-browser-"))
    const report = await Fixture.run()
    await writeHistory(join(dir, "history"), threeRuns(report))
    const html = HtmlReporter.render(report, { history: await HtmlReporter.loadHistory(join(dir, "history")) })
    const file = join(dir, "report.html")
    await writeFile(file, html)
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS })
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    page.on("request", (r) => requests.push(r.url()))
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`)
    })
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`))
    await page.goto(pathToFileURL(file).href)
  })

  afterAll(async () => {
    await browser?.close()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it("shows the verdict and every blocker on the first screen", async () => {
    const verdict = page.locator("#verdict h1")
    await expect.poll(() => verdict.isVisible()).toBe(true)
    expect(await verdict.textContent()).toContain("Launch blocked: acme api launch")
    const blockers = page.locator("#blockers li")
    expect(await blockers.count()).toBe(4)
    for (const b of await blockers.all()) {
      expect(await b.isVisible()).toBe(true)
      const box = (await b.boundingBox())!
      expect(box.y + box.height).toBeLessThan(900 * 1.5)
    }
    expect(await page.locator("#blockers").textContent()).toContain("Fix: Set min instances to 1.")
  })

  it("filters by status: unchecking Blocking hides the blocking items, checking shows them again", async () => {
    const blocking = page.locator('.item[data-disposition="blocking"]')
    const passed = page.locator('.item[data-disposition="ok"]')
    expect(await blocking.first().isVisible()).toBe(true)
    await page.locator('label[for="f-blocking"]').click()
    expect(await page.locator("#f-blocking").isChecked()).toBe(false)
    for (const item of await blocking.all()) expect(await item.isVisible()).toBe(false)
    expect(await passed.first().isVisible()).toBe(true)
    await page.locator('label[for="f-blocking"]').click()
    for (const item of await blocking.all()) expect(await item.isVisible()).toBe(true)
  })

  it("draws the trend and what newly fails, makes no request but the file and logs no error", async () => {
    expect(await page.locator("#trend svg circle").count()).toBe(4)
    expect(await page.locator("#trend .newly-failing").textContent()).toContain("acme.api.min-instances")
    expect(requests).toHaveLength(1)
    expect(requests[0]).toMatch(/^file:\/\//)
    expect(problems).toEqual([])
    await mkdir(join(REPO, ".tmp"), { recursive: true })
    await page.screenshot({ path: join(REPO, ".tmp", "html-report.png"), fullPage: true })
  })
})
