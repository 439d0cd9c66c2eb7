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
import { Clock, Effect } from "effect"
import type { GcpServices } from "./Gcp.js"
import * as GcpErrors from "./GcpError.js"
import { make, type Reads, unknownEnum } from "./internal/check.js"
import { lastSegment } from "./internal/resources.js"
import type { Budget } from "./internal/schemas.js"

export { Budget } from "./internal/schemas.js"

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
  /** Count budgets covering the whole billing account. Default `false`: the project needs its own (or its folder's). */
  readonly acceptAccountWide?: boolean | undefined
}

const LIST_DOC = "https://cloud.google.com/billing/docs/reference/budget/rest/v1/billingAccounts.budgets/list"
const FILTER_DOC = "https://cloud.google.com/billing/docs/reference/budget/rest/v1/billingAccounts.budgets#filter"

/** How a budget returned for the project covers it. */
type Coverage =
  | { readonly _tag: "full"; readonly by: "project" | "ancestor" | "account" }
  | { readonly _tag: "partial"; readonly by: "project" | "ancestor" | "account"; readonly narrowedBy: ReadonlyArray<string> }
  | { readonly _tag: "none"; readonly why: string }

const dateMs = (d: { year?: number | undefined; month?: number | undefined; day?: number | undefined } | undefined) =>
  d?.year === undefined ? undefined : Date.UTC(d.year, (d.month ?? 1) - 1, d.day ?? 1)

/**
 * Does a budget returned by `budgets.list?scope=projects/P` cover all of P's spend? The list returns
 * "the budgets ... tracking the costs for that project" ({@link LIST_DOC}): its filter selects P by id
 * or number, one of P's folders or its organization (`resourceAncestors`), or the whole account. A
 * filter naming only other projects contradicts the scope, so it does not count (fail closed). The
 * filter narrows it to part of the spend with `services`, `labels`, `subaccounts` or a custom period
 * that has ended ({@link FILTER_DOC}).
 */
export const coverage = (b: Budget, project: string, projectNumber: string | undefined, now: number): Coverage => {
  const f = b.budgetFilter ?? {}
  const projects = f.projects ?? []
  const ancestors = f.resourceAncestors ?? []
  const forms = new Set([`projects/${project}`, ...(projectNumber ? [`projects/${projectNumber}`] : [])])
  const names = projects.some((p) => forms.has(p))
  // Google stores projects by number: without the number an entry cannot be ruled out, only confirmed by the scope.
  const contradicts = projects.length > 0 && !names && ancestors.length === 0 &&
    projects.every((p) => !/^projects\/\d+$/.test(p) || projectNumber !== undefined)
  if (contradicts) return { _tag: "none", why: `selects only ${projects.join(", ")}` }
  const by = projects.length > 0 ? "project" : ancestors.length > 0 ? "ancestor" : "account"
  const narrowedBy: Array<string> = []
  if ((f.services ?? []).length > 0) narrowedBy.push(`services ${f.services!.join(", ")}`)
  if (Object.keys(f.labels ?? {}).length > 0) narrowedBy.push(`labels ${JSON.stringify(f.labels)}`)
  if ((f.subaccounts ?? []).length > 0) narrowedBy.push(`subaccounts ${f.subaccounts!.join(", ")}`)
  const end = dateMs(f.customPeriod?.endDate)
  if (end !== undefined && end + 86_400_000 <= now) narrowedBy.push(`custom period ended ${new Date(end).toISOString().slice(0, 10)}`)
  const start = dateMs(f.customPeriod?.startDate)
  if (start !== undefined && start > now) narrowedBy.push(`custom period starts ${new Date(start).toISOString().slice(0, 10)}`)
  return narrowedBy.length > 0 ? { _tag: "partial", by, narrowedBy } : { _tag: "full", by }
}

interface Scoped {
  readonly project: string
  readonly billingAccount: string
  /** Budgets covering all of the project's spend (account-wide ones only when accepted). */
  readonly budgets: ReadonlyArray<Budget>
  /** Budgets narrowed to part of the spend: at best partial coverage. */
  readonly partial: ReadonlyArray<{ readonly budget: Budget; readonly narrowedBy: ReadonlyArray<string> }>
  readonly accountWide: ReadonlyArray<Budget>
}

/**
 * The project's ancestors, nearest first (`folders/F`, …, `organizations/O`), from Resource Manager v3
 * (projects.get and folders.get: `parent` is a folder or an organization,
 * https://cloud.google.com/resource-manager/reference/rest/v3/projects). Read-only (roles/browser), one read
 * per ancestor per run (the client caches them).
 */
const ancestorsOf = (reads: Reads, project: string) =>
  Effect.gen(function*() {
    const chain: Array<string> = []
    let parent = (yield* reads.get("project", `projects/${project}`)).parent
    while (parent !== undefined && !chain.includes(parent)) {
      chain.push(parent)
      parent = parent.startsWith("folders/") ? (yield* reads.get("folder", parent)).parent : undefined
    }
    return chain
  })

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
    const number = options.project === undefined || options.project === reads.client.project ? reads.client.projectNumber : undefined
    const account = billingAccount.replace(/^billingAccounts\//, "")
    const budgets = yield* reads.list("budget", `billingAccounts/${account}`, { scope: `scope=projects/${project}` })
    const now = yield* Clock.currentTimeMillis
    const full: Array<Budget> = []
    const partial: Array<{ budget: Budget; narrowedBy: ReadonlyArray<string> }> = []
    const accountWide: Array<Budget> = []
    const byAncestor = (b: Budget) => {
      const c = coverage(b, project, number, now)
      return c._tag !== "none" && c.by === "ancestor"
    }
    const chain = budgets.some(byAncestor) ? yield* ancestorsOf(reads, project) : []
    for (const b of budgets) {
      const c = coverage(b, project, number, now)
      if (c._tag === "none") continue
      // The scope filter is the server's word; the project's parent chain confirms it (fail closed when unreadable).
      if (c.by === "ancestor" && !(b.budgetFilter?.resourceAncestors ?? []).some((a) => chain.includes(a))) continue
      if (c.by === "account") accountWide.push(b)
      if (c.by === "account" && options.acceptAccountWide !== true) continue
      if (c._tag === "full") full.push(b)
      else partial.push({ budget: b, narrowedBy: c.narrowedBy })
    }
    return { project, billingAccount: account, budgets: full, partial, accountWide } satisfies Scoped
  })

const summary = (b: Budget) => ({
  id: lastSegment(b.name),
  displayName: b.displayName ?? null,
  projects: b.budgetFilter?.projects ?? [],
  ...(b.budgetFilter?.resourceAncestors?.length ? { resourceAncestors: b.budgetFilter.resourceAncestors } : {}),
  creditTypesTreatment: b.budgetFilter?.creditTypesTreatment ?? "INCLUDE_ALL_CREDITS",
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
      const requireForecast = options.requireForecast !== false
      const assess = (b: Budget) => {
        const rules = b.thresholdRules ?? []
        const problems: Array<string> = []
        if (!b.amount?.specifiedAmount && !b.amount?.lastPeriodAmount) problems.push("no amount")
        if (rules.length === 0) problems.push("no threshold rules")
        else if (requireForecast && !rules.some((r) => r.spendBasis === "FORECASTED_SPEND")) problems.push("no forecasted-spend rule")
        return { ...summary(b), problems }
      }
      const all = [...s.budgets, ...s.partial.map((p) => p.budget)]
      const unknown = all.flatMap((b) => b.thresholdRules ?? []).find((r) => r.spendBasis !== undefined && !(SPEND_BASIS as ReadonlyArray<string>).includes(r.spendBasis))
      const assessed = s.budgets.map(assess)
      const partial = s.partial.map((p) => ({ ...assess(p.budget), narrowedBy: p.narrowedBy }))
      const observed = { project: s.project, budgets: assessed, partialBudgets: partial, accountWideBudgets: s.accountWide.map((b) => lastSegment(b.name)) }
      const expected = {
        covers: `all spend of projects/${s.project} (the project, one of its folders or its organization; no services, labels or subaccounts filter)`,
        thresholdRules: requireForecast ? "at least one, including FORECASTED_SPEND" : "at least one"
      }
      const good = assessed.find((a) => a.problems.length === 0)
      if (good) return Outcome.pass(`budget ${good.displayName ?? good.id} covers ${s.project}: ${good.amount}, thresholds ${good.thresholds.join(", ")}`, { observed, expected })
      if (unknown?.spendBasis) return unknownEnum("thresholdRules.spendBasis", unknown.spendBasis, SPEND_BASIS)
      const goodPartial = partial.find((a) => a.problems.length === 0)
      if (goodPartial) {
        return Outcome.warn(`budget ${goodPartial.displayName ?? goodPartial.id} covers only part of ${s.project}'s spend (${goodPartial.narrowedBy.join("; ")})`, {
          observed,
          expected,
          remediation: `Add a budget over all of the project's spend, or accept the partial one deliberately: ${createCommand(s)}`
        })
      }
      if (assessed.length === 0) {
        const ignored = [
          ...(s.accountWide.length > 0 && !options.acceptAccountWide ? [`${s.accountWide.length} billing-account-wide budget(s) do not count`] : []),
          ...(partial.length > 0 ? [`${partial.length} budget(s) cover only part of the spend`] : [])
        ]
        return Outcome.fail(`no budget covers all of project ${s.project}${ignored.length > 0 ? ` (${ignored.join("; ")})` : ""}`, {
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
      const narrowed = new Map(s.partial.map((p) => [p.budget.name, p.narrowedBy]))
      const rows = [...s.budgets, ...s.partial.map((p) => p.budget)].map((b) => {
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
          notifies,
          ...(narrowed.has(b.name) ? { narrowedBy: narrowed.get(b.name)! } : {})
        }
      })
      const observed = { project: s.project, budgets: rows }
      const expected = options.acceptDefaultRecipients ? "channels, a topic or default recipients" : "monitoring channels or a Pub/Sub topic"
      if (rows.length === 0) {
        return Outcome.fail(`no budget covers project ${s.project}, so nobody hears about spend`, { observed, expected, remediation: createCommand(s) })
      }
      const good = rows.find((r) => r.notifies && r.narrowedBy === undefined)
      const partialGood = rows.find((r) => r.notifies)
      if (!good && partialGood) {
        return Outcome.warn(`only budget ${partialGood.displayName ?? partialGood.id} notifies, and it covers part of ${s.project}'s spend (${partialGood.narrowedBy!.join("; ")})`, {
          observed,
          expected,
          remediation: createCommand(s)
        })
      }
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
