/**
 * The Stripe implementation of {@link BillingProvider.Provider}, built on the
 * official `stripe` SDK, whose HTTP goes through core's `HttpTransport` (so
 * the gate's proxy, CA, insecure origins and body cap apply to Stripe too).
 * `BillingClient.layer` (the package's top-level `layer`) builds the client on
 * it. Point it at the emulator with `baseUrl` (`StripeEmulator.clientOptions`).
 *
 * The key is `Redacted` and registered with `Redaction` the moment the
 * provider receives it. Its mode comes from its prefix (`sk_live_`,
 * `rk_live_`, `sk_test_`, `rk_test_`; a publishable `pk_` key is rejected)
 * and is cross-checked against `livemode` on every object read. The API
 * version is pinned ({@link apiVersion}) and overridable. Retries live in one
 * place, the transport's schedule (capped exponential backoff with jitter;
 * 409, 429 and 5xx per Stripe's rule; `Stripe-Should-Retry` obeyed;
 * `Retry-After` honoured when it fits in the read's `readTimeout`); the
 * SDK's own retries are turned off so the two never stack. `timeout` bounds
 * one attempt, as in every launchgate package; `readTimeout` bounds a whole
 * read (every attempt and wait).
 *
 * @since 0.1.0
 */
import { Gate, HttpTransport, Redaction, type ResourceStore } from "@launchgate/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { createHmac } from "node:crypto"
import type StripeSdk from "stripe"
import { BillingError } from "./BillingError.js"
import * as BillingProvider from "./BillingProvider.js"
import { STRIPE_API_VERSION } from "./internal/apiVersion.js"
import { crossCheckMode, listAll, retrieve } from "./internal/stripeClient.js"
import { makeFetch, type Policy } from "./internal/stripeTransport.js"
import * as S from "./internal/stripeSchemas.js"

/** The Stripe API version launchgate pins by default (the one `stripe@23.1` targets). */
export const apiVersion: string = STRIPE_API_VERSION

/**
 * Retry settings, the shape every vendor takes (core's policy; the transport retries, the SDK's own retries are
 * off): `maxAttempts` per read, the first included, for 409, 429, 5xx and connection errors (default 3);
 * `baseDelay`, the first backoff, doubling with jitter (default 500 ms); `maxDelay`, the cap on one backoff
 * (default 8 seconds; `Retry-After` is bounded by `readTimeout` instead).
 */
export type RetryOptions = Pick<HttpTransport.RetryPolicy, "maxAttempts" | "baseDelay" | "maxDelay">

/** Options of {@link make} (and `BillingClient.layer`). */
export interface Options {
  /** A restricted read-only key (`rk_live_…`) is recommended; a full secret key works but is reported. */
  readonly apiKey: Redacted.Redacted<string>
  /** Stripe API version for every request. Default {@link apiVersion}. */
  readonly apiVersion?: string | undefined
  /** The API's base URL (the emulator's `http://127.0.0.1:<port>`). Default `https://api.stripe.com`. */
  readonly baseUrl?: string | undefined
  readonly retry?: RetryOptions | undefined
  /** Per-attempt timeout (connect, headers and body of one request), as in every package. Default 10 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * Bound on one whole read: every attempt and every wait between them (backoff, `Retry-After`). Default 20
   * seconds. Keep it under the check's timeout (the runner's default is 30 seconds): a `Retry-After` longer
   * than what remains is reported as an `error` at once instead of waited for. (Before 0.2 this was `timeout`.)
   */
  readonly readTimeout?: Duration.DurationInput | undefined
  /** The mode the launch expects. Default: from `environment` (or the gate's), else `live` (fail closed). */
  readonly expectedMode?: BillingProvider.Mode | undefined
  /**
   * The gate's environment: `production`/`prod`/`live` expect live data, anything else test data.
   * Default: the environment of the gate being run (`Gate.RunContext`).
   */
  readonly environment?: string | undefined
  /** The API version(s) the product's webhook handler is written for. Default: none named (reported, not judged). */
  readonly webhookApiVersion?: string | ReadonlyArray<string> | undefined
}

/** What to do about each configuration problem. */
const remediation = {
  baseUrl: "Fix baseUrl, or leave it out to use api.stripe.com.",
  publishable: "Use a restricted read-only key (rk_live_…) created in Dashboard → Developers → API keys.",
  malformed: "Set STRIPE_API_KEY (or the apiKey option) to a restricted key rk_live_… of the account being launched.",
  maxAttempts: "Use 1 to disable retries, or a small number such as 3."
} as const

const configError = (path: string, message: string, fix: string) =>
  new BillingError({ vendor: "stripe", reason: "config", path, message, remediation: fix })

/** The SDK's `host`/`port`/`protocol` from a base URL, or a `config` error naming `baseUrl`. */
const endpointOf = (baseUrl: string | undefined) => {
  if (baseUrl === undefined) return Effect.succeed({})
  const url = URL.canParse(baseUrl) ? new URL(baseUrl) : undefined
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    const why = `baseUrl must be an http(s) URL such as https://api.stripe.com, got ${JSON.stringify(baseUrl)}`
    return Effect.fail(configError("baseUrl", why, remediation.baseUrl))
  }
  const protocol = url.protocol === "https:" ? "https" as const : "http" as const
  return Effect.succeed({
    host: url.hostname.replace(/^\[|\]$/g, ""),
    ...(url.port !== "" ? { port: Number(url.port) } : {}),
    protocol
  })
}

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
    const why = "a publishable key (pk_…) cannot read account settings: it is meant for browsers"
    return Either.left(configError("apiKey", why, remediation.publishable))
  }
  const match = /^(sk|rk)_(live|test)_[A-Za-z0-9]+$/.exec(trimmed)
  if (!match) {
    const why = trimmed.length === 0
      ? "the Stripe API key is empty"
      : "the Stripe API key does not look like a secret or restricted key (expected sk_live_, rk_live_, sk_test_ " +
        `or rk_test_, got ${trimmed.slice(0, 3)}…)`
    return Either.left(configError("apiKey", why, remediation.malformed))
  }
  const [, kind, mode] = match
  return Either.right({
    kind: kind === "sk" ? "secret" : "restricted",
    mode: mode as BillingProvider.Mode,
    prefix: `${kind}_${mode}`
  })
}

/**
 * Stripe's signature of one payload with one secret: hex HMAC-SHA256 over `<timestamp>.<payload>`, the scheme
 * `v1` of Stripe's webhook signatures (https://docs.stripe.com/webhooks#verify-events) and what
 * stripe-node 23.1 computes (`esm/Webhooks.js` `prepareOptions`, `esm/crypto/NodeCryptoProvider.js`). Computed
 * here with node:crypto so that loading the package, `plan` included, does not load the SDK (~200 modules);
 * the tests check every header against the SDK's own `constructEvent`.
 */
const v1Signature = (payload: string, secret: string, timestampSeconds: number): string =>
  createHmac("sha256", secret).update(`${timestampSeconds}.${payload}`, "utf8").digest("hex")

/** Stripe's default signature tolerance, in seconds (stripe-node `webhooks.DEFAULT_TOLERANCE`, 5 minutes). */
const DEFAULT_TOLERANCE_SECONDS = 300

/** The webhook signer Stripe uses: `t=<unix>,v1=<hmac>[,v1=<hmac>…]`, one `v1` per secret (as during rotation). */
export const webhookSigner = (version: string, livemode: boolean): BillingProvider.WebhookSigner => ({
  header: "stripe-signature",
  toleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
  sign: (payload, secrets, timestampSeconds) => {
    const t = Math.floor(timestampSeconds)
    return [`t=${t}`, ...secrets.map((secret) => `v1=${v1Signature(payload, secret, t)}`)].join(",")
  },
  testEvent: ({ createdSeconds, id, type }) =>
    JSON.stringify({
      id,
      object: "event",
      api_version: version,
      created: createdSeconds,
      data: {
        object: { id: `${id}_object`, object: "launchgate_test", note: "sent by launchgate to test signature checks" }
      },
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
 * Build the Stripe provider. Fails with a `config` {@link BillingError} when
 * the key is publishable or malformed, or an option is invalid. Registers the
 * key with `Redaction`.
 */
export const make = (
  options: Options
): Effect.Effect<BillingProvider.Provider, BillingError, HttpTransport.HttpTransport> =>
  Effect.gen(function*() {
    Redaction.register(options.apiKey)
    const key = yield* parseKey(Redacted.value(options.apiKey))
    const maxAttempts = options.retry?.maxAttempts ?? 3
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      const why = `retry.maxAttempts must be a positive integer, got ${maxAttempts}`
      return yield* Effect.fail(configError("retry.maxAttempts", why, remediation.maxAttempts))
    }
    const endpoint = yield* endpointOf(options.baseUrl)
    const policy: Policy = {
      maxRetries: maxAttempts - 1,
      baseDelay: Duration.decode(options.retry?.baseDelay ?? "500 millis"),
      maxDelay: Duration.decode(options.retry?.maxDelay ?? "8 seconds"),
      attemptTimeout: Duration.decode(options.timeout ?? "10 seconds"),
      budget: Duration.decode(options.readTimeout ?? "20 seconds")
    }
    const transport = yield* HttpTransport.HttpTransport
    const version = options.apiVersion ?? apiVersion
    // Loaded when a run builds the provider, not with the package: `plan` and `docs` of a gate never pay for it.
    const { default: Sdk } = yield* Effect.promise(() => import("stripe"))
    // No key in the constructor: the authenticator unwraps it only when the header is written.
    const client = new Sdk("", {
      authenticator: (request) => {
        request.headers["Authorization"] = `Bearer ${Redacted.value(options.apiKey)}`
        return Promise.resolve()
      },
      apiVersion: version as StripeSdk.LatestApiVersion,
      // Retries live in one place (the transport's schedule); the SDK's would stack on top.
      maxNetworkRetries: 0,
      // A backstop only: the transport's fetch ends the read at `readTimeout` with a clearer error.
      timeout: Duration.toMillis(policy.budget) + 5_000,
      telemetry: false,
      httpClient: Sdk.createFetchHttpClient(makeFetch(transport, policy) as typeof fetch),
      appInfo: { name: "launchgate" },
      ...endpoint
    })
    const live = key.mode === "live"
    // The gate's own environment (provided by the runner) counts when the options do not say.
    const runContext = yield* Effect.serviceOption(Gate.RunContext)
    const environment = options.environment ??
      (Option.isSome(runContext) ? runContext.value.environment : undefined)
    const expectedMode = options.expectedMode ??
      (environment !== undefined ? BillingProvider.modeOfEnvironment(environment) : "live")

    const account = retrieve("GET /v1/account", S.Account, () => client.accounts.retrieveCurrent()).pipe(
      Effect.map((fetched) => ({ ...fetched, value: S.toAccount(fetched.value) }))
    )

    const listPrices = (lookupKeys: ReadonlyArray<string>, active: boolean) =>
      Effect.forEach(chunks(lookupKeys, LOOKUP_KEYS_PER_REQUEST), (chunk) =>
        listAll("GET /v1/prices", S.Price, (cursor) =>
          client.prices.list({ ...page(cursor), active, lookup_keys: [...chunk], expand: ["data.product"] })
        )).pipe(Effect.tap((pages) => crossCheckMode("GET /v1/prices", live, pages.flatMap((p) => p.value))))

    const pricesByLookupKeys = (lookupKeys: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        const pages = yield* listPrices(lookupKeys, true)
        const priced = new Set(pages.flatMap((p) => p.value.map((price) => price.lookup_key)))
        // Only keys without an active price need the second read, to tell "archived" from "missing".
        const unpriced = lookupKeys.filter((k) => !priced.has(k))
        if (unpriced.length > 0) pages.push(...(yield* listPrices(unpriced, false)))
        return total(pages, pages.flatMap((p) => p.value.map(S.toPrice)))
      })

    const webhookEndpoints = listAll("GET /v1/webhook_endpoints", S.WebhookEndpoint, (cursor) =>
      client.webhookEndpoints.list(page(cursor))).pipe(
        Effect.flatMap(checked("GET /v1/webhook_endpoints", S.toWebhookEndpoint))
      )

    const undeliveredEvents = (since: Date) =>
      listAll("GET /v1/events", S.Event, (cursor) =>
        client.events.list({
          ...page(cursor),
          delivery_success: false,
          created: { gte: Math.floor(since.getTime() / 1000) }
        })).pipe(Effect.flatMap(checked("GET /v1/events", S.toUndeliveredEvent)))

    const portalConfigurations = listAll(
      "GET /v1/billing_portal/configurations",
      S.PortalConfiguration,
      (cursor) => client.billingPortal.configurations.list(page(cursor))
    ).pipe(Effect.flatMap(checked("GET /v1/billing_portal/configurations", S.toPortalConfiguration)))

    const taxSettings = retrieve("GET /v1/tax/settings", S.TaxSettings, () => client.tax.settings.retrieve()).pipe(
      Effect.tap((fetched) => crossCheckMode("GET /v1/tax/settings", live, [fetched.value])),
      Effect.map((fetched) => ({ ...fetched, value: S.toTaxSettings(fetched.value) }))
    )

    /** Cross-check every object's livemode against the key, then convert it. */
    function checked<A extends { readonly livemode: boolean; readonly id?: string }, B>(line: string, to: (a: A) => B) {
      return (fetched: ResourceStore.Fetched<ReadonlyArray<A>>) =>
        Effect.map(crossCheckMode(line, live, fetched.value), (items) => ({ ...fetched, value: items.map(to) }))
    }

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
    } satisfies BillingProvider.Provider
  })

/** Several reads' costs added up, around a value. */
const total = <A>(reads: ReadonlyArray<ResourceStore.Fetched<unknown>>, value: A): ResourceStore.Fetched<A> => ({
  value,
  retries: reads.reduce((n, r) => n + r.retries, 0),
  requests: reads.reduce((n, r) => n + r.requests, 0)
})
