/**
 * The gate's policy as a pure function: outcomes + gate + the facts of the run
 * → a {@link Report.Report}. No clock, no environment, no I/O: the runner
 * (a scheduler) gathers the facts and hands them here, so every rule (a
 * disposition, a deferral's state, the verdict and its reasons) can be tested
 * with plain values.
 *
 * Each item is reported once: {@link itemReport} builds the item (redacting it
 * once) as soon as its outcome is known, the runner's progress events carry
 * that value, and {@link build} assembles the report from the same values.
 *
 * @since 0.2.0
 */
import * as Deferral from "./Deferral.js"
import type * as Gate from "./Gate.js"
import * as Outcome from "./Outcome.js"
import * as Redaction from "./Redaction.js"
import * as Report from "./Report.js"
import * as Rollback from "./Rollback.js"

/** An item as the runner runs it: a gate item, or a rollback verification (`rollbackOf` its surface). */
export type RunItem<R = unknown> = Gate.Item<R> & { readonly rollbackOf?: string | undefined }

/** What running one item produced. */
export interface Raw {
  readonly outcome: Outcome.Outcome
  /** Milliseconds of the Effect clock when the check started; absent when it never ran. */
  readonly startedAt?: number | undefined
  readonly durationMs: number
}

/** One missing or invalid configuration value found while setting the run up. */
export interface ConfigurationError {
  /** The variable or field, e.g. `FIVETRAN_API_KEY`. */
  readonly path?: string | undefined
  readonly message: string
}

/** Facts about the run that are not outcomes. */
export interface RunFacts {
  /** Milliseconds of the Effect clock; also the instant deferral states are judged at. */
  readonly startedAt: number
  readonly finishedAt: number
  /** Why the run stopped early (signal, deadline, fail-fast), if it did. */
  readonly interruptReason?: string | undefined
  readonly insecureOrigins?: ReadonlyArray<string> | undefined
  readonly notes?: ReadonlyArray<string> | undefined
  readonly configurationErrors?: ReadonlyArray<ConfigurationError> | undefined
  /** The launch scope as the run read it (or why it could not), when the gate declares one. */
  readonly launchScope?: Report.LaunchScope | undefined
  readonly launchgateVersion: string
  readonly gitCommit?: string | undefined
  readonly nodeVersion: string
}

/** How the gate treats a status, given the item's tier, its deferral's state and the gate's policy. */
export const dispositionOf = (
  tier: Gate.Tier,
  status: Outcome.Status,
  deferralState: Deferral.State | undefined,
  policy: Gate.Policy
): Report.Disposition => {
  if (status === "skip") return "skipped"
  if (status === "pass") return "ok"
  if (status === "warn") return tier === "post-launch" ? "info" : "warning"
  // fail or error
  if (deferralState === "active") return "deferred"
  switch (tier) {
    case "launch-critical":
      return "blocking"
    case "launch-adjacent":
      return policy.launchAdjacent === "block" ? "blocking" : "warning"
    case "post-launch":
      return "info"
  }
}

/** A deferral as reported: its state given the status of the check it covers. */
export const deferralReport = (
  d: Deferral.Deferral,
  now: Date,
  status: Outcome.Status | undefined
): Report.DeferralReport => ({
  check: d.check,
  owner: d.owner,
  reason: d.reason,
  risk: d.risk,
  followUp: d.followUp,
  expires: d.expires.toISOString(),
  ...(d.approvedBy !== undefined ? { approvedBy: d.approvedBy } : {}),
  state: Deferral.state(d, now, status),
  daysLeft: Deferral.daysLeft(d, now)
})

const scrubRecord = (record: Readonly<Record<string, unknown>>): Record<string, Outcome.Json> =>
  Redaction.scrubJson(record as Outcome.Json) as Record<string, Outcome.Json>

/** One item's report, redacted. `now` judges its deferral (the run's start). */
export const itemReport = <R>(gate: Gate.Gate<R>, item: RunItem<R>, raw: Raw, now: Date): Report.ItemReport => {
  const { check } = item
  const outcome = raw.outcome
  const deferral = gate.deferrals.find((d) => d.check === check.id)
  const deferred = deferral ? deferralReport(deferral, now, outcome.status) : undefined
  const disposition = dispositionOf(item.tier, outcome.status, deferred?.state, gate.policy)
  return {
    id: check.id,
    title: check.title,
    surface: check.surface,
    category: check.category,
    kind: check.kind,
    tier: item.tier,
    owner: item.owner,
    status: outcome.status,
    disposition,
    message: Redaction.scrub(outcome.message),
    evidence: scrubRecord(outcome.evidence),
    ...(outcome.remediation !== undefined ? { remediation: Redaction.scrub(outcome.remediation) } : {}),
    ...(outcome.docs !== undefined ? { docs: outcome.docs } : {}),
    ...(check.description !== undefined ? { description: check.description } : {}),
    ...(check.role !== undefined ? { role: check.role } : {}),
    active: check.active,
    ...(raw.startedAt !== undefined ? { startedAt: new Date(raw.startedAt).toISOString() } : {}),
    durationMs: raw.durationMs,
    attempts: outcome.attempts ?? (raw.startedAt !== undefined ? 1 : 0),
    dependsOn: [...check.dependsOn],
    ...(outcome.subjects
      ? {
        subjects: outcome.subjects.map((s) => ({
          subject: s.subject,
          status: s.status,
          message: Redaction.scrub(s.message),
          evidence: scrubRecord(s.evidence),
          ...(s.remediation !== undefined ? { remediation: Redaction.scrub(s.remediation) } : {})
        }))
      }
      : {}),
    ...(deferred ? { deferral: deferred } : {}),
    ...(item.rollbackOf !== undefined ? { rollbackOf: item.rollbackOf } : {}),
    ...(check.meta ? { meta: scrubRecord(check.meta) } : {})
  }
}

/** Was the run stopped by fail-fast (not an interruption: the rest is skipped, not unfinished)? */
export const isFailFastStop = (interruptReason: string | undefined): boolean =>
  interruptReason?.startsWith("fail-fast") === true

/** The outcome of an item that has none when the run ends: skipped after fail-fast, unfinished otherwise. */
export const unfinished = (interruptReason: string | undefined): Raw => ({
  outcome: isFailFastStop(interruptReason)
    ? Outcome.skip(`not run: ${interruptReason}`)
    : Outcome.error(`did not finish: ${interruptReason ?? "run ended early"}`, {
      remediation: "Re-run the gate; the run was stopped before this check finished."
    }),
  durationMs: 0
})

const emptyCounts = (): { -readonly [K in keyof Report.Counts]: number } => ({
  pass: 0,
  fail: 0,
  warn: 0,
  error: 0,
  skip: 0,
  deferred: 0
})

/** One line naming every configuration error, for reasons and item messages. */
export const describeConfigurationErrors = (errors: ReadonlyArray<ConfigurationError>): string =>
  errors.map((e) => (e.path !== undefined && !e.message.includes(e.path) ? `${e.path}: ${e.message}` : e.message))
    .join("; ")

/**
 * The report. `reports[i]` is the item report of `items[i]` already built by
 * {@link itemReport}; a missing one is built from {@link unfinished}.
 */
export const build = <R>(
  gate: Gate.Gate<R>,
  items: ReadonlyArray<RunItem<R>>,
  reports: ReadonlyArray<Report.ItemReport | undefined>,
  facts: RunFacts
): Report.Report => {
  const now = new Date(facts.startedAt)
  const all = items.map((item, i) => reports[i] ?? itemReport(gate, item, unfinished(facts.interruptReason), now))

  const byTier = {
    "launch-critical": emptyCounts(),
    "launch-adjacent": emptyCounts(),
    "post-launch": emptyCounts()
  }
  let blocking = 0
  let warnings = 0
  const reasons: Array<string> = []
  for (const r of all) {
    const counts = byTier[r.tier]
    if (r.disposition === "deferred") counts.deferred++
    else counts[r.status]++
    if (r.disposition === "warning") warnings++
    if (r.disposition !== "blocking") continue
    blocking++
    const expired = r.deferral?.state === "expired" ? ` (its deferral expired ${r.deferral.expires.slice(0, 10)})` : ""
    reasons.push(`${r.id} [${r.tier}] ${r.status}: ${r.message}${expired}`)
  }
  const interrupted = facts.interruptReason !== undefined && !isFailFastStop(facts.interruptReason)
  const configurationErrors = facts.configurationErrors ?? []
  if (interrupted) reasons.unshift(`run ${facts.interruptReason}`)
  // Configuration comes first: nothing else in the report means much until it is fixed.
  if (configurationErrors.length > 0) {
    reasons.unshift(`configuration is missing or invalid: ${describeConfigurationErrors(configurationErrors)}`)
  }

  const statusById = new Map(all.map((r) => [r.id, r.status]))
  const insecureOrigins = facts.insecureOrigins ?? []
  const notes = facts.notes ?? []
  return {
    schemaVersion: Report.SCHEMA_VERSION,
    gate: {
      name: gate.name,
      ...(gate.description !== undefined ? { description: gate.description } : {}),
      ...(gate.environment !== undefined ? { environment: gate.environment } : {})
    },
    run: {
      startedAt: new Date(facts.startedAt).toISOString(),
      finishedAt: new Date(facts.finishedAt).toISOString(),
      durationMs: facts.finishedAt - facts.startedAt,
      launchgateVersion: facts.launchgateVersion,
      ...(facts.gitCommit !== undefined ? { gitCommit: facts.gitCommit } : {}),
      nodeVersion: facts.nodeVersion,
      interrupted,
      ...(facts.interruptReason !== undefined ? { interruptReason: facts.interruptReason } : {}),
      ...(insecureOrigins.length > 0 ? { insecureOrigins: [...insecureOrigins] } : {}),
      ...(notes.length > 0 ? { notes: notes.map(Redaction.scrub) } : {}),
      ...(configurationErrors.length > 0
        ? {
          configurationErrors: configurationErrors.map((e) => ({
            ...(e.path !== undefined ? { path: e.path } : {}),
            message: Redaction.scrub(e.message)
          }))
        }
        : {})
    },
    verdict: reasons.length > 0 ? "blocked" : "ready",
    reasons: reasons.map(Redaction.scrub),
    policy: { launchAdjacent: gate.policy.launchAdjacent },
    summary: { total: all.length, blocking, warnings, byTier },
    items: all,
    deferrals: gate.deferrals.map((d) => deferralReport(d, now, statusById.get(d.check))),
    rollback: gate.rollback.map((p) =>
      Rollback.isNone(p)
        ? { surface: p.surface, none: p.none }
        : {
          surface: p.surface,
          procedure: p.procedure,
          ...(p.killSwitch !== undefined ? { killSwitch: p.killSwitch } : {}),
          ...(p.owner !== undefined ? { owner: p.owner } : {}),
          ...(p.verify !== undefined ? { verify: p.verify.id } : {})
        }
    ),
    unsupported: gate.unsupported.map((u) => ({ case: u.case, ...(u.reason !== undefined ? { reason: u.reason } : {}) })),
    // Titles and owners come from the tracker, which may hold anything a person typed.
    ...(facts.launchScope !== undefined
      ? { launchScope: Redaction.scrubJson(facts.launchScope as unknown as Outcome.Json) as unknown as Report.LaunchScope }
      : {})
  }
}
