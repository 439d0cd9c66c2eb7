import { describe, expect, it } from "@effect/vitest"
import { runCheck } from "@launchgate/core/testing"
import * as Portal from "../src/Portal.js"
import { realistic, seedRealisticAccount, StripeObjects } from "../src/emulator/index.js"
import { NOW, on, withEmulator } from "./support.js"

const check = () => Portal.configured({ features: realistic.portalFeatures })

describe("billing.portal.configured", () => {
  it("passes an active default configuration with terms, privacy and the features", () =>
    withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
      const item = await runCheck(check(), on(stripe))
      expect(item.status).toBe("pass")
      expect(item.evidence["observed"]).toMatchObject({ active: true, termsOfServiceUrl: "https://acme.example/terms" })
    }))

  it("fails without terms of service", () =>
    withEmulator(seedRealisticAccount({ now: NOW, problems: { portalWithoutTerms: true } }), async (stripe) => {
      const item = await runCheck(check(), on(stripe))
      expect(item.status).toBe("fail")
      expect(item.message).toContain("no terms of service URL")
    }))

  it("fails when a required feature is disabled", () =>
    withEmulator(seedRealisticAccount({ now: NOW, problems: { portalFeatureDisabled: "payment_method_update" } }), async (stripe) => {
      const item = await runCheck(check(), on(stripe))
      expect(item.status).toBe("fail")
      expect(item.message).toContain("disabled: payment_method_update")
    }))

  it("fails when there is no default configuration, or it is inactive", () =>
    withEmulator((s) => void s.portalConfigurations.push(StripeObjects.portalConfiguration({ is_default: false })), async (stripe) => {
      const none = await runCheck(check(), on(stripe))
      expect(none.status).toBe("fail")
      expect(none.message).toContain("no default live-mode")
      stripe.state.portalConfigurations.push(StripeObjects.portalConfiguration({ active: false }))
      const inactive = await runCheck(check(), on(stripe))
      expect(inactive.status).toBe("fail")
      expect(inactive.message).toContain("inactive")
    }))
})
