/**
 * A realistic Stripe account for a SaaS launch, as an emulator seed: a live
 * account that can take money, paid plans by lookup key, a webhook endpoint,
 * a customer portal and tax settings, with real-world problems switchable
 * one by one so a gate can be shown to pass and to fail.
 *
 * @example
 * const stripe = await StripeEmulator.start({ seed: seedRealisticAccount({ problems: { webhookDisabled: true } }) })
 *
 * @since 0.1.0
 */
import { STRIPE_API_VERSION } from "../internal/apiVersion.js"
import {
  event,
  pendingTaxSettings,
  portalConfiguration,
  price,
  product,
  type ProductObject,
  taxSettings,
  unix,
  webhookEndpoint
} from "./objects.js"
import type { StripeState } from "./StripeEmulator.js"

/** A plan the product sells. */
export interface Plan {
  readonly lookupKey: string
  /** The product's name. */
  readonly product: string
  readonly currency: string
  /** In the currency's minor unit. */
  readonly amount: number
  readonly interval: "day" | "week" | "month" | "year" | "one_time"
  readonly intervalCount?: number | undefined
}

type PortalFeature =
  | "customer_update"
  | "invoice_history"
  | "payment_method_update"
  | "subscription_cancel"
  | "subscription_update"

/** The defaults the realistic account is built from (use them to configure the matching checks). */
export const realistic = {
  webhookUrl: "https://app.acme.example/api/stripe/webhook",
  webhookEvents: [
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed"
  ],
  plans: [
    { lookupKey: "pro_monthly", product: "Pro", currency: "usd", amount: 2900, interval: "month" },
    { lookupKey: "pro_yearly", product: "Pro", currency: "usd", amount: 29000, interval: "year" },
    { lookupKey: "team_monthly", product: "Team", currency: "usd", amount: 9900, interval: "month" }
  ],
  portalFeatures: ["customer_update", "invoice_history", "payment_method_update", "subscription_cancel"],
  apiVersion: STRIPE_API_VERSION
} as const satisfies {
  webhookUrl: string
  webhookEvents: ReadonlyArray<string>
  plans: ReadonlyArray<Plan>
  portalFeatures: ReadonlyArray<PortalFeature>
  apiVersion: string
}

/** Problems to switch on; each breaks one check. */
export interface Problems {
  /** `charges_enabled: false`, disabled for past-due requirements. */
  readonly chargesDisabled?: boolean | undefined
  readonly payoutsDisabled?: boolean | undefined
  /** Verification information currently due (deadline in 3 days). */
  readonly requirementsDue?: boolean | undefined
  /** Future requirements with a deadline this many days away (a warning, not a failure). */
  readonly deadlineInDays?: number | undefined
  /** No price carries this lookup key. */
  readonly missingPlan?: string | undefined
  /** This plan's price is archived (inactive). */
  readonly archivedPlan?: string | undefined
  /** Two active prices carry this lookup key. */
  readonly duplicatePlan?: string | undefined
  /** This plan's price has a different amount. */
  readonly mismatchedPlan?: string | undefined
  /** This product (by name) is archived. */
  readonly archivedProduct?: string | undefined
  /** Every price has `tax_behavior: unspecified`. */
  readonly unspecifiedTaxBehavior?: boolean | undefined
  readonly webhookDisabled?: boolean | undefined
  /** The endpoint is not subscribed to these events. */
  readonly webhookMissingEvents?: ReadonlyArray<string> | undefined
  /** The endpoint's `api_version` (null: the account default). */
  readonly webhookApiVersion?: string | null | undefined
  /** This many events not delivered, in the last hours. */
  readonly failedDeliveries?: number | undefined
  readonly portalWithoutTerms?: boolean | undefined
  readonly portalFeatureDisabled?: PortalFeature | undefined
  readonly taxPending?: boolean | undefined
}

/** Options of {@link seedRealisticAccount}. */
export interface Options {
  readonly problems?: Problems | undefined
  /** Timestamps (events, deadlines) are relative to this instant. Default: now. */
  readonly now?: Date | undefined
  readonly plans?: ReadonlyArray<Plan> | undefined
  readonly webhookUrl?: string | undefined
  readonly webhookEvents?: ReadonlyArray<string> | undefined
  /** Also seed the same catalog, endpoint and portal in test mode (for test-key scenarios). */
  readonly testMode?: boolean | undefined
}

const DAY = 86_400

/** A seed function for `StripeEmulator.start({ seed })`. */
export const seedRealisticAccount = (options: Options = {}) => (state: StripeState): void => {
  const problems = options.problems ?? {}
  const now = unix(options.now ?? new Date())
  const plans: ReadonlyArray<Plan> = options.plans ?? realistic.plans
  const url = options.webhookUrl ?? realistic.webhookUrl
  const events = options.webhookEvents ?? realistic.webhookEvents

  const account = state.account
  account.charges_enabled = !problems.chargesDisabled
  account.payouts_enabled = !problems.payoutsDisabled
  if (problems.chargesDisabled) {
    account.requirements.disabled_reason = "requirements.past_due"
    account.requirements.past_due = ["external_account"]
    account.requirements.currently_due = ["external_account"]
  }
  if (problems.requirementsDue) {
    const due = ["business_profile.url", "tos_acceptance.date"]
    account.requirements.currently_due = [...account.requirements.currently_due, ...due]
    account.requirements.eventually_due = [...account.requirements.currently_due]
    account.requirements.current_deadline = now + 3 * DAY
  }
  if (problems.deadlineInDays !== undefined) {
    account.future_requirements.currently_due = ["company.tax_id"]
    account.future_requirements.eventually_due = ["company.tax_id"]
    account.future_requirements.current_deadline = now + Math.round(problems.deadlineInDays * DAY)
  }

  for (const livemode of options.testMode ? [true, false] : [true]) {
    const products = new Map<string, ProductObject>()
    for (const plan of plans) {
      if (products.has(plan.product)) continue
      const p = product({
        name: plan.product,
        livemode,
        active: problems.archivedProduct !== plan.product,
        created: now - 90 * DAY
      })
      products.set(plan.product, p)
      state.products.push(p)
    }
    for (const plan of plans) {
      if (problems.missingPlan === plan.lookupKey) continue
      const copies = problems.duplicatePlan === plan.lookupKey ? 2 : 1
      for (let i = 0; i < copies; i++) {
        const created = price({
          product: products.get(plan.product)!.id,
          lookup_key: plan.lookupKey,
          livemode,
          active: problems.archivedPlan !== plan.lookupKey,
          currency: plan.currency,
          unit_amount: plan.amount + (problems.mismatchedPlan === plan.lookupKey ? 100 : 0),
          tax_behavior: problems.unspecifiedTaxBehavior ? "unspecified" : "exclusive",
          created: now - 60 * DAY + i,
          ...(plan.interval === "one_time"
            ? { type: "one_time" as const }
            : { recurring: { interval: plan.interval, interval_count: plan.intervalCount ?? 1 } })
        })
        state.prices.push(created)
        const owner = products.get(plan.product)!
        if (owner.default_price === null) owner.default_price = created.id
      }
    }
    state.webhookEndpoints.push(webhookEndpoint({
      url,
      livemode,
      status: problems.webhookDisabled ? "disabled" : "enabled",
      enabled_events: events.filter((e) => !(problems.webhookMissingEvents ?? []).includes(e)),
      api_version: problems.webhookApiVersion === undefined ? STRIPE_API_VERSION : problems.webhookApiVersion,
      created: now - 30 * DAY
    }))
    const portal = portalConfiguration({ livemode, created: now - 30 * DAY })
    if (problems.portalWithoutTerms) {
      ;(portal["business_profile"] as { terms_of_service_url: string | null }).terms_of_service_url = null
    }
    if (problems.portalFeatureDisabled) {
      ;(portal["features"] as Record<string, { enabled: boolean }>)[problems.portalFeatureDisabled]!.enabled = false
    }
    state.portalConfigurations.push(portal)
    events.forEach((type, i) => {
      state.events.push(event({ type, livemode, created: now - (i + 1) * 3_600 }))
    })
    for (let i = 0; i < (problems.failedDeliveries ?? 0); i++) {
      state.events.push(event({
        type: i % 2 === 0 ? "invoice.paid" : "customer.subscription.updated",
        livemode,
        pending_webhooks: 1,
        created: now - (i + 1) * 600
      }))
    }
  }
  state.taxSettings = problems.taxPending ? pendingTaxSettings(["head_office"]) : taxSettings()
}
