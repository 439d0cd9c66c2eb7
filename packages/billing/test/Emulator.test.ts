import { describe, expect, it } from "@effect/vitest"
import type { Running } from "@launchgate/core/emulator"
import StripeSdk from "stripe"
import { realistic, seedRealisticAccount, StripeEmulator, StripeObjects, type StripeState } from "../src/emulator/index.js"
import { LIVE_KEY, NOW, TEST_KEY, withEmulator } from "./support.js"

/** The official SDK, unchanged, pointed at the emulator. */
const sdk = (stripe: Running<StripeState>, key = LIVE_KEY) =>
  new StripeSdk(key, { ...StripeEmulator.connection(stripe), maxNetworkRetries: 0, httpClient: StripeSdk.createNodeHttpClient() })

describe("Stripe emulator, driven by the official SDK", () => {
  it("gives a bare kit fault (status, rate-limit) Stripe's Request-Id and Stripe-Version, fresh per reply", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      stripe.faults.next({ kind: "status", status: 503 }, { times: 2 })
      stripe.faults.next({ kind: "rate-limit", retryAfter: 1 })
      const answers = []
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${stripe.url}/v1/account`, { headers: { authorization: `Bearer ${LIVE_KEY}` } })
        await res.arrayBuffer()
        answers.push({ status: res.status, id: res.headers.get("request-id"), version: res.headers.get("stripe-version") })
      }
      expect(answers.map((a) => a.status)).toEqual([503, 503, 429])
      for (const a of answers) expect(a).toMatchObject({ id: expect.stringMatching(/^req_/), version: expect.any(String) })
      expect(new Set(answers.map((a) => a.id)).size).toBe(3)
    }))

  it("serves the account, and objects with Stripe's id prefixes and envelope", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      const client = sdk(stripe)
      const account = await client.accounts.retrieveCurrent()
      expect(account.id).toMatch(/^acct_/)
      const prices = await client.prices.list({ limit: 2 })
      expect(prices.object).toBe("list")
      expect(prices.has_more).toBe(true)
      expect(prices.url).toBe("/v1/prices")
      expect(prices.data[0]!.id).toMatch(/^price_/)
      const endpoint = await client.webhookEndpoints.retrieve(stripe.state.webhookEndpoints[0]!.id)
      expect(endpoint.id).toMatch(/^we_/)
    }))

  it("pages with starting_after and ending_before, newest first (SDK auto-pagination agrees)", () =>
    withEmulator((state) => {
      for (let i = 0; i < 25; i++) state.events.push(StripeObjects.event({ created: 1_000 + i }))
    }, async (stripe) => {
      const client = sdk(stripe)
      const all = await client.events.list({ limit: 10 }).autoPagingToArray({ limit: 100 })
      expect(all).toHaveLength(25)
      expect(all.map((e) => e.created)).toEqual([...all.map((e) => e.created)].sort((a, b) => b - a))
      const second = await client.events.list({ limit: 10, starting_after: all[9]!.id })
      expect(second.data[0]!.id).toBe(all[10]!.id)
      const before = await client.events.list({ limit: 5, ending_before: all[10]!.id })
      expect(before.data.map((e) => e.id)).toEqual(all.slice(5, 10).map((e) => e.id))
      expect(stripe.requests({ path: "/v1/events" }).length).toBeGreaterThanOrEqual(3)
    }))

  it("filters prices by active, lookup_keys[], currency and type, and expands the product", () =>
    withEmulator(seedRealisticAccount({ now: NOW, problems: { archivedPlan: "pro_yearly" } }), async (stripe) => {
      const client = sdk(stripe)
      stripe.state.prices.push(StripeObjects.price({ product: stripe.state.products[0]!.id, currency: "eur", type: "one_time" }))
      const active = await client.prices.list({ active: true, lookup_keys: ["pro_monthly", "pro_yearly"], expand: ["data.product"] })
      expect(active.data.map((p) => p.lookup_key)).toEqual(["pro_monthly"])
      expect(typeof active.data[0]!.product).toBe("object")
      const inactive = await client.prices.list({ active: false })
      expect(inactive.data.map((p) => p.lookup_key)).toEqual(["pro_yearly"])
      const euros = await client.prices.list({ currency: "eur", type: "one_time" })
      expect(euros.data).toHaveLength(1)
      expect(euros.data[0]!.recurring).toBeNull()
    }))

  it("filters events by delivery_success, type (with *), types[] and created ranges", () =>
    withEmulator(seedRealisticAccount({ now: NOW, problems: { failedDeliveries: 3 } }), async (stripe) => {
      const client = sdk(stripe)
      const failed = await client.events.list({ delivery_success: false })
      expect(failed.data).toHaveLength(3)
      expect(failed.data.every((e) => e.pending_webhooks > 0)).toBe(true)
      const delivered = await client.events.list({ delivery_success: true, limit: 100 })
      expect(delivered.data).toHaveLength(realistic.webhookEvents.length)
      expect((await client.events.list({ type: "customer.subscription.*", limit: 100 })).data.map((e) => e.type).sort())
        .toEqual(["customer.subscription.created", "customer.subscription.deleted", "customer.subscription.updated", "customer.subscription.updated"])
      expect((await client.events.list({ types: ["invoice.paid", "checkout.session.completed"], limit: 100 })).data).toHaveLength(4)
      const now = Math.floor(NOW.getTime() / 1000)
      expect((await client.events.list({ created: { gte: now - 1_800 }, limit: 100 })).data).toHaveLength(3)
      expect((await client.events.list({ created: { lt: now - 1_800 }, limit: 100 })).data).toHaveLength(realistic.webhookEvents.length)
    }))

  it("keeps live and test data apart, like Stripe", () =>
    withEmulator(seedRealisticAccount({ now: NOW, testMode: true }), async (stripe) => {
      const live = await sdk(stripe).prices.list({ limit: 100 })
      const test = await sdk(stripe, TEST_KEY).prices.list({ limit: 100 })
      expect(live.data.every((p) => p.livemode)).toBe(true)
      expect(test.data.every((p) => !p.livemode)).toBe(true)
      expect((await sdk(stripe, TEST_KEY).tax.settings.retrieve()).livemode).toBe(false)
    }))

  it("lists portal configurations and tax settings", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      const client = sdk(stripe)
      const portals = await client.billingPortal.configurations.list({ is_default: true })
      expect(portals.data[0]!.id).toMatch(/^bpc_/)
      expect((await client.tax.settings.retrieve()).status).toBe("active")
    }))

  it("answers errors in Stripe's envelope, which the SDK maps to its error classes", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      const missing = await sdk(stripe).prices.retrieve("price_nope").catch((e: unknown) => e)
      expect(missing).toBeInstanceOf(StripeSdk.errors.StripeInvalidRequestError)
      expect(missing).toMatchObject({ statusCode: 404, code: "resource_missing", message: "No such price: 'price_nope'" })

      const badParam = await sdk(stripe).prices.list({ limit: 500 }).catch((e: unknown) => e)
      expect(badParam).toMatchObject({ statusCode: 400, param: "limit" })

      const badKey = await sdk(stripe, "sk_live_").accounts.retrieveCurrent().catch((e: unknown) => e)
      expect(badKey).toBeInstanceOf(StripeSdk.errors.StripeAuthenticationError)

      const publishable = await sdk(stripe, "pk_live_abc123").accounts.retrieveCurrent().catch((e: unknown) => e)
      expect(publishable).toMatchObject({ statusCode: 401, message: expect.stringContaining("publishable") })

      const unknownRoute = await sdk(stripe).rawRequest("GET", "/v1/nothing_here").catch((e: unknown) => e)
      expect(unknownRoute).toMatchObject({ statusCode: 404, message: expect.stringContaining("Unrecognized request URL") })

      stripe.state.keys.push({ key: "rk_live_eventsOnly123", permissions: [StripeEmulator.permissions.events] })
      const denied = await sdk(stripe, "rk_live_eventsOnly123").webhookEndpoints.list().catch((e: unknown) => e)
      expect(denied).toBeInstanceOf(StripeSdk.errors.StripePermissionError)
      expect(denied).toMatchObject({ statusCode: 403, message: expect.stringContaining("rak_webhook_read") })
      expect((await sdk(stripe, "rk_live_eventsOnly123").events.list()).object).toBe("list")

      stripe.faults.next(StripeEmulator.rateLimited(1))
      const limited = await sdk(stripe).accounts.retrieveCurrent().catch((e: unknown) => e)
      expect(limited).toBeInstanceOf(StripeSdk.errors.StripeRateLimitError)

    }))

  it("answers every response, errors and the 429/5xx faults included, with Request-Id and Stripe-Version", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      stripe.state.keys.push({ key: LIVE_KEY, permissions: [StripeEmulator.permissions.account] })
      const get = (path: string, key = LIVE_KEY, version?: string) =>
        fetch(`${stripe.url}${path}`, {
          headers: { authorization: `Bearer ${key}`, ...(version ? { "stripe-version": version } : {}) }
        })
      stripe.faults.next(StripeEmulator.rateLimited(1), { times: 2 })
      stripe.faults.next(StripeEmulator.serverError(503), { times: 1 })
      const responses = [
        await get("/v1/account"), // 429
        await get("/v1/account"), // 429 again: a fresh request id
        await get("/v1/account"), // 503
        await get("/v1/account", LIVE_KEY, "2025-03-31.basil"), // 200, the requested version echoed
        await get("/v1/account", "rk_live_unknownKey999"), // 401
        await get("/v1/webhook_endpoints"), // 403
        await get("/v1/nothing_here"), // 404
        await get("/v1/account?limit=0&expand=x") // ignored params still 200
      ]
      expect(responses.map((r) => r.status)).toEqual([429, 429, 503, 200, 401, 403, 404, 200])
      const ids = responses.map((r) => r.headers.get("request-id"))
      for (const requestId of ids) expect(requestId).toMatch(/^req_[A-Za-z0-9]+$/)
      expect(new Set(ids).size).toBe(ids.length)
      expect(responses.map((r) => r.headers.get("stripe-version"))).toEqual([
        ...Array(3).fill(realistic.apiVersion),
        "2025-03-31.basil",
        ...Array(4).fill(realistic.apiVersion)
      ])
      // Stripe's error object: { error: { type, message, … } }.
      for (const r of responses.filter((r) => r.status >= 400)) {
        const body = (await r.json()) as { error?: { type?: unknown; message?: unknown } }
        expect(typeof body.error?.type, String(r.status)).toBe("string")
        expect(typeof body.error?.message, String(r.status)).toBe("string")
      }
    }))

  it("parses Stripe's form encoding (indexed and bracket arrays, nested objects)", () => {
    expect(StripeEmulator.parseForm(new URLSearchParams("lookup_keys[0]=a&lookup_keys[1]=b&expand[]=data.product&created[gte]=5&limit=3")))
      .toEqual({ lookup_keys: ["a", "b"], expand: ["data.product"], created: { gte: "5" }, limit: "3" })
  })
})
