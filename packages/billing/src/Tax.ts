/**
 * Tax: automatic tax collection is set up when the launch charges tax.
 *
 * @since 0.1.0
 */
import { type Check, Outcome } from "@launchgate/core"
import * as Effect from "effect/Effect"
import type { BillingClient } from "./BillingClient.js"
import * as Billing from "./internal/checks.js"

/** Options of {@link active}. */
export interface ActiveOptions extends Billing.ModeOptions {
  /** The launch collects tax. Default true; false makes the check a skip. */
  readonly required?: boolean | undefined
}

/** What to do, per finding, for the person reading the report. */
const remediation = {
  otherMode: "Run the gate with a key of the launch's mode (see billing.key.mode).",
  notActive: "Finish setup in Dashboard → Settings → Tax (head office address and default tax behaviour), then " +
    "add registrations where you collect."
} as const

/**
 * `billing.tax.active`: tax settings are `active` (head office and defaults
 * set) in the expected mode. Skipped when the gate says tax is not required.
 */
export const active = (options: ActiveOptions = {}): Check.Check<BillingClient> =>
  Billing.make({
    id: "billing.tax.active",
    title: "Tax collection is set up",
    surface: "billing.tax",
    category: "dependencies",
    description: "Automatic tax is active, so invoices carry the tax the launch is required to collect.",
    role: "Stripe restricted key with Tax settings: Read (rak_tax_settings_read)",
    run: (provider) => {
      if (options.required === false) {
        return Effect.succeed(Outcome.skip("tax is not required by this gate"))
      }
      return Effect.map(provider.taxSettings, (settings) => {
        const live = Billing.expectedMode(provider, options) === "live"
        const observed = { status: settings.status, livemode: settings.livemode, missingFields: settings.missingFields }
        const expected = { status: "active", livemode: live }
        if (settings.livemode !== live) {
          const message = `tax settings were read in ${Billing.modeWord(settings.livemode)} mode; ` +
            `the launch needs ${Billing.modeWord(live)}`
          return Outcome.fail(message, { observed, expected, remediation: remediation.otherMode })
        }
        if (settings.status !== "active") {
          const missing = settings.missingFields.length > 0 ? `: missing ${settings.missingFields.join(", ")}` : ""
          const message = `tax settings are ${settings.status}${missing}`
          return Outcome.fail(message, { observed, expected, remediation: remediation.notActive })
        }
        return Outcome.pass("tax settings are active", { observed, expected })
      })
    }
  })
