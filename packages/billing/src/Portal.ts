/**
 * The customer (self-service) portal: customers can manage billing without
 * a support ticket, under published terms.
 *
 * @since 0.1.0
 */
import { type Check, Outcome } from "@launchgate/core"
import * as Effect from "effect/Effect"
import type { BillingClient } from "./BillingClient.js"
import type { Mode, PortalConfiguration, PortalFeature } from "./BillingProvider.js"
import * as Billing from "./internal/checks.js"

/** Options of {@link configured}. */
export interface ConfiguredOptions extends Billing.ModeOptions {
  /** Features the product links customers to. Default: none required. */
  readonly features?: ReadonlyArray<PortalFeature> | undefined
  /** Require a terms of service URL. Default true. */
  readonly requireTerms?: boolean | undefined
  /** Require a privacy policy URL. Default true. */
  readonly requirePrivacy?: boolean | undefined
}

const PORTAL = "Dashboard → Settings → Billing → Customer portal"

/** What to do, per finding, for the person reading the report. */
const remediation = {
  noDefault: (mode: Mode) =>
    `Save the portal settings once in ${PORTAL} (in ${mode} mode); that creates the default configuration.`,
  incomplete: `Fix it in ${PORTAL}: the product's "manage billing" links land there.`
} as const

/** What is wrong with a portal configuration, in words. */
const problemsOf = (config: PortalConfiguration, options: ConfiguredOptions): Array<string> => {
  const problems: Array<string> = []
  if (!config.active) problems.push("it is inactive")
  if (options.requireTerms !== false && !config.termsOfServiceUrl) problems.push("no terms of service URL")
  if (options.requirePrivacy !== false && !config.privacyPolicyUrl) problems.push("no privacy policy URL")
  const disabled = (options.features ?? []).filter((f) => !config.features[f])
  if (disabled.length > 0) problems.push(`disabled: ${disabled.join(", ")}`)
  return problems
}

/**
 * `billing.portal.configured`: the default portal configuration of the
 * expected mode is active, has terms of service and privacy policy URLs, and
 * enables every feature the product relies on.
 */
export const configured = (options: ConfiguredOptions = {}): Check.Check<BillingClient> =>
  Billing.make({
    id: "billing.portal.configured",
    title: "Customer portal is configured",
    surface: "billing.portal",
    category: "rollout",
    description: "Customers can update payment methods and manage subscriptions in the portal, under published " +
      "terms and privacy policy.",
    role: "Stripe restricted key with Customer portal: Read (rak_billing_portal_configuration_read)",
    run: (provider) =>
      Effect.map(provider.portalConfigurations, (configs) => {
        const live = Billing.expectedMode(provider, options) === "live"
        const features = options.features ?? []
        const expected = {
          isDefault: true,
          active: true,
          livemode: live,
          termsOfServiceUrl: options.requireTerms === false ? "any" : "set",
          privacyPolicyUrl: options.requirePrivacy === false ? "any" : "set",
          features
        }
        const config = configs.find((c) => c.isDefault && c.livemode === live)
        if (config === undefined) {
          return Outcome.fail(`no default ${Billing.modeWord(live)}-mode customer portal configuration`, {
            observed: configs.map(({ id, isDefault, livemode, active }) => ({ id, isDefault, livemode, active })),
            expected,
            remediation: remediation.noDefault(Billing.modeWord(live))
          })
        }
        const problems = problemsOf(config, options)
        const observed = {
          id: config.id,
          active: config.active,
          termsOfServiceUrl: config.termsOfServiceUrl,
          privacyPolicyUrl: config.privacyPolicyUrl,
          features: config.features
        }
        if (problems.length > 0) {
          return Outcome.fail(`default portal configuration ${config.id}: ${problems.join("; ")}`, {
            observed,
            expected,
            remediation: remediation.incomplete
          })
        }
        const message = `default portal configuration ${config.id} is active with terms, privacy policy and ` +
          `${features.length} required feature(s)`
        return Outcome.pass(message, { observed, expected })
      })
  })
