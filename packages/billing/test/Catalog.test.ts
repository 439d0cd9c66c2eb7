import { describe, expect, it } from "@effect/vitest"
import { runCheck } from "@launchgate/core/testing"
import * as Catalog from "../src/Catalog.js"
import { realistic, seedRealisticAccount, StripeObjects } from "../src/emulator/index.js"
import { hits, NOW, on, TEST_KEY, withEmulator } from "./support.js"

const plans = realistic.plans
const check = (options: Partial<Catalog.PricesOptions> = {}) => Catalog.prices({ plans, ...options })

describe("billing.catalog.prices", () => {
  it("passes when every plan has one matching active live price, in one list call", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      const item = await runCheck(check({ taxRequired: true }), on(stripe))
      expect(item.status).toBe("pass")
      expect(item.subjects?.map((s) => [s.subject, s.status])).toEqual([
        ["pro_monthly", "pass"],
        ["pro_yearly", "pass"],
        ["team_monthly", "pass"]
      ])
      const requests = hits(stripe, "/v1/prices")
      expect(requests).toHaveLength(1)
      expect(requests[0]!.query).toMatchObject({ active: "true", "expand[0]": "data.product" })
    }))

  it("reports missing, inactive, duplicated and mismatched plans separately", () =>
    withEmulator(
      seedRealisticAccount({
        now: NOW,
        plans: [
          ...plans,
          { lookupKey: "team_yearly", product: "Team", currency: "usd", amount: 99000, interval: "year" }
        ],
        problems: {
          missingPlan: "pro_monthly",
          archivedPlan: "pro_yearly",
          duplicatePlan: "team_monthly",
          mismatchedPlan: "team_yearly"
        }
      }),
      async (stripe) => {
        const item = await runCheck(Catalog.prices({
          plans: [...plans, { lookupKey: "team_yearly", currency: "USD", amount: 99000, interval: "year", product: "Team" }]
        }), on(stripe))
        expect(item.status).toBe("fail")
        expect(item.evidence).toMatchObject({
          missing: ["pro_monthly"],
          inactive: ["pro_yearly"],
          duplicated: ["team_monthly"],
          mismatched: ["team_yearly"]
        })
        const byPlan = Object.fromEntries((item.subjects ?? []).map((s) => [s.subject, s]))
        expect(byPlan["pro_monthly"]!.message).toContain("missing")
        expect(byPlan["pro_yearly"]!.message).toContain("archived")
        expect(byPlan["team_monthly"]!.message).toContain("2 active prices")
        expect(byPlan["team_yearly"]!.message).toContain("amount 99100 ≠ 99000")
        expect(byPlan["team_yearly"]!.remediation).toContain("transfer_lookup_key")
        // The archived/missing keys needed a second, inactive-only read; nothing else was re-read.
        const requests = hits(stripe, "/v1/prices")
        expect(requests.map((r) => r.query["active"])).toEqual(["true", "false"])
        expect(requests[1]!.query).toMatchObject({ "lookup_keys[0]": "pro_monthly", "lookup_keys[1]": "pro_yearly" })
      }
    ))

  it("fails a plan whose product is archived", () =>
    withEmulator(seedRealisticAccount({ now: NOW, problems: { archivedProduct: "Team" } }), async (stripe) => {
      const item = await runCheck(check(), on(stripe))
      expect(item.status).toBe("fail")
      expect(item.evidence["productInactive"]).toEqual(["team_monthly"])
    }))

  it("fails unspecified tax behaviour only when tax is required", () =>
    withEmulator(seedRealisticAccount({ now: NOW, problems: { unspecifiedTaxBehavior: true } }), async (stripe) => {
      const required = await runCheck(check({ taxRequired: true }), on(stripe))
      expect(required.status).toBe("fail")
      expect(required.evidence["taxBehaviorUnspecified"]).toEqual(["pro_monthly", "pro_yearly", "team_monthly"])
      const optional = await runCheck(check(), on(stripe))
      expect(optional.status).toBe("pass")
    }))

  it("fails test-mode prices on a gate that expects live data", () =>
    withEmulator(seedRealisticAccount({ now: NOW, testMode: true }), async (stripe) => {
      const item = await runCheck(check(), on(stripe, { layer: { key: TEST_KEY } }))
      expect(item.status).toBe("fail")
      expect(item.evidence["notLive"]).toEqual(["pro_monthly", "pro_yearly", "team_monthly"])
      const staging = await runCheck(check(), on(stripe, { layer: { key: TEST_KEY, environment: "staging" } }))
      expect(staging.status).toBe("pass")
    }))

  it("splits more than 10 lookup keys into several requests, as Stripe requires", () =>
    withEmulator((state) => {
      const product = StripeObjects.product({ name: "Seats" })
      state.products.push(product)
      for (let i = 0; i < 12; i++) {
        state.prices.push(StripeObjects.price({ product: product.id, lookup_key: `seat_${i}`, unit_amount: 100 * (i + 1) }))
      }
    }, async (stripe) => {
      const seats = Array.from({ length: 12 }, (_, i) => ({
        lookupKey: `seat_${i}`,
        currency: "usd",
        amount: 100 * (i + 1),
        interval: "month" as const
      }))
      const item = await runCheck(Catalog.prices({ plans: seats }), on(stripe))
      expect(item.status).toBe("pass")
      expect(hits(stripe, "/v1/prices")).toHaveLength(2)
    }))

  it("reports an unknown tax_behavior value as error, naming the field", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      stripe.state.prices[0]!.tax_behavior = "exempt"
      const item = await runCheck(check(), on(stripe))
      expect(item.status).toBe("error")
      expect(item.message).toMatch(/data\[\d\]\.tax_behavior/)
      expect(item.message).toContain("exempt")
    }))
})
