/**
 * `@launchgate/billing`: billing-readiness checks written against a
 * provider-neutral client (`BillingClient`), with Stripe as the first
 * provider (`BillingProvider.Provider`, implemented by `Stripe`).
 *
 * @example
 * import * as Billing from "@launchgate/billing"
 * const layer = Billing.layer({ apiKey: Redacted.make(process.env.STRIPE_API_KEY!), environment: "production" })
 * const items = [{ check: Billing.Account.chargesEnabled(), tier: "launch-critical", owner: "payments" }]
 *
 * The Stripe emulator, object builders and a realistic seed are in
 * `@launchgate/billing/emulator`.
 *
 * @since 0.1.0
 */
import { layer } from "./BillingClient.js"

export * as Account from "./Account.js"
export * as BillingClient from "./BillingClient.js"
export * as BillingError from "./BillingError.js"
export * as BillingProvider from "./BillingProvider.js"
export * as Catalog from "./Catalog.js"
export * as Key from "./Key.js"
export * as Portal from "./Portal.js"
export * as Stripe from "./Stripe.js"
export * as Tax from "./Tax.js"
export * as Webhook from "./Webhook.js"

/** The billing client layer on Stripe (`BillingClient.layer`), so `Billing.layer({ apiKey })` reads well. */
export { layer, layerConfig } from "./BillingClient.js"

/** @deprecated Use {@link layer} (renamed in 0.2.0 to the name every launchgate vendor package uses). */
export const stripeLayer: typeof layer = layer
