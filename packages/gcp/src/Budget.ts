/**
 * Budget checks (`gcp.budget.*`): a budget scoped to the project exists with
 * threshold rules, including one on forecasted spend (so the alert comes
 * before the money is spent), and its notifications reach the team.
 *
 * Reads the billing account's budgets, filtered by the API to those tracking
 * the project (`scope=projects/PROJECT`). Needs `roles/billing.viewer`
 * (Billing Account Viewer) on the billing account.
 *
 * @since 0.1.0
 */
import { type Check, Outcome } from "@launchgate/core"
import * as Effect from "effect/Effect"
import type { GcpServices } from "./Gcp.js"
import { budgetsFor, type Scoped, summary } from "./internal/budgetCoverage.js"
import { make, unknownEnum } from "./internal/check.js"
import { lastSegment } from "./internal/resources.js"
import type { Budget } from "./internal/schemas.js"

export { Budget } from "./internal/schemas.js"
export { coverage, type Coverage } from "./internal/budgetCoverage.js"

/** The surface of every check in this module. */
export const surface = "gcp.budget"

const ROLE = "roles/billing.viewer (Billing Account Viewer, on the billing account); roles/browser on the project " +
  "and its folders for folder- or organization-scoped budgets"
const SPEND_BASIS = ["BASIS_UNSPECIFIED", "CURRENT_SPEND", "FORECASTED_SPEND"] as const

/** Which budgets count. */
export interface BudgetOptions {
  /** Defaults to the client's billing account. */
  readonly billingAccount?: string | undefined
  /** Defaults to the client's project. */
  readonly project?: string | undefined
  /**
   * Count budgets covering the whole billing account. Default `false`: the project needs its own (or its
   * folder's).
   */
  readonly acceptAccountWide?: boolean | undefined
}

/** Remediation texts of every budget check. */
const remediation = {
  create: (s: Scoped) =>
    `gcloud billing budgets create --billing-account=${s.billingAccount} --display-name="${s.project} launch" `
    + `--filter-projects=projects/${s.project} --budget-amount=AMOUNT --threshold-rule=percent=0.5 `
    + "--threshold-rule=percent=0.9 --threshold-rule=percent=1.0,basis=forecasted-spend "
    + "--notifications-rule-monitoring-notification-channels=CHANNEL",
  acceptPartial: (s: Scoped) =>
    `Add a budget over all of the project's spend, or accept the partial one deliberately: ${remediation.create(s)}`,
  addRules: (id: string, s: Scoped) =>
    `Add the missing rules: gcloud billing budgets update ${id} --billing-account=${s.billingAccount} `
    + "--add-threshold-rule=percent=1.0,basis=forecasted-spend",
  addChannel: (id: string, s: Scoped) =>
    `gcloud billing budgets update ${id} --billing-account=${s.billingAccount} `
    + `--notifications-rule-monitoring-notification-channels=projects/${s.project}/notificationChannels/CHANNEL`
} as const

/** Options of {@link projectBudget}. */
export interface ProjectBudgetOptions extends BudgetOptions {
  /** Require a threshold rule on forecasted spend. Default `true`. */
  readonly requireForecast?: boolean | undefined
}

/** A budget as evidence, with what keeps it from counting (no amount, no rules, no forecast rule). */
const assess = (b: Budget, requireForecast: boolean) => {
  const rules = b.thresholdRules ?? []
  const problems: Array<string> = []
  if (!b.amount?.specifiedAmount && !b.amount?.lastPeriodAmount) problems.push("no amount")
  if (rules.length === 0) problems.push("no threshold rules")
  else if (requireForecast && !rules.some((r) => r.spendBasis === "FORECASTED_SPEND")) {
    problems.push("no forecasted-spend rule")
  }
  return { ...summary(b), problems }
}

const KNOWN_BASES: ReadonlyArray<string> = SPEND_BASIS

/** The first threshold rule whose spend basis launchgate does not know. */
const unknownBasis = (budgets: ReadonlyArray<Budget>) =>
  budgets
    .flatMap((b) => b.thresholdRules ?? [])
    .find((r) => r.spendBasis !== undefined && !KNOWN_BASES.includes(r.spendBasis))

/** Why no budget counts: account-wide ones not accepted, partial ones. */
const ignoredBudgets = (s: Scoped, partial: number, acceptAccountWide: boolean | undefined) => {
  const ignored = [
    ...(s.accountWide.length > 0 && !acceptAccountWide
      ? [`${s.accountWide.length} billing-account-wide budget(s) do not count`]
      : []),
    ...(partial > 0 ? [`${partial} budget(s) cover only part of the spend`] : [])
  ]
  return ignored.length > 0 ? ` (${ignored.join("; ")})` : ""
}

const expectedBudget = (project: string, requireForecast: boolean) => ({
  covers: `all spend of projects/${project} (the project, one of its folders or its organization; `
    + "no services, labels or subaccounts filter)",
  thresholdRules: requireForecast ? "at least one, including FORECASTED_SPEND" : "at least one"
})

/**
 * `gcp.budget.project-budget`: a budget scoped to the project exists, with
 * an amount and threshold rules including a forecasted-spend rule.
 */
export const projectBudget = (options: ProjectBudgetOptions = {}): Check.Check<GcpServices> =>
  make({
    id: "gcp.budget.project-budget",
    title: "The project has a budget with forecast alerts",
    surface,
    category: "capacity",
    role: ROLE,
    description: "Spend on the project is budgeted, and a forecast rule warns before the budget is exceeded."
  }, (reads) =>
    Effect.gen(function*() {
      const s = yield* budgetsFor(reads, options)
      const requireForecast = options.requireForecast !== false
      const unknown = unknownBasis([...s.budgets, ...s.partial.map((p) => p.budget)])
      const assessed = s.budgets.map((b) => assess(b, requireForecast))
      const partial = s.partial.map((p) => ({ ...assess(p.budget, requireForecast), narrowedBy: p.narrowedBy }))
      const accountWideBudgets = s.accountWide.map((b) => lastSegment(b.name))
      const observed = { project: s.project, budgets: assessed, partialBudgets: partial, accountWideBudgets }
      const expected = expectedBudget(s.project, requireForecast)
      const good = assessed.find((a) => a.problems.length === 0)
      if (good) {
        const text = `budget ${good.displayName ?? good.id} covers ${s.project}: ${good.amount}`
        return Outcome.pass(`${text}, thresholds ${good.thresholds.join(", ")}`, { observed, expected })
      }
      if (unknown?.spendBasis) return unknownEnum("thresholdRules.spendBasis", unknown.spendBasis, SPEND_BASIS)
      const goodPartial = partial.find((a) => a.problems.length === 0)
      if (goodPartial) {
        const text = `budget ${goodPartial.displayName ?? goodPartial.id} covers only part of ${s.project}'s spend`
        return Outcome.warn(`${text} (${goodPartial.narrowedBy.join("; ")})`, {
          observed,
          expected,
          remediation: remediation.acceptPartial(s)
        })
      }
      if (assessed[0] === undefined) {
        const ignored = ignoredBudgets(s, partial.length, options.acceptAccountWide)
        const text = `no budget covers all of project ${s.project}${ignored}`
        return Outcome.fail(text, { observed, expected, remediation: remediation.create(s) })
      }
      const shortfalls = assessed.map((a) => `${a.displayName ?? a.id} (${a.problems.join(", ")})`).join("; ")
      const fix = remediation.addRules(assessed[0].id, s)
      const text = `budgets for ${s.project} fall short: ${shortfalls}`
      return Outcome.fail(text, { observed, expected, remediation: fix })
    }))

/** Options of {@link notifications}. */
export interface NotificationsOptions extends BudgetOptions {
  /**
   * Count the default recipients (billing admins and users) as notification.
   * Default `false`: the launch team should hear through a channel or topic.
   */
  readonly acceptDefaultRecipients?: boolean | undefined
}

/** Whom a budget notifies, as evidence (`narrowedBy` when it covers part of the spend). */
const notifyRow = (b: Budget, narrowedBy: ReadonlyArray<string> | undefined, acceptDefaults: boolean) => {
  const rule = b.notificationsRule
  const channels = rule?.monitoringNotificationChannels ?? []
  const defaults = rule?.disableDefaultIamRecipients !== true
  return {
    id: lastSegment(b.name),
    displayName: b.displayName ?? null,
    monitoringNotificationChannels: channels.map(lastSegment),
    pubsubTopic: rule?.pubsubTopic ?? null,
    defaultRecipients: defaults,
    notifies: channels.length > 0 || (rule?.pubsubTopic ?? "") !== "" || (acceptDefaults && defaults),
    ...(narrowedBy !== undefined ? { narrowedBy } : {})
  }
}

type NotifyRow = ReturnType<typeof notifyRow>

const recipients = (r: NotifyRow) =>
  [
    ...r.monitoringNotificationChannels.map((c) => `channel ${c}`),
    ...(r.pubsubTopic ? [`topic ${r.pubsubTopic}`] : [])
  ].join(", ") || "the default recipients"

/**
 * `gcp.budget.notifications`: a budget scoped to the project notifies
 * Cloud Monitoring channels or a Pub/Sub topic.
 */
export const notifications = (options: NotificationsOptions = {}): Check.Check<GcpServices> =>
  make({
    id: "gcp.budget.notifications",
    title: "Budget alerts reach the team",
    surface,
    category: "monitoring",
    role: ROLE,
    description: "Crossing a budget threshold notifies a monitoring channel or a Pub/Sub topic the team watches."
  }, (reads) =>
    Effect.gen(function*() {
      const s = yield* budgetsFor(reads, options)
      const acceptDefaults = options.acceptDefaultRecipients === true
      const rows = [
        ...s.budgets.map((b) => notifyRow(b, undefined, acceptDefaults)),
        ...s.partial.map((p) => notifyRow(p.budget, p.narrowedBy, acceptDefaults))
      ]
      const observed = { project: s.project, budgets: rows }
      const expected = options.acceptDefaultRecipients
        ? "channels, a topic or default recipients"
        : "monitoring channels or a Pub/Sub topic"
      if (rows[0] === undefined) {
        const text = `no budget covers project ${s.project}, so nobody hears about spend`
        return Outcome.fail(text, { observed, expected, remediation: remediation.create(s) })
      }
      const good = rows.find((r) => r.notifies && r.narrowedBy === undefined)
      if (good) {
        const text = `budget ${good.displayName ?? good.id} notifies ${recipients(good)}`
        return Outcome.pass(text, { observed, expected })
      }
      const partialGood = rows.find((r) => r.notifies)
      if (partialGood) {
        const text = `only budget ${partialGood.displayName ?? partialGood.id} notifies, and it covers part of `
          + `${s.project}'s spend (${partialGood.narrowedBy!.join("; ")})`
        return Outcome.warn(text, { observed, expected, remediation: remediation.create(s) })
      }
      const onlyAdmins = rows.some((r) => r.defaultRecipients) ? " (only billing admins by email)" : ""
      return Outcome.fail(`budgets for ${s.project} notify no channel or topic${onlyAdmins}`, {
        observed,
        expected,
        remediation: remediation.addChannel(rows[0].id, s)
      })
    }))

/** Both budget checks with their defaults. */
export const all = (options: BudgetOptions = {}): ReadonlyArray<Check.Check<GcpServices>> => [
  projectBudget(options),
  notifications(options)
]
