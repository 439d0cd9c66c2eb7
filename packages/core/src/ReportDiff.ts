/**
 * Run-to-run comparison of two reports: what newly fails, what got fixed, what
 * still fails, which checks appeared or disappeared, and how deferrals moved.
 * A launch-critical regression is what CI should stop on.
 *
 * @since 0.1.0
 */
import type * as Report from "./Report.js"

/** One item's change between two runs. */
export interface Change {
  readonly id: string
  readonly title: string
  readonly tier: Report.ItemReport["tier"]
  readonly owner: string
  readonly before?: Report.ItemReport["status"] | undefined
  readonly after?: Report.ItemReport["status"] | undefined
  readonly dispositionBefore?: Report.Disposition | undefined
  readonly dispositionAfter?: Report.Disposition | undefined
  readonly message?: string | undefined
}

/** The comparison. */
export interface Diff {
  readonly previous: { readonly startedAt: string; readonly verdict: Report.Verdict; readonly gitCommit?: string | undefined }
  readonly current: { readonly startedAt: string; readonly verdict: Report.Verdict; readonly gitCommit?: string | undefined }
  /** Passed (or warned/skipped) before, fail or error now. */
  readonly newlyFailing: ReadonlyArray<Change>
  /** Failed before, passes now. */
  readonly fixed: ReadonlyArray<Change>
  /** Failed before and still fails. */
  readonly stillFailing: ReadonlyArray<Change>
  /** Checks only in the current report. */
  readonly added: ReadonlyArray<Change>
  /** Checks only in the previous report. */
  readonly removed: ReadonlyArray<Change>
  readonly deferralsAdded: ReadonlyArray<Report.DeferralReport>
  readonly deferralsRemoved: ReadonlyArray<Report.DeferralReport>
  /** Deferrals that were not expired before and are now. */
  readonly deferralsExpired: ReadonlyArray<Report.DeferralReport>
  /** Deferrals that became stale (their check passes now). */
  readonly deferralsStale: ReadonlyArray<Report.DeferralReport>
  /** Launch-critical items that block now and did not before (including new blocking checks). */
  readonly criticalRegressions: ReadonlyArray<Change>
  /** True when anything launch-critical regressed: CI should fail. */
  readonly regressed: boolean
}

const failing = (status: Report.ItemReport["status"] | undefined) => status === "fail" || status === "error"

const change = (before: Report.ItemReport | undefined, after: Report.ItemReport | undefined): Change => {
  const item = (after ?? before)!
  return {
    id: item.id,
    title: item.title,
    tier: item.tier,
    owner: item.owner,
    ...(before ? { before: before.status, dispositionBefore: before.disposition } : {}),
    ...(after ? { after: after.status, dispositionAfter: after.disposition, message: after.message } : { message: before?.message })
  }
}

/** Compare two reports of (usually) the same gate. */
export const diff = (previous: Report.Report, current: Report.Report): Diff => {
  const before = new Map(previous.items.map((i) => [i.id, i]))
  const after = new Map(current.items.map((i) => [i.id, i]))
  const newlyFailing: Array<Change> = []
  const fixed: Array<Change> = []
  const stillFailing: Array<Change> = []
  const added: Array<Change> = []
  const removed: Array<Change> = []
  const criticalRegressions: Array<Change> = []

  for (const [id, now] of after) {
    const was = before.get(id)
    if (!was) {
      added.push(change(undefined, now))
      if (now.disposition === "blocking" && now.tier === "launch-critical") criticalRegressions.push(change(undefined, now))
      continue
    }
    if (failing(now.status) && !failing(was.status)) newlyFailing.push(change(was, now))
    else if (!failing(now.status) && failing(was.status)) fixed.push(change(was, now))
    else if (failing(now.status) && failing(was.status)) stillFailing.push(change(was, now))
    if (now.tier === "launch-critical" && now.disposition === "blocking" && was.disposition !== "blocking") {
      criticalRegressions.push(change(was, now))
    }
  }
  for (const [id, was] of before) if (!after.has(id)) removed.push(change(was, undefined))

  const key = (d: Report.DeferralReport) => d.check
  const deferralsBefore = new Map(previous.deferrals.map((d) => [key(d), d]))
  const deferralsAfter = new Map(current.deferrals.map((d) => [key(d), d]))
  const deferralsAdded = current.deferrals.filter((d) => !deferralsBefore.has(key(d)))
  const deferralsRemoved = previous.deferrals.filter((d) => !deferralsAfter.has(key(d)))
  const deferralsExpired = current.deferrals.filter((d) => d.state === "expired" && deferralsBefore.get(key(d))?.state !== "expired")
  const deferralsStale = current.deferrals.filter((d) => d.state === "stale" && deferralsBefore.get(key(d))?.state !== "stale")

  return {
    previous: { startedAt: previous.run.startedAt, verdict: previous.verdict, gitCommit: previous.run.gitCommit },
    current: { startedAt: current.run.startedAt, verdict: current.verdict, gitCommit: current.run.gitCommit },
    newlyFailing,
    fixed,
    stillFailing,
    added,
    removed,
    deferralsAdded,
    deferralsRemoved,
    deferralsExpired,
    deferralsStale,
    criticalRegressions,
    regressed: criticalRegressions.length > 0 || (previous.verdict === "ready" && current.verdict === "blocked")
  }
}

const line = (c: Change) =>
  `  - ${c.id} [${c.tier}, ${c.owner}]: ${c.before ?? "—"} → ${c.after ?? "—"}${c.message ? ` (${c.message})` : ""}`

/**
 * The comparison as plain text for a terminal or a CI log. Each change is listed under one heading: a
 * launch-critical regression is not repeated under "Newly failing" or "New checks" (the {@link Diff} itself keeps
 * every list as computed, for JSON consumers).
 */
export const render = (d: Diff): string => {
  const critical = new Set(d.criticalRegressions.map((c) => c.id))
  const notCritical = (changes: ReadonlyArray<Change>) => changes.filter((c) => !critical.has(c.id))
  const out: Array<string> = []
  out.push(`launchgate diff: ${d.previous.verdict} (${d.previous.startedAt}) → ${d.current.verdict} (${d.current.startedAt})`)
  const section = (title: string, changes: ReadonlyArray<Change>) => {
    if (changes.length === 0) return
    out.push(`${title} (${changes.length}):`)
    for (const c of changes) out.push(line(c))
  }
  const deferrals = (title: string, list: ReadonlyArray<Report.DeferralReport>) => {
    if (list.length === 0) return
    out.push(`${title} (${list.length}):`)
    for (const x of list) out.push(`  - ${x.check}: owner ${x.owner}, expires ${x.expires.slice(0, 10)}, follow-up ${x.followUp}`)
  }
  section("Launch-critical regressions", d.criticalRegressions)
  section("Newly failing", notCritical(d.newlyFailing))
  section("Fixed", d.fixed)
  section("Still failing", d.stillFailing)
  section("New checks", notCritical(d.added))
  section("Removed checks", d.removed)
  deferrals("Deferrals added", d.deferralsAdded)
  deferrals("Deferrals removed", d.deferralsRemoved)
  deferrals("Deferrals expired", d.deferralsExpired)
  deferrals("Deferrals now stale (the check passes: remove them)", d.deferralsStale)
  if (out.length === 1) out.push("No change.")
  out.push(d.regressed ? "Result: launch-critical regression." : "Result: no launch-critical regression.")
  return out.join("\n")
}
