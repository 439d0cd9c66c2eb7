/**
 * The billing client every check reads through: a provider's reads (Stripe
 * is the first provider) declared as kinds of one per-run `ResourceStore`,
 * so a resource is read at most once per run however many checks ask for it,
 * in launchgate's provider-neutral vocabulary (`BillingProvider`).
 *
 * {@link layer} builds it on Stripe (the official SDK over core's
 * `HttpTransport`); {@link layerFromProvider} on any other {@link Provider}.
 *
 * @example
 * import * as Billing from "@launchgate/billing"
 * const layer = Billing.layer({ apiKey: Redacted.make(process.env.STRIPE_API_KEY!), environment: "production" })
 *
 * @since 0.2.0
 */
import { type HttpTransport, ResourceStore } from "@launchgate/core"
import { Config, Context, Effect, Layer, type Redacted } from "effect"
import { BillingError } from "./BillingError.js"
import type * as P from "./BillingProvider.js"
import { kinds } from "./internal/resources.js"
import * as Stripe from "./Stripe.js"

/** The provider-neutral reads checks use; each is shared by every check of the run. */
export interface Service {
  /** The provider's name, e.g. `stripe`. */
  readonly provider: string
  readonly key: P.KeyInfo
  /** The mode the launch expects (live for production). */
  readonly expectedMode: P.Mode
  /** The API version requests are made with. */
  readonly apiVersion: string
  /** The API versions the product's webhook handler supports, when the gate names them. */
  readonly webhookApiVersions?: ReadonlyArray<string> | undefined
  readonly webhookSigner: P.WebhookSigner
  readonly account: Effect.Effect<P.AccountStatus, BillingError>
  /** Prices by lookup key (active and archived); keys already read in this run cost nothing. */
  readonly prices: (
    lookupKeys: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyMap<string, ReadonlyArray<P.Price>>, BillingError>
  readonly webhookEndpoints: Effect.Effect<ReadonlyArray<P.WebhookEndpoint>, BillingError>
  /** Events created at or after `since` whose delivery has not succeeded. */
  readonly undeliveredEvents: (since: Date) => Effect.Effect<ReadonlyArray<P.UndeliveredEvent>, BillingError>
  readonly portalConfigurations: Effect.Effect<ReadonlyArray<P.PortalConfiguration>, BillingError>
  readonly taxSettings: Effect.Effect<P.TaxSettings, BillingError>
}

/** The billing client of the run. */
export class BillingClient extends Context.Tag("@launchgate/billing/BillingClient")<BillingClient, Service>() {}

const value = <A, E>(read: Effect.Effect<ResourceStore.Fetched<A>, E>): Effect.Effect<A, E> =>
  Effect.map(read, (fetched) => fetched.value)

/**
 * The client over a provider: one store per call, so build it once per run
 * (the runner builds `gate.layer` once per run).
 */
export const make = (provider: P.Provider): Effect.Effect<Service> =>
  Effect.gen(function*() {
    const store = yield* ResourceStore.make(kinds(provider))
    // Which batch (store scope) holds each lookup key. Set before the batch is read, so a check asking
    // for a key another check's batch holds waits for that read instead of asking again.
    const batchOf = new Map<string, string>()
    const prices = (lookupKeys: ReadonlyArray<string>) =>
      Effect.suspend(() => {
        const unread = [...new Set(lookupKeys.filter((k) => !batchOf.has(k)))].sort()
        const batch = JSON.stringify(unread)
        for (const k of unread) batchOf.set(k, batch)
        const batches = [...new Set(lookupKeys.map((k) => batchOf.get(k)!))]
        return Effect.forEach(batches, (scope) => value(store.list("price", "", { scope })), {
          concurrency: "unbounded"
        })
      }).pipe(Effect.map((lists) => {
        const found = new Map<string, Array<P.Price>>(lookupKeys.map((k) => [k, []]))
        for (const p of lists.flat()) if (p.lookupKey !== null) found.get(p.lookupKey)?.push(p)
        return found
      }))
    return {
      provider: provider.provider,
      key: provider.key,
      expectedMode: provider.expectedMode,
      apiVersion: provider.apiVersion,
      ...(provider.webhookApiVersions !== undefined ? { webhookApiVersions: provider.webhookApiVersions } : {}),
      webhookSigner: provider.webhookSigner,
      account: value(store.get("account", "current")),
      prices,
      webhookEndpoints: value(store.list("webhookEndpoint", "")),
      undeliveredEvents: (since) => value(store.list("undeliveredEvent", "", { scope: String(since.getTime()) })),
      portalConfigurations: value(store.list("portalConfiguration", "")),
      taxSettings: value(store.get("taxSettings", "current"))
    } satisfies Service
  })

/** The client over any provider (or an Effect building one, which may fail with a configuration error). */
export const layerFromProvider = <E, R>(
  provider: P.Provider | Effect.Effect<P.Provider, E, R>
): Layer.Layer<BillingClient, E, R> =>
  Layer.effect(BillingClient, Effect.flatMap(Effect.isEffect(provider) ? provider : Effect.succeed(provider), make))

/** Options of {@link layer}: Stripe's (`Stripe.Options`). */
export type Options = Stripe.Options

/**
 * The billing client for a run, backed by Stripe. Fails with a `config`
 * {@link BillingError} for a publishable or malformed key or a bad option.
 *
 * @example
 * Billing.layer({ apiKey: Redacted.make(process.env.STRIPE_API_KEY!), environment: "production" })
 */
export const layer = (options: Options): Layer.Layer<BillingClient, BillingError, HttpTransport.HttpTransport> =>
  layerFromProvider(Stripe.make(options))

/** Options of {@link layerConfig}: as {@link Options}, with the key read through `Config`. */
export interface ConfigOptions extends Omit<Options, "apiKey"> {
  /** Default `Config.redacted("STRIPE_API_KEY")`. */
  readonly apiKey?: Config.Config<Redacted.Redacted<string>> | undefined
}

/**
 * {@link layer} with the key read through Effect `Config` (by default the
 * `STRIPE_API_KEY` environment variable). A missing key is a `config`
 * {@link BillingError} naming the variable.
 */
export const layerConfig = (
  options: ConfigOptions = {}
): Layer.Layer<BillingClient, BillingError, HttpTransport.HttpTransport> => {
  const { apiKey: keyConfig, ...rest } = options
  const path = keyConfig === undefined ? "STRIPE_API_KEY" : "apiKey"
  return Layer.unwrapEffect(
    (keyConfig ?? Config.redacted("STRIPE_API_KEY")).pipe(
      Effect.mapError((error) =>
        new BillingError({
          vendor: "stripe",
          reason: "config",
          path,
          message: `the Stripe API key could not be read: ${String(error)}`,
          remediation: "Set STRIPE_API_KEY to a restricted read-only key (rk_live_…) of the account being launched."
        })
      ),
      Effect.map((apiKey) => layer({ ...rest, apiKey }))
    )
  )
}
