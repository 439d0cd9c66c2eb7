/**
 * Schemas of the Stripe objects launchgate reads, and their mapping to the
 * provider-neutral models. Only the fields the checks use are declared;
 * enums Stripe may extend are literals, so an unknown value is a decode
 * error (an `error` outcome), never a guess.
 *
 * @internal
 */
import * as Schema from "effect/Schema"
import type * as BillingProvider from "../BillingProvider.js"

const StringList = Schema.NullOr(Schema.Array(Schema.String))

const Requirements = Schema.Struct({
  currently_due: StringList,
  past_due: StringList,
  eventually_due: StringList,
  disabled_reason: Schema.NullOr(Schema.String),
  current_deadline: Schema.NullOr(Schema.Number)
})

export const Account = Schema.Struct({
  id: Schema.String,
  object: Schema.Literal("account"),
  charges_enabled: Schema.Boolean,
  payouts_enabled: Schema.Boolean,
  details_submitted: Schema.Boolean,
  requirements: Schema.optional(Schema.NullOr(Requirements)),
  future_requirements: Schema.optional(Schema.NullOr(Requirements)),
  country: Schema.optional(Schema.NullOr(Schema.String)),
  default_currency: Schema.optional(Schema.NullOr(Schema.String))
})

const Product = Schema.Struct({
  id: Schema.String,
  object: Schema.Literal("product"),
  name: Schema.String,
  active: Schema.Boolean,
  livemode: Schema.Boolean
}).annotations({
  message: () => "expected an expanded product object (request it with expand[]=data.product)"
})

export const Price = Schema.Struct({
  id: Schema.String,
  object: Schema.Literal("price"),
  active: Schema.Boolean,
  livemode: Schema.Boolean,
  currency: Schema.String,
  unit_amount: Schema.NullOr(Schema.Number),
  lookup_key: Schema.NullOr(Schema.String),
  type: Schema.Literal("one_time", "recurring"),
  recurring: Schema.NullOr(Schema.Struct({
    interval: Schema.Literal("day", "week", "month", "year"),
    interval_count: Schema.Number
  })),
  tax_behavior: Schema.NullOr(Schema.Literal("inclusive", "exclusive", "unspecified")),
  product: Product
})

export const WebhookEndpoint = Schema.Struct({
  id: Schema.String,
  object: Schema.Literal("webhook_endpoint"),
  url: Schema.String,
  status: Schema.Literal("enabled", "disabled"),
  enabled_events: Schema.Array(Schema.String),
  api_version: Schema.NullOr(Schema.String),
  livemode: Schema.Boolean
})

export const Event = Schema.Struct({
  id: Schema.String,
  object: Schema.Literal("event"),
  type: Schema.String,
  created: Schema.Number,
  livemode: Schema.Boolean,
  pending_webhooks: Schema.Number
})

const Enabled = Schema.Struct({ enabled: Schema.Boolean })

export const PortalConfiguration = Schema.Struct({
  id: Schema.String,
  object: Schema.Literal("billing_portal.configuration"),
  active: Schema.Boolean,
  is_default: Schema.Boolean,
  livemode: Schema.Boolean,
  business_profile: Schema.Struct({
    privacy_policy_url: Schema.NullOr(Schema.String),
    terms_of_service_url: Schema.NullOr(Schema.String)
  }),
  features: Schema.Struct({
    customer_update: Enabled,
    invoice_history: Enabled,
    payment_method_update: Enabled,
    subscription_cancel: Enabled,
    subscription_update: Enabled
  })
})

export const TaxSettings = Schema.Struct({
  object: Schema.Literal("tax.settings"),
  livemode: Schema.Boolean,
  status: Schema.Literal("active", "pending"),
  status_details: Schema.Struct({
    pending: Schema.optional(Schema.NullOr(Schema.Struct({ missing_fields: StringList })))
  })
})

/** Stripe's list envelope around items of `item`. */
export const List = <A, I>(item: Schema.Schema<A, I>) =>
  Schema.Struct({
    object: Schema.Literal("list"),
    data: Schema.Array(item),
    has_more: Schema.Boolean
  })

const date = (seconds: number | null): Date | null => (seconds === null ? null : new Date(seconds * 1000))

const requirements = (r: typeof Requirements.Type | null | undefined): BillingProvider.Requirements => ({
  currentlyDue: r?.currently_due ?? [],
  pastDue: r?.past_due ?? [],
  eventuallyDue: r?.eventually_due ?? [],
  disabledReason: r?.disabled_reason ?? null,
  currentDeadline: date(r?.current_deadline ?? null)
})

export const toAccount = (a: typeof Account.Type): BillingProvider.AccountStatus => ({
  id: a.id,
  chargesEnabled: a.charges_enabled,
  payoutsEnabled: a.payouts_enabled,
  detailsSubmitted: a.details_submitted,
  requirements: requirements(a.requirements),
  futureRequirements: requirements(a.future_requirements),
  country: a.country ?? null,
  defaultCurrency: a.default_currency ?? null
})

export const toPrice = (p: typeof Price.Type): BillingProvider.Price => ({
  id: p.id,
  lookupKey: p.lookup_key,
  active: p.active,
  livemode: p.livemode,
  currency: p.currency.toLowerCase(),
  unitAmount: p.unit_amount,
  interval: p.type === "one_time" || p.recurring === null ? "one_time" : p.recurring.interval,
  intervalCount: p.recurring?.interval_count ?? 1,
  taxBehavior: p.tax_behavior ?? "unspecified",
  product: { id: p.product.id, name: p.product.name, active: p.product.active }
})

export const toWebhookEndpoint = (w: typeof WebhookEndpoint.Type): BillingProvider.WebhookEndpoint => ({
  id: w.id,
  url: w.url,
  enabled: w.status === "enabled",
  enabledEvents: w.enabled_events,
  apiVersion: w.api_version,
  livemode: w.livemode
})

export const toUndeliveredEvent = (e: typeof Event.Type): BillingProvider.UndeliveredEvent => ({
  id: e.id,
  type: e.type,
  created: new Date(e.created * 1000),
  livemode: e.livemode,
  pendingWebhooks: e.pending_webhooks
})

export const toPortalConfiguration = (c: typeof PortalConfiguration.Type): BillingProvider.PortalConfiguration => ({
  id: c.id,
  active: c.active,
  isDefault: c.is_default,
  livemode: c.livemode,
  termsOfServiceUrl: c.business_profile.terms_of_service_url,
  privacyPolicyUrl: c.business_profile.privacy_policy_url,
  features: {
    customer_update: c.features.customer_update.enabled,
    invoice_history: c.features.invoice_history.enabled,
    payment_method_update: c.features.payment_method_update.enabled,
    subscription_cancel: c.features.subscription_cancel.enabled,
    subscription_update: c.features.subscription_update.enabled
  }
})

export const toTaxSettings = (t: typeof TaxSettings.Type): BillingProvider.TaxSettings => ({
  status: t.status,
  livemode: t.livemode,
  missingFields: t.status_details.pending?.missing_fields ?? []
})
