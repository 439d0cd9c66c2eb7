/**
 * The Stripe implementation of {@link BillingProvider.BillingProvider}, built
 * on the official `stripe` SDK, whose HTTP goes through core's
 * `HttpTransport` (so the gate's proxy, CA, insecure origins and body cap
 * apply to Stripe too). Point it at the emulator with `host`/`port`/`protocol`.
 *
 * The key is `Redacted` and registered with `Redaction` the moment the
 * provider receives it. Its mode comes from its prefix (`sk_live_`,
 * `rk_live_`, `sk_test_`, `rk_test_`; a publishable `pk_` key is rejected)
 * and is cross-checked against `livemode` on every object read. The API
 * version is pinned ({@link apiVersion}) and overridable. Retries live in one
 * place, the transport's schedule (capped exponential backoff with jitter;
 * 409, 429 and 5xx per Stripe's rule; `Stripe-Should-Retry` obeyed;
 * `Retry-After` honoured when it fits in the read's `timeout`); the SDK's
 * own retries are turned off so the two never stack.
 *
 * @since 0.1.0
 */
import { Gate, HttpTransport, Redaction } from "@launchgate/core"
import { Config, Duration, Effect, Either, Layer, Option, Redacted } from "effect"
import StripeSdk from "stripe"
import { BillingError } from "./BillingError.js"
import * as BillingProvider from "./BillingProvider.js"
import { STRIPE_API_VERSION } from "./internal/apiVersion.js"
import { call, crossCheckMode, decode, listAll } from "./internal/stripeClient.js"
import { makeFetch, type Policy } from "./internal/stripeTransport.js"
import * as S from "./internal/stripeSchemas.js"

/** The Stripe API version launchgate pins by default (the one `stripe@23.1` targets). */
export const apiVersion: string = STRIPE_API_VERSION

/** Options of {@link make} / {@link layer}. */
export interface Options {
  /** A restricted read-only key (`rk_live_…`) is recommended; a full secret key works but is reported. */
  readonly apiKey: Redacted.Redacted<string>
  /** Stripe API version for every request. Default {@link apiVersion}. */
  readonly apiVersion?: string | undefined
  /** API host (the emulator: `127.0.0.1`). Default `api.stripe.com`. */
  readonly host?: string | undefined
  readonly port?: number | string | undefined
  readonly protocol?: "http" | "https" | undefined
  /** Retries after the first attempt, for 429, 409, 5xx and connection errors. Default 2. */
  readonly maxNetworkRetries?: number | undefined
  /** First backoff delay (doubles, with jitter). Default 500 ms. */
  readonly retryBaseDelay?: Duration.DurationInput | undefined
  /** Cap on one backoff delay. Default 8 seconds. (`Retry-After` is bounded by `timeout` instead.) */
  readonly retryMaxDelay?: Duration.DurationInput | undefined
  /**
   * Bound on one read, every attempt and `Retry-After` wait included. Default 20 seconds. Keep it under the
   * check's timeout (the runner's default is 30 seconds): a `Retry-After` longer than what remains is reported
   * as an `error` at once instead of waited for.
   */
  readonly timeout?: Duration.DurationInput | undefined
  /** The mode the launch expects. Default: from `environment` (or the gate's), else `live` (fail closed). */
  readonly expectedMode?: BillingProvider.Mode | undefined
  /**
   * The gate's environment: `production`/`prod`/`live` expect live data, anything else test data.
   * Default: the environment of the gate being run (`Gate.RunContext`).
   */
  readonly environment?: string | undefined
  /** The API version the product's webhook handler is written for. Default: `apiVersion`. */
  readonly webhookApiVersion?: string | undefined
}

const configError = (path: string, message: string, remediation: string) =>
  new BillingError({ reason: "Config", provider: "stripe", path, message, remediation })

/**
 * Read a key's mode and kind from its prefix. Publishable keys and unknown
 * shapes are configuration errors.
 *
 * @example
 * Stripe.parseKey("rk_live_abc123") // Right({ mode: "live", kind: "restricted", prefix: "rk_live" })
 */
export const parseKey = (key: string): Either.Either<BillingProvider.KeyInfo, BillingError> => {
  const trimmed = key.trim()
  if (/^pk_(live|test)_/.test(trimmed)) {
    return Either.left(configError(
      "apiKey",
      "a publishable key (pk_…) cannot read account settings: it is meant for browsers",
      "Use a restricted read-only key (rk_live_…) created in Dashboard → Developers → API keys."
    ))
  }
  const match = /^(sk|rk)_(live|test)_[A-Za-z0-9]+$/.exec(trimmed)
  if (!match) {
    return Either.left(configError(
      "apiKey",
      trimmed.length === 0
        ? "the Stripe API key is empty"
        : `the Stripe API key does not look like a secret or restricted key (expected sk_live_, rk_live_, sk_test_ or rk_test_, got ${trimmed.slice(0, 3)}…)`,
      "Set STRIPE_API_KEY (or the apiKey option) to a restricted key rk_live_… of the account being launched."
    ))
  }
  const [, kind, mode] = match
  return Either.right({
    kind: kind === "sk" ? "secret" : "restricted",
    mode: mode as BillingProvider.Mode,
    prefix: `${kind}_${mode}`
  })
}

/** The webhook signer Stripe uses: `t=<unix>,v1=<hmac>[,v1=<hmac>…]`, signed with `stripe.webhooks`. */
export const webhookSigner = (version: string, livemode: boolean): BillingProvider.WebhookSigner => ({
  header: "stripe-signature",
  toleranceSeconds: StripeSdk.webhooks.DEFAULT_TOLERANCE,
  sign: (payload, secrets, timestampSeconds) => {
    const signatures = secrets.map((secret) =>
      StripeSdk.webhooks.generateTestHeaderString({ payload, secret, timestamp: timestampSeconds })
        .split(",")
        .filter((part) => part.startsWith("v1="))
    )
    return [`t=${timestampSeconds}`, ...signatures.flat()].join(",")
  },
  testEvent: ({ createdSeconds, id, type }) =>
    JSON.stringify({
      id,
      object: "event",
      api_version: version,
      created: createdSeconds,
      data: { object: { id: `${id}_object`, object: "launchgate_test", note: "sent by launchgate to test signature checks" } },
      livemode,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type
    })
})

const LOOKUP_KEYS_PER_REQUEST = 10

const chunks = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

const page = (startingAfter: string | undefined) =>
  ({ limit: 100, ...(startingAfter !== undefined ? { starting_after: startingAfter } : {}) }) as const

/**
 * Build the Stripe backend. Fails with a `Config` {@link BillingError} when
 * the key is publishable or malformed, or an option is invalid. Registers the
 * key with `Redaction`.
 */
export const make = (
  options: Options
): Effect.Effect<BillingProvider.Backend, BillingError, HttpTransport.HttpTransport> =>
  Effect.gen(function*() {
    Redaction.register(options.apiKey)
    const key = yield* parseKey(Redacted.value(options.apiKey))
    const maxRetries = options.maxNetworkRetries ?? 2
    if (!Number.isInteger(maxRetries) || maxRetries < 0) {
      return yield* Effect.fail(configError(
        "maxNetworkRetries",
        `maxNetworkRetries must be a non-negative integer, got ${maxRetries}`,
        "Use 0 to disable retries, or a small number such as 2."
      ))
    }
    const policy: Policy = {
      maxRetries,
      baseDelay: Duration.decode(options.retryBaseDelay ?? "500 millis"),
      maxDelay: Duration.decode(options.retryMaxDelay ?? "8 seconds"),
      budget: Duration.decode(options.timeout ?? "20 seconds")
    }
    const transport = yield* HttpTransport.HttpTransport
    const version = options.apiVersion ?? apiVersion
    // No key in the constructor: the authenticator unwraps it only when the header is written.
    const client = new StripeSdk("", {
      authenticator: (request) => {
        request.headers["Authorization"] = `Bearer ${Redacted.value(options.apiKey)}`
        return Promise.resolve()
      },
      apiVersion: version as StripeSdk.LatestApiVersion,
      // Retries live in one place (the transport's schedule); the SDK's would stack on top.
      maxNetworkRetries: 0,
      // A backstop only: the transport's fetch ends the read at `timeout` with a clearer error.
      timeout: Duration.toMillis(policy.budget) + 5_000,
      telemetry: false,
      httpClient: StripeSdk.createFetchHttpClient(makeFetch(transport, policy) as typeof fetch),
      appInfo: { name: "launchgate" },
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.protocol !== undefined ? { protocol: options.protocol } : {})
    })
    const live = key.mode === "live"
    // The gate's own environment (provided by the runner) counts when the options do not say.
    const runContext = yield* Effect.serviceOption(Gate.RunContext)
    const environment = options.environment ??
      (Option.isSome(runContext) ? runContext.value.environment : undefined)
    const expectedMode = options.expectedMode ??
      (environment !== undefined ? BillingProvider.modeOfEnvironment(environment) : "live")

    const account = call("GET /v1/account", () => client.accounts.retrieveCurrent()).pipe(
      Effect.flatMap(decode(S.Account, "GET /v1/account")),
      Effect.map(S.toAccount)
    )

    const listPrices = (lookupKeys: ReadonlyArray<string>, active: boolean) =>
      Effect.forEach(chunks(lookupKeys, LOOKUP_KEYS_PER_REQUEST), (chunk) =>
        listAll("GET /v1/prices", S.Price, (cursor) =>
          client.prices.list({ ...page(cursor), active, lookup_keys: [...chunk], expand: ["data.product"] })
        )).pipe(
          Effect.map((pages) => pages.flat()),
          Effect.flatMap((prices) => crossCheckMode("GET /v1/prices", live, prices)),
          Effect.map((prices) => prices.map(S.toPrice))
        )

    const pricesByLookupKeys = (lookupKeys: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        const found = new Map<string, Array<BillingProvider.Price>>(lookupKeys.map((k) => [k, []]))
        const add = (p: BillingProvider.Price) => {
          if (p.lookupKey !== null) found.get(p.lookupKey)?.push(p)
        }
        if (lookupKeys.length === 0) return found
        ;(yield* listPrices(lookupKeys, true)).forEach(add)
        // Only keys without an active price need the second read, to tell "archived" from "missing".
        const unpriced = lookupKeys.filter((k) => found.get(k)!.length === 0)
        if (unpriced.length > 0) (yield* listPrices(unpriced, false)).forEach(add)
        return found
      })

    const webhookEndpoints = listAll("GET /v1/webhook_endpoints", S.WebhookEndpoint, (cursor) =>
      client.webhookEndpoints.list(page(cursor))).pipe(
        Effect.flatMap((endpoints) => crossCheckMode("GET /v1/webhook_endpoints", live, endpoints)),
        Effect.map((endpoints) => endpoints.map(S.toWebhookEndpoint))
      )

    const undeliveredEvents = (since: Date) =>
      listAll("GET /v1/events", S.Event, (cursor) =>
        client.events.list({
          ...page(cursor),
          delivery_success: false,
          created: { gte: Math.floor(since.getTime() / 1000) }
        })).pipe(
          Effect.flatMap((events) => crossCheckMode("GET /v1/events", live, events)),
          Effect.map((events) => events.map(S.toUndeliveredEvent))
        )

    const portalConfigurations = listAll(
      "GET /v1/billing_portal/configurations",
      S.PortalConfiguration,
      (cursor) => client.billingPortal.configurations.list(page(cursor))
    ).pipe(
      Effect.flatMap((configs) => crossCheckMode("GET /v1/billing_portal/configurations", live, configs)),
      Effect.map((configs) => configs.map(S.toPortalConfiguration))
    )

    const taxSettings = call("GET /v1/tax/settings", () => client.tax.settings.retrieve()).pipe(
      Effect.flatMap(decode(S.TaxSettings, "GET /v1/tax/settings")),
      Effect.flatMap((settings) => crossCheckMode("GET /v1/tax/settings", live, [settings])),
      Effect.map(([settings]) => S.toTaxSettings(settings!))
    )

    return {
      provider: "stripe",
      key,
      expectedMode,
      apiVersion: version,
      ...(options.webhookApiVersion !== undefined
        ? {
          webhookApiVersions: typeof options.webhookApiVersion === "string"
            ? [options.webhookApiVersion]
            : [...options.webhookApiVersion]
        }
        : {}),
      account,
      pricesByLookupKeys,
      webhookEndpoints,
      undeliveredEvents,
      portalConfigurations,
      taxSettings,
      webhookSigner: webhookSigner(version, live)
    } satisfies BillingProvider.Backend
  })

/**
 * The billing provider for a run, backed by Stripe. Every read is shared by
 * the checks of the run.
 *
 * @example
 * Stripe.layer({ apiKey: Redacted.make(process.env.STRIPE_API_KEY!), environment: "production" })
 */
export const layer = (
  options: Options
): Layer.Layer<BillingProvider.BillingProvider, BillingError, HttpTransport.HttpTransport> =>
  BillingProvider.layer(make(options))

/** Options of {@link layerConfig}: as {@link Options}, with the key read through `Config`. */
export interface ConfigOptions extends Omit<Options, "apiKey"> {
  /** Default `Config.redacted("STRIPE_API_KEY")`. */
  readonly apiKey?: Config.Config<Redacted.Redacted<string>> | undefined
}

/**
 * {@link layer} with the key read through Effect `Config` (by default the
 * `STRIPE_API_KEY` environment variable). A missing key is a `Config`
 * {@link BillingError} naming the variable.
 */
export const layerConfig = (
  options: ConfigOptions = {}
): Layer.Layer<BillingProvider.BillingProvider, BillingError, HttpTransport.HttpTransport> => {
  const { apiKey: keyConfig, ...rest } = options
  return Layer.unwrapEffect(
    (keyConfig ?? Config.redacted("STRIPE_API_KEY")).pipe(
      Effect.mapError((error) =>
        configError(
          keyConfig === undefined ? "STRIPE_API_KEY" : "apiKey",
          `the Stripe API key could not be read: ${String(error)}`,
          "Set STRIPE_API_KEY to a restricted read-only key (rk_live_…) of the account being launched."
        )
      ),
      Effect.map((apiKey) => layer({ ...rest, apiKey }))
    )
  )
}
