/**
 * The launch-readiness document (`LAUNCH-READINESS.md`), generated from the
 * gate definition and, optionally, the last report: scope by tier with
 * owners, what each check proves, deferrals, rollback and kill-switch
 * procedures, unsupported cases, and coverage of the launch-review
 * categories. Generated from the definition so the document cannot drift
 * from the checks.
 *
 * Without a report the output depends only on the gate (no clock, no
 * results), so a committed copy can be compared in a test.
 *
 * @since 0.1.0
 */
import * as Check from "./Check.js"
import type * as Gate from "./Gate.js"
import * as Redaction from "./Redaction.js"
import type * as Report from "./Report.js"
import * as Rollback from "./Rollback.js"

/** Launch-review categories as a review names them. */
export const categoryTitles: Readonly<Record<Check.Category, string>> = {
  architecture: "Architecture",
  capacity: "Capacity and performance",
  rollback: "Failover and rollback",
  monitoring: "Monitoring and alerting",
  security: "Security and secrets",
  automation: "Automation",
  dependencies: "External dependencies",
  rollout: "Rollout"
}

const tierTitles: Readonly<Record<Gate.Tier, string>> = {
  "launch-critical": "Launch-critical (blocks the launch)",
  "launch-adjacent": "Launch-adjacent (warns unless the policy blocks)",
  "post-launch": "Post-launch (informational)"
}

const STATUS_ICON: Readonly<Record<string, string>> = {
  pass: "✅ pass",
  fail: "❌ fail",
  warn: "⚠️ warn",
  error: "⛔ error",
  skip: "⏭️ skip"
}

/** Escape text for a Markdown table cell. */
const cell = (text: string | undefined): string =>
  (text ?? "").replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>")

/** Options of {@link render}. */
export interface Options {
  /** The last report of this gate: adds the verdict and each check's last status. */
  readonly report?: Report.Report | undefined
  /**
   * The launch scope read just now from a `local` declaration (task files), as `launchgate docs` does.
   * Otherwise the section shows the report's, or names where it is read at run time.
   */
  readonly launchScope?: Report.LaunchScope | undefined
}

/** The "Launch scope" section: counts per tier and the open launch-critical items, or where they are read. */
const launchScopeSection = <R>(gate: Gate.Gate<R>, options: Options): Array<string> => {
  const declaration = gate.launchScope
  if (declaration === undefined) return []
  const fromReport = options.report?.launchScope
  const scope = options.launchScope ?? fromReport
  const out = ["## Launch scope", ""]
  if (scope === undefined) {
    return [...out, `Read at run time from ${cell(declaration.source)}; pass \`--report\` to show the last run's.`, ""]
  }
  // A scope read just now carries no time in the document, so the committed copy stays comparable.
  const when = options.launchScope === undefined ? ` (last run, read ${scope.readAt})` : ""
  if (scope.error !== undefined) {
    return [...out, `⚠️ Could not be read from ${cell(scope.source)}${when}: ${cell(scope.error)}`, ""]
  }
  out.push(`${scope.total ?? 0} items in ${cell(scope.source)}${when}.`, "")
  out.push("| Tier | Items | Open | Done | Not planned |", "| --- | ---: | ---: | ---: | ---: |")
  const tiers = scope.tiers
  for (const tier of ["launch-critical", "launch-adjacent", "post-launch", "unclassified", "conflicting"] as const) {
    const c = tiers?.[tier]
    if (c === undefined || (c.total === 0 && (tier === "unclassified" || tier === "conflicting"))) continue
    out.push(`| ${tier} | ${c.total} | ${c.open} | ${c.done} | ${c.notPlanned} |`)
  }
  out.push("")
  const open = scope.openLaunchCritical ?? []
  if (open.length === 0) return [...out, "No open launch-critical items.", ""]
  out.push("| Open launch-critical item | Title | Status | Owner | Deferred |", "| --- | --- | --- | --- | --- |")
  for (const i of open) {
    const ref = i.url !== undefined && /^https?:\/\//.test(i.url)
      ? `[${cell(i.ref)}](<${i.url.replace(/[<>\s]/g, "")}>)`
      : cell(i.ref)
    const owners = i.owners.length > 0 ? i.owners.map(cell).join(", ") : "no owner"
    const deferred = i.deferredBy !== undefined ? `\`${cell(i.deferredBy)}\`` : "not deferred"
    out.push(`| ${ref} | ${cell(i.title)} | ${cell(i.status)} | ${owners} | ${deferred} |`)
  }
  return [...out, ""]
}

/** Render the launch-readiness document as Markdown. */
export const render = <R>(gate: Gate.Gate<R>, options: Options = {}): string => {
  const report = options.report
  const results = new Map(report?.items.map((i) => [i.id, i]) ?? [])
  const items = [
    ...gate.items.map((i) => ({ ...i, rollbackOf: undefined as string | undefined })),
    ...gate.rollback.flatMap((p) =>
      !Rollback.isNone(p) && p.verify
        ? [{
          check: p.verify,
          tier: "launch-critical" as const,
          owner: p.owner ?? "rollback owner",
          rollbackOf: p.surface as string | undefined
        }]
        : []
    )
  ]
  const out: Array<string> = []
  const push = (...lines: Array<string>) => out.push(...lines)

  push(`# Launch readiness: ${gate.name}`, "")
  push("<!-- Generated by `launchgate docs` from the gate definition. Do not edit by hand: change the gate and regenerate. -->", "")
  if (gate.description) push(gate.description, "")
  if (gate.environment) push(`Target environment: **${gate.environment}**.`, "")
  if (report) {
    const verdict = report.verdict === "ready" ? "✅ **READY**" : "🛑 **BLOCKED**"
    push(
      `Last run: ${verdict} — ${report.run.startedAt}` +
        `${report.run.gitCommit ? ` at \`${report.run.gitCommit.slice(0, 12)}\`` : ""}.`,
      ""
    )
    if (report.reasons.length > 0) {
      push("Blocking:", "")
      for (const r of report.reasons) push(`- ${r}`)
      push("")
    }
  }
  const counts = gate.items.reduce<Record<string, number>>((acc, i) => ({ ...acc, [i.tier]: (acc[i.tier] ?? 0) + 1 }), {})
  push(
    `Scope: ${gate.items.length} items — ${counts["launch-critical"] ?? 0} launch-critical, ` +
      `${counts["launch-adjacent"] ?? 0} launch-adjacent, ${counts["post-launch"] ?? 0} post-launch; ` +
      `${gate.deferrals.length} deferrals; ${gate.rollback.length} rollback plans; ` +
      `${gate.unsupported.length} unsupported cases.`,
    ""
  )

  push("## Scope by tier", "")
  for (const tier of ["launch-critical", "launch-adjacent", "post-launch"] as const) {
    const inTier = items.filter((i) => i.tier === tier)
    push(`### ${tierTitles[tier]}`, "")
    if (inTier.length === 0) {
      push("_None._", "")
      continue
    }
    push(
      report
        ? "| Check | Owner | Category | Kind | What it proves | Least privilege | Last result |"
        : "| Check | Owner | Category | Kind | What it proves | Least privilege |",
      report ? "| --- | --- | --- | --- | --- | --- | --- |" : "| --- | --- | --- | --- | --- | --- |"
    )
    for (const { check, owner, rollbackOf } of inTier) {
      const kind = check.kind === "check" ? (check.active ? "check (active, opt-in)" : "check") : check.kind
      const proves = (check.description ?? check.title) + (rollbackOf ? ` (verifies the rollback plan of \`${rollbackOf}\`)` : "")
      const row = [
        `\`${check.id}\`<br>${cell(check.title)}`,
        cell(owner),
        categoryTitles[check.category],
        kind,
        cell(proves),
        cell(check.role ?? "—")
      ]
      if (report) {
        const r = results.get(check.id)
        row.push(
          r
            ? `${STATUS_ICON[r.status] ?? r.status}${r.disposition === "deferred" ? " (deferred)" : ""}: ${cell(r.message)}`
            : "not run"
        )
      }
      push(`| ${row.join(" | ")} |`)
    }
    push("")
  }

  push(...launchScopeSection(gate, options))

  push("## Deferrals", "")
  if (gate.deferrals.length === 0) push("_None: everything in scope is expected to pass._", "")
  else {
    push("| Check | Owner | Reason | Risk | Follow-up | Expires | Approved by |", "| --- | --- | --- | --- | --- | --- | --- |")
    for (const d of gate.deferrals) {
      const state = report?.deferrals.find((x) => x.check === d.check)?.state
      push(
        `| \`${d.check}\` | ${cell(d.owner)} | ${cell(d.reason)} | ${cell(d.risk)} | ${cell(d.followUp)} | ` +
          `${d.expires.toISOString().slice(0, 10)}${state ? ` (${state})` : ""} | ${cell(d.approvedBy ?? "—")} |`
      )
    }
    push("")
  }

  push("## Rollback and kill switches", "")
  if (gate.rollback.length === 0) push("_No rollback plans._", "")
  for (const plan of gate.rollback) {
    push(`### \`${plan.surface}\``, "")
    if (Rollback.isNone(plan)) {
      push(`No rollback: ${plan.none}`, "")
      continue
    }
    push(`- **Procedure:** ${plan.procedure}`)
    if (plan.killSwitch) push(`- **Kill switch:** ${plan.killSwitch}`)
    if (plan.owner) push(`- **Owner:** ${plan.owner}`)
    if (plan.verify) push(`- **Verified by:** \`${plan.verify.id}\` — ${plan.verify.title}`)
    push("")
  }

  push("## Unsupported cases", "")
  if (gate.unsupported.length === 0) push("_None declared._", "")
  else {
    for (const u of gate.unsupported) push(`- ${u.case}${u.reason ? ` — ${u.reason}` : ""}`)
    push("")
  }

  push("## Launch-review coverage", "")
  push("| Category | Checks | Coverage |", "| --- | --- | --- |")
  const uncovered: Array<string> = []
  for (const category of Check.categories) {
    const ids = items.filter((i) => i.check.category === category).map((i) => `\`${i.check.id}\``)
    if (ids.length === 0) uncovered.push(categoryTitles[category])
    push(
      `| ${categoryTitles[category]} | ${ids.length === 0 ? "—" : ids.join(", ")} | ` +
        `${ids.length === 0 ? "⚠️ no check" : `${ids.length}`} |`
    )
  }
  push("")
  if (uncovered.length > 0) {
    push(
      `⚠️ Not covered by any check: ${uncovered.join(", ")}. ` +
        `Add a check, an attestation, or state why in the unsupported cases.`,
      ""
    )
  }

  return Redaction.scrub(out.join("\n"))
}
