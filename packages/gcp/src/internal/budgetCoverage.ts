/**
 * Which budgets cover a project's spend, and how: the budget filter read against the project, its folders
 * and organization (Resource Manager), and the budget as evidence.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type { BudgetOptions } from "../Budget.js"
import * as GcpErrors from "../GcpError.js"
import type { Reads } from "./check.js"
import { lastSegment } from "./resources.js"
import type { Budget } from "./schemas.js"

const LIST_DOC = "https://cloud.google.com/billing/docs/reference/budget/rest/v1/billingAccounts.budgets/list"
const FILTER_DOC = "https://cloud.google.com/billing/docs/reference/budget/rest/v1/billingAccounts.budgets#filter"

/** What the budget's filter names: the project, one of its ancestors, or nothing (the whole account). */
type CoveredBy = "project" | "ancestor" | "account"

/** How a budget returned for the project covers it. */
export type Coverage =
  | { readonly _tag: "full"; readonly by: CoveredBy }
  | { readonly _tag: "partial"; readonly by: CoveredBy; readonly narrowedBy: ReadonlyArray<string> }
  | { readonly _tag: "none"; readonly why: string }

const dateMs = (d: { year?: number | undefined; month?: number | undefined; day?: number | undefined } | undefined) =>
  d?.year === undefined ? undefined : Date.UTC(d.year, (d.month ?? 1) - 1, d.day ?? 1)

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)

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
  if (end !== undefined && end + 86_400_000 <= now) narrowedBy.push(`custom period ended ${isoDay(end)}`)
  const start = dateMs(f.customPeriod?.startDate)
  if (start !== undefined && start > now) narrowedBy.push(`custom period starts ${isoDay(start)}`)
  return narrowedBy.length > 0 ? { _tag: "partial", by, narrowedBy } : { _tag: "full", by }
}

/** The budgets returned for the project, by how they cover it. */
export interface Scoped {
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

/** The budgets returned for the project (`scope=projects/P`), sorted by how they cover it. */
export const budgetsFor = (reads: Reads, options: BudgetOptions) =>
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
    const ownProject = options.project === undefined || options.project === reads.client.project
    const number = ownProject ? reads.client.projectNumber : undefined
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

/** A budget as evidence. */
export const summary = (b: Budget) => ({
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
  thresholds: (b.thresholdRules ?? []).map((r) =>
    `${Math.round(r.thresholdPercent * 100)}% ${r.spendBasis ?? "CURRENT_SPEND"}`
  )
})

