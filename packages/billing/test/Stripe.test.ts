import { describe, expect, it } from "@effect/vitest"
import { Check, HttpTransport, Redaction } from "@launchgate/core"
import { runCheck, runChecks } from "@launchgate/core/testing"
import { Config, ConfigProvider, Effect, Either, Layer, Redacted } from "effect"
import * as Account from "../src/Account.js"
import * as BillingClient from "../src/BillingClient.js"
import * as Catalog from "../src/Catalog.js"
import { isRetryableResponse } from "../src/internal/stripeTransport.js"
import * as Key from "../src/Key.js"
import * as Portal from "../src/Portal.js"
import * as Stripe from "../src/Stripe.js"
import * as Tax from "../src/Tax.js"
import * as Webhook from "../src/Webhook.js"
import { realistic, seedRealisticAccount, StripeEmulator, StripeObjects } from "../src/emulator/index.js"
import { errorOf, hits, LIVE_KEY, NOW, on, withEmulator } from "./support.js"

const everyCheck = () => [
  Key.mode(),
  Account.chargesEnabled(),
  Account.payoutsEnabled(),
  Account.requirements(),
  Catalog.prices({ plans: realistic.plans, taxRequired: true }),
  Webhook.endpoint({ url: realistic.webhookUrl, events: realistic.webhookEvents }),
  Webhook.delivery(),
  Portal.configured({ features: realistic.portalFeatures }),
  Tax.active()
]

describe("Stripe.parseKey", () => {
  it("reads mode and kind from the prefix", () => {
    expect(Stripe.parseKey("rk_live_abc123")).toEqual(Either.right({ mode: "live", kind: "restricted", prefix: "rk_live" }))
    expect(Stripe.parseKey("sk_test_abc123")).toEqual(Either.right({ mode: "test", kind: "secret", prefix: "sk_test" }))
  })

  it("rejects publishable keys and unknown shapes with a clear Config error", () => {
    const publishable = Either.getLeft(Stripe.parseKey("pk_live_abc123"))
    expect(publishable._tag).toBe("Some")
    if (publishable._tag === "Some") {
      expect(publishable.value.reason).toBe("config")
      expect(publishable.value.message).toContain("publishable key")
      expect(publishable.value.path).toBe("apiKey")
    }
    expect(Either.isLeft(Stripe.parseKey("whsec_abc"))).toBe(true)
    expect(Either.isLeft(Stripe.parseKey(""))).toBe(true)
  })
})

describe("Stripe provider", () => {
  it("reads each resource once per run, however many checks share it, with GETs only", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      const report = await runChecks(everyCheck(), on(stripe))
      expect(report.items.map((i) => `${i.id}:${i.status}`)).toEqual([
        "billing.key.mode:pass",
        "billing.account.charges-enabled:pass",
        "billing.account.payouts-enabled:pass",
        "billing.account.requirements:pass",
        "billing.catalog.prices:pass",
        "billing.webhook.endpoint:pass",
        "billing.webhook.delivery:pass",
        "billing.portal.configured:pass",
        "billing.tax.active:pass"
      ])
      const counts: Record<string, number> = {}
      for (const e of stripe.log) counts[`${e.method} ${e.path}`] = (counts[`${e.method} ${e.path}`] ?? 0) + 1
      expect(counts).toEqual({
        "GET /v1/account": 1,
        "GET /v1/prices": 1,
        "GET /v1/webhook_endpoints": 1,
        "GET /v1/events": 1,
        "GET /v1/billing_portal/configurations": 1,
        "GET /v1/tax/settings": 1
      })
    }))

  it("asks for each lookup key once when checks' plans overlap", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      const [monthly, yearly, team] = realistic.plans
      const report = await runChecks([
        Catalog.prices({ plans: [monthly, yearly] }),
        Check.annotate(Catalog.prices({ plans: [yearly, team] }), { id: "billing.catalog.prices-team" })
      ], on(stripe))
      expect(report.items.map((i) => i.status)).toEqual(["pass", "pass"])
      const asked = hits(stripe, "/v1/prices").flatMap((r) =>
        Object.entries(r.query).filter(([k]) => k.startsWith("lookup_keys")).map(([, v]) => v)
      )
      expect(asked.sort()).toEqual(["pro_monthly", "pro_yearly", "team_monthly"])
    }))

  it("pins the API version and lets it be overridden", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      await runCheck(Account.chargesEnabled(), on(stripe))
      expect(stripe.log[0]!.headers["stripe-version"]).toBe(Stripe.apiVersion)
      await runCheck(Account.chargesEnabled(), on(stripe, { layer: { apiVersion: "2025-03-31.basil" } }))
      expect(stripe.log[1]!.headers["stripe-version"]).toBe("2025-03-31.basil")
    }))

  it("retries a 429, then succeeds", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      stripe.faults.next(StripeEmulator.rateLimited(0), { times: 1 })
      const item = await runCheck(Account.chargesEnabled(), on(stripe))
      expect(item.status).toBe("pass")
      expect(hits(stripe, "/v1/account").map((e) => e.status)).toEqual([429, 200])
    }))

  it("gives up after maxNetworkRetries on persistent 429s: error, never pass", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      stripe.faults.next(StripeEmulator.rateLimited(), { times: 10 })
      const item = await runCheck(Account.chargesEnabled(), on(stripe, { layer: { retry: { maxAttempts: 4 } } }))
      expect(item.status).toBe("error")
      expect(errorOf(item)).toMatchObject({ reason: "rate-limited", status: 429, attempts: 4, code: "rate_limit" })
      expect(hits(stripe, "/v1/account")).toHaveLength(4)
    }))

  it("retries 5xx, but not 404 or a malformed body", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      stripe.faults.next(StripeEmulator.serverError(503), { times: 1 })
      expect((await runCheck(Account.chargesEnabled(), on(stripe))).status).toBe("pass")
      expect(hits(stripe, "/v1/account")).toHaveLength(2)

      stripe.clearLog()
      stripe.faults.next({ kind: "malformed-json" }, { times: 1 })
      const malformed = await runCheck(Account.chargesEnabled(), on(stripe))
      expect(malformed.status).toBe("error")
      expect(errorOf(malformed)["reason"]).toBe("invalid-response")
      expect(malformed.message).toContain("Invalid JSON")
      expect(hits(stripe, "/v1/account")).toHaveLength(1)

      stripe.clearLog()
      stripe.faults.next({ kind: "status", status: 404, json: { error: { type: "invalid_request_error", message: "gone" } } })
      const missing = await runCheck(Account.chargesEnabled(), on(stripe))
      expect(errorOf(missing)["reason"]).toBe("not-found")
      expect(hits(stripe, "/v1/account")).toHaveLength(1)
    }))

  it("classifies with Stripe's table (type/code before status) and keeps the request id of a bare kit fault", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      const cases: ReadonlyArray<readonly [number, Record<string, string>, string]> = [
        [400, { type: "invalid_request_error", code: "resource_missing" }, "not-found"],
        [424, { type: "invalid_request_error" }, "unavailable"],
        [402, { type: "invalid_request_error" }, "invalid-request"],
        [400, { type: "api_error" }, "unavailable"]
      ]
      for (const [status, error, reason] of cases) {
        stripe.clearLog()
        stripe.faults.next({ kind: "status", status, json: { error: { ...error, message: "injected" } } })
        const item = await runCheck(Account.chargesEnabled(), on(stripe))
        expect(item.status).toBe("error")
        expect(errorOf(item)).toMatchObject({ vendor: "stripe", reason, status, errorType: error["type"] })
        // A bare kit fault still answers with Stripe's headers, so the error names Stripe's request id.
        expect(errorOf(item)["requestId"]).toMatch(/^req_/)
        expect(hits(stripe, "/v1/account")).toHaveLength(1)
      }
    }))

  it("honours Stripe-Should-Retry: false", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      stripe.faults.next({
        kind: "status",
        status: 500,
        headers: { "stripe-should-retry": "false" },
        json: { error: { type: "api_error", message: "do not retry" } }
      })
      const item = await runCheck(Account.chargesEnabled(), on(stripe))
      expect(item.status).toBe("error")
      expect(hits(stripe, "/v1/account")).toHaveLength(1)
    }))

  it("reports a restricted key missing a permission as error naming it; other checks still pass", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      stripe.state.keys.push({
        key: LIVE_KEY,
        permissions: [StripeEmulator.permissions.account, StripeEmulator.permissions.prices, StripeEmulator.permissions.products]
      })
      const report = await runChecks([
        Account.chargesEnabled(),
        Catalog.prices({ plans: realistic.plans }),
        Webhook.endpoint({ url: realistic.webhookUrl, events: realistic.webhookEvents })
      ], on(stripe))
      expect(report.items.map((i) => i.status)).toEqual(["pass", "pass", "error"])
      const denied = report.items[2]!
      expect(errorOf(denied)).toMatchObject({ reason: "permission-denied", status: 403, permission: "rak_webhook_read" })
      expect(denied.remediation).toContain("rak_webhook_read")
      expect(report.verdict).toBe("blocked")
    }))

  // Four permission names are unverified (by pattern): if Stripe names another, or none, the read still fails closed.
  it("fails closed on a 403 naming an unexpected permission, or none", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      for (const message of ["Having the 'rak_tax_settings_view' permission would allow this", "Forbidden."]) {
        stripe.clearLog()
        stripe.faults.next({ kind: "status", status: 403, json: { error: { type: "invalid_request_error", message } } })
        const item = await runCheck(Tax.active(), on(stripe))
        expect(item.status).toBe("error")
        expect(errorOf(item)["reason"]).toBe("permission-denied")
        expect(hits(stripe, "/v1/tax/settings")).toHaveLength(1)
      }
    }))

  it("needs the product permission too when expanding products", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      stripe.state.keys.push({ key: LIVE_KEY, permissions: [StripeEmulator.permissions.prices] })
      const item = await runCheck(Catalog.prices({ plans: realistic.plans }), on(stripe))
      expect(errorOf(item)).toMatchObject({ reason: "permission-denied", permission: "rak_product_read" })
    }))

  it("reports a rejected key (401) as an unauthenticated error without leaking the key", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      stripe.state.keys.push({ key: "rk_live_someOtherKey1234" })
      const item = await runCheck(Account.chargesEnabled(), on(stripe))
      expect(item.status).toBe("error")
      expect(errorOf(item)["reason"]).toBe("unauthenticated")
      expect(JSON.stringify(item)).not.toContain(LIVE_KEY)
      expect(stripe.log[0]!.headers["authorization"]).toBe("Bearer <redacted>")
    }))

  it("fails the whole gate closed when given a publishable key", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      const publishable = on(stripe, { layer: { key: "pk_live_51Publishable0001" } })
      const report = await runChecks([Account.chargesEnabled(), Tax.active()], publishable)
      expect(report.items.map((i) => i.status)).toEqual(["error", "error"])
      expect(report.items[0]!.message).toContain("publishable key")
      expect(stripe.log).toHaveLength(0)
    }))

  it("registers the key with Redaction", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      const key = "rk_live_RegisteredOnUse9999"
      await runCheck(Account.chargesEnabled(), on(stripe, { layer: { key } }))
      expect(Redaction.scrub(`key=${key.toUpperCase()} ${key}`)).not.toContain(key)
    }))

  it("fails closed when an object's livemode contradicts the key", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      const testEndpoint = StripeObjects.webhookEndpoint({ livemode: false })
      stripe.faults.next({ kind: "status", status: 200, json: { object: "list", data: [testEndpoint], has_more: false, url: "/v1/webhook_endpoints" } })
      const item = await runCheck(Key.mode(), on(stripe))
      expect(item.status).toBe("error")
      expect(errorOf(item)).toMatchObject({ reason: "invalid-response", code: "LG_LIVEMODE_MISMATCH" })
      expect(item.message).toContain(testEndpoint.id)
    }))

  it("reports an unreachable API as a transport error", async () => {
    const stripe = await StripeEmulator.start()
    await stripe.close()
    const item = await runCheck(Account.chargesEnabled(), on(stripe, { layer: { retry: { maxAttempts: 2 } } }))
    expect(item.status).toBe("error")
    expect(errorOf(item)).toMatchObject({ reason: "transport", attempts: 2 })
  })

  it.effect("reads STRIPE_API_KEY through Config in layerConfig, and names it when missing", () =>
    Effect.gen(function*() {
      const missing = yield* Effect.flip(
        Layer.build(BillingClient.layerConfig()).pipe(
          Effect.scoped,
          Effect.provide(HttpTransport.layerDefault),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
        )
      )
      expect(missing.reason).toBe("config")
      expect(missing.path).toBe("STRIPE_API_KEY")
      const provider = yield* BillingClient.BillingClient.pipe(
        Effect.provide(
          BillingClient.layerConfig({ ...BillingClient.defaultConfig, environment: Config.succeed("staging") })
        ),
        Effect.provide(HttpTransport.layerDefault),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["STRIPE_API_KEY", "rk_test_fromConfig123"]])))
      )
      expect(provider.key).toEqual({ mode: "test", kind: "restricted", prefix: "rk_test" })
      expect(provider.expectedMode).toBe("test")
    }))

  // Issue 14 point 6: every missing variable at once, in the report's run.configurationErrors.
  const emptyEnvironment = Layer.setConfigProvider(ConfigProvider.fromMap(new Map()))

  it("with no variable set, names STRIPE_API_KEY in run.configurationErrors and errors every check", async () => {
    const layer = BillingClient.layerConfig().pipe(Layer.provide(emptyEnvironment))
    const report = await runChecks([Account.chargesEnabled(), Tax.active()], { layer, tier: "launch-critical" })
    expect(report.run.configurationErrors?.map((e) => e.path)).toEqual(["STRIPE_API_KEY"])
    expect(report.items.map((i) => i.status)).toEqual(["error", "error"])
    expect(report.items[0]!.message).toContain("STRIPE_API_KEY is not set")
  })

  it("reads every key together (Config.all): each missing or invalid variable is listed", async () => {
    const config = {
      apiKey: Config.redacted("ACME_STRIPE_KEY"),
      webhookApiVersion: Config.string("ACME_WEBHOOK_API_VERSION"),
      retry: { maxAttempts: Config.integer("ACME_STRIPE_ATTEMPTS") }
    }
    const environment = ConfigProvider.fromMap(new Map([["ACME_STRIPE_ATTEMPTS", "three"]]))
    const layer = BillingClient.layerConfig(config).pipe(Layer.provide(Layer.setConfigProvider(environment)))
    const report = await runChecks([Account.chargesEnabled()], { layer, tier: "launch-critical" })
    const listed = report.run.configurationErrors ?? []
    const paths = listed.map((e) => e.path).sort()
    expect(paths).toEqual(["ACME_STRIPE_ATTEMPTS", "ACME_STRIPE_KEY", "ACME_WEBHOOK_API_VERSION"])
    expect(listed.find((e) => e.path === "ACME_STRIPE_ATTEMPTS")!.message).toContain("integer")
    expect(report.verdict).toBe("blocked")
  })
})

describe("Stripe's retry rule (the transport's retryOn)", () => {
  const response = (status: number, headers: Record<string, string> = {}): HttpTransport.HttpResponse =>
    ({ status, headers, body: "", url: "http://stripe.test/v1/account", attempts: 1, durationMs: 0 })

  it("retries 409, 429 and 5xx; not 400, 401, 403, 404; Stripe-Should-Retry wins", () => {
    expect([409, 429, 500, 503].map((s) => isRetryableResponse(response(s)))).toEqual([true, true, true, true])
    expect([400, 401, 403, 404].map((s) => isRetryableResponse(response(s)))).toEqual([false, false, false, false])
    expect(isRetryableResponse(response(500, { "stripe-should-retry": "false" }))).toBe(false)
    expect(isRetryableResponse(response(400, { "stripe-should-retry": "true" }))).toBe(true)
  })
})

describe("Stripe.make", () => {
  it.effect("rejects a bad retry.maxAttempts with the option's path", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Stripe.make({ apiKey: Redacted.make("rk_live_abc123"), retry: { maxAttempts: 0 } })).pipe(
        Effect.provide(HttpTransport.layerDefault)
      )
      expect(error.path).toBe("retry.maxAttempts")
    }))
})
