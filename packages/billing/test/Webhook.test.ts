import { describe, expect, it } from "@effect/vitest"
import { runCheck, runChecks } from "@launchgate/core/testing"
import { Redacted } from "effect"
import * as Webhook from "../src/Webhook.js"
import { realistic, seedRealisticAccount, StripeObjects, WebhookReceiver } from "../src/emulator/index.js"
import { hits, NOW, on, TEST_KEY, withEmulator } from "./support.js"

const endpointCheck = (options: Partial<Webhook.EndpointOptions> = {}) =>
  Webhook.endpoint({ url: realistic.webhookUrl, events: realistic.webhookEvents, ...options })

describe("billing.webhook.endpoint", () => {
  it("passes an enabled, subscribed, version-pinned live endpoint", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      const item = await runCheck(endpointCheck(), on(stripe))
      expect(item.status).toBe("pass")
      expect(item.evidence["observed"]).toMatchObject({ enabled: true, apiVersion: realistic.apiVersion })
    }))

  it("fails when no endpoint is registered for the URL", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      const item = await runCheck(endpointCheck({ url: "https://app.acme.example/other" }), on(stripe))
      expect(item.status).toBe("fail")
      expect(item.message).toContain("no webhook endpoint")
    }))

  it("fails a disabled endpoint", () =>
    withEmulator(seedRealisticAccount({ now: NOW, problems: { webhookDisabled: true } }), async (stripe) => {
      const item = await runCheck(endpointCheck(), on(stripe))
      expect(item.status).toBe("fail")
      expect(item.message).toContain("disabled")
    }))

  it("fails an endpoint missing required events, and accepts the * wildcard", () =>
    withEmulator(seedRealisticAccount({ now: NOW, problems: { webhookMissingEvents: ["invoice.payment_failed"] } }), async (stripe) => {
      const item = await runCheck(endpointCheck(), on(stripe))
      expect(item.status).toBe("fail")
      expect(item.evidence["missing"]).toEqual(["invoice.payment_failed"])
      stripe.state.webhookEndpoints[0]!.enabled_events = ["*"]
      expect((await runCheck(endpointCheck(), on(stripe))).status).toBe("pass")
    }))

  it("fails an endpoint without api_version (null: the account default), naming the fix", () =>
    withEmulator(seedRealisticAccount({ now: NOW, problems: { webhookApiVersion: null } }), async (stripe) => {
      const unpinned = await runCheck(endpointCheck(), on(stripe))
      expect(unpinned.status).toBe("fail")
      expect(unpinned.message).toContain("no api_version")
      expect(unpinned.remediation).toContain("explicit api_version")
    }))

  // Issue 11 case 6: an endpoint keeps the version it was created with, so an older explicit version is normal.
  it("passes an explicit older version when the gate names no handler versions, reporting it as evidence", () =>
    withEmulator(seedRealisticAccount({ now: NOW, problems: { webhookApiVersion: "2024-06-20" } }), async (stripe) => {
      const item = await runCheck(endpointCheck(), on(stripe))
      expect(item.status).toBe("pass")
      expect(item.evidence).toMatchObject({ apiVersion: "2024-06-20", versionJudged: false })
      expect(item.evidence["observed"]).toMatchObject({ apiVersion: "2024-06-20" })
    }))

  it("checks the version against the handler's supported versions when the gate names them", () =>
    withEmulator(seedRealisticAccount({ now: NOW, problems: { webhookApiVersion: "2024-06-20" } }), async (stripe) => {
      const wrong = await runCheck(endpointCheck({ apiVersion: ["2025-03-31.basil", "2026-07-29.dahlia"] }), on(stripe))
      expect(wrong.status).toBe("fail")
      expect(wrong.message).toContain("2024-06-20")
      expect(wrong.message).toContain("2025-03-31.basil, 2026-07-29.dahlia")
      const ok = await runCheck(endpointCheck({ apiVersion: ["2024-06-20", "2025-03-31.basil"] }), on(stripe))
      expect(ok.status).toBe("pass")
      expect(ok.evidence).toMatchObject({ versionJudged: true })
      // The provider option names them for every endpoint check.
      const viaLayer = await runCheck(endpointCheck(), on(stripe, { layer: { webhookApiVersion: "2025-03-31.basil" } }))
      expect(viaLayer.status).toBe("fail")
    }))

  it("fails a live gate whose endpoint exists only in test mode", () =>
    withEmulator((s) => void s.webhookEndpoints.push(StripeObjects.webhookEndpoint({ url: realistic.webhookUrl, livemode: false })), async (stripe) => {
      const item = await runCheck(endpointCheck(), on(stripe, { layer: { key: TEST_KEY } }))
      expect(item.status).toBe("fail")
      expect(item.message).toContain("only in test mode")
    }))

  it("pages through many endpoints with starting_after until has_more is false", () =>
    withEmulator((state) => {
      for (let i = 0; i < 230; i++) {
        state.webhookEndpoints.push(StripeObjects.webhookEndpoint({ url: `https://tenant-${i}.example/hook`, created: 1_000 + i }))
      }
      // The oldest endpoint is listed last: on the third page.
      state.webhookEndpoints.push(StripeObjects.webhookEndpoint({ url: realistic.webhookUrl, created: 10 }))
    }, async (stripe) => {
      const item = await runCheck(endpointCheck(), on(stripe))
      expect(item.status).toBe("pass")
      const requests = hits(stripe, "/v1/webhook_endpoints")
      expect(requests).toHaveLength(3)
      expect(requests[0]!.query["starting_after"]).toBeUndefined()
      expect(requests[1]!.query["starting_after"]).toMatch(/^we_/)
    }))
})

describe("billing.webhook.delivery", () => {
  it("passes when every recent event was delivered", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      const item = await runCheck(Webhook.delivery(), on(stripe))
      expect(item.status).toBe("pass")
      const [request] = hits(stripe, "/v1/events")
      expect(request!.query).toMatchObject({ delivery_success: "false", "created[gte]": String(NOW.getTime() / 1000 - 86_400) })
    }))

  it("fails above the threshold, counting by type", () =>
    withEmulator(seedRealisticAccount({ now: NOW, problems: { failedDeliveries: 3 } }), async (stripe) => {
      const item = await runCheck(Webhook.delivery(), on(stripe))
      expect(item.status).toBe("fail")
      expect(item.evidence["byType"]).toEqual({ "invoice.paid": 2, "customer.subscription.updated": 1 })
      expect(item.evidence["observed"]).toEqual({ undelivered: 3 })
    }))

  it("warns at or under the threshold, and filters by type", () =>
    withEmulator(seedRealisticAccount({ now: NOW, problems: { failedDeliveries: 3 } }), async (stripe) => {
      expect((await runCheck(Webhook.delivery({ maxUndelivered: 5 }), on(stripe))).status).toBe("warn")
      const subscriptions = Webhook.delivery({ types: ["customer.subscription.updated"], maxUndelivered: 1 })
      const onlySubscriptions = await runCheck(subscriptions, on(stripe))
      expect(onlySubscriptions.status).toBe("warn")
      expect(onlySubscriptions.evidence["byType"]).toEqual({ "customer.subscription.updated": 1 })
    }))

  it("ignores events older than the window and younger than the grace period (injected clock)", () =>
    withEmulator(seedRealisticAccount({ now: NOW, problems: { failedDeliveries: 3 } }), async (stripe) => {
      // Two days later, the failures are outside a 24 h window.
      const later = await runCheck(Webhook.delivery(), on(stripe, { now: new Date(NOW.getTime() + 2 * 86_400_000) }))
      expect(later.status).toBe("pass")
      // With a 15-minute grace period, the event 10 minutes old does not count yet.
      const graced = await runCheck(Webhook.delivery({ grace: "15 minutes" }), on(stripe))
      expect(graced.evidence["observed"]).toEqual({ undelivered: 2 })
      expect(graced.evidence["inGracePeriod"]).toBe(1)
    }))
})

describe("billing.webhook.receiver (active)", () => {
  const secret = "whsec_launchgateCurrentSecret000000000"
  const staging = { layer: { key: TEST_KEY, environment: "staging" } } as const

  const withReceiver = async (behavior: WebhookReceiver.Behavior, f: (url: string) => Promise<void>) => {
    const receiver = await WebhookReceiver.start({ secrets: [secret], behavior })
    try {
      await f(`${receiver.url}/api/stripe/webhook`)
    } finally {
      await receiver.close()
    }
  }
  const check = (url: string, extra: Partial<Webhook.ReceiverOptions> = {}) =>
    Webhook.receiver({ url, secret: Redacted.make(secret), ...extra })

  it("passes a receiver that verifies signatures properly (signed, forged, stale, unsigned, rotation)", () =>
    withEmulator(undefined, (stripe) =>
      withReceiver("verify", async (url) => {
        const item = await runCheck(check(url), on(stripe, staging))
        expect(item.status).toBe("pass")
        expect(item.active).toBe(true)
        expect(item.subjects?.map((s) => [s.subject, s.status, s.message])).toEqual([
          ["signed", "pass", "accepted (200)"],
          ["wrong-signature", "pass", "rejected (400)"],
          ["stale-timestamp", "pass", "rejected (400)"],
          ["unsigned", "pass", "rejected (400)"],
          ["rotation", "pass", "accepted (200)"]
        ])
        // The receiver check reads nothing from Stripe, and the secret never reaches the report.
        expect(stripe.log).toHaveLength(0)
        expect(JSON.stringify(item)).not.toContain(secret)
      })))

  it("fails a receiver that accepts forged events", () =>
    withEmulator(undefined, (stripe) =>
      withReceiver("accept-all", async (url) => {
        const item = await runCheck(check(url), on(stripe, staging))
        expect(item.status).toBe("fail")
        expect(item.subjects?.filter((s) => s.status === "fail").map((s) => s.subject)).toEqual([
          "wrong-signature",
          "stale-timestamp",
          "unsigned"
        ])
        expect(item.subjects?.find((s) => s.subject === "unsigned")?.message).toBe("accepted a forged event (200)")
      })))

  it("fails a receiver that ignores the timestamp, or accepts unsigned events", () =>
    withEmulator(undefined, async (stripe) => {
      await withReceiver("ignore-timestamp", async (url) => {
        const item = await runCheck(check(url), on(stripe, staging))
        expect(item.subjects?.filter((s) => s.status !== "pass").map((s) => s.subject)).toEqual(["stale-timestamp"])
      })
      await withReceiver("accept-unsigned", async (url) => {
        const item = await runCheck(check(url), on(stripe, staging))
        expect(item.subjects?.filter((s) => s.status !== "pass").map((s) => s.subject)).toEqual(["unsigned"])
      })
    }))

  it("fails a receiver that only checks the first v1 signature (breaks during secret rotation)", () =>
    withEmulator(undefined, (stripe) =>
      withReceiver("first-signature-only", async (url) => {
        const previousSecret = Redacted.make("whsec_launchgateOldSecret0000000000")
        const item = await runCheck(check(url, { previousSecret }), on(stripe, staging))
        expect(item.status).toBe("fail")
        const rotation = item.subjects?.find((s) => s.subject === "rotation")
        expect(rotation?.status).toBe("fail")
        expect(rotation?.remediation).toContain("any v1")
      })))

  it("is skipped against production unless allowed, and when the gate does not allow active checks", () =>
    withEmulator(undefined, (stripe) =>
      withReceiver("verify", async (url) => {
        const production = await runCheck(check(url), on(stripe))
        expect(production.status).toBe("skip")
        expect(production.message).toContain("expects live data")
        const allowed = await runCheck(check(url, { allowProduction: true }), on(stripe))
        expect(allowed.status).toBe("pass")
        const report = await runChecks([check(url)], on(stripe, { ...staging, allowActive: false }))
        expect(report.items[0]!.status).toBe("skip")
        expect(report.items[0]!.message).toContain("active")
      })))

  it("reports error, not pass, when the receiver cannot be reached", () =>
    withEmulator(undefined, async (stripe) => {
      const receiver = await WebhookReceiver.start({ secrets: [secret] })
      const url = receiver.url
      await receiver.close()
      const item = await runCheck(check(url), on(stripe, staging))
      expect(item.status).toBe("error")
    }))
})
