import { describe, expect, it } from "@effect/vitest"
import { runCheck } from "@launchgate/core/testing"
import * as Tax from "../src/Tax.js"
import { seedRealisticAccount } from "../src/emulator/index.js"
import { errorOf, NOW, on, TEST_KEY, withEmulator } from "./support.js"

describe("billing.tax.active", () => {
  it("passes when tax settings are active", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      const item = await runCheck(Tax.active(), on(stripe))
      expect(item.status).toBe("pass")
      expect(item.evidence["observed"]).toMatchObject({ status: "active", livemode: true })
    }))

  it("fails when tax settings are pending, listing the missing fields", () =>
    withEmulator(seedRealisticAccount({ now: NOW, problems: { taxPending: true } }), async (stripe) => {
      const item = await runCheck(Tax.active(), on(stripe))
      expect(item.status).toBe("fail")
      expect(item.message).toBe("tax settings are pending: missing head_office")
    }))

  it("fails when read in the wrong mode", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      const item = await runCheck(Tax.active(), on(stripe, { layer: { key: TEST_KEY } }))
      expect(item.status).toBe("fail")
      expect(item.message).toContain("test mode")
    }))

  it("skips without a request when the gate does not require tax", () =>
    withEmulator(seedRealisticAccount({ now: NOW, problems: { taxPending: true } }), async (stripe) => {
      const item = await runCheck(Tax.active({ required: false }), on(stripe))
      expect(item.status).toBe("skip")
      expect(stripe.log).toHaveLength(0)
    }))

  it("reports an unknown status as error, never pass", () =>
    withEmulator((s) => void (s.taxSettings.status = "suspended"), async (stripe) => {
      const item = await runCheck(Tax.active(), on(stripe))
      expect(item.status).toBe("error")
      expect(item.message).toContain("status")
      expect(errorOf(item)["reason"]).toBe("invalid-response")
    }))
})
