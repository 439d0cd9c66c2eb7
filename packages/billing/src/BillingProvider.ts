/**
 * The provider-neutral billing service every check is written against:
 * account status, the price catalog, webhook endpoints, delivery failures,
 * the customer portal and tax settings, in launchgate's own vocabulary.
 *
 * A provider implementation (Stripe is the first, see `Stripe.ts`) supplies a
 * {@link Backend}; {@link make} wraps it so that every read is made at most
 * once per run, however many checks ask for it. Adding a provider means
 * writing a backend, not touching the checks.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Request, RequestResolver } from "effect"
import type { BillingError } from "./BillingError.js"

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
  readonly testEvent: (options: { readonly id: string; readonly type: string; readonly createdSeconds: number }) => string
}

/** What a provider implementation supplies. Reads are plain; {@link make} adds the per-run sharing. */
export interface Backend {
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
  readonly account: Effect.Effect<AccountStatus, BillingError>
  /** Prices carrying each lookup key (active and inactive), with their products. */
  readonly pricesByLookupKeys: (
    lookupKeys: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyMap<string, ReadonlyArray<Price>>, BillingError>
  readonly webhookEndpoints: Effect.Effect<ReadonlyArray<WebhookEndpoint>, BillingError>
  /** Events created at or after `since` whose delivery has not succeeded. */
  readonly undeliveredEvents: (since: Date) => Effect.Effect<ReadonlyArray<UndeliveredEvent>, BillingError>
  readonly portalConfigurations: Effect.Effect<ReadonlyArray<PortalConfiguration>, BillingError>
  readonly taxSettings: Effect.Effect<TaxSettings, BillingError>
  readonly webhookSigner: WebhookSigner
}

/** The service checks use: a backend whose reads are shared within a run. */
export interface Service extends Backend {
  /** Prices for these lookup keys; keys already read in this run cost nothing. */
  readonly prices: (lookupKeys: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, ReadonlyArray<Price>>, BillingError>
}

/** The billing provider of the run. */
export class BillingProvider extends Context.Tag("@launchgate/billing/BillingProvider")<BillingProvider, Service>() {}

interface GetPrices extends Request.Request<ReadonlyArray<Price>, BillingError> {
  readonly _tag: "GetPrices"
  readonly lookupKey: string
}
const GetPrices = Request.tagged<GetPrices>("GetPrices")

/**
 * Wrap a backend so each read happens at most once while the service lives:
 * the account, endpoints, portal and tax settings are cached; events are
 * cached per window start; prices go through a batched `RequestResolver` with
 * a request cache, so concurrent checks asking for overlapping lookup keys
 * share one list call. Build it once per run (the runner builds `gate.layer`
 * once per run).
 */
export const make = (backend: Backend): Effect.Effect<Service> =>
  Effect.gen(function*() {
    const account = yield* Effect.cached(backend.account)
    const webhookEndpoints = yield* Effect.cached(backend.webhookEndpoints)
    const portalConfigurations = yield* Effect.cached(backend.portalConfigurations)
    const taxSettings = yield* Effect.cached(backend.taxSettings)
    const undelivered = yield* Effect.cachedFunction((sinceMillis: number) =>
      backend.undeliveredEvents(new Date(sinceMillis))
    )
    const resolver = RequestResolver.makeBatched((requests: ReadonlyArray<GetPrices>) => {
      const keys = [...new Set(requests.map((r) => r.lookupKey))]
      return backend.pricesByLookupKeys(keys).pipe(
        Effect.matchEffect({
          onFailure: (error) => Effect.forEach(requests, (r) => Request.fail(r, error), { discard: true }),
          onSuccess: (found) =>
            Effect.forEach(requests, (r) => Request.succeed(r, found.get(r.lookupKey) ?? []), { discard: true })
        })
      )
    })
    const cache = yield* Request.makeCache({ capacity: 10_000, timeToLive: "1 days" })
    const prices = (lookupKeys: ReadonlyArray<string>) =>
      Effect.forEach(lookupKeys, (lookupKey) => Effect.request(GetPrices({ lookupKey }), resolver), {
        batching: true
      }).pipe(
        Effect.map((lists) => new Map(lookupKeys.map((key, i) => [key, lists[i]!] as const))),
        Effect.withRequestCaching(true),
        Effect.withRequestCache(cache)
      )
    return {
      ...backend,
      account,
      webhookEndpoints,
      portalConfigurations,
      taxSettings,
      undeliveredEvents: (since: Date) => undelivered(since.getTime()),
      prices
    } satisfies Service
  })

/**
 * The service as a layer, from a backend (or an Effect building one, which
 * may fail with a configuration error).
 */
export const layer = <E, R>(backend: Backend | Effect.Effect<Backend, E, R>): Layer.Layer<BillingProvider, E, R> =>
  Layer.effect(
    BillingProvider,
    Effect.flatMap(Effect.isEffect(backend) ? backend : Effect.succeed(backend), make)
  )

/** Which mode an environment name implies: `production`, `prod` and `live` are live; anything else is test. */
export const modeOfEnvironment = (environment: string): Mode =>
  /^(prod|production|live)$/i.test(environment.trim()) ? "live" : "test"
