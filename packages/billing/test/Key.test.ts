import { describe, expect, it } from "@effect/vitest"
import { runCheck } from "@launchgate/core/testing"
import * as Key from "../src/Key.js"
import { seedRealisticAccount } from "../src/emulator/index.js"
import { NOW, on, TEST_KEY, withEmulator } from "./support.js"

const seed = seedRealisticAccount({ now: NOW, testMode: true })

describe("billing.key.mode", () => {
  it("passes a live restricted key on a production gate, cross-checking livemode", () =>
    withEmulator(seed, async (stripe) => {
      const item = await runCheck(Key.mode(), on(stripe, { layer: { environment: "production" } }))
      expect(item.status).toBe("pass")
      expect(item.evidence["observed"]).toEqual({ prefix: "rk_live", mode: "live", kind: "restricted" })
      expect(item.evidence["crossChecked"]).toBe(1)
      expect(item.role).toContain("rak_webhook_read")
    }))

  it("fails (launch-critical, blocking) a test-mode key on a production gate", () =>
    withEmulator(seed, async (stripe) => {
      const item = await runCheck(Key.mode(), on(stripe, { layer: { key: TEST_KEY, environment: "production" } }))
      expect(item.status).toBe("fail")
      expect(item.disposition).toBe("blocking")
      expect(item.message).toContain("test-mode key")
      expect(item.evidence["expected"]).toEqual({ mode: "live" })
      expect(item.remediation).toContain("rk_live_")
    }))

  it("expects live data when nothing says otherwise (fail closed)", () =>
    withEmulator(seed, async (stripe) => {
      const item = await runCheck(Key.mode(), on(stripe, { layer: { key: TEST_KEY } }))
      expect(item.status).toBe("fail")
    }))

  it("passes a test key on a staging gate, and fails a live key there", () =>
    withEmulator(seed, async (stripe) => {
      const staging = await runCheck(Key.mode(), on(stripe, { layer: { key: TEST_KEY, environment: "staging" } }))
      expect(staging.status).toBe("pass")
      const live = await runCheck(Key.mode(), on(stripe, { layer: { environment: "staging" } }))
      expect(live.status).toBe("fail")
      // The check's own option wins over the provider's.
      const stagingGate = on(stripe, { layer: { environment: "staging" } })
      const overridden = await runCheck(Key.mode({ expectedMode: "live" }), stagingGate)
      expect(overridden.status).toBe("pass")
    }))

  it("takes the expected mode from the gate's environment when the provider does not say", () =>
    withEmulator(seed, async (stripe) => {
      const staging = await runCheck(Key.mode(), on(stripe, { layer: { key: TEST_KEY }, environment: "staging" }))
      expect(staging.status).toBe("pass")
      const production = await runCheck(Key.mode(), on(stripe, { layer: { key: TEST_KEY }, environment: "production" }))
      expect(production.status).toBe("fail")
    }))

  it("warns when a full secret key is used", () =>
    withEmulator(seed, async (stripe) => {
      const item = await runCheck(Key.mode(), on(stripe, { layer: { key: "sk_live_51FullSecretKey0001" } }))
      expect(item.status).toBe("warn")
      expect(item.remediation).toContain("restricted key")
      expect(JSON.stringify(item)).not.toContain("sk_live_51FullSecretKey0001")
    }))
})
