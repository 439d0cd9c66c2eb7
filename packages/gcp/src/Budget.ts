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
import { Effect } from "effect"
import type { GcpServices } from "./Gcp.js"
import * as GcpErrors from "./GcpError.js"
import { make, type Reads, unknownEnum } from "./internal/check.js"
import { lastSegment } from "./internal/resources.js"
import type { Budget } from "./internal/schemas.js"

export { Budget } from "./internal/schemas.js"

/** The surface of every check in this module. */
export const surface = "gcp.budget"

const ROLE = "roles/billing.viewer (Billing Account Viewer, on the billing account)"
const SPEND_BASIS = ["BASIS_UNSPECIFIED", "CURRENT_SPEND", "FORECASTED_SPEND"] as const

/** Which budgets count. */
export interface BudgetOptions {
  /** Defaults to the client's billing account. */
  readonly billingAccount?: string | undefined
  /** Defaults to the client's project. */
  readonly project?: string | undefined
  /** Count budgets covering the whole billing account. Default `false`: the project needs its own. */
  readonly acceptAccountWide?: boolean | undefined
}

interface Scoped {
  readonly project: string
  readonly billingAccount: string
  readonly budgets: ReadonlyArray<Budget>
  readonly accountWide: ReadonlyArray<Budget>
}

const budgetsFor = (reads: Reads, options: BudgetOptions) =>
  Effect.gen(function*() {
    const billingAccount = options.billingAccount ?? reads.client.billingAccount
    if (billingAccount === undefined) {
      return yield* GcpErrors.config(
        "billingAccount",
        "is required for budget checks",
        "Set Gcp.layer({ billingAccount }) (or GCP_BILLING_ACCOUNT), or the check's billingAccount option."
      )
    }
    const project = options.project ?? reads.client.project
    const account = billingAccount.replace(/^billingAccounts\//, "")
    const budgets = yield* reads.list("budget", `billingAccounts/${account}`, { scope: `scope=projects/${project}` })
    const accountWide = budgets.filter((b) => (b.budgetFilter?.projects ?? []).length === 0)
    const scoped = budgets.filter((b) => (b.budgetFilter?.projects ?? []).length > 0)
    return {
      project,
      billingAccount: account,
      budgets: options.acceptAccountWide ? [...scoped, ...accountWide] : scoped,
      accountWide
    } satisfies Scoped
  })

const summary = (b: Budget) => ({
  id: lastSegment(b.name),
  displayName: b.displayName ?? null,
  projects: b.budgetFilter?.projects ?? [],
  amount: b.amount?.specifiedAmount
    ? `${b.amount.specifiedAmount.units ?? "0"} ${b.amount.specifiedAmount.currencyCode ?? ""}`.trim()
    : b.amount?.lastPeriodAmount
    ? "last period's spend"
    : null,
  thresholds: (b.thresholdRules ?? []).map((r) => `${Math.round(r.thresholdPercent * 100)}% ${r.spendBasis ?? "CURRENT_SPEND"}`)
})

const createCommand = (s: Scoped) =>
  `gcloud billing budgets create --billing-account=${s.billingAccount} --display-name="${s.project} launch" --filter-projects=projects/${s.project} --budget-amount=AMOUNT --threshold-rule=percent=0.5 --threshold-rule=percent=0.9 --threshold-rule=percent=1.0,basis=forecasted-spend --notifications-rule-monitoring-notification-channels=CHANNEL`

/** Options of {@link projectBudget}. */
export interface ProjectBudgetOptions extends BudgetOptions {
  /** Require a threshold rule on forecasted spend. Default `true`. */
  readonly requireForecast?: boolean | undefined
}

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
      const unknown = s.budgets.flatMap((b) => b.thresholdRules ?? []).find((r) => r.spendBasis !== undefined && !(SPEND_BASIS as ReadonlyArray<string>).includes(r.spendBasis))
      const requireForecast = options.requireForecast !== false
      const assessed = s.budgets.map((b) => {
        const rules = b.thresholdRules ?? []
        const problems: Array<string> = []
        if (!b.amount?.specifiedAmount && !b.amount?.lastPeriodAmount) problems.push("no amount")
        if (rules.length === 0) problems.push("no threshold rules")
        else if (requireForecast && !rules.some((r) => r.spendBasis === "FORECASTED_SPEND")) problems.push("no forecasted-spend rule")
        return { ...summary(b), problems }
      })
      const observed = { project: s.project, budgets: assessed, accountWideBudgets: s.accountWide.map((b) => lastSegment(b.name)) }
      const expected = { scope: `projects/${s.project}`, thresholdRules: requireForecast ? "at least one, including FORECASTED_SPEND" : "at least one" }
      const good = assessed.find((a) => a.problems.length === 0)
      if (good) return Outcome.pass(`budget ${good.displayName ?? good.id} covers ${s.project}: ${good.amount}, thresholds ${good.thresholds.join(", ")}`, { observed, expected })
      if (unknown?.spendBasis) return unknownEnum("thresholdRules.spendBasis", unknown.spendBasis, SPEND_BASIS)
      if (assessed.length === 0) {
        return Outcome.fail(`no budget is scoped to project ${s.project}${s.accountWide.length > 0 ? ` (${s.accountWide.length} billing-account-wide budget(s) do not count)` : ""}`, {
          observed,
          expected,
          remediation: createCommand(s)
        })
      }
      return Outcome.fail(`budgets for ${s.project} fall short: ${assessed.map((a) => `${a.displayName ?? a.id} (${a.problems.join(", ")})`).join("; ")}`, {
        observed,
        expected,
        remediation: `Add the missing rules: gcloud billing budgets update ${assessed[0]!.id} --billing-account=${s.billingAccount} --add-threshold-rule=percent=1.0,basis=forecasted-spend`
      })
    }))

/** Options of {@link notifications}. */
export interface NotificationsOptions extends BudgetOptions {
  /**
   * Count the default recipients (billing admins and users) as notification.
   * Default `false`: the launch team should hear through a channel or topic.
   */
  readonly acceptDefaultRecipients?: boolean | undefined
}

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
      const rows = s.budgets.map((b) => {
        const rule = b.notificationsRule
        const channels = rule?.monitoringNotificationChannels ?? []
        const defaults = rule?.disableDefaultIamRecipients !== true
        const notifies = channels.length > 0 || (rule?.pubsubTopic ?? "") !== "" || (options.acceptDefaultRecipients === true && defaults)
        return {
          id: lastSegment(b.name),
          displayName: b.displayName ?? null,
          monitoringNotificationChannels: channels.map(lastSegment),
          pubsubTopic: rule?.pubsubTopic ?? null,
          defaultRecipients: defaults,
          notifies
        }
      })
      const observed = { project: s.project, budgets: rows }
      const expected = options.acceptDefaultRecipients ? "channels, a topic or default recipients" : "monitoring channels or a Pub/Sub topic"
      if (rows.length === 0) {
        return Outcome.fail(`no budget is scoped to project ${s.project}, so nobody hears about spend`, { observed, expected, remediation: createCommand(s) })
      }
      const good = rows.find((r) => r.notifies)
      if (good) {
        return Outcome.pass(`budget ${good.displayName ?? good.id} notifies ${[...good.monitoringNotificationChannels.map((c) => `channel ${c}`), ...(good.pubsubTopic ? [`topic ${good.pubsubTopic}`] : [])].join(", ") || "the default recipients"}`, { observed, expected })
      }
      return Outcome.fail(`budgets for ${s.project} notify no channel or topic${rows.some((r) => r.defaultRecipients) ? " (only billing admins by email)" : ""}`, {
        observed,
        expected,
        remediation: `gcloud billing budgets update ${rows[0]!.id} --billing-account=${s.billingAccount} --notifications-rule-monitoring-notification-channels=projects/${s.project}/notificationChannels/CHANNEL`
      })
    }))

/** Both budget checks with their defaults. */
export const all = (options: BudgetOptions = {}): ReadonlyArray<Check.Check<GcpServices>> => [
  projectBudget(options),
  notifications(options)
]
