/**
 * The Stripe SDK (~200 modules, ~100 ms of start-up) is loaded only when a run needs it: building the provider
 * (API reads) or starting the webhook receiver emulator. Importing the package and its emulator, which is all
 * `launchgate plan` and `docs` do, and signing test webhooks (node:crypto) never load it. The signer's headers
 * are checked against the official SDK's own verifier.
 */
import { describe, expect, it } from "@effect/vitest"
import { vi } from "vitest"
import { HttpTransport } from "@launchgate/core"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type StripeSdk from "stripe"

// Counts the loads of "stripe" by the package's code (vi.importActual below is not counted).
const sdk = vi.hoisted(() => ({ loads: 0 }))
vi.mock("stripe", async (importOriginal) => {
  sdk.loads++
  return importOriginal()
})

const official = async (): Promise<typeof StripeSdk> =>
  (await vi.importActual<{ default: typeof StripeSdk }>("stripe")).default

const T = 1_780_000_000
const PAYLOAD = JSON.stringify({ id: "evt_launchgate_test", object: "event", type: "invoice.paid" })
const OLD = "whsec_old0000000000000000000000000"
const NEW = "whsec_new1111111111111111111111111"

describe("the Stripe SDK is loaded lazily", () => {
  it("importing the package and its emulator, and signing a webhook, do not load it", async () => {
    const Stripe = await import("../src/Stripe.js")
    await import("../src/index.js")
    await import("../src/emulator/index.js")
    const header = Stripe.webhookSigner("2026-10-28.endive", false).sign(PAYLOAD, [OLD, NEW], T)
    expect(header.split(",")).toHaveLength(3)
    expect(sdk.loads).toBe(0)
  })

  it("signs as Stripe does: the official SDK verifies each secret's v1 and rejects tampering", async () => {
    const Stripe = await import("../src/Stripe.js")
    const signer = Stripe.webhookSigner("2026-10-28.endive", false)
    const Sdk = await official()
    expect(signer.toleranceSeconds).toBe(Sdk.webhooks.DEFAULT_TOLERANCE)
    const header = signer.sign(PAYLOAD, [OLD, NEW], T)
    // receivedAt pins "now" for the tolerance check: no wall clock.
    for (const secret of [OLD, NEW]) {
      expect(Sdk.webhooks.constructEvent(PAYLOAD, header, secret, 300, undefined, T + 10).type).toBe("invoice.paid")
    }
    // Byte-for-byte what the SDK's own test header holds for one secret.
    expect(signer.sign(PAYLOAD, [NEW], T)).toBe(
      Sdk.webhooks.generateTestHeaderString({ payload: PAYLOAD, secret: NEW, timestamp: T })
    )
    const verify = (payload: string, secret: string) => () =>
      Sdk.webhooks.constructEvent(payload, header, secret, 300, undefined, T + 10)
    expect(verify(PAYLOAD.replace("invoice.paid", "invoice.void"), NEW)).toThrow(/signature/i)
    expect(verify(PAYLOAD, "whsec_other22222222222222222222222")).toThrow(/signature/i)
    expect(sdk.loads).toBe(0)
  })

  it("building the provider loads it", async () => {
    const Stripe = await import("../src/Stripe.js")
    const provider = await Effect.runPromise(
      Stripe.make({ apiKey: Redacted.make("rk_test_51LaunchgateLazySdk0001"), baseUrl: "http://127.0.0.1:9" }).pipe(
        Effect.provide(HttpTransport.layerDefault)
      )
    )
    expect(provider.provider).toBe("stripe")
    expect(sdk.loads).toBe(1)
  })
})
