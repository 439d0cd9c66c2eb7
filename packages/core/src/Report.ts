/**
 * The run report: a versioned, documented schema that every reporter renders
 * and tools can consume. A report is evidence on its own: it carries the
 * gate, the target environment, start and end times, the launchgate version
 * and the git commit when known.
 *
 * Version 1. Fields are only ever added in a minor release; a breaking change
 * bumps `schemaVersion`.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Category } from "./Check.js"
import { Tier } from "./Gate.js"
import { Json, Status } from "./Outcome.js"

/** The current report schema version. */
export const SCHEMA_VERSION = 1 as const

/** How the gate treats an item's result. */
export const Disposition = Schema.Literal(
  /** Passed (or warned on a non-blocking item). */
  "ok",
  /** Blocks the launch. */
  "blocking",
  /** Does not block, but needs attention (launch-adjacent failures by default, warnings). */
  "warning",
  /** A launch-critical failure covered by an active deferral. */
  "deferred",
  /** Post-launch results: informational. */
  "info",
  /** Not run or not applicable. */
  "skipped"
)
export type Disposition = typeof Disposition.Type

export const DeferralState = Schema.Literal("active", "expired", "stale")
export type DeferralState = typeof DeferralState.Type

/** A deferral as reported, with its state at run time. */
export const DeferralReport = Schema.Struct({
  check: Schema.String,
  owner: Schema.String,
  reason: Schema.String,
  risk: Schema.String,
  followUp: Schema.String,
  /** ISO-8601 instant at which the deferral stops covering the check. */
  expires: Schema.String,
  approvedBy: Schema.optional(Schema.String),
  state: DeferralState,
  /** Whole days left (negative once expired). */
  daysLeft: Schema.Number
})
export type DeferralReport = typeof DeferralReport.Type

/** One subject of a check covering many resources. */
export const SubjectReport = Schema.Struct({
  subject: Schema.String,
  status: Status,
  message: Schema.String,
  evidence: Schema.Record({ key: Schema.String, value: Json }),
  remediation: Schema.optional(Schema.String)
})

/** The result of one gate item. */
export const ItemReport = Schema.Struct({
  id: Schema.String,
  title: Schema.String,
  surface: Schema.String,
  category: Category,
  kind: Schema.Literal("check", "attestation", "document"),
  tier: Tier,
  owner: Schema.String,
  /** What the check returned. */
  status: Status,
  /** How the gate treats it. */
  disposition: Disposition,
  message: Schema.String,
  evidence: Schema.Record({ key: Schema.String, value: Json }),
  remediation: Schema.optional(Schema.String),
  docs: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  role: Schema.optional(Schema.String),
  active: Schema.Boolean,
  startedAt: Schema.optional(Schema.String),
  durationMs: Schema.Number,
  attempts: Schema.Number,
  dependsOn: Schema.Array(Schema.String),
  subjects: Schema.optional(Schema.Array(SubjectReport)),
  deferral: Schema.optional(DeferralReport),
  /** Set on rollback verification items: the surface whose plan it verifies. */
  rollbackOf: Schema.optional(Schema.String),
  /** Extra facts (attestation: attestedBy, on, evidence link, validForDays). */
  meta: Schema.optional(Schema.Record({ key: Schema.String, value: Json }))
})
export type ItemReport = typeof ItemReport.Type

export const RollbackReport = Schema.Struct({
  surface: Schema.String,
  procedure: Schema.optional(Schema.String),
  killSwitch: Schema.optional(Schema.String),
  owner: Schema.optional(Schema.String),
  none: Schema.optional(Schema.String),
  /** The id of the verification check, when the plan has one. */
  verify: Schema.optional(Schema.String)
})
export type RollbackReport = typeof RollbackReport.Type

/** How many items of the launch scope fall in one tier, by where they stand in the tracker. */
export const LaunchScopeCounts = Schema.Struct({
  total: Schema.Number,
  open: Schema.Number,
  done: Schema.Number,
  /** Closed without being done (GitHub `not_planned`, a `wont_do` task): still scope unless deferred. */
  notPlanned: Schema.Number
})
export type LaunchScopeCounts = typeof LaunchScopeCounts.Type

/** An open launch-critical item of the launch scope. */
export const LaunchScopeItem = Schema.Struct({
  /** The tracker's reference (`owner/repo#12`, a task id). */
  ref: Schema.String,
  title: Schema.String,
  /** The tracker's own word for its status (`open`, `closed/not_planned`, `in_progress`). */
  status: Schema.String,
  owners: Schema.Array(Schema.String),
  url: Schema.optional(Schema.String),
  /** The id of the check whose gate deferral names this item as its follow-up, if one does. */
  deferredBy: Schema.optional(Schema.String)
})
export type LaunchScopeItem = typeof LaunchScopeItem.Type

/**
 * What a gate's launch-scope declaration returns: counts per tier and the open
 * launch-critical items. Decoded by the runner, so a declaration that returns
 * something else is a clear error, not a broken report.
 */
export const LaunchScopeSummary = Schema.Struct({
  total: Schema.Number,
  tiers: Schema.Struct({
    "launch-critical": LaunchScopeCounts,
    "launch-adjacent": LaunchScopeCounts,
    "post-launch": LaunchScopeCounts,
    /** Items with no tier. */
    unclassified: LaunchScopeCounts,
    /** Items with several tiers. */
    conflicting: LaunchScopeCounts
  }),
  openLaunchCritical: Schema.Array(LaunchScopeItem)
})
export type LaunchScopeSummary = typeof LaunchScopeSummary.Type

/**
 * The launch scope as the run read it: the summary, or `error` when it could
 * not be read (then `total`, `tiers` and `openLaunchCritical` are absent: an
 * unreadable scope never looks like an empty one).
 */
export const LaunchScope = Schema.Struct({
  /** Where the scope was read from, as the gate names it (`GitHub acme/api, milestone "v1"`). */
  source: Schema.String,
  /** When it was read (or the read was given up). */
  readAt: Schema.String,
  total: Schema.optional(Schema.Number),
  tiers: Schema.optional(LaunchScopeSummary.fields.tiers),
  openLaunchCritical: Schema.optional(Schema.Array(LaunchScopeItem)),
  /** Why it could not be read. */
  error: Schema.optional(Schema.String)
})
export type LaunchScope = typeof LaunchScope.Type

const Counts = Schema.Struct({
  pass: Schema.Number,
  fail: Schema.Number,
  warn: Schema.Number,
  error: Schema.Number,
  skip: Schema.Number,
  deferred: Schema.Number
})
export type Counts = typeof Counts.Type

export const Verdict = Schema.Literal("ready", "blocked")
export type Verdict = typeof Verdict.Type

/** The whole report. */
export const Report = Schema.Struct({
  schemaVersion: Schema.Literal(SCHEMA_VERSION),
  gate: Schema.Struct({
    name: Schema.String,
    description: Schema.optional(Schema.String),
    environment: Schema.optional(Schema.String)
  }),
  run: Schema.Struct({
    startedAt: Schema.String,
    finishedAt: Schema.String,
    durationMs: Schema.Number,
    launchgateVersion: Schema.String,
    gitCommit: Schema.optional(Schema.String),
    nodeVersion: Schema.String,
    /** True when the run was interrupted (signal, deadline); unfinished items are `error`. */
    interrupted: Schema.Boolean,
    interruptReason: Schema.optional(Schema.String),
    /** Origins whose TLS verification was turned off for this run. */
    insecureOrigins: Schema.optional(Schema.Array(Schema.String)),
    /**
     * What else the reader should know about how the run went: finalizers that
     * were abandoned, a gate file that never finished loading.
     */
    notes: Schema.optional(Schema.Array(Schema.String)),
    /**
     * Every missing or invalid configuration value (environment variables read
     * with Effect `Config`, a vendor error with reason `config`) found while
     * setting the run up. When present, no check ran and the verdict is
     * blocked; the CLI exits 2.
     */
    configurationErrors: Schema.optional(Schema.Array(Schema.Struct({
      /** The variable or field, e.g. `FIVETRAN_API_KEY`. */
      path: Schema.optional(Schema.String),
      message: Schema.String
    })))
  }),
  verdict: Verdict,
  /** Why the gate is blocked (empty when ready). */
  reasons: Schema.Array(Schema.String),
  policy: Schema.Struct({ launchAdjacent: Schema.Literal("warn", "block") }),
  summary: Schema.Struct({
    total: Schema.Number,
    blocking: Schema.Number,
    warnings: Schema.Number,
    byTier: Schema.Struct({
      "launch-critical": Counts,
      "launch-adjacent": Counts,
      "post-launch": Counts
    })
  }),
  items: Schema.Array(ItemReport),
  deferrals: Schema.Array(DeferralReport),
  rollback: Schema.Array(RollbackReport),
  unsupported: Schema.Array(Schema.Struct({ case: Schema.String, reason: Schema.optional(Schema.String) })),
  /** The open work in the team's tracker, when the gate declares a launch scope (`Gate.make({ launchScope })`). */
  launchScope: Schema.optional(LaunchScope)
})
export type Report = typeof Report.Type

/** Decode a report read from JSON (e.g. a baseline file). */
export const decode = Schema.decodeUnknown(Report)
/** Decode synchronously; throws a ParseError naming the bad field. */
export const decodeSync = Schema.decodeUnknownSync(Report)
