/**
 * Builders for Stripe-shaped objects: the fields, types and id prefixes of
 * the real API (see the contract test), with realistic defaults. Pass a deep
 * partial to change any field; arrays are replaced, objects merged.
 *
 * @example
 * price({ lookup_key: "pro_monthly", unit_amount: 2900, product: product({ name: "Pro" }).id })
 *
 * @since 0.1.0
 */
import { randomBytes } from "node:crypto"
import { STRIPE_API_VERSION } from "../internal/apiVersion.js"

/** A JSON object as Stripe serves it. */
export type StripeObject = { [key: string]: unknown }

/** A deep partial, for overrides. */
export type Overrides<T> = {
  [K in keyof T]?: T[K] extends ReadonlyArray<unknown> ? T[K] : T[K] extends object ? Overrides<T[K]> | null : T[K]
}

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/** A Stripe-style id: `prefix_` then random alphanumerics (24 by default). */
export const id = (prefix: string, length = 24): string => {
  const bytes = randomBytes(length)
  let out = ""
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length]
  return `${prefix}_${out}`
}

/** Seconds since the epoch. */
export const unix = (date: Date = new Date()): number => Math.floor(date.getTime() / 1000)

const isPlainObject = (u: unknown): u is StripeObject =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** Merge `patch` into `base`: objects recursively, everything else (arrays, null) replaced. */
export const merge = <T extends StripeObject>(base: T, patch: object | undefined): T => {
  if (patch === undefined) return base
  const out: StripeObject = { ...base }
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue
    const current = out[key]
    out[key] = isPlainObject(value) && isPlainObject(current) ? merge(current, value) : value
  }
  return out as T
}

/** Verification requirements (`requirements` / `future_requirements`). */
export interface RequirementsObject extends StripeObject {
  alternatives: Array<unknown>
  current_deadline: number | null
  currently_due: Array<string>
  disabled_reason: string | null
  errors: Array<unknown>
  eventually_due: Array<string>
  past_due: Array<string>
  pending_verification: Array<string>
}

export interface AccountObject extends StripeObject {
  id: string
  object: "account"
  charges_enabled: boolean
  payouts_enabled: boolean
  details_submitted: boolean
  requirements: RequirementsObject
  future_requirements: RequirementsObject
}

export interface ProductObject extends StripeObject {
  id: string
  object: "product"
  active: boolean
  name: string
  livemode: boolean
  created: number
}

export interface PriceObject extends StripeObject {
  id: string
  object: "price"
  active: boolean
  currency: string
  livemode: boolean
  lookup_key: string | null
  product: string
  type: "one_time" | "recurring"
  created: number
  unit_amount: number | null
  recurring: { interval: string; interval_count: number; [key: string]: unknown } | null
  tax_behavior: string | null
}

export interface WebhookEndpointObject extends StripeObject {
  id: string
  object: "webhook_endpoint"
  url: string
  status: string
  enabled_events: Array<string>
  api_version: string | null
  livemode: boolean
  created: number
}

export interface EventObject extends StripeObject {
  id: string
  object: "event"
  type: string
  created: number
  livemode: boolean
  /** Endpoints still waiting for a successful delivery: `delivery_success=false` lists events where this is > 0. */
  pending_webhooks: number
}

export interface PortalConfigurationObject extends StripeObject {
  id: string
  object: "billing_portal.configuration"
  active: boolean
  is_default: boolean
  livemode: boolean
  created: number
}

export interface TaxSettingsObject extends StripeObject {
  object: "tax.settings"
  status: string
  livemode: boolean
}

/** A fresh address object per use (tests mutate the objects they seed). */
const address = () => ({
  city: "San Francisco",
  country: "US",
  line1: "1 Market St",
  line2: null,
  postal_code: "94105",
  state: "CA"
})

const requirements = (): RequirementsObject => ({
  alternatives: [],
  current_deadline: null,
  currently_due: [],
  disabled_reason: null,
  errors: [],
  eventually_due: [],
  past_due: [],
  pending_verification: []
})

/** The account of the key: by default a US account that can take charges and pay out. */
export const account = (overrides?: Overrides<AccountObject>): AccountObject => {
  const accountId = id("acct", 16)
  return merge<AccountObject>({
    business_profile: {
      annual_revenue: { amount: null, currency: null, fiscal_year_end: null },
      estimated_worker_count: null,
      mcc: "5734",
      name: "Acme SaaS",
      product_description: "Project management software sold by subscription",
      support_address: address(),
      support_email: "support@acme.example",
      support_phone: "+14155550100",
      support_url: "https://acme.example/support",
      url: "https://acme.example",
      minority_owned_business_designation: null
    },
    business_type: "company",
    capabilities: { card_payments: "active", transfers: "active" },
    charges_enabled: true,
    controller: { type: "account" },
    country: "US",
    created: unix(new Date("2024-01-15T00:00:00Z")),
    default_currency: "usd",
    details_submitted: true,
    email: "billing@acme.example",
    external_accounts: {
      data: [],
      has_more: false,
      object: "list",
      url: `/v1/accounts/${accountId}/external_accounts`
    },
    future_requirements: requirements(),
    id: accountId,
    metadata: {},
    object: "account",
    payouts_enabled: true,
    requirements: requirements(),
    settings: {
      bacs_debit_payments: { display_name: null, service_user_number: null },
      branding: { icon: null, logo: null, primary_color: null, secondary_color: null },
      card_issuing: { tos_acceptance: { date: null, ip: null } },
      card_payments: {
        decline_on: { avs_failure: true, cvc_failure: true },
        statement_descriptor_prefix: "ACME",
        statement_descriptor_prefix_kana: null,
        statement_descriptor_prefix_kanji: null
      },
      dashboard: { display_name: "Acme", timezone: "Etc/UTC" },
      invoices: { default_account_tax_ids: null, hosted_payment_method_save: "offer" },
      payments: {
        statement_descriptor: "ACME SAAS",
        statement_descriptor_kana: null,
        statement_descriptor_kanji: null,
        statement_descriptor_prefix_kana: null,
        statement_descriptor_prefix_kanji: null
      },
      payouts: {
        debit_negative_balances: true,
        schedule: { delay_days: 2, interval: "daily" },
        statement_descriptor: null
      },
      sepa_debit_payments: {}
    },
    tos_acceptance: { date: unix(new Date("2024-01-15T00:00:00Z")), ip: "203.0.113.7", user_agent: "Mozilla/5.0" },
    type: "standard"
  }, overrides)
}

/** A product; active, live mode. */
export const product = (overrides?: Overrides<ProductObject>): ProductObject => {
  const created = unix()
  return merge<ProductObject>({
    active: true,
    created,
    default_price: null,
    description: "Project management for growing teams",
    id: id("prod", 14),
    images: [],
    livemode: true,
    marketing_features: [],
    metadata: {},
    name: "Pro",
    object: "product",
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    unit_label: null,
    updated: created,
    url: null,
    type: "service"
  }, overrides)
}

/** A recurring monthly price of 20.00 USD; active, live mode, tax behaviour exclusive. Set `product`. */
export const price = (overrides?: Overrides<PriceObject>): PriceObject => {
  const base = merge<PriceObject>({
    active: true,
    billing_scheme: "per_unit",
    created: unix(),
    currency: "usd",
    custom_unit_amount: null,
    id: id("price"),
    livemode: true,
    lookup_key: null,
    metadata: {},
    nickname: null,
    object: "price",
    product: "",
    recurring: { interval: "month", interval_count: 1, meter: null, usage_type: "licensed", trial_period_days: null },
    tax_behavior: "exclusive",
    tiers_mode: null,
    transform_quantity: null,
    type: "recurring",
    unit_amount: 2000,
    unit_amount_decimal: "2000"
  }, overrides)
  // Keep the decimal mirror and the one-time shape consistent with what was overridden.
  return {
    ...base,
    unit_amount_decimal: base.unit_amount === null ? null : String(base.unit_amount),
    ...(base.type === "one_time" ? { recurring: null } : {})
  }
}

/** An enabled live webhook endpoint pinned to the API version launchgate targets. */
export const webhookEndpoint = (overrides?: Overrides<WebhookEndpointObject>): WebhookEndpointObject =>
  merge<WebhookEndpointObject>({
    api_version: STRIPE_API_VERSION,
    application: null,
    created: unix(),
    description: "Billing events for the product",
    enabled_events: ["*"],
    id: id("we"),
    livemode: true,
    metadata: {},
    object: "webhook_endpoint",
    status: "enabled",
    url: "https://acme.example/webhooks/stripe"
  }, overrides)

/** A delivered live event (`pending_webhooks: 0`); set `pending_webhooks` > 0 for one not yet delivered. */
export const event = (overrides?: Overrides<EventObject>): EventObject =>
  merge<EventObject>({
    api_version: STRIPE_API_VERSION,
    created: unix(),
    data: { object: { id: id("in"), object: "invoice", status: "paid" } },
    id: id("evt"),
    livemode: true,
    object: "event",
    pending_webhooks: 0,
    request: { id: null, idempotency_key: null },
    type: "invoice.paid"
  }, overrides)

/** The default, active customer portal configuration with terms and privacy URLs and the usual features on. */
export const portalConfiguration = (overrides?: Overrides<PortalConfigurationObject>): PortalConfigurationObject => {
  const created = unix()
  return merge<PortalConfigurationObject>({
    active: true,
    application: null,
    business_profile: {
      headline: null,
      privacy_policy_url: "https://acme.example/privacy",
      terms_of_service_url: "https://acme.example/terms"
    },
    created,
    default_return_url: "https://acme.example/account",
    features: {
      customer_update: { allowed_updates: ["email", "address", "tax_id"], enabled: true },
      invoice_history: { enabled: true },
      payment_method_update: { enabled: true, payment_method_configuration: null },
      subscription_cancel: {
        cancellation_reason: { enabled: true, options: ["too_expensive", "missing_features", "other"] },
        enabled: true,
        mode: "at_period_end",
        proration_behavior: "none"
      },
      subscription_update: {
        default_allowed_updates: ["price"],
        enabled: true,
        proration_behavior: "create_prorations",
        schedule_at_period_end: { conditions: [{ type: "decreasing_item_amount" }] },
        trial_update_behavior: "end_trial",
        billing_cycle_anchor: null
      }
    },
    id: id("bpc"),
    is_default: true,
    livemode: true,
    login_page: { enabled: false, url: null },
    metadata: {},
    object: "billing_portal.configuration",
    updated: created,
    name: null
  }, overrides)
}

/** Active tax settings (the emulator serves `livemode` from the key's mode). */
export const taxSettings = (overrides?: Overrides<TaxSettingsObject>): TaxSettingsObject =>
  merge<TaxSettingsObject>({
    defaults: { tax_behavior: "exclusive", tax_code: "txcd_10103001", provider: "stripe" },
    head_office: {
      address: address()
    },
    livemode: true,
    object: "tax.settings",
    status: "active",
    status_details: { active: {} }
  }, overrides)

/** Tax settings still missing information (`status: pending`). */
export const pendingTaxSettings = (missingFields: ReadonlyArray<string> = ["head_office"]): TaxSettingsObject => {
  const settings = taxSettings({ status: "pending" })
  return { ...settings, head_office: null, status_details: { pending: { missing_fields: [...missingFields] } } }
}
