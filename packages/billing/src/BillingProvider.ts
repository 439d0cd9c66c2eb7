/**
 * The provider-neutral vocabulary every billing check is written in
 * (account status, the price catalog, webhook endpoints, delivery failures,
 * the customer portal and tax settings) and the {@link Provider} interface a
 * billing provider implements. Stripe is the first (`Stripe.make`);
 * `BillingClient.make` turns a provider into the service checks use. Adding a
 * provider means writing a {@link Provider}, not touching the checks.
 *
 * @since 0.1.0
 */
import type { ResourceStore } from "@launchgate/core"
import type * as Effect from "effect/Effect"
import type { BillingError } from "./BillingError.js"

type Fetched<A> = ResourceStore.Fetched<A>

/** Live or test data. */
export type Mode = "live" | "test"

/** What the API key is, read from its shape (never from the network). */
export interface KeyInfo {
  readonly mode: Mode
  /** `secret`: full access. `restricted`: only the permissions it was given. */
  readonly kind: "secret" | "restricted"
  /** The key's non-secret prefix, e.g. `rk_live`. */
  readonly prefix: string
}

/** Outstanding verification requirements of the account. */
export interface Requirements {
  readonly currentlyDue: ReadonlyArray<string>
  readonly pastDue: ReadonlyArray<string>
  readonly eventuallyDue: ReadonlyArray<string>
  readonly disabledReason: string | null
  /** When `currentlyDue` must be satisfied, or null. */
  readonly currentDeadline: Date | null
}

/** Whether the account can take and pay out money. */
export interface AccountStatus {
  readonly id: string
  readonly chargesEnabled: boolean
  readonly payoutsEnabled: boolean
  readonly detailsSubmitted: boolean
  readonly requirements: Requirements
  /** Requirements that will apply later (new regulations, thresholds). */
  readonly futureRequirements: Requirements
  readonly country: string | null
  readonly defaultCurrency: string | null
}

/** Recurring interval of a price, or `one_time`. */
export type Interval = "day" | "week" | "month" | "year" | "one_time"

/** A price of the catalog, with its product. */
export interface Price {
  readonly id: string
  readonly lookupKey: string | null
  readonly active: boolean
  readonly livemode: boolean
  /** Lower-case ISO currency code. */
  readonly currency: string
  /** Amount in the currency's minor unit (cents); null for tiered or custom prices. */
  readonly unitAmount: number | null
  readonly interval: Interval
  /** 1 for one-time prices. */
  readonly intervalCount: number
  /** `unspecified` means tax behaviour was never chosen. */
  readonly taxBehavior: "inclusive" | "exclusive" | "unspecified"
  readonly product: {
    readonly id: string
    readonly name: string
    readonly active: boolean
  }
}

/** A webhook endpoint registered with the provider. */
export interface WebhookEndpoint {
  readonly id: string
  readonly url: string
  readonly enabled: boolean
  /** Subscribed event types; `*` means all. */
  readonly enabledEvents: ReadonlyArray<string>
  /** The API version events are rendered with; null means the account default. */
  readonly apiVersion: string | null
  readonly livemode: boolean
}

/** An event not (yet) delivered to every endpoint. */
export interface UndeliveredEvent {
  readonly id: string
  readonly type: string
  readonly created: Date
  readonly livemode: boolean
  /** Endpoints still waiting for a successful delivery. */
  readonly pendingWebhooks: number
}

/** Customer portal features launchgate knows about. */
export type PortalFeature =
  | "customer_update"
  | "invoice_history"
  | "payment_method_update"
  | "subscription_cancel"
  | "subscription_update"

/** A customer (self-service) portal configuration. */
export interface PortalConfiguration {
  readonly id: string
  readonly active: boolean
  readonly isDefault: boolean
  readonly livemode: boolean
  readonly termsOfServiceUrl: string | null
  readonly privacyPolicyUrl: string | null
  readonly features: Readonly<Record<PortalFeature, boolean>>
}

/** Automatic tax settings. */
export interface TaxSettings {
  readonly status: "active" | "pending"
  readonly livemode: boolean
  /** Fields still needed before tax can be collected (when pending). */
  readonly missingFields: ReadonlyArray<string>
}

/** How to sign webhook payloads the way the provider does (for the receiver check). */
export interface WebhookSigner {
  /** The request header carrying the signature, lower case. */
  readonly header: string
  /** The receiver's expected timestamp tolerance, in seconds. */
  readonly toleranceSeconds: number
  /** A signature header for `payload`, signed with every secret (key rotation sends several). */
  readonly sign: (payload: string, secrets: ReadonlyArray<string>, timestampSeconds: number) => string
  /** A test event payload in the provider's event shape. */
  readonly testEvent: (
    options: { readonly id: string; readonly type: string; readonly createdSeconds: number }
  ) => string
}

/**
 * What a provider implementation supplies (Stripe is the first, `Stripe.make`). Reads are plain and
 * report what they cost (`ResourceStore.Fetched`); `BillingClient.make` declares them as resource kinds
 * of one per-run store, so each is made at most once per run however many checks ask.
 */
export interface Provider {
  /** The provider's name, e.g. `stripe`. */
  readonly provider: string
  readonly key: KeyInfo
  /** The mode the launch expects (live for production). */
  readonly expectedMode: Mode
  /** The API version requests are made with (the pinned version). */
  readonly apiVersion: string
  /**
   * The API versions the product's webhook handler supports, when the gate names them. Absent: the
   * endpoint's version is reported, not judged (an endpoint keeps the version it was created with).
   */
  readonly webhookApiVersions?: ReadonlyArray<string> | undefined
  readonly account: Effect.Effect<Fetched<AccountStatus>, BillingError>
  /** Prices carrying any of these lookup keys (active, and inactive for keys without an active one), with products. */
  readonly pricesByLookupKeys: (
    lookupKeys: ReadonlyArray<string>
  ) => Effect.Effect<Fetched<ReadonlyArray<Price>>, BillingError>
  readonly webhookEndpoints: Effect.Effect<Fetched<ReadonlyArray<WebhookEndpoint>>, BillingError>
  /** Events created at or after `since` whose delivery has not succeeded. */
  readonly undeliveredEvents: (since: Date) => Effect.Effect<Fetched<ReadonlyArray<UndeliveredEvent>>, BillingError>
  readonly portalConfigurations: Effect.Effect<Fetched<ReadonlyArray<PortalConfiguration>>, BillingError>
  readonly taxSettings: Effect.Effect<Fetched<TaxSettings>, BillingError>
  readonly webhookSigner: WebhookSigner
}

/** Which mode an environment name implies: `production`, `prod` and `live` are live; anything else is test. */
export const modeOfEnvironment = (environment: string): Mode =>
  /^(prod|production|live)$/i.test(environment.trim()) ? "live" : "test"
