/**
 * `@launchgate/billing`: billing-readiness checks written against a
 * provider-neutral service, with Stripe as the first provider.
 *
 * @example
 * import * as Billing from "@launchgate/billing"
 * const layer = Billing.stripeLayer({ apiKey: Redacted.make(process.env.STRIPE_API_KEY!), environment: "production" })
 * const items = [{ check: Billing.Account.chargesEnabled(), tier: "launch-critical", owner: "payments" }]
 *
 * The Stripe emulator, object builders and a realistic seed are in
 * `@launchgate/billing/emulator`.
 *
 * @since 0.1.0
 */
import * as Stripe from "./Stripe.js"

export * as Account from "./Account.js"
export * as BillingError from "./BillingError.js"
export * as BillingProvider from "./BillingProvider.js"
export * as Catalog from "./Catalog.js"
export * as Key from "./Key.js"
export * as Portal from "./Portal.js"
export * as Stripe from "./Stripe.js"
export * as Tax from "./Tax.js"
export * as Webhook from "./Webhook.js"

/** The Stripe-backed billing provider (see `Stripe.layer`). */
export const stripeLayer: typeof Stripe.layer = Stripe.layer

/** The Stripe-backed billing provider with the key read from `STRIPE_API_KEY` (see `Stripe.layerConfig`). */
export const layerConfig: typeof Stripe.layerConfig = Stripe.layerConfig
