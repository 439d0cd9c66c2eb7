/**
 * A history of earlier runs for the HTML reporter's tests: real fixture
 * reports moved back in time, with the statuses of a few items changed the
 * way a gate's history really moves (a check that used to pass, a fix).
 */
import { mkdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import type { Report } from "../../src/index.js"

const DAY = 86_400_000

const shift = (iso: string, days: number): string => new Date(Date.parse(iso) - days * DAY).toISOString()

/** Recount a report's summary from its items (so a doctored history stays consistent). */
const recount = (report: Report.Report): Report.Report => {
  const zero = () => ({ pass: 0, fail: 0, warn: 0, error: 0, skip: 0, deferred: 0 })
  const byTier = { "launch-critical": zero(), "launch-adjacent": zero(), "post-launch": zero() }
  for (const i of report.items) {
    if (i.disposition === "deferred") byTier[i.tier].deferred++
    else byTier[i.tier][i.status]++
  }
  const blocking = report.items.filter((i) => i.disposition === "blocking").length
  return {
    ...report,
    verdict: blocking > 0 ? "blocked" : "ready",
    summary: { ...report.summary, blocking, byTier }
  }
}

/** `report`, `daysAgo` days earlier, with the given items passing. */
export const earlier = (report: Report.Report, daysAgo: number, passing: ReadonlyArray<string>): Report.Report =>
  recount({
    ...report,
    run: { ...report.run, startedAt: shift(report.run.startedAt, daysAgo), finishedAt: shift(report.run.finishedAt, daysAgo) },
    items: report.items.map((i): Report.ItemReport => {
      if (!passing.includes(i.id)) return i
      const { subjects: _subjects, ...rest } = i
      return { ...rest, status: "pass", disposition: "ok", message: "ok" }
    })
  })

/** Three earlier runs of `report`'s gate: min-instances passed in the last one, so it newly fails now. */
export const threeRuns = (report: Report.Report): ReadonlyArray<Report.Report> => [
  earlier(report, 3, ["acme.api.min-instances", "acme.api.probe", "acme.api.regions", "acme.api.alerts"]),
  earlier(report, 2, ["acme.api.min-instances", "acme.api.regions"]),
  earlier(report, 1, ["acme.api.min-instances"])
]

/** Write reports as JSON files into `dir` (as `run --json` would), named by their start time. */
export const writeHistory = async (dir: string, reports: ReadonlyArray<Report.Report>): Promise<void> => {
  await mkdir(dir, { recursive: true })
  for (const r of reports) {
    await writeFile(join(dir, `${r.run.startedAt.replace(/[:.]/g, "-")}.json`), JSON.stringify(r, null, 2))
  }
}
