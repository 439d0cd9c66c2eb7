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
import { type HttpTransport, ResourceStore, VendorError } from "@launchgate/core"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
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

/** Read an optional variable: unset is `undefined` (the option's default), set but invalid is an error. */
const optional = <A>(config: Config.Config<A>): Config.Config<A | undefined> =>
  Config.map(Config.option(config), Option.getOrUndefined)

/**
 * What {@link layerConfig} reads by default: `STRIPE_API_KEY` (required), and `STRIPE_BASE_URL` and
 * `STRIPE_API_VERSION` when set. Spread it to add or replace keys.
 */
export const defaultConfig: Config.Config.Wrap<Options> = {
  apiKey: Config.redacted("STRIPE_API_KEY"),
  baseUrl: optional(Config.string("STRIPE_BASE_URL")),
  apiVersion: optional(Config.string("STRIPE_API_VERSION"))
}

/** What to do about a variable that is missing or invalid. */
const remediation = {
  STRIPE_API_KEY: "Set STRIPE_API_KEY to a restricted read-only key (rk_live_…) of the account being launched.",
  other: (path: string) => `Set ${path} (see the README's configuration keys), or pass the option to Billing.layer.`
} as const

/**
 * Every leaf of a ConfigError in this package's wording. The environment joins nested paths with `_`; Effect
 * redacts the message of a `Config.redacted` failure, so say only that the value is invalid.
 */
const configProblems = (error: ConfigError.ConfigError): ReadonlyArray<{ path: string; why: string }> =>
  VendorError.configProblems(error).map(({ message, path }) => ({
    path: path.split(".").join("_"),
    why: message === "is missing" ? "is not set" : message.includes("<redacted>") ? "is invalid" : message
  }))

/** One `config` {@link BillingError} per variable, all in the Cause, so the runner lists every one at once. */
const configFailure = (error: ConfigError.ConfigError): Cause.Cause<BillingError> => {
  const problems = configProblems(error)
  const paths = [...new Set(problems.map((p) => p.path))]
  const errors = paths.map((path) =>
    new BillingError({
      vendor: "stripe",
      reason: "config",
      path,
      message: `the Stripe client is not configured: ${path} ${problems.find((p) => p.path === path)!.why}`,
      remediation: path === "STRIPE_API_KEY" ? remediation.STRIPE_API_KEY : remediation.other(path)
    })
  )
  return errors.map(Cause.fail).reduce(Cause.parallel)
}

/**
 * {@link layer} with its options read through Effect `Config` (by default
 * {@link defaultConfig}: the `STRIPE_API_KEY` environment variable, and
 * `STRIPE_BASE_URL` / `STRIPE_API_VERSION` when set). The keys are read
 * together (`Config.all`), so every missing or invalid variable is reported
 * at once: one `config` {@link BillingError} per variable, naming it in
 * `path` (the runner lists them in `run.configurationErrors`).
 *
 * @example
 * Billing.layerConfig()
 * Billing.layerConfig({ ...BillingClient.defaultConfig, environment: Config.succeed("staging") })
 */
export const layerConfig = (
  config: Config.Config<Options> | Config.Config.Wrap<Options> = defaultConfig
): Layer.Layer<BillingClient, BillingError, HttpTransport.HttpTransport> =>
  // Layer.effect, not Layer.unwrapEffect: the latter keeps only the first failure of a parallel Cause.
  Layer.effect(
    BillingClient,
    // `Config.unwrap` reads a record of Configs with `Config.all`, which collects every failure.
    Config.unwrap(config).pipe(
      Effect.catchAll((error) => Effect.failCause(configFailure(error))),
      Effect.flatMap(Stripe.make),
      Effect.flatMap(make)
    )
  )
