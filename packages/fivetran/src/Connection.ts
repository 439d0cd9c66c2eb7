/**
 * Every `fivetran.connection.*` check: set up, running on schedule, fresh,
 * free of blocking tasks, synced often enough, guarded against schema drift,
 * and (opt-in) passing Fivetran's own setup tests.
 *
 * Each read-only check reads a connection's details (shared: the account's
 * connection list, `GET /v1/connections`, is read once per run and answers
 * every check; `GET /v1/connections/{id}` only for an id it lacks or when the
 * listing failed) and judges them with a rule from {@link rules}; the same
 * rules drive `Group.coverage`.
 *
 * Checks take one connection id (a plain outcome) or a list (one result per
 * connection). To run one check on several connections under different
 * tiers, give each copy its own id with `Check.annotate`.
 *
 * @since 0.1.0
 */
import { Check, Outcome } from "@launchgate/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { FivetranClient } from "./FivetranClient.js"
import { orError, unknownValue, withReads } from "./internal/evidence.js"
import { label, type Rule, type RuleInput, runRule } from "./internal/rule.js"
import {
  type Condition,
  type ConnectionDetails,
  DATA_DELAY_SENSITIVITIES,
  type DataDelaySensitivity,
  isUnknown,
  raw,
  SCHEDULE_TYPES,
  SCHEMA_CHANGE_HANDLINGS,
  type ScheduleType,
  type SchemaChangeHandling,
  SETUP_STATES,
  SETUP_TEST_STATUSES,
  type SetupTest,
  UPDATE_STATES
} from "./internal/schema.js"

export type { Rule, RuleInput } from "./internal/rule.js"
export type { DataDelaySensitivity, ScheduleType, SchemaChangeHandling } from "./internal/schema.js"

/** The surface of every check in this module (rollback plans are keyed by it). */
export const surface = "fivetran.connection"

/** Least-privilege access for the read-only connection checks. */
export const READ_ROLE =
  "Fivetran API key of a user with View Destination on the connection's destination (or Account Reviewer); read-only"

/** Which connection(s) a check covers. */
export interface Target {
  /** One connection id, or several (one result per connection). */
  readonly connectionId: string | ReadonlyArray<string>
}

const conditions = (list: ReadonlyArray<Condition>) =>
  list.map((c) => ({ code: c.code, message: c.message, details: c.details }))

const tests = (list: ReadonlyArray<SetupTest>) =>
  list.map((t) => ({ title: t.title, status: raw(t.status), message: t.message }))

const minutes = (ms: number) => Math.round(ms / 60_000)

/** What to do about each failure; `c` is the connection's label, `stripe (decent_dropsy)`. */
const remediation = {
  broken: (c: string) =>
    `Open ${c} in Fivetran and fix what the failing setup test names (often expired or revoked source ` +
    "credentials: reconnect), then re-run the setup tests.",
  incomplete: (c: string) =>
    `Finish setting up ${c} in Fivetran: its setup form is incomplete and its setup tests have never passed.`,
  resume: "resume it (PATCH /v1/connections/{id} with paused: false, or the dashboard toggle)",
  schedule: (scheduleType: string) => `set schedule_type to ${scheduleType}`,
  pauseAfterTrial: "set pause_after_trial to false so the connection keeps syncing after the trial",
  inactive: (c: string, fixes: ReadonlyArray<string>) => `For ${c}: ${fixes.join("; ")}.`,
  stale: (c: string) =>
    `Open ${c}'s sync history in Fivetran, resolve the failure or task it shows, and trigger a sync. ` +
    "If the SLA is tighter than the schedule allows, lower sync_frequency or agree a longer SLA.",
  delayed: (c: string) =>
    `Fivetran considers ${c}'s data delayed; watch the next sync and check the source's rate limits.`,
  historicalSync: (c: string) =>
    `Wait for ${c}'s historical sync to finish before customers rely on its data, ` +
    "or defer this check with an owner and an expiry.",
  tasks: (c: string) =>
    `Fivetran tasks stop ${c} from syncing until someone acts. Open it in the Fivetran dashboard and complete ` +
    "each task (reconnect, grant access, …).",
  warnings: (c: string) => `Review ${c}'s warnings in Fivetran; they do not stop syncs but often precede a task.`,
  sensitivityUnreported:
    "Set data_delay_sensitivity on the connection explicitly, or drop the requirement from the check.",
  syncFrequency: (c: string, maxMinutes: number, wanted: ReadonlyArray<string> | undefined) =>
    `Set ${c}'s sync_frequency to at most ${maxMinutes}` +
    (wanted ? ` and data_delay_sensitivity to ${wanted.join(" or ")}` : "") +
    " (PATCH /v1/connections/{id} or the connection's schedule settings).",
  schemaChange: (c: string, policy: string, allowed: ReadonlyArray<string>) =>
    `With ${policy}, new source tables or columns flow into the destination unannounced and can break models ` +
    `built on a fixed schema. Set ${c}'s schema_change_handling to ${allowed.join(" or ")} ` +
    "(PATCH /v1/connections/{id}/schemas).",
  noSetupTests: "No setup tests ran, so nothing was proven. Run them from the dashboard and check the " +
    "connection's service supports them.",
  setupTestsFailed: (c: string) =>
    `Fix what the failed setup tests of ${c} name (credentials, network access, permissions in the source), ` +
    "then re-run them.",
  setupTestsWarned: (c: string) => `Read the warnings of ${c}'s setup tests; they can become failures.`
} as const

// ---------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------

const connectedRule = (): Rule => ({
  name: "connected",
  needsSchemas: false,
  evaluate: ({ connection: c }) => {
    const state = c.status.setup_state
    if (isUnknown(state)) return unknownValue(label(c), "status.setup_state", state, SETUP_STATES)
    if (state === "connected") {
      return Outcome.pass(`${label(c)} is connected`, { observed: state, expected: "connected" })
    }
    const failing = c.setup_tests.filter((t) => t.status !== "PASSED" && t.status !== "SKIPPED")
    const named = failing.map((t) => `${t.title} ${raw(t.status)}`).join(", ")
    const setupTests = tests(failing.length > 0 ? failing : c.setup_tests)
    return Outcome.fail(`${label(c)} setup state is ${state}${failing.length > 0 ? `: ${named}` : ""}`, {
      observed: state,
      expected: "connected",
      evidence: { setupTests, tasks: conditions(c.status.tasks) },
      remediation: state === "broken" ? remediation.broken(label(c)) : remediation.incomplete(label(c))
    })
  }
})

/** Options of {@link rules.active}. */
export interface ActiveOptions {
  /** The schedule type production needs. Default `auto` (`manual` only syncs when triggered). */
  readonly scheduleType?: ScheduleType | undefined
  /** Production connections must not pause when a trial ends. Default `true`. */
  readonly production?: boolean | undefined
}

const activeRule = (options: ActiveOptions = {}): Rule => ({
  name: "active",
  needsSchemas: false,
  evaluate: ({ connection: c }) => {
    const expectedSchedule = options.scheduleType ?? "auto"
    const production = options.production ?? true
    if (isUnknown(c.schedule_type)) return unknownValue(label(c), "schedule_type", c.schedule_type, SCHEDULE_TYPES)
    const observed = { paused: c.paused, schedule_type: c.schedule_type, pause_after_trial: c.pause_after_trial }
    const expected = {
      paused: false,
      schedule_type: expectedSchedule,
      ...(production ? { pause_after_trial: false } : {})
    }
    const problems: Array<string> = []
    const fixes: Array<string> = []
    if (c.paused) {
      problems.push("paused")
      fixes.push(remediation.resume)
    }
    if (c.schedule_type !== expectedSchedule) {
      problems.push(`schedule_type is ${c.schedule_type}, expected ${expectedSchedule}`)
      fixes.push(remediation.schedule(expectedSchedule))
    }
    if (production && c.pause_after_trial) {
      problems.push("pause_after_trial is true")
      fixes.push(remediation.pauseAfterTrial)
    }
    if (problems.length === 0) {
      return Outcome.pass(`${label(c)} is active on a ${c.schedule_type} schedule`, { observed, expected })
    }
    const message = `${label(c)}: ${problems.join("; ")}`
    return Outcome.fail(message, { observed, expected, remediation: remediation.inactive(label(c), fixes) })
  }
})

/** Options of {@link rules.freshness}. */
export interface FreshnessOptions {
  /** The freshness SLA: the last successful sync must be at most this old. */
  readonly maxAge?: Duration.DurationInput | undefined
  /** Without `maxAge`, the SLA is `sync_frequency × factor`. Default 2 (one missed sync). */
  readonly factor?: number | undefined
}

const freshnessRule = (options: FreshnessOptions = {}): Rule => ({
  name: "freshness",
  needsSchemas: false,
  evaluate: ({ connection: c, now }) => {
    const update = c.status.update_state
    if (isUnknown(update)) return unknownValue(label(c), "status.update_state", update, UPDATE_STATES)
    const { maxAgeMs, expected } = freshnessSla(c, options)
    const succeeded = c.succeeded_at
    const failed = c.failed_at
    const age = succeeded ? now.getTime() - succeeded.getTime() : undefined
    const observed = {
      succeeded_at: succeeded ?? null,
      failed_at: failed ?? null,
      ageMinutes: age === undefined ? null : minutes(age),
      update_state: update,
      sync_frequency: c.sync_frequency
    }
    const stale = { observed, expected, remediation: remediation.stale(label(c)) }
    if (!succeeded || age === undefined) {
      return Outcome.fail(`${label(c)} has never completed a successful sync`, stale)
    }
    const lastSuccess = succeeded.toISOString()
    if (failed && failed.getTime() > succeeded.getTime()) {
      const at = failed.toISOString()
      return Outcome.fail(`${label(c)}'s last sync failed at ${at}, after its last success at ${lastSuccess}`, stale)
    }
    const sla = `${expected.maxAgeMinutes} min`
    if (age > maxAgeMs) {
      const message = `${label(c)}'s data is ${minutes(age)} min old (last success ${lastSuccess}), over the ${sla} SLA`
      return Outcome.fail(message, stale)
    }
    if (update === "delayed") {
      const message = `${label(c)} is within its SLA but Fivetran reports update_state delayed`
      return Outcome.warn(message, { observed, expected, remediation: remediation.delayed(label(c)) })
    }
    return Outcome.pass(`${label(c)} synced ${minutes(age)} min ago (SLA ${sla})`, { observed, expected })
  }
})

/** The SLA a freshness rule judges against: the given `maxAge`, or the schedule times the factor. */
const freshnessSla = (c: ConnectionDetails, options: FreshnessOptions) => {
  const factor = options.factor ?? 2
  const given = options.maxAge !== undefined ? Duration.toMillis(Duration.decode(options.maxAge)) : undefined
  const maxAgeMs = given ?? c.sync_frequency * 60_000 * factor
  const expected = {
    maxAgeMinutes: minutes(maxAgeMs),
    source: given !== undefined ? "given SLA" : `sync_frequency (${c.sync_frequency} min) × ${factor}`,
    lastSyncSucceeded: true
  }
  return { maxAgeMs, expected }
}

const historicalSyncRule = (): Rule => ({
  name: "historical-sync",
  needsSchemas: false,
  evaluate: ({ connection: c }) => {
    const expected = { is_historical_sync: false }
    if (!c.status.is_historical_sync) {
      return Outcome.pass(`${label(c)} finished its historical sync`, { observed: expected, expected })
    }
    return Outcome.fail(`${label(c)} is still running its historical sync`, {
      observed: { is_historical_sync: true, sync_state: raw(c.status.sync_state) },
      expected,
      remediation: remediation.historicalSync(label(c))
    })
  }
})

const tasksRule = (): Rule => ({
  name: "tasks",
  needsSchemas: false,
  evaluate: ({ connection: c }) => {
    const { tasks, warnings } = c.status
    const evidence = { tasks: conditions(tasks), warnings: conditions(warnings) }
    if (tasks.length > 0) {
      const named = tasks.map((t) => t.message ?? t.code ?? "task").join(", ")
      return Outcome.fail(`${label(c)} has ${tasks.length} blocking task(s): ${named}`, {
        observed: { tasks: tasks.length, warnings: warnings.length },
        expected: { tasks: 0 },
        evidence,
        remediation: remediation.tasks(label(c))
      })
    }
    if (warnings.length > 0) {
      const named = warnings.map((w) => w.message ?? w.code ?? "warning").join(", ")
      return Outcome.warn(`${label(c)} has ${warnings.length} warning(s): ${named}`, {
        observed: { tasks: 0, warnings: warnings.length },
        expected: { tasks: 0, warnings: 0 },
        evidence,
        remediation: remediation.warnings(label(c))
      })
    }
    const observed = { tasks: 0, warnings: 0 }
    return Outcome.pass(`${label(c)} has no tasks or warnings`, { observed, expected: { tasks: 0 } })
  }
})

/** Options of {@link rules.syncFrequency}. */
export interface SyncFrequencyOptions {
  /** The longest acceptable `sync_frequency`, in minutes. */
  readonly maxMinutes: number
  /** Acceptable `data_delay_sensitivity` values (Fivetran's delay notification level). */
  readonly dataDelaySensitivity?: ReadonlyArray<DataDelaySensitivity> | undefined
}

const syncFrequencyRule = (options: SyncFrequencyOptions): Rule => ({
  name: "sync-frequency",
  needsSchemas: false,
  evaluate: ({ connection: c }) => {
    const sensitivity = c.data_delay_sensitivity
    const wanted = options.dataDelaySensitivity
    if (sensitivity !== undefined && isUnknown(sensitivity)) {
      return unknownValue(label(c), "data_delay_sensitivity", sensitivity, DATA_DELAY_SENSITIVITIES)
    }
    const observed = { sync_frequency: c.sync_frequency, data_delay_sensitivity: sensitivity ?? null }
    const expected = { maxSyncFrequency: options.maxMinutes, ...(wanted ? { data_delay_sensitivity: wanted } : {}) }
    if (wanted && sensitivity === undefined) {
      const message = `${label(c)}: Fivetran did not report data_delay_sensitivity`
      return Outcome.error(message, { observed, expected, remediation: remediation.sensitivityUnreported })
    }
    const problems: Array<string> = []
    if (c.sync_frequency > options.maxMinutes) {
      problems.push(`syncs every ${c.sync_frequency} min, more than the ${options.maxMinutes} min allowed`)
    }
    if (wanted && sensitivity !== undefined && !wanted.includes(sensitivity)) {
      problems.push(`data_delay_sensitivity is ${raw(sensitivity)}, expected ${wanted.join(" or ")}`)
    }
    if (problems.length === 0) {
      return Outcome.pass(`${label(c)} syncs every ${c.sync_frequency} min`, { observed, expected })
    }
    return Outcome.fail(`${label(c)} ${problems.join("; ")}`, {
      observed,
      expected,
      remediation: remediation.syncFrequency(label(c), options.maxMinutes, wanted)
    })
  }
})

/** Options of {@link rules.schemaChangeHandling}. */
export interface SchemaChangeOptions {
  /** Allowed policies. Default `ALLOW_COLUMNS` and `BLOCK_ALL` (not `ALLOW_ALL`). */
  readonly allowed?: ReadonlyArray<SchemaChangeHandling> | undefined
}

const schemaChangeHandlingRule = (options: SchemaChangeOptions = {}): Rule => ({
  name: "schema-change-handling",
  needsSchemas: true,
  evaluate: ({ connection: c, schemaConfig }) => {
    const allowed = options.allowed ?? ["ALLOW_COLUMNS", "BLOCK_ALL"]
    const policy = schemaConfig?.schema_change_handling
    if (policy === undefined) {
      return Outcome.error(`${label(c)}: no schema config was read`, { expected: allowed })
    }
    if (isUnknown(policy)) return unknownValue(label(c), "schema_change_handling", policy, SCHEMA_CHANGE_HANDLINGS)
    if (allowed.includes(policy)) {
      return Outcome.pass(`${label(c)} handles schema changes with ${policy}`, { observed: policy, expected: allowed })
    }
    return Outcome.fail(`${label(c)} handles schema changes with ${policy}, not one of ${allowed.join(", ")}`, {
      observed: policy,
      expected: allowed,
      remediation: remediation.schemaChange(label(c), policy, allowed)
    })
  }
})

/**
 * Rule constructors, for `Group.coverage` (and for custom checks). Each
 * check below is one of these applied to the given connection(s).
 */
export const rules = {
  /** `status.setup_state` is `connected`. */
  connected: connectedRule,
  /** Not paused, schedule type as expected, `pause_after_trial` false for production. */
  active: activeRule,
  /** Last success within the SLA, no failure since, `update_state` not delayed (warn). */
  freshness: freshnessRule,
  /** `status.is_historical_sync` is false. */
  historicalSync: historicalSyncRule,
  /** No tasks (fail); warnings are reported (warn). */
  tasks: tasksRule,
  /** `sync_frequency` at most a maximum; `data_delay_sensitivity` as required. */
  syncFrequency: syncFrequencyRule,
  /** `schema_change_handling` is an allowed policy (reads the schema config). */
  schemaChangeHandling: schemaChangeHandlingRule
} as const

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

type RuleCheckMeta = Pick<Check.Options, "title" | "category" | "description"> & {
  readonly property: string
  readonly role?: string
}

const ruleCheck = (
  meta: RuleCheckMeta,
  target: Target,
  rule: Rule
): Check.Check<FivetranClient> =>
  Check.make({
    id: `fivetran.connection.${meta.property}`,
    title: meta.title,
    surface,
    category: meta.category,
    description: meta.description,
    role: meta.role ?? READ_ROLE,
    run: Effect.flatMap(FivetranClient, (client) => runRule(client, target.connectionId, rule))
  })

/**
 * `fivetran.connection.connected`: `status.setup_state` is `connected`;
 * `broken` and `incomplete` fail with the failing setup tests and the tasks
 * as evidence; an unknown state is `error`.
 *
 * @example
 * Connection.connected({ connectionId: "decent_dropsy" })
 */
export const connected = (target: Target): Check.Check<FivetranClient> =>
  ruleCheck({
    property: "connected",
    title: "Fivetran connection is connected",
    category: "dependencies",
    description: "The connection's setup is complete and its credentials work (setup_state connected)."
  }, target, connectedRule())

/**
 * `fivetran.connection.active`: not paused, on the expected schedule type
 * (`auto` by default) and, for production, not set to pause after a trial.
 */
export const active = (target: Target & ActiveOptions): Check.Check<FivetranClient> =>
  ruleCheck({
    property: "active",
    title: "Fivetran connection is active and scheduled",
    category: "automation",
    description: "The connection syncs on its own schedule: not paused, not manual, not pausing after a trial."
  }, target, activeRule(target))

/**
 * `fivetran.connection.freshness`: the last successful sync is within the
 * SLA (`maxAge`, or `sync_frequency × factor`), no sync failed since, and
 * `update_state` is not `delayed` (warn). Uses the run's clock.
 *
 * @example
 * Connection.freshness({ connectionId: "decent_dropsy", maxAge: "2 hours" })
 */
export const freshness = (target: Target & FreshnessOptions): Check.Check<FivetranClient> =>
  ruleCheck({
    property: "freshness",
    title: "Fivetran connection data is fresh",
    category: "monitoring",
    description: "The connection's last successful sync is within the freshness SLA and no sync failed since."
  }, target, freshnessRule(target))

/**
 * `fivetran.connection.historical-sync`: the initial historical sync
 * finished. A separate check so a launch can defer it (with an expiry)
 * without deferring freshness.
 */
export const historicalSync = (target: Target): Check.Check<FivetranClient> =>
  ruleCheck({
    property: "historical-sync",
    title: "Fivetran connection finished its historical sync",
    category: "rollout",
    description: "The connection's historical (initial) sync is complete, so the destination holds the full history."
  }, target, historicalSyncRule())

/** `fivetran.connection.tasks`: no blocking tasks (fail); warnings are reported (warn). */
export const tasks = (target: Target): Check.Check<FivetranClient> =>
  ruleCheck({
    property: "tasks",
    title: "Fivetran connection has no blocking tasks",
    category: "dependencies",
    description: "No Fivetran task (an action someone must take, which stops syncs) is open on the connection."
  }, target, tasksRule())

/**
 * `fivetran.connection.sync-frequency`: `sync_frequency` is at most
 * `maxMinutes`, and `data_delay_sensitivity` is one of the required values.
 */
export const syncFrequency = (target: Target & SyncFrequencyOptions): Check.Check<FivetranClient> =>
  ruleCheck({
    property: "sync-frequency",
    title: "Fivetran connection syncs often enough",
    category: "capacity",
    description: "The connection's sync frequency and delay-notification sensitivity meet the product's needs."
  }, target, syncFrequencyRule(target))

/**
 * `fivetran.connection.schema-change-handling`: the schema config's
 * `schema_change_handling` is allowed (by default not `ALLOW_ALL`, for
 * connections feeding a fixed model). Reads `GET …/schemas`.
 */
export const schemaChangeHandling = (target: Target & SchemaChangeOptions): Check.Check<FivetranClient> =>
  ruleCheck({
    property: "schema-change-handling",
    title: "Fivetran connection handles schema changes safely",
    category: "architecture",
    description: "New source tables and columns do not flow unannounced into a destination that feeds a fixed model."
  }, target, schemaChangeHandlingRule(target))

/** Options of {@link setupTests}. */
export interface SetupTestsOptions {
  readonly connectionId: string
  /** Trust the source's certificate automatically during the tests (not persisted). Default false. */
  readonly trustCertificates?: boolean | undefined
  /** Trust the SSH fingerprint automatically during the tests (not persisted). Default false. */
  readonly trustFingerprints?: boolean | undefined
}

/** Running setup tests is an action, not a read. */
const SETUP_TESTS_ROLE = "Fivetran API key of a user with Edit Destination (or Manage Destination) on the " +
  "connection's destination: running setup tests is an action, not a read"

/**
 * `fivetran.connection.setup-tests` (active): runs Fivetran's setup tests
 * (`POST /v1/connections/{id}/test`, which contacts the source and counts
 * against the setup-test rate limit) and fails on any `FAILED` or
 * `JOB_FAILED` test; `WARNING` warns.
 */
export const setupTests = (options: SetupTestsOptions): Check.Check<FivetranClient> =>
  Check.make({
    id: "fivetran.connection.setup-tests",
    title: "Fivetran connection passes its setup tests",
    surface,
    category: "dependencies",
    active: true,
    description: "Fivetran's setup tests reach the source with the stored credentials right now.",
    role: SETUP_TESTS_ROLE,
    run: orError(Effect.gen(function*() {
      const client = yield* FivetranClient
      const read = yield* client.runSetupTests(options.connectionId, {
        ...(options.trustCertificates !== undefined ? { trustCertificates: options.trustCertificates } : {}),
        ...(options.trustFingerprints !== undefined ? { trustFingerprints: options.trustFingerprints } : {})
      })
      return withReads(judgeSetupTests(read.value), [read.meta])
    }))
  })

const judgeSetupTests = (c: ConnectionDetails): Outcome.Outcome => {
  const all = c.setup_tests
  const details = { observed: tests(all), expected: "every setup test PASSED (or SKIPPED)" }
  const unknown = all.find((t) => isUnknown(t.status))
  if (unknown && isUnknown(unknown.status)) {
    return unknownValue(label(c), `setup test "${unknown.title}" status`, unknown.status, SETUP_TEST_STATUSES)
  }
  if (all.length === 0) {
    const message = `${label(c)}: Fivetran returned no setup test results`
    return Outcome.error(message, { ...details, remediation: remediation.noSetupTests })
  }
  const failed = all.filter((t) => t.status === "FAILED" || t.status === "JOB_FAILED")
  if (failed.length > 0) {
    const named = failed.map((t) => `${t.title}${t.message ? ` (${t.message})` : ""}`).join("; ")
    const message = `${label(c)}: ${failed.length} of ${all.length} setup tests failed: ${named}`
    return Outcome.fail(message, { ...details, remediation: remediation.setupTestsFailed(label(c)) })
  }
  const warned = all.filter((t) => t.status === "WARNING")
  if (warned.length > 0) {
    const named = warned.map((t) => t.title).join(", ")
    const message = `${label(c)}: setup tests passed with ${warned.length} warning(s): ${named}`
    return Outcome.warn(message, { ...details, remediation: remediation.setupTestsWarned(label(c)) })
  }
  return Outcome.pass(`${label(c)}: all ${all.length} setup tests passed`, details)
}

/** Every connection check's id. */
export const ids = [
  "fivetran.connection.connected",
  "fivetran.connection.active",
  "fivetran.connection.freshness",
  "fivetran.connection.historical-sync",
  "fivetran.connection.tasks",
  "fivetran.connection.sync-frequency",
  "fivetran.connection.schema-change-handling",
  "fivetran.connection.setup-tests"
] as const
