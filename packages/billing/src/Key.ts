/**
 * The API key itself: is it a key of the mode the launch expects, and is it
 * least-privilege? A production gate run with a test-mode key fails here
 * (launch-critical), instead of every other check quietly passing on test
 * data.
 *
 * @since 0.1.0
 */
import { type Check, Outcome } from "@launchgate/core"
import * as Effect from "effect/Effect"
import type { BillingClient } from "./BillingClient.js"
import * as Billing from "./internal/checks.js"

/** What to do, per finding, for the person reading the report. */
const remediation = {
  liveNeeded: "Give the production gate a live-mode restricted key (rk_live_…). A test key proves nothing about " +
    "the live account.",
  testNeeded: "Use a test-mode key (rk_test_…) for non-production gates, or set expectedMode/environment if this " +
    "gate is meant to check live data.",
  secretKey: "Create a restricted key with read access only to what the checks need (see the README's permission " +
    "list) and use it instead: a leaked secret key can move money."
} as const

/** Options of {@link mode}. */
export interface ModeOptions extends Billing.ModeOptions {}

/**
 * `billing.key.mode`: the key's mode (from its prefix) is the mode the launch
 * expects, and objects read with it agree (`livemode`). A full secret key
 * passes with a warning: a restricted read-only key is enough.
 *
 * Reads the webhook endpoint list (shared with `billing.webhook.endpoint`) to
 * cross-check `livemode`.
 */
export const mode = (options: ModeOptions = {}): Check.Check<BillingClient> =>
  Billing.make({
    id: "billing.key.mode",
    title: "Billing API key is a least-privilege key of the expected mode",
    surface: "billing.key",
    category: "security",
    description: "The billing API key reads the mode the launch needs (live for production), and is a restricted " +
      "key.",
    role: "Stripe restricted key with Webhook Endpoints: Read (rak_webhook_read), to cross-check livemode",
    run: (provider) =>
      Effect.gen(function*() {
        const expected = Billing.expectedMode(provider, options)
        const key = provider.key
        const observed = { prefix: key.prefix, mode: key.mode, kind: key.kind }
        if (key.mode !== expected) {
          const message = `${key.mode}-mode key (${key.prefix}_…) but this launch expects ${expected} data: ` +
            `every other billing check would be reading ${key.mode} data`
          const fix = expected === "live" ? remediation.liveNeeded : remediation.testNeeded
          return Outcome.fail(message, { observed, expected: { mode: expected }, remediation: fix })
        }
        // Reading any list makes the provider cross-check livemode against the key (a mismatch is an error).
        const endpoints = yield* provider.webhookEndpoints
        const evidence = { crossChecked: endpoints.length, provider: provider.provider }
        if (key.kind === "secret") {
          return Outcome.warn(`full secret key (${key.prefix}_…) used where a restricted read-only key is enough`, {
            observed,
            expected: { mode: expected, kind: "restricted" },
            evidence,
            remediation: remediation.secretKey
          })
        }
        return Outcome.pass(`${key.mode}-mode restricted key (${key.prefix}_…)`, {
          observed,
          expected: { mode: expected, kind: "restricted" },
          evidence
        })
      })
  })
