/**
 * The price catalog: every plan the product sells has exactly one active
 * live price, on an active product, with the expected currency, amount and
 * interval (and a tax behaviour when tax is collected).
 *
 * @since 0.1.0
 */
import { type Check, Outcome } from "@launchgate/core"
import * as Effect from "effect/Effect"
import type { BillingClient } from "./BillingClient.js"
import type { Interval, Price } from "./BillingProvider.js"
import * as Billing from "./internal/checks.js"

/** A plan the product sells, identified by the price's lookup key. */
export interface Plan {
  readonly lookupKey: string
  /** Lower- or upper-case ISO currency code. */
  readonly currency: string
  /** In the currency's minor unit (cents). */
  readonly amount: number
  readonly interval: Interval
  /** Default 1. */
  readonly intervalCount?: number | undefined
  /** The product's name, when it matters. */
  readonly product?: string | undefined
}

/** Options of {@link prices}. */
export interface PricesOptions extends Billing.ModeOptions {
  readonly plans: ReadonlyArray<Plan>
  /** Tax is collected: each price must say whether it is inclusive or exclusive. */
  readonly taxRequired?: boolean | undefined
}

/** What can be wrong with one plan. */
export type Problem =
  | "missing"
  | "inactive"
  | "duplicated"
  | "mismatched"
  | "product-inactive"
  | "not-live"
  | "tax-behavior-unspecified"

const CATALOG = "Dashboard → Product catalog"

/** What to do, per problem, for the person reading the report. */
const remediation = {
  missing: (lookupKey: string) =>
    `Create the price in ${CATALOG} with lookup key "${lookupKey}" (or fix the key in the product's code).`,
  inactive:
    `Unarchive the price in ${CATALOG}, or create a new one and move the lookup key to it (transfer_lookup_key).`,
  duplicated: (ids: ReadonlyArray<string>) =>
    `Archive all but one of ${ids.join(", ")}: checkout would pick one arbitrarily.`,
  mismatched: (priceId: string) =>
    `Prices cannot be edited: create a new price with the right currency, amount and interval in ${CATALOG}, move ` +
    `the lookup key to it (transfer_lookup_key) and archive ${priceId}.`,
  "product-inactive": (productId: string) => `Unarchive product ${productId} in ${CATALOG}.`,
  "not-live": "Create the catalog in live mode (or copy it from test mode in the Dashboard).",
  "tax-behavior-unspecified": `Set the price's tax behaviour (inclusive or exclusive) in ${CATALOG}; it can be set ` +
    `once on a price that has none.`
} as const

interface Assessment {
  readonly subject: string
  readonly status: Outcome.Status
  readonly message: string
  readonly evidence: Outcome.Evidence
  readonly remediation?: string
  readonly problems: ReadonlyArray<Problem>
}

const describe = (p: Price) => ({
  id: p.id,
  active: p.active,
  livemode: p.livemode,
  currency: p.currency,
  amount: p.unitAmount,
  interval: p.interval,
  intervalCount: p.intervalCount,
  taxBehavior: p.taxBehavior,
  product: p.product
})

const failure = (
  plan: Plan,
  problems: ReadonlyArray<Problem>,
  message: string,
  remediation: string,
  details: { observed: unknown; expected: unknown }
): Assessment => {
  const outcome = Outcome.fail(message, { ...details, evidence: { problems }, remediation })
  return { subject: plan.lookupKey, status: outcome.status, message, evidence: outcome.evidence, remediation, problems }
}

const assess = (plan: Plan, prices: ReadonlyArray<Price>, live: boolean, taxRequired: boolean): Assessment => {
  const expected = {
    lookupKey: plan.lookupKey,
    currency: plan.currency.toLowerCase(),
    amount: plan.amount,
    interval: plan.interval,
    intervalCount: plan.intervalCount ?? 1,
    ...(plan.product !== undefined ? { product: plan.product } : {}),
    livemode: live,
    active: true,
    ...(taxRequired ? { taxBehavior: "inclusive | exclusive" } : {})
  }
  const active = prices.filter((p) => p.active)
  if (prices.length === 0) {
    const message = `missing: no price has lookup key ${plan.lookupKey}`
    return failure(plan, ["missing"], message, remediation.missing(plan.lookupKey), { observed: null, expected })
  }
  if (active.length === 0) {
    const message = `inactive: every price with lookup key ${plan.lookupKey} is archived`
    return failure(plan, ["inactive"], message, remediation.inactive, { observed: prices.map(describe), expected })
  }
  if (active.length > 1) {
    const message = `duplicated: ${active.length} active prices carry lookup key ${plan.lookupKey}`
    const fix = remediation.duplicated(active.map((p) => p.id))
    return failure(plan, ["duplicated"], message, fix, { observed: active.map(describe), expected })
  }
  return assessPrice(plan, active[0]!, expected, live, taxRequired)
}

interface Expected {
  readonly currency: string
  readonly intervalCount: number
}

/** How the price differs from the plan (currency, amount, interval, product name). */
const mismatchesOf = (plan: Plan, price: Price, expected: Expected): Array<string> => {
  const mismatches: Array<string> = []
  if (price.currency !== expected.currency) mismatches.push(`currency ${price.currency} ≠ ${expected.currency}`)
  if (price.unitAmount !== plan.amount) mismatches.push(`amount ${price.unitAmount} ≠ ${plan.amount}`)
  if (price.interval !== plan.interval) mismatches.push(`interval ${price.interval} ≠ ${plan.interval}`)
  else if (price.intervalCount !== expected.intervalCount) {
    mismatches.push(`interval count ${price.intervalCount} ≠ ${expected.intervalCount}`)
  }
  if (plan.product !== undefined && price.product.name !== plan.product) {
    mismatches.push(`product "${price.product.name}" ≠ "${plan.product}"`)
  }
  return mismatches
}

/** The one active price of a plan against what the plan expects. */
const assessPrice = (plan: Plan, price: Price, expected: Expected, live: boolean, taxRequired: boolean): Assessment => {
  const problems: Array<Problem> = []
  const notes: Array<string> = []
  const mismatches = mismatchesOf(plan, price, expected)
  if (mismatches.length > 0) {
    problems.push("mismatched")
    notes.push(`mismatched: ${mismatches.join(", ")}`)
  }
  if (!price.product.active) {
    problems.push("product-inactive")
    notes.push(`product ${price.product.id} (${price.product.name}) is archived`)
  }
  if (price.livemode !== live) {
    problems.push("not-live")
    notes.push(`price is ${Billing.modeWord(price.livemode)}-mode data, the launch needs ${Billing.modeWord(live)}`)
  }
  if (taxRequired && price.taxBehavior === "unspecified") {
    problems.push("tax-behavior-unspecified")
    notes.push("tax_behavior is unspecified")
  }
  if (problems.length > 0) {
    const message = `${price.id}: ${notes.join("; ")}`
    return failure(plan, problems, message, remediationFor(problems, price), { observed: describe(price), expected })
  }
  const outcome = Outcome.pass(`${price.id} matches`, { observed: describe(price), expected })
  return { subject: plan.lookupKey, status: "pass", message: outcome.message, evidence: outcome.evidence, problems: [] }
}

const remediationFor = (problems: ReadonlyArray<Problem>, price: Price): string => {
  const steps: Array<string> = []
  if (problems.includes("mismatched")) steps.push(remediation.mismatched(price.id))
  if (problems.includes("product-inactive")) steps.push(remediation["product-inactive"](price.product.id))
  if (problems.includes("not-live")) steps.push(remediation["not-live"])
  if (problems.includes("tax-behavior-unspecified")) steps.push(remediation["tax-behavior-unspecified"])
  return steps.join(" ")
}

/**
 * `billing.catalog.prices`: every plan has exactly one active price of the
 * expected mode with the expected currency, amount and interval, on an
 * active product (and a tax behaviour when `taxRequired`). One subject per
 * plan; missing, inactive, duplicated and mismatched plans are listed
 * separately in the evidence. All plans are read in one list call.
 */
export const prices = (options: PricesOptions): Check.Check<BillingClient> =>
  Billing.make({
    id: "billing.catalog.prices",
    title: "Every plan has one active live price",
    surface: "billing.catalog",
    category: "rollout",
    description: "Every plan the product sells resolves, by lookup key, to exactly one active live price with the " +
      "expected amount.",
    role: "Stripe restricted key with Prices: Read (rak_plan_read) and Products: Read (rak_product_read)",
    run: (provider) =>
      Effect.map(provider.prices(options.plans.map((p) => p.lookupKey)), (found) => {
        const live = Billing.expectedMode(provider, options) === "live"
        const assessed = options.plans.map((plan) =>
          assess(plan, found.get(plan.lookupKey) ?? [], live, options.taxRequired === true)
        )
        const having = (problem: Problem) => assessed.filter((a) => a.problems.includes(problem)).map((a) => a.subject)
        return Outcome.fromSubjects(
          assessed.map(({ problems: _, ...subject }) => subject),
          {
            what: "plans",
            evidence: {
              missing: having("missing"),
              inactive: having("inactive"),
              duplicated: having("duplicated"),
              mismatched: having("mismatched"),
              productInactive: having("product-inactive"),
              notLive: having("not-live"),
              taxBehaviorUnspecified: having("tax-behavior-unspecified")
            }
          }
        )
      })
  })
