/**
 * HTML reporter: one self-contained page people read, for a CI artifact, a
 * release ticket or a printed launch review.
 *
 * The first screen is the verdict and every blocker with its owner, tier and
 * first line of remediation. Then the trend across earlier runs (when a
 * history is given), the items by tier and surface with a status filter and
 * their evidence in `<details>`, per-subject results as a compact table with
 * failures first, the deferrals on a timeline against their expiry dates,
 * rollback plans and kill switches with their verification result,
 * attestations with their age, unsupported cases and the run metadata.
 *
 * The file fetches nothing (inline CSS and a few lines of inline script, a
 * CSP of `default-src 'none'`), opens from disk, filters without script (the
 * filter is CSS), and prints with every detail expanded. All text is
 * escaped and scrubbed of secrets like every other reporter's output.
 *
 * @since 0.1.0
 */
import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import * as Format from "./internal/reporters/format.js"
import { type Child, el, type Html, join as h, raw, toString } from "./internal/reporters/html.js"
import { CSP, FILTERS, SCRIPT, STYLE } from "./internal/reporters/htmlAssets.js"
import type { Json } from "./Outcome.js"
import * as Redaction from "./Redaction.js"
import * as Report from "./Report.js"
import * as ReportDiff from "./ReportDiff.js"

/** Earlier runs, oldest first, and the files that could not be read. */
export interface History {
  readonly runs: ReadonlyArray<Report.Report>
  /** Files left out, with why (not JSON, not a report, another gate…). */
  readonly skipped: ReadonlyArray<{ readonly file: string; readonly reason: string }>
}

/** Options of {@link render}. */
export interface RenderOptions {
  /** Earlier runs of the gate (see {@link loadHistory}); adds the trend and "newly failing since last run". */
  readonly history?: History | undefined
  /** Runs drawn one by one in the trend; older ones are summarised in one line. Default 30. */
  readonly maxRuns?: number | undefined
}

/** Runs drawn in the trend by default. */
export const MAX_RUNS = 30

/** Deferrals with this many days left or fewer are marked as expiring soon. */
export const EXPIRING_SOON_DAYS = 7

const EVIDENCE_MAX = 4_000
const DAY = 86_400_000

const LABEL: Record<Report.Disposition, string> = {
  ok: "passed",
  blocking: "blocking",
  warning: "warning",
  deferred: "deferred",
  info: "info",
  skipped: "skipped"
}

/**
 * Read a folder of earlier JSON reports (as written by `JsonReporter` or
 * `run --json`), oldest first. Files that are not JSON reports are skipped
 * with a note, never fatal: a history is a convenience, the current run is
 * the evidence. A missing folder is an empty history.
 *
 * @example
 * const history = await HtmlReporter.loadHistory("reports/history")
 * await writeFile("report.html", HtmlReporter.render(report, { history }))
 */
export const loadHistory = async (dir: string): Promise<History> => {
  let files: Array<string>
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith(".json")).sort()
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code === "ENOENT") return { runs: [], skipped: [] }
    return { runs: [], skipped: [{ file: dir, reason: `cannot read the folder (${String(code ?? error)})` }] }
  }
  const runs: Array<Report.Report> = []
  const skipped: Array<{ file: string; reason: string }> = []
  for (const file of files) {
    try {
      runs.push(Report.decodeSync(JSON.parse(await readFile(join(dir, file), "utf8"))))
    } catch (error) {
      const reason = error instanceof SyntaxError
        ? "not JSON"
        : `not a launchgate report (${firstLine(error instanceof Error ? error.message : String(error))})`
      skipped.push({ file, reason })
    }
  }
  runs.sort((a, b) => a.run.startedAt.localeCompare(b.run.startedAt))
  return { runs, skipped }
}

const firstLine = (text: string): string => Format.truncate(text.split("\n").find((l) => l.trim() !== "") ?? "", 160)

// ---------------------------------------------------------------------------------------------------------------
// Pieces

const pill = (cls: string, text: string): Html => el("span", { class: `pill ${cls}` }, text)

const dispositionPill = (item: Report.ItemReport): Html =>
  pill(item.disposition, item.status === "pass" || item.disposition === "skipped"
    ? LABEL[item.disposition]
    : `${item.status} · ${LABEL[item.disposition]}`)

const firstRemediationLine = (item: Report.ItemReport): string | undefined => {
  const own = item.remediation ?? item.subjects?.find((s) => s.remediation !== undefined)?.remediation
  return own?.split("\n").find((l) => l.trim() !== "")
}

const jsonValue = (value: Json): Child => {
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 2)
  return el("pre", {}, Format.truncate(text, EVIDENCE_MAX))
}

const days = (fromIso: string, toIso: string): number => Math.floor((Date.parse(toIso) - Date.parse(fromIso)) / DAY)

// ---------------------------------------------------------------------------------------------------------------
// Sections

const header = (r: Report.Report): Html => {
  const ready = r.verdict === "ready"
  const deferred = r.items.filter((i) => i.disposition === "deferred").length
  const notices: Array<Child> = []
  if (r.run.interrupted) notices.push(el("p", { class: "notice" }, `The run was interrupted: ${r.run.interruptReason ?? "stopped early"}.`))
  if (r.run.insecureOrigins !== undefined && r.run.insecureOrigins.length > 0) {
    notices.push(el("p", { class: "notice" }, `TLS verification was off for: ${r.run.insecureOrigins.join(", ")}.`))
  }
  if (r.items.length === 0) notices.push(el("p", { class: "notice" }, "This gate has no items: it checks nothing, so it proves nothing."))
  return el(
    "section",
    { id: "verdict", class: `verdict ${r.verdict}` },
    // A CSS badge, not an emoji: a printed page or a machine without an emoji font still shows the verdict.
    el(
      "h1",
      {},
      el("span", { class: `badge ${r.verdict}` }, ready ? "READY" : "BLOCKED"),
      `${ready ? "Ready to launch" : "Launch blocked"}: ${r.gate.name}`,
      r.gate.environment !== undefined ? ` → ${r.gate.environment}` : ""
    ),
    r.gate.description !== undefined && el("p", { class: "muted" }, r.gate.description),
    el(
      "div",
      { class: "counts" },
      pill(r.summary.blocking > 0 ? "blocking" : "ok", `${r.summary.blocking} blocking`),
      pill(r.summary.warnings > 0 ? "warning" : "", `${r.summary.warnings} warning${r.summary.warnings === 1 ? "" : "s"}`),
      pill(deferred > 0 ? "deferred" : "", `${deferred} deferred`),
      pill("", `${r.summary.total} item${r.summary.total === 1 ? "" : "s"}`)
    ),
    el(
      "p",
      { class: "meta muted" },
      `Run ${r.run.startedAt} · ${Format.humanDuration(r.run.durationMs)} · ` +
        `commit ${r.run.gitCommit?.slice(0, 12) ?? "unknown"} · launchgate ${r.run.launchgateVersion}`
    ),
    notices
  )
}

const blockersSection = (r: Report.Report): Html | undefined => {
  const blockers = r.items.filter((i) => i.disposition === "blocking")
  // Reasons no blocking item explains (an interrupted run): still on the first screen.
  const explained = new Set(blockers.map((b) => b.id))
  const other = r.reasons.filter((reason) => ![...explained].some((id) => reason.startsWith(`${id} `)))
  if (blockers.length === 0 && other.length === 0) return undefined
  return el(
    "section",
    { id: "blockers" },
    el("h2", {}, `What blocks the launch (${blockers.length + other.length})`),
    el(
      "ol",
      { class: "blockers" },
      blockers.map((b) => {
        const fix = firstRemediationLine(b)
        return el(
          "li",
          { class: "blocker" },
          el("div", { class: "title" }, b.title, " ", el("code", {}, b.id)),
          el("div", { class: "facts" }, "owner ", el("b", {}, b.owner), ` · ${b.tier} · ${b.status}`),
          el("div", {}, b.message),
          fix !== undefined && el("div", { class: "fix" }, el("b", {}, "Fix: "), fix)
        )
      }),
      other.map((reason) => el("li", { class: "blocker" }, el("div", { class: "title" }, reason)))
    )
  )
}

const STATUS_ORDER: Record<Report.ItemReport["status"], number> = { error: 0, fail: 1, warn: 2, skip: 3, pass: 4 }

const subjectsTable = (subjects: ReadonlyArray<typeof Report.SubjectReport.Type>): Html => {
  const sorted = [...subjects].sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status])
  const failing = subjects.filter((s) => s.status === "fail" || s.status === "error").length
  return el(
    "div",
    { class: "subjects" },
    el("h4", {}, `${subjects.length} subjects, ${failing} failing`),
    el(
      "table",
      {},
      el("thead", {}, el("tr", {}, el("th", {}, "Status"), el("th", {}, "Subject"), el("th", {}, "Message"), el("th", {}, "Fix"))),
      el(
        "tbody",
        {},
        sorted.map((s) =>
          el(
            "tr",
            { "data-status": s.status },
            el("td", {}, pill(s.status, s.status)),
            el("td", {}, el("code", {}, s.subject)),
            el("td", {}, s.message),
            el("td", {}, s.remediation ?? "")
          )
        )
      )
    )
  )
}

const itemBody = (item: Report.ItemReport): Html => {
  const rows: Array<Child> = []
  const row = (term: string, value: Child) => rows.push(el("dt", {}, term), el("dd", {}, value))
  if (item.description !== undefined) row("what a pass proves", item.description)
  for (const [k, v] of Format.evidenceEntries(item.evidence)) row(k, jsonValue(v))
  if (item.remediation !== undefined) row("remediation", item.remediation)
  if (item.role !== undefined) row("role", el("code", {}, item.role))
  if (item.docs !== undefined) row("docs", item.docs)
  if (item.deferral) row("deferral", Format.deferralNote(item.deferral))
  if (item.dependsOn.length > 0) row("depends on", item.dependsOn.join(", "))
  row("run", `${item.category} · ${Format.humanDuration(item.durationMs)} · ${item.attempts} attempt${item.attempts === 1 ? "" : "s"}`)
  return el(
    "div",
    { class: "body" },
    el("dl", { class: "ev" }, rows),
    item.subjects !== undefined && item.subjects.length > 0 && subjectsTable(item.subjects)
  )
}

const itemRow = (item: Report.ItemReport): Html =>
  el(
    "div",
    { class: "item", "data-disposition": item.disposition, "data-id": item.id },
    el(
      "details",
      { open: item.disposition === "blocking" },
      el(
        "summary",
        {},
        el("span", {}, dispositionPill(item)),
        el(
          "span",
          {},
          el("span", { class: "name" }, item.title),
          el("span", { class: "id mono" }, item.id),
          el("span", { class: "msg" }, item.message)
        ),
        el("span", { class: "owner" }, item.owner)
      ),
      itemBody(item)
    )
  )

const itemsSection = (r: Report.Report): Html =>
  el(
    "section",
    { id: "items" },
    el("h2", {}, "Checks"),
    el(
      "div",
      { class: "filters", role: "group", "aria-label": "Show items by status" },
      el("span", { class: "muted" }, "Show:"),
      FILTERS.map(([d, label]) => {
        const n = r.items.filter((i) => i.disposition === d).length
        return el("label", { for: `f-${d}` }, el("input", { type: "checkbox", id: `f-${d}`, checked: true }), `${label} (${n})`)
      })
    ),
    Format.itemsByTier(r).map(({ items, tier }) => {
      const surfaces = [...new Set(items.map((i) => i.surface))]
      return h(
        el("h3", {}, `${Format.tierTitle[tier]} `, el("span", { class: "muted" }, `(${Format.countsPhrase(r.summary.byTier[tier])})`)),
        surfaces.map((surface) =>
          h(el("h4", {}, surface), items.filter((i) => i.surface === surface).map(itemRow))
        )
      )
    })
  )

const deferralsSection = (r: Report.Report): Html | undefined => {
  if (r.deferrals.length === 0) return undefined
  const now = Date.parse(r.run.startedAt)
  const expiries = r.deferrals.map((d) => Date.parse(d.expires))
  const from = Math.min(now, ...expiries) - 2 * DAY
  const to = Math.max(now, ...expiries) + 2 * DAY
  const at = (t: number) => `${(((t - from) / (to - from)) * 100).toFixed(2)}%`
  const mark = (d: Report.DeferralReport): readonly [string, string] =>
    d.state === "expired"
      ? ["expired", "expired"]
      : d.state === "stale"
      ? ["stale", "stale: remove it"]
      : d.daysLeft <= EXPIRING_SOON_DAYS
      ? ["soon", "expiring soon"]
      : ["active", "active"]
  const sorted = [...r.deferrals].sort((a, b) => a.expires.localeCompare(b.expires))
  return el(
    "section",
    { id: "deferrals", class: "timeline" },
    el("h2", {}, "Deferrals"),
    sorted.map((d) => {
      const [cls, label] = mark(d)
      const end = Date.parse(d.expires)
      const left = Math.min(now, end)
      const width = Math.abs(end - now)
      return el(
        "div",
        { class: "row", "data-state": cls },
        el(
          "div",
          {},
          el("code", {}, d.check),
          " ",
          pill(cls, label),
          el("div", { class: "muted" }, `${d.owner} · ${Format.deferralWhen(d)} · ${d.followUp}`),
          el(
            "div",
            {},
            d.reason,
            el(
              "span",
              { class: "muted" },
              ` (risk: ${d.risk}${d.approvedBy !== undefined ? `; approved by ${d.approvedBy}` : ""})`
            )
          )
        ),
        el(
          "div",
          { class: "track", title: `${Format.day(d.expires)}` },
          el("div", { class: `bar ${cls}`, style: `left:${at(left)};width:${((width / (to - from)) * 100).toFixed(2)}%` }),
          el("div", { class: "now", style: `left:${at(now)}` })
        )
      )
    }),
    el(
      "div",
      { class: "axis" },
      el("span", {}, Format.day(new Date(from).toISOString())),
      el("span", {}, `now: ${Format.day(r.run.startedAt)}`),
      el("span", {}, Format.day(new Date(to).toISOString()))
    )
  )
}

/** Counts per tier of the tracker's launch scope, and the launch-critical items not done. */
const launchScopeSection = (r: Report.Report): Html | undefined => {
  const scope = r.launchScope
  if (scope === undefined) return undefined
  if (scope.error !== undefined) {
    return el(
      "section",
      { id: "launch-scope" },
      el("h2", {}, "Launch scope"),
      el("p", {}, pill("blocking", "not read"), ` from ${scope.source}: ${scope.error}`)
    )
  }
  const open = scope.openLaunchCritical ?? []
  const link = (i: Report.LaunchScopeItem): Child =>
    i.url !== undefined && /^https?:\/\//.test(i.url) ? el("a", { href: i.url }, i.ref) : el("code", {}, i.ref)
  return el(
    "section",
    { id: "launch-scope" },
    el("h2", {}, "Launch scope"),
    el("p", { class: "muted" }, `${scope.total ?? 0} items in ${scope.source} (read ${scope.readAt}).`),
    el(
      "table",
      {},
      el("thead", {}, el("tr", {}, ["Tier", "Items", "Open", "Done", "Not planned"].map((t) => el("th", {}, t)))),
      el("tbody", {}, Format.launchScopeTiers(scope).map(([tier, c]) =>
        el("tr", {}, el("td", {}, tier), [c.total, c.open, c.done, c.notPlanned].map((n) => el("td", {}, n)))
      ))
    ),
    el("h3", {}, `Open launch-critical items (${open.length})`),
    open.length === 0
      ? el("p", { class: "muted" }, "None: every launch-critical item is done.")
      : el(
        "table",
        {},
        el("thead", {}, el("tr", {}, ["Item", "Title", "Status", "Owner", "Deferred"].map((t) => el("th", {}, t)))),
        el("tbody", {}, open.map((i) =>
          el(
            "tr",
            {},
            el("td", {}, link(i)),
            el("td", {}, i.title),
            el("td", {}, i.status),
            el("td", {}, Format.ownersPhrase(i)),
            el("td", {}, i.deferredBy !== undefined
              ? h(pill("deferred", "deferred"), " ", el("code", {}, i.deferredBy))
              : pill("blocking", "not deferred"))
          )
        ))
      )
  )
}

const rollbackSection = (r: Report.Report): Html | undefined =>
  r.rollback.length === 0 ? undefined : el(
    "section",
    { id: "rollback" },
    el("h2", {}, "Rollback plans and kill switches"),
    el(
      "div",
      { class: "grid2" },
      r.rollback.map((p) => {
        const verification = Format.rollbackVerification(r, p)
        const rows: Array<Child> = []
        const row = (term: string, value: Child) => rows.push(el("dt", {}, term), el("dd", {}, value))
        if (p.none !== undefined) row("no rollback", p.none)
        if (p.procedure !== undefined) row("procedure", el("pre", { class: "code" }, p.procedure))
        if (p.killSwitch !== undefined) row("kill switch", p.killSwitch)
        if (p.owner !== undefined) row("owner", p.owner)
        row(
          "verified",
          p.verify === undefined
            ? "not verified by a check"
            : verification
            ? h(dispositionPill(verification), " ", el("code", {}, p.verify), el("div", { class: "muted" }, verification.message))
            : h(el("code", {}, p.verify), " (did not run)")
        )
        return el("div", { class: "card" }, el("h4", {}, p.surface), el("dl", { class: "ev" }, rows))
      })
    )
  )

const str = (meta: Readonly<Record<string, Json>> | undefined, key: string): string | undefined => {
  const v = meta?.[key]
  return typeof v === "string" || typeof v === "number" ? String(v) : undefined
}

const attestationsSection = (r: Report.Report): Html | undefined => {
  const attestations = r.items.filter((i) => i.kind === "attestation")
  if (attestations.length === 0) return undefined
  return el(
    "section",
    { id: "attestations" },
    el("h2", {}, "Attestations"),
    el(
      "table",
      {},
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ["Status", "Attestation", "Attested by", "On", "Age", "Valid for", "Evidence"].map((t) => el("th", {}, t))
        )
      ),
      el(
        "tbody",
        {},
        attestations.map((a) => {
          const on = str(a.meta, "on")
          const age = on !== undefined && !Number.isNaN(Date.parse(on)) ? days(on, r.run.startedAt) : undefined
          const valid = str(a.meta, "validForDays")
          return el(
            "tr",
            {},
            el("td", {}, dispositionPill(a)),
            el("td", {}, a.title, el("div", { class: "muted" }, a.message)),
            el("td", {}, str(a.meta, "attestedBy") ?? "—"),
            el("td", {}, on ?? "—"),
            el("td", {}, age !== undefined ? `${age} day${age === 1 ? "" : "s"}` : "—"),
            el("td", {}, valid !== undefined ? `${valid} days` : "—"),
            el("td", {}, str(a.meta, "evidence") ?? "—")
          )
        })
      )
    )
  )
}

const unsupportedSection = (r: Report.Report): Html | undefined =>
  r.unsupported.length === 0 ? undefined : el(
    "section",
    { id: "unsupported" },
    el("h2", {}, "Not supported"),
    el("ul", {}, r.unsupported.map((u) => el("li", {}, el("b", {}, u.case), u.reason !== undefined ? `: ${u.reason}` : "")))
  )

const runSection = (r: Report.Report): Html => {
  const rows: ReadonlyArray<readonly [string, string]> = [
    ["Gate", r.gate.name],
    ["Environment", r.gate.environment ?? "—"],
    ["Commit", r.run.gitCommit ?? "unknown"],
    ["launchgate", `${r.run.launchgateVersion} (report schema v${r.schemaVersion})`],
    ["Node", r.run.nodeVersion],
    ["Started", r.run.startedAt],
    ["Finished", r.run.finishedAt],
    ["Duration", Format.humanDuration(r.run.durationMs)],
    ["Launch-adjacent policy", r.policy.launchAdjacent]
  ]
  return el(
    "section",
    { id: "run" },
    el("h2", {}, "Run"),
    el("dl", { class: "ev" }, rows.map(([k, v]) => h(el("dt", {}, k), el("dd", {}, v))))
  )
}

// ---------------------------------------------------------------------------------------------------------------
// Trend

interface Point {
  readonly startedAt: string
  readonly verdict: Report.Verdict
  readonly byTier: Report.Report["summary"]["byTier"]
}

const point = (r: Report.Report): Point => ({ startedAt: r.run.startedAt, verdict: r.verdict, byTier: r.summary.byTier })

const COLORS = { pass: "#2da44e", fail: "#cf222e", error: "#bc4c00", other: "#d0d7de" } as const

/** One column per run, three stacked bars (one per tier) of pass / fail / error / other, the verdict as a dot. */
const chart = (points: ReadonlyArray<Point>): Html => {
  const tiers = Format.TIERS
  const barW = 7
  const gap = 2
  const colW = tiers.length * (barW + gap) + 10
  const height = 120
  const top = 18
  const width = Math.max(points.length * colW + 40, 200)
  const max = Math.max(1, ...points.flatMap((p) => tiers.map((t) => total(p.byTier[t]))))
  const parts: Array<string> = []
  points.forEach((p, i) => {
    const x0 = 30 + i * colW
    tiers.forEach((t, j) => {
      const c = p.byTier[t]
      const x = x0 + j * (barW + gap)
      let y = top + height
      const segments = [["pass", c.pass + c.warn], ["fail", c.fail], ["error", c.error], ["other", c.skip + c.deferred]] as const
      for (const [k, n] of segments) {
        if (n === 0) continue
        const hgt = (n / max) * height
        y -= hgt
        parts.push(`<rect x="${x}" y="${y.toFixed(1)}" width="${barW}" height="${hgt.toFixed(1)}" fill="${COLORS[k]}"/>`)
      }
    })
    const cx = x0 + (tiers.length * (barW + gap)) / 2 - 1
    const fill = p.verdict === "ready" ? COLORS.pass : COLORS.fail
    parts.push(`<circle cx="${cx}" cy="8" r="4.5" fill="${fill}"><title>${escapeSvg(`${p.startedAt}: ${p.verdict}`)}</title></circle>`)
  })
  parts.push(`<line x1="26" y1="${top + height + 0.5}" x2="${width - 6}" y2="${top + height + 0.5}" stroke="#d0d7de"/>`)
  parts.push(`<text x="0" y="${top + 9}" font-size="10" fill="#59636e">${max}</text>`)
  parts.push(`<text x="0" y="${top + height}" font-size="10" fill="#59636e">0</text>`)
  const label = `Trend over ${points.length} runs: verdict and pass, fail and error counts per tier`
  return raw(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${top + height + 4}" role="img" ` +
      `aria-label="${escapeSvg(label)}">${parts.join("")}</svg>`
  )
}

const escapeSvg = (text: string): string => toString(text)

const total = (c: Report.Counts): number => c.pass + c.fail + c.warn + c.error + c.skip + c.deferred

const trendSection = (r: Report.Report, history: History, maxRuns: number): Html => {
  // The current run may already sit in the history folder: never count it twice.
  const earlier = history.runs.filter((h) => h.run.startedAt !== r.run.startedAt && h.run.startedAt < r.run.startedAt)
  const sameGate = earlier.filter((h) => h.gate.name === r.gate.name)
  const otherGates = earlier.length - sameGate.length
  const all = [...sameGate.map(point), point(r)]
  const shown = all.slice(-Math.max(1, maxRuns))
  const older = all.slice(0, all.length - shown.length)
  const previous = sameGate.at(-1)
  const diff = previous !== undefined ? ReportDiff.diff(previous, r) : undefined
  const notes: Array<Child> = []
  if (older.length > 0) {
    const ready = older.filter((p) => p.verdict === "ready").length
    notes.push(el(
      "p",
      { class: "muted" },
      `${older.length} earlier runs (${Format.day(older[0]!.startedAt)} to ${Format.day(older.at(-1)!.startedAt)}) ` +
        `summarised: ${ready} ready, ${older.length - ready} blocked.`
    ))
  }
  if (otherGates > 0) notes.push(el("p", { class: "muted" }, `${otherGates} report${otherGates === 1 ? "" : "s"} of other gates left out.`))
  for (const s of history.skipped) notes.push(el("p", { class: "muted" }, `Skipped ${s.file}: ${s.reason}.`))
  const tierCell = (c: Report.Counts) => `${c.pass + c.warn} / ${c.fail} / ${c.error}`
  return el(
    "section",
    { id: "trend", class: "trend" },
    el("h2", {}, `Trend (${all.length} run${all.length === 1 ? "" : "s"})`),
    chart(shown),
    el(
      "div",
      { class: "legend" },
      raw(`<span><i style="background:${COLORS.pass}"></i>pass</span><span><i style="background:${COLORS.fail}"></i>fail</span>`),
      raw(
        `<span><i style="background:${COLORS.error}"></i>error</span>` +
          `<span><i style="background:${COLORS.other}"></i>skipped / deferred</span>`
      ),
      el("span", {}, "bars per run: launch-critical, launch-adjacent, post-launch; dot: verdict")
    ),
    notes,
    el(
      "h3",
      {},
      diff === undefined ? "Newly failing since last run: no earlier run" : `Newly failing since last run (${diff.newlyFailing.length})`
    ),
    diff !== undefined && (diff.newlyFailing.length === 0
      ? el("p", { class: "muted" }, `Nothing newly fails since ${previous!.run.startedAt}.`)
      : el("ul", { class: "newly-failing" }, diff.newlyFailing.map((c) =>
        el(
          "li",
          {},
          el("code", {}, c.id),
          ` ${c.before ?? "—"} → ${c.after ?? "—"} [${c.tier}, ${c.owner}]`,
          c.message !== undefined ? `: ${c.message}` : ""
        )
      ))),
    diff !== undefined && diff.fixed.length > 0 &&
      el("p", { class: "muted" }, `Fixed since last run: ${diff.fixed.map((c) => c.id).join(", ")}.`),
    el(
      "details",
      {},
      el("summary", {}, "Runs as a table (pass / fail / error per tier)"),
      el(
        "table",
        {},
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            el("th", {}, "Run"),
            el("th", {}, "Verdict"),
            Format.TIERS.map((t) => el("th", {}, Format.tierTitle[t]))
          )
        ),
        el("tbody", {}, [...shown].reverse().map((p) =>
          el(
            "tr",
            {},
            el("td", {}, p.startedAt),
            el("td", {}, pill(p.verdict === "ready" ? "ready" : "blocking", p.verdict)),
            Format.TIERS.map((t) => el("td", {}, tierCell(p.byTier[t])))
          )
        ))
      )
    )
  )
}

/** The history with every report scrubbed, as the current one is. */
const scrubHistory = (history: History): History => ({
  runs: history.runs.map(Format.scrubReport),
  skipped: history.skipped.map((s) => ({ file: Redaction.scrub(s.file), reason: Redaction.scrub(s.reason) }))
})

/**
 * The report as one self-contained HTML page (see the module comment for
 * what it shows). With `history`, it adds the trend of earlier runs and what
 * newly fails since the last one.
 *
 * @example
 * const history = await HtmlReporter.loadHistory("reports/history")
 * await writeFile("launchgate-report.html", HtmlReporter.render(report, { history }))
 */
export const render = (report: Report.Report, options: RenderOptions = {}): string => {
  const r = Format.scrubReport(report)
  const title = `${r.verdict === "ready" ? "Ready" : "Blocked"}: ${r.gate.name} (launchgate)`
  const body = h(
    header(r),
    blockersSection(r),
    options.history !== undefined && trendSection(r, scrubHistory(options.history), options.maxRuns ?? MAX_RUNS),
    itemsSection(r),
    launchScopeSection(r),
    deferralsSection(r),
    rollbackSection(r),
    attestationsSection(r),
    unsupportedSection(r),
    runSection(r),
    el("footer", {}, `Generated by launchgate ${r.run.launchgateVersion} from report schema v${r.schemaVersion}.`)
  )
  const page = [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<meta name="referrer" content="no-referrer">`,
    `<title>${toString(title)}</title>`,
    `<style>${STYLE}</style></head>`,
    `<body><main>${toString(body)}</main><script>${SCRIPT}</script></body></html>`,
    ""
  ].join("\n")
  return Format.scrubOutput(page, "&lt;redacted&gt;")
}
