/**
 * What every reporter needs: the report scrubbed before formatting, the
 * output scrubbed after, items by tier, evidence in reading order, and the
 * phrases for deferrals and rollback plans, so the four reporters say the
 * same thing in four formats.
 */
import type * as Gate from "../../Gate.js"
import type { Json } from "../../Outcome.js"
import * as Redaction from "../../Redaction.js"
import type * as Report from "../../Report.js"

/** Tiers, most important first (the order reports list them in). */
export const TIERS: ReadonlyArray<Gate.Tier> = ["launch-critical", "launch-adjacent", "post-launch"]

export const tierTitle: Record<Gate.Tier, string> = {
  "launch-critical": "Launch-critical",
  "launch-adjacent": "Launch-adjacent",
  "post-launch": "Post-launch"
}

/**
 * Every string of the report (keys included) scrubbed. The runner already
 * scrubs what checks return, but a report may also come from a file or from
 * fields the runner copies verbatim (gate name, owners, deferral text).
 */
export const scrubReport = (report: Report.Report): Report.Report =>
  Redaction.scrubJson(report as unknown as Json) as unknown as Report.Report

/**
 * The final pass over a reporter's output. `mask` is how the format spells
 * the mask (`&lt;redacted&gt;` in XML), so a secret caught only here still
 * leaves valid output.
 */
export const scrubOutput = (text: string, mask: string = Redaction.MASK): string => {
  const out = Redaction.scrub(text)
  return mask === Redaction.MASK ? out : out.split(Redaction.MASK).join(mask)
}

/** The report's items grouped by tier, in tier order; tiers with no items are left out. */
export const itemsByTier = (
  report: Report.Report
): ReadonlyArray<{ readonly tier: Gate.Tier; readonly items: ReadonlyArray<Report.ItemReport> }> =>
  TIERS.map((tier) => ({ tier, items: report.items.filter((i) => i.tier === tier) })).filter((g) => g.items.length > 0)

/** Evidence entries, `observed` and `expected` first (what a reader looks for), then the rest as written. */
export const evidenceEntries = (evidence: Readonly<Record<string, Json>>): ReadonlyArray<readonly [string, Json]> => {
  const first = ["observed", "expected"].filter((k) => k in evidence)
  const rest = Object.keys(evidence).filter((k) => k !== "observed" && k !== "expected")
  return [...first, ...rest].map((k) => [k, evidence[k]!] as const)
}

/** Evidence re-ordered as {@link evidenceEntries}, for formats that print it as one JSON object. */
export const orderedEvidence = (evidence: Readonly<Record<string, Json>>): Record<string, Json> =>
  Object.fromEntries(evidenceEntries(evidence))

/** A JSON value on one line (strings keep their quotes, so `"2"` and `2` stay different). */
export const inlineJson = (value: Json): string => JSON.stringify(value)

/** Cut a text to `max` characters, saying how much was left out. */
export const truncate = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`

/** Does a reader need the details of this item (not a plain pass)? */
export const needsAttention = (item: Report.ItemReport): boolean => item.status !== "pass" || item.disposition !== "ok"

/** `2026-05-01` from an ISO instant. */
export const day = (iso: string): string => iso.slice(0, 10)

/** Milliseconds as seconds, e.g. `1.234` (JUnit's unit). */
export const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3)

/** A duration for people: `850 ms`, `12.3 s`, `4 min 5 s`. */
export const humanDuration = (ms: number): string => {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const minutes = Math.floor(ms / 60_000)
  return `${minutes} min ${Math.round((ms - minutes * 60_000) / 1000)} s`
}

/** How long a deferral has left, or since when it has expired. */
export const deferralWhen = (d: Report.DeferralReport): string =>
  d.state === "expired"
    ? `expired ${day(d.expires)}`
    : `expires ${day(d.expires)}, ${d.daysLeft} day${d.daysLeft === 1 ? "" : "s"} left`

/** What the state of a deferral means for the gate. */
export const deferralStateNote: Record<Report.DeferralState, string> = {
  active: "covers the failure",
  expired: "expired: covers nothing",
  stale: "stale: the check passes, remove the deferral"
}

/** The deferral as it stands for one item: state, what that means, reason, owner and expiry. */
export const deferralNote = (d: Report.DeferralReport): string =>
  `${d.state} (${deferralStateNote[d.state]}): ${d.reason} (${d.owner}, ${deferralWhen(d)})`

/** The deferral in one phrase, as JUnit's `skipped` message shows it. */
export const deferralPhrase = (d: Report.DeferralReport): string =>
  `deferred: ${d.reason} (${d.owner}, ${deferralWhen(d)})`

/** One rollback plan in one line. */
export const rollbackPhrase = (plan: Report.RollbackReport): string => {
  if (plan.none !== undefined) return `no rollback: ${plan.none}`
  const parts = [plan.procedure ?? "(no procedure)"]
  if (plan.killSwitch !== undefined) parts.push(`kill switch: ${plan.killSwitch}`)
  if (plan.owner !== undefined) parts.push(`owner: ${plan.owner}`)
  if (plan.verify !== undefined) parts.push(`verified by ${plan.verify}`)
  return parts.join("; ")
}

/** The status of the rollback verification item of a plan, when it ran. */
export const rollbackVerification = (report: Report.Report, plan: Report.RollbackReport): Report.ItemReport | undefined =>
  plan.verify === undefined ? undefined : report.items.find((i) => i.id === plan.verify)

/** A one-line verdict with the counts behind it. */
export const verdictLine = (report: Report.Report): string => {
  const deferred = report.items.filter((i) => i.disposition === "deferred").length
  const parts = [
    `${report.summary.blocking} blocking`,
    `${report.summary.warnings} warning${report.summary.warnings === 1 ? "" : "s"}`,
    `${deferred} deferred`,
    `${report.summary.total} item${report.summary.total === 1 ? "" : "s"}`
  ]
  return `${report.verdict === "ready" ? "READY" : "BLOCKED"}: ${parts.join(", ")}`
}

/** Counts of one tier as `3 pass, 1 fail, …` (zeros left out; `no items` when empty). */
export const countsPhrase = (counts: Report.Counts): string => {
  const parts = (["pass", "fail", "warn", "error", "skip", "deferred"] as const)
    .filter((k) => counts[k] > 0)
    .map((k) => `${counts[k]} ${k}`)
  return parts.length === 0 ? "no items" : parts.join(", ")
}

/** The launch scope's tiers in reading order; `unclassified` and `conflicting` only when they hold items. */
export const launchScopeTiers = (
  scope: Report.LaunchScope
): ReadonlyArray<readonly [string, Report.LaunchScopeCounts]> => {
  if (scope.tiers === undefined) return []
  const tiers = scope.tiers
  return (["launch-critical", "launch-adjacent", "post-launch", "unclassified", "conflicting"] as const)
    .filter((t) => t === "launch-critical" || t === "launch-adjacent" || t === "post-launch" || tiers[t].total > 0)
    .map((t) => [t, tiers[t]] as const)
}

/** One line: items per tier, and the open launch-critical ones (how many deferred). */
export const launchScopeLine = (scope: Report.LaunchScope): string => {
  if (scope.error !== undefined) return `could not be read from ${scope.source}: ${scope.error}`
  const tiers = launchScopeTiers(scope).map(([tier, c]) => `${c.total} ${tier}${c.open > 0 ? ` (${c.open} open)` : ""}`)
  const open = scope.openLaunchCritical ?? []
  const deferred = open.filter((i) => i.deferredBy !== undefined).length
  return `${scope.total ?? 0} item${scope.total === 1 ? "" : "s"} in ${scope.source}: ${tiers.join(", ")}; ` +
    (open.length === 0
      ? "no open launch-critical item"
      : `${open.length} launch-critical not done (${deferred} deferred, ${open.length - deferred} not deferred)`)
}

/** {@link launchScopeLine} with what matters first, for a line that may be cut: the open launch-critical items. */
export const launchScopeShort = (scope: Report.LaunchScope): string => {
  if (scope.error !== undefined) return launchScopeLine(scope)
  const open = scope.openLaunchCritical ?? []
  const deferred = open.filter((i) => i.deferredBy !== undefined).length
  const status = open.length === 0
    ? "no open launch-critical item"
    : `${open.length} launch-critical not done (${deferred} deferred, ${open.length - deferred} not deferred)`
  return `${status} of ${scope.total ?? 0} item${scope.total === 1 ? "" : "s"} in ${scope.source}`
}

/** The owners of an open item, or "no owner". */
export const ownersPhrase = (item: Report.LaunchScopeItem): string =>
  item.owners.length > 0 ? item.owners.join(", ") : "no owner"

/** Whether an open item is deferred, and by which check's deferral. */
export const deferredPhrase = (item: Report.LaunchScopeItem): string =>
  item.deferredBy !== undefined ? `deferred (${item.deferredBy})` : "not deferred"
