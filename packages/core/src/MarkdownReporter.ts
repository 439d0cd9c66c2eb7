/**
 * Markdown reporter: the launch-readiness document, fit for a pull-request
 * comment or `$GITHUB_STEP_SUMMARY`.
 *
 * It reads top-down the way a launch review does: the verdict and why, a
 * count by tier, a table per tier (status, check, owner, message) with the
 * evidence of each item in a collapsed `<details>` block, the deferrals with
 * owner, risk, follow-up and expiry, the rollback plans, the unsupported
 * cases, and the run metadata that makes the document evidence on its own.
 *
 * GitHub refuses comments over 65,536 characters, so when the document would
 * be longer the evidence of passing items is left out first, then evidence is
 * cut shorter; the document says so, and the JSON report keeps everything.
 *
 * @since 0.1.0
 */
import * as Format from "./internal/reporters/format.js"
import * as Md from "./internal/reporters/markdown.js"
import type { Json } from "./Outcome.js"
import type * as Report from "./Report.js"

/** A marker on the first line, so a bot can find and update its previous comment. */
export const MARKER = "<!-- launchgate-report -->"

/** The longest document rendered in full: under GitHub's 65,536-character comment limit, with room to spare. */
export const MAX_LENGTH = 60_000

const EMOJI: Record<Report.Disposition, string> = {
  ok: "✅",
  blocking: "❌",
  warning: "⚠️",
  deferred: "⏳",
  info: "ℹ️",
  skipped: "⏭️"
}

const COUNT_COLUMNS = [
  ["pass", "✅ pass"],
  ["fail", "❌ fail"],
  ["warn", "⚠️ warn"],
  ["error", "❗ error"],
  ["skip", "⏭️ skip"],
  ["deferred", "⏳ deferred"]
] as const

const DEFERRAL_STATE: Record<Report.DeferralState, string> = {
  active: "⏳ active",
  expired: "❌ expired",
  stale: "🧹 stale"
}

interface Budget {
  /** Show the evidence of items that passed plainly. */
  readonly passingEvidence: boolean
  /** Cut each evidence block to this many characters. */
  readonly evidenceMax: number
}

/** The emoji of the disposition and the status; the disposition in words when the status alone does not say it. */
const statusCell = (status: Report.ItemReport["status"], disposition: Report.Disposition): string =>
  disposition === "ok" || disposition === "skipped" || (status === "warn" && disposition === "warning")
    ? `${EMOJI[disposition]} ${status}`
    : `${EMOJI[disposition]} ${status} · ${disposition}`

const evidenceBlock = (evidence: Readonly<Record<string, Json>>, budget: Budget): Array<string> =>
  Object.keys(evidence).length === 0
    ? []
    : [Md.block(Format.truncate(JSON.stringify(Format.orderedEvidence(evidence), null, 2), budget.evidenceMax), "json")]

const itemDetails = (item: Report.ItemReport, budget: Budget): string | undefined => {
  const attention = Format.needsAttention(item)
  if (!attention && !budget.passingEvidence) return undefined
  const parts: Array<string> = []
  if (item.description !== undefined) parts.push(`_What a pass proves:_ ${Md.text(item.description)}`)
  parts.push(...evidenceBlock(item.evidence, budget))
  if (item.remediation !== undefined) parts.push(`**Remediation:** ${Md.text(item.remediation)}`)
  if (item.docs !== undefined) parts.push(`**Docs:** ${Md.text(item.docs)}`)
  if (item.deferral) {
    parts.push(`**Deferral** ${Md.text(Format.deferralNote(item.deferral))}`)
  }
  const subjects = item.subjects ?? []
  if (subjects.length > 0) {
    parts.push(Md.table(
      ["Status", "Subject", "Message"],
      subjects.map((s) => [
        `${s.status === "pass" ? "✅" : s.status === "skip" ? "⏭️" : "❌"} ${s.status}`,
        Md.code(s.subject),
        Md.text(s.message)
      ])
    ))
    for (const s of subjects) {
      if (s.status === "pass" && !budget.passingEvidence) continue
      const evidence = evidenceBlock(s.evidence, budget)
      const fix = s.remediation !== undefined ? [`**Remediation:** ${Md.text(s.remediation)}`] : []
      if (evidence.length + fix.length > 0) parts.push(`**${Md.text(s.subject)}**`, ...evidence, ...fix)
    }
  }
  if (parts.length === 0) return undefined
  const summary = `${EMOJI[item.disposition]} <code>${Md.html(item.id)}</code>: ${Md.html(attention ? "details" : "evidence")}`
  // Blank lines around the Markdown inside <details>, or GitHub shows it raw.
  return `<details>\n<summary>${summary}</summary>\n\n${parts.join("\n\n")}\n\n</details>`
}

const tierSection = (
  tier: Report.ItemReport["tier"],
  items: ReadonlyArray<Report.ItemReport>,
  budget: Budget
): string => {
  const rows = items.map((i) => [
    statusCell(i.status, i.disposition),
    `**${Md.text(i.title)}**<br>${Md.code(i.id)}`,
    Md.text(i.owner),
    Md.text(i.message)
  ])
  const details = items.map((i) => itemDetails(i, budget)).filter((d): d is string => d !== undefined)
  return [`### ${Format.tierTitle[tier]}`, Md.table(["Status", "Check", "Owner", "Message"], rows), ...details].join("\n\n")
}

const header = (r: Report.Report): Array<string> => {
  const ready = r.verdict === "ready"
  const target = r.gate.environment !== undefined ? ` → ${Md.text(r.gate.environment)}` : ""
  const out = [
    `${MARKER}\n## ${ready ? "✅ Ready to launch" : "⛔ Launch blocked"}: ${Md.text(r.gate.name)}${target}`
  ]
  if (r.gate.description !== undefined) out.push(Md.text(r.gate.description))
  const deferred = r.items.filter((i) => i.disposition === "deferred").length
  out.push(
    `**${r.summary.blocking} blocking**, ${r.summary.warnings} warning${r.summary.warnings === 1 ? "" : "s"}, ` +
      `${deferred} deferred, ${r.summary.total} item${r.summary.total === 1 ? "" : "s"} checked.`
  )
  if (r.reasons.length > 0) {
    out.push(`**Why it is blocked**\n\n${r.reasons.map((reason) => `- ${Md.text(reason)}`).join("\n")}`)
  }
  if (r.run.interrupted) out.push(`> ⚠️ The run was interrupted: ${Md.text(r.run.interruptReason ?? "stopped early")}.`)
  if (r.run.insecureOrigins !== undefined && r.run.insecureOrigins.length > 0) {
    out.push(`> ⚠️ TLS verification was off for: ${r.run.insecureOrigins.map(Md.code).join(", ")}.`)
  }
  if (r.items.length === 0) out.push("> ⚠️ This gate has no items: it checks nothing, so it proves nothing.")
  out.push(Md.table(
    ["Tier", ...COUNT_COLUMNS.map(([, title]) => title)],
    Format.TIERS.map((t) => [Format.tierTitle[t], ...COUNT_COLUMNS.map(([k]) => String(r.summary.byTier[t][k]))])
  ))
  return out
}

const deferralsSection = (r: Report.Report): Array<string> =>
  r.deferrals.length === 0 ? [] : [
    "### Deferrals",
    Md.table(
      ["State", "Check", "Owner", "Expires", "Reason", "Risk", "Follow-up", "Approved by"],
      r.deferrals.map((d) => [
        DEFERRAL_STATE[d.state],
        Md.code(d.check),
        Md.text(d.owner),
        d.state === "expired" ? `${Format.day(d.expires)} (expired)` : `${Format.day(d.expires)} (${d.daysLeft} days left)`,
        Md.text(d.reason),
        Md.text(d.risk),
        Md.text(d.followUp),
        d.approvedBy !== undefined ? Md.text(d.approvedBy) : "—"
      ])
    )
  ]

/** An item's reference, linked when its URL is a web address (escaped so it cannot end the link early). */
const itemRef = (i: Report.LaunchScopeItem): string =>
  i.url !== undefined && /^https?:\/\//.test(i.url)
    ? `[${Md.text(i.ref)}](${i.url.replace(/[\s()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`)})`
    : Md.code(i.ref)

/** Counts per tier of the tracker's launch scope, and the launch-critical items not done. */
const launchScopeSection = (scope: Report.LaunchScope | undefined): Array<string> => {
  if (scope === undefined) return []
  const title = "### Launch scope"
  if (scope.error !== undefined) {
    return [title, `⚠️ The launch scope could not be read from ${Md.text(scope.source)}: ${Md.text(scope.error)}`]
  }
  const open = scope.openLaunchCritical ?? []
  return [
    title,
    `${scope.total ?? 0} items in ${Md.text(scope.source)} (read ${scope.readAt}).`,
    Md.table(
      ["Tier", "Items", "Open", "Done", "Not planned"],
      Format.launchScopeTiers(scope).map(([tier, c]) =>
        [Md.text(tier), String(c.total), String(c.open), String(c.done), String(c.notPlanned)]
      )
    ),
    open.length === 0
      ? "No open launch-critical items."
      : Md.table(
        ["Item", "Title", "Status", "Owner", "Deferred"],
        open.map((i) => [
          itemRef(i),
          Md.text(i.title),
          Md.text(i.status),
          Md.text(Format.ownersPhrase(i)),
          i.deferredBy !== undefined ? `⏳ ${Md.code(i.deferredBy)}` : "❌ not deferred"
        ])
      )
  ]
}

const rollbackSection = (r: Report.Report): Array<string> =>
  r.rollback.length === 0 ? [] : [
    "### Rollback plans",
    Md.table(
      ["Surface", "Procedure", "Kill switch", "Owner", "Verified by"],
      r.rollback.map((p) => {
        const verification = Format.rollbackVerification(r, p)
        return [
          Md.code(p.surface),
          p.none !== undefined ? `**No rollback:** ${Md.text(p.none)}` : Md.text(p.procedure ?? ""),
          p.killSwitch !== undefined ? Md.text(p.killSwitch) : "—",
          p.owner !== undefined ? Md.text(p.owner) : "—",
          p.verify === undefined
            ? "—"
            : `${verification ? `${EMOJI[verification.disposition]} ` : ""}${Md.code(p.verify)}`
        ]
      })
    )
  ]

const unsupportedSection = (r: Report.Report): Array<string> =>
  r.unsupported.length === 0 ? [] : [
    "### Unsupported",
    r.unsupported.map((u) => `- **${Md.text(u.case)}**${u.reason !== undefined ? `: ${Md.text(u.reason)}` : ""}`).join("\n")
  ]

const runSection = (r: Report.Report): Array<string> => [
  "### Run",
  Md.table(["", ""], [
    ["Gate", Md.text(r.gate.name)],
    ["Environment", r.gate.environment !== undefined ? Md.text(r.gate.environment) : "—"],
    ["Commit", r.run.gitCommit !== undefined ? Md.code(r.run.gitCommit) : "unknown"],
    ["launchgate", `${Md.text(r.run.launchgateVersion)} (report schema v${r.schemaVersion})`],
    ["Node", Md.text(r.run.nodeVersion)],
    ["Started", r.run.startedAt],
    ["Finished", r.run.finishedAt],
    ["Duration", Format.humanDuration(r.run.durationMs)],
    ["Launch-adjacent policy", r.policy.launchAdjacent]
  ])
]

const document = (r: Report.Report, budget: Budget, note: string | undefined): string =>
  [
    ...header(r),
    ...Format.itemsByTier(r).map(({ items, tier }) => tierSection(tier, items, budget)),
    ...launchScopeSection(r.launchScope),
    ...deferralsSection(r),
    ...rollbackSection(r),
    ...unsupportedSection(r),
    ...runSection(r),
    ...(note !== undefined ? [`_${note}_`] : [])
  ].join("\n\n") + "\n"

const BUDGETS: ReadonlyArray<readonly [Budget, string | undefined]> = [
  [{ passingEvidence: true, evidenceMax: 2_000 }, undefined],
  [{ passingEvidence: false, evidenceMax: 2_000 }, "Evidence of passing checks left out to fit a comment; the JSON report has it."],
  [{ passingEvidence: false, evidenceMax: 300 }, "Evidence cut short to fit a comment; the JSON report has all of it."]
]

/**
 * The launch-readiness document as Markdown: verdict with emoji and reasons,
 * counts by tier, a table per tier with evidence in `<details>` blocks,
 * deferrals, rollback plans, unsupported cases and run metadata. Text from
 * checks is escaped (`|` and line breaks in cells included) and the output is
 * scrubbed of secrets.
 *
 * @example
 * const summary = process.env["GITHUB_STEP_SUMMARY"]
 * if (summary) await appendFile(summary, MarkdownReporter.render(report))
 */
export const render = (report: Report.Report): string => {
  const r = Format.scrubReport(report)
  let text = ""
  for (const [budget, note] of BUDGETS) {
    text = document(r, budget, note)
    if (text.length <= MAX_LENGTH) break
  }
  return Format.scrubOutput(text)
}
