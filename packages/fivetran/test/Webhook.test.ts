import { Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { seedRealisticAccount, webhook } from "../src/emulator/index.js"
import { Webhook, WebhookSignature } from "../src/index.js"
import { type ReceiverMode, run, runOne, withEmulator, withReceiver } from "./support/harness.js"

const URL = "https://api.example.com/hooks/fivetran"

describe("fivetran.webhook.configured", () => {
  it("passes for an active, signed account webhook with the required events", async () => {
    let ids!: ReturnType<typeof seedRealisticAccount>
    await withEmulator((s) => void (ids = seedRealisticAccount(s)), async (emu) => {
      const result = await runOne(emu, Webhook.configured({ url: ids.webhook.url, groupId: ids.groupId }))
      expect(result.status).toBe("pass")
      expect(result.message).toContain("acme_account_hook")
      expect(JSON.stringify(result.evidence)).not.toContain(ids.webhook.secret)
    })
  })

  it("accepts a group webhook of the given group", async () => {
    await withEmulator((s) => void s.addWebhook(webhook({ url: URL, groupId: "prod" })), async (emu) => {
      expect((await runOne(emu, Webhook.configured({ url: URL, groupId: "prod" }))).status).toBe("pass")
    })
  })

  it("fails when no webhook delivers to the URL, listing what exists", async () => {
    await withEmulator((s) => void s.addWebhook(webhook({ url: "https://old.example.com/hook" })), async (emu) => {
      const result = await runOne(emu, Webhook.configured({ url: URL }))
      expect(result.status).toBe("fail")
      expect(result.evidence).toMatchObject({ observed: { webhooks: 1, urls: ["https://old.example.com/hook"] } })
      expect(result.remediation).toContain("POST /v1/webhooks/account")
    })
  })

  it("fails a URL that is not HTTPS without reading anything", async () => {
    await withEmulator(undefined, async (emu) => {
      const result = await runOne(emu, Webhook.configured({ url: "http://api.example.com/hooks" }))
      expect(result.status).toBe("fail")
      expect(result.message).toContain("not HTTPS")
      expect(emu.log).toHaveLength(0)
    })
  })

  it("fails an inactive webhook and one missing required events", async () => {
    await withEmulator((s) => {
      s.addWebhook(webhook({ id: "off", url: URL, active: false }))
      s.addWebhook(webhook({ id: "few", url: "https://b.example.com/h", events: ["sync_start"] }))
    }, async (emu) => {
      const inactive = await runOne(emu, Webhook.configured({ url: URL }))
      expect(inactive.status).toBe("fail")
      expect(inactive.message).toContain("inactive")
      const missing = await runOne(emu, Webhook.configured({ url: "https://b.example.com/h", events: ["sync_end", "connection_failure"] }))
      expect(missing.message).toContain("missing events sync_end, connection_failure")
    })
  })

  it("does not count a webhook of another group", async () => {
    await withEmulator((s) => void s.addWebhook(webhook({ url: URL, groupId: "staging" })), async (emu) => {
      const result = await runOne(emu, Webhook.configured({ url: URL, groupId: "prod" }))
      expect(result.status).toBe("fail")
      expect(result.message).toContain("belong to other groups")
    })
  })

  it("warns on an unsigned webhook, and fails it with requireSecret", async () => {
    await withEmulator((s) => void s.addWebhook(webhook({ url: URL, secret: null })), async (emu) => {
      expect((await runOne(emu, Webhook.configured({ url: URL }))).status).toBe("warn")
      expect((await runOne(emu, Webhook.configured({ url: URL, requireSecret: true }))).status).toBe("fail")
    })
  })
})

describe("fivetran.webhook.test-delivery (active)", () => {
  it("passes when Fivetran's signed test delivery reaches a receiver that answers 2xx", async () => {
    await withReceiver("s3cret_value", "verifies", async (hook) => {
      await withEmulator((s) => void s.addWebhook(webhook({ id: "w", url: hook.url, secret: "s3cret_value" })), async (emu) => {
        const result = await runOne(emu, Webhook.testDelivery({ url: hook.url }), { allowActive: true })
        expect(result.status).toBe("pass")
        expect(hook.received).toHaveLength(1)
        // The emulator signs as the receiver check does: lower-case hex (the case Fivetran uses is unverified).
        expect(hook.received[0]!.signature).toBe(WebhookSignature.sign(hook.received[0]!.body, "s3cret_value"))
        expect(JSON.parse(hook.received[0]!.body)).toMatchObject({ event: "sync_end", connector_id: "_connector_1" })
        const [post] = emu.requests({ method: "POST", path: "/v1/webhooks/w/test" })
        expect(JSON.parse(post!.body)).toEqual({ event: "sync_end" })
      })
    })
  })

  it("fails when the receiver rejects the delivery", async () => {
    await withReceiver("right_secret", "verifies", async (hook) => {
      await withEmulator((s) => void s.addWebhook(webhook({ id: "w", url: hook.url, secret: "wrong_secret" })), async (emu) => {
        const result = await runOne(emu, Webhook.testDelivery({ webhookId: "w" }), { allowActive: true })
        expect(result.status).toBe("fail")
        expect(result.evidence).toMatchObject({ observed: { succeed: false, status: 401 } })
      })
    })
  })

  it("is skipped unless allowed", async () => {
    await withEmulator((s) => void s.addWebhook(webhook({ id: "w" })), async (emu) => {
      expect((await runOne(emu, Webhook.testDelivery({ webhookId: "w" }))).status).toBe("skip")
      expect(emu.log).toHaveLength(0)
    })
  })
})

describe("fivetran.webhook.receiver (active)", () => {
  const secret = "product_webhook_secret"
  const checkReceiver = (mode: ReceiverMode) =>
    withReceiver(secret, mode, (hook) =>
      withEmulator(undefined, async (emu) => {
        const result = await runOne(emu, Webhook.receiver({ url: hook.url, secret: Redacted.make(secret) }), { allowActive: true })
        return { hook, result }
      }))

  it("passes a receiver that verifies the signature in either hex case and rejects forgeries", async () => {
    const { hook, result } = await checkReceiver("verifies")
    expect(result.status).toBe("pass")
    expect((result.evidence["steps"] as Array<{ status: number }>).map((s) => s.status)).toEqual([200, 200, 401, 401])
    expect(result.evidence["acceptsUpperCaseHex"]).toBe(true)
    expect(result.attempts).toBe(4)
    const [first, second, forged, unsigned] = hook.received
    expect(first!.signature).toBe(WebhookSignature.sign(first!.body, secret))
    expect(second!.signature).toBe(WebhookSignature.sign(second!.body, secret, { case: "upper" }))
    expect(forged!.body).toBe(first!.body)
    expect(forged!.signature).not.toBe(first!.signature)
    expect(unsigned!.signature).toBeUndefined()
    expect(JSON.parse(first!.body)).toMatchObject({ event: "sync_end", connector_id: "launchgate_test", data: { status: "SUCCESSFUL" } })
    expect(JSON.stringify(result)).not.toContain(secret)
  })

  it("fails a receiver that accepts forged payloads", async () => {
    const { result } = await checkReceiver("accepts-anything")
    expect(result.status).toBe("fail")
    expect(result.message).toContain("wrong signature got 200, expected 4xx")
    expect(result.remediation).toContain("WebhookSignature.verify")
  })

  it("passes a receiver that compares exactly in lower-case hex; upper-case acceptance is evidence only", async () => {
    const { result } = await checkReceiver("case-sensitive-lower")
    expect(result.status).toBe("pass")
    expect(result.evidence["acceptsUpperCaseHex"]).toBe(false)
    expect(result.evidence["steps"]).toContainEqual(
      expect.objectContaining({ step: "signed (upper-case hex, evidence only)", expect: "evidence", status: 401 })
    )
  })

  it("fails a receiver that accepts only upper-case hex (it would reject lower-case signatures)", async () => {
    const { result } = await checkReceiver("case-sensitive-upper")
    expect(result.status).toBe("fail")
    expect(result.message).toContain("signed (lower-case hex) got 401, expected 2xx")
    expect(result.evidence["acceptsUpperCaseHex"]).toBe(true)
  })

  it("fails a receiver that errors, and reports error when nothing answers", async () => {
    await withEmulator(undefined, async (emu) => {
      const check = await withReceiver(secret, "fails", async (hook) => {
        const check = Webhook.receiver({ url: hook.url, secret: Redacted.make(secret) })
        expect((await runOne(emu, check, { allowActive: true })).status).toBe("fail")
        return check
      })
      // The receiver is closed now: nothing answers.
      const down = await runOne(emu, check, { allowActive: true })
      expect(down.status).toBe("error")
    })
  })

  it("is skipped unless allowed", async () => {
    await withReceiver(secret, "verifies", async (hook) => {
      await withEmulator(undefined, async (emu) => {
        const report = await run(emu, [Webhook.receiver({ url: hook.url, secret: Redacted.make(secret) })])
        expect(report.items[0]?.status).toBe("skip")
        expect(hook.received).toHaveLength(0)
      })
    })
  })
})
