/**
 * The official `stripe` SDK as a witness for the emulator: for every resource
 * kind the checks read, it lists, filters, expands and auto-paginates against
 * the emulator, and what it decodes equals the raw JSON on the wire. Its error
 * classes for 401, 403 and 429 are the ones it raises against Stripe.
 */
import { describe, expect, it } from "@effect/vitest"
import type { Running } from "@launchgate/core/emulator"
import StripeSdk from "stripe"
import { realistic, seedRealisticAccount, StripeEmulator, StripeObjects, type StripeState } from "../src/emulator/index.js"
import { LIVE_KEY, NOW, withEmulator } from "./support.js"

const sdk = (stripe: Running<StripeState>, key = LIVE_KEY) =>
  new StripeSdk(key, { ...StripeEmulator.connection(stripe), maxNetworkRetries: 0, telemetry: false })

const raw = async (stripe: Running<StripeState>, path: string): Promise<unknown> => {
  const response = await fetch(`${stripe.url}${path}`, { headers: { authorization: `Bearer ${LIVE_KEY}` } })
  return response.json()
}

// The SDK adds a non-enumerable `lastResponse`; JSON round-trips compare what was decoded.
const plain = (u: unknown) => JSON.parse(JSON.stringify(u)) as unknown

describe("official Stripe SDK against the emulator", () => {
  it("retrieves, lists, filters, expands and auto-paginates every resource kind the checks read", () =>
    withEmulator((state) => {
      seedRealisticAccount({ now: NOW, problems: { failedDeliveries: 3 } })(state)
      for (let i = 0; i < 120; i++) {
        state.webhookEndpoints.push(StripeObjects.webhookEndpoint({ url: `https://t${i}.example/hook`, created: 100 + i }))
      }
    }, async (stripe) => {
      const client = sdk(stripe)

      expect(plain(await client.accounts.retrieveCurrent())).toEqual(await raw(stripe, "/v1/account"))
      expect(plain(await client.tax.settings.retrieve())).toEqual(await raw(stripe, "/v1/tax/settings"))

      const keys = realistic.plans.map((p) => p.lookupKey)
      const prices = await client.prices.list({ active: true, lookup_keys: keys, expand: ["data.product"] })
      expect(prices.data.map((p) => p.lookup_key).sort()).toEqual([...keys].sort())
      for (const price of prices.data) expect(typeof price.product === "object" && price.product.object).toBe("product")
      const query = keys.map((k, i) => `lookup_keys[${i}]=${k}`).join("&")
      expect(plain(prices)).toEqual(await raw(stripe, `/v1/prices?active=true&${query}&expand[]=data.product`))

      // 121 endpoints: auto-pagination follows starting_after across pages of 100.
      const endpoints = await client.webhookEndpoints.list({ limit: 100 }).autoPagingToArray({ limit: 1_000 })
      expect(endpoints).toHaveLength(121)
      expect(new Set(endpoints.map((e) => e.id)).size).toBe(121)
      expect(stripe.requests({ path: "/v1/webhook_endpoints" })).toHaveLength(2)
      const firstPage = (await raw(stripe, "/v1/webhook_endpoints?limit=100")) as { data: Array<unknown> }
      expect(plain(endpoints.slice(0, 100))).toEqual(firstPage.data)

      const undelivered = await client.events.list({ delivery_success: false, created: { gte: 0 } })
      expect(undelivered.data.length).toBe(3)
      expect(plain(undelivered)).toEqual(await raw(stripe, "/v1/events?delivery_success=false&created[gte]=0"))

      const portals = await client.billingPortal.configurations.list({ is_default: true })
      expect(portals.data.length).toBeGreaterThan(0)
      expect(plain(portals)).toEqual(await raw(stripe, "/v1/billing_portal/configurations?is_default=true"))
    }))

  it("raises StripeAuthenticationError, StripePermissionError and StripeRateLimitError with the request id", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      // Only LIVE_KEY is known, and it may read the account only.
      stripe.state.keys.push({ key: LIVE_KEY, permissions: [StripeEmulator.permissions.account] })
      const unknown = await sdk(stripe, "rk_live_notAKeyWeKnow1").accounts.retrieveCurrent().catch((e: unknown) => e)
      const denied = await sdk(stripe).events.list().catch((e: unknown) => e)
      stripe.faults.next(StripeEmulator.rateLimited(1))
      const limited = await sdk(stripe).accounts.retrieveCurrent().catch((e: unknown) => e)

      expect(unknown).toBeInstanceOf(StripeSdk.errors.StripeAuthenticationError)
      expect(denied).toBeInstanceOf(StripeSdk.errors.StripePermissionError)
      expect(denied).toMatchObject({ statusCode: 403, message: expect.stringContaining("rak_event_read") })
      expect(limited).toBeInstanceOf(StripeSdk.errors.StripeRateLimitError)
      for (const error of [unknown, denied, limited]) {
        expect((error as { requestId?: unknown }).requestId).toMatch(/^req_/)
      }
    }))
})
