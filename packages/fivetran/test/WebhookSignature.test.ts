import { createHmac } from "node:crypto"
import { Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { WebhookSignature } from "../src/index.js"

const body = `{"event":"sync_end","connector_id":"app_db","data":{"status":"SUCCESSFUL"}}`
const secret = "my_webhook_secret"
const expected = createHmac("sha256", secret).update(body).digest("hex")

describe("WebhookSignature", () => {
  it("signs with hex HMAC-SHA256 of the raw body, lower-case by default, upper-case on request", () => {
    expect(WebhookSignature.sign(body, secret)).toBe(expected)
    expect(WebhookSignature.sign(body, Redacted.make(secret), { case: "upper" })).toBe(expected.toUpperCase())
    expect(WebhookSignature.HEADER).toBe("X-Fivetran-Signature-256")
  })

  it("verifies either hex case, from a string or bytes", () => {
    expect(WebhookSignature.verify(body, secret, expected)).toBe(true)
    expect(WebhookSignature.verify(Buffer.from(body), secret, expected.toUpperCase())).toBe(true)
    expect(WebhookSignature.verify(body, secret, [` ${expected} `])).toBe(true)
  })

  it("rejects a wrong, truncated, malformed or missing signature, and a changed body", () => {
    expect(WebhookSignature.verify(body, "other_secret", expected)).toBe(false)
    expect(WebhookSignature.verify(body, secret, expected.slice(0, 63))).toBe(false)
    expect(WebhookSignature.verify(body, secret, `${expected.slice(0, 63)}z`)).toBe(false)
    expect(WebhookSignature.verify(body, secret, undefined)).toBe(false)
    expect(WebhookSignature.verify(body, secret, null)).toBe(false)
    expect(WebhookSignature.verify(`${body} `, secret, expected)).toBe(false)
  })
})
