import { describe, expect, it } from "@effect/vitest"
import { Gate, Runner } from "@launchgate/core"
import { Redacted } from "effect"
import * as Billing from "../src/index.js"
import { type Problems, realistic, seedRealisticAccount, StripeEmulator, WebhookReceiver } from "../src/emulator/index.js"
import { LIVE_KEY, NOW, withEmulator } from "./support.js"

const SECRET = "whsec_realisticLaunchSecret00000000"

/** The public-launch gate a product team would write, against a running emulator and receiver. */
const launchGate = (stripe: { url: string }, receiverUrl: string) =>
  Gate.make({
    name: "public launch: billing",
    environment: "production",
    items: [
      { check: Billing.Key.mode(), tier: "launch-critical", owner: "payments" },
      { check: Billing.Account.chargesEnabled(), tier: "launch-critical", owner: "payments" },
      { check: Billing.Account.payoutsEnabled(), tier: "launch-adjacent", owner: "finance" },
      { check: Billing.Account.requirements(), tier: "launch-critical", owner: "payments" },
      { check: Billing.Catalog.prices({ plans: realistic.plans, taxRequired: true }), tier: "launch-critical", owner: "growth" },
      {
        check: Billing.Webhook.endpoint({ url: realistic.webhookUrl, events: realistic.webhookEvents }),
        tier: "launch-critical",
        owner: "payments"
      },
      { check: Billing.Webhook.delivery(), tier: "launch-critical", owner: "payments" },
      {
        check: Billing.Webhook.receiver({ url: receiverUrl, secret: Redacted.make(SECRET), expectedMode: "test" }),
        tier: "launch-critical",
        owner: "payments",
        allowActive: true
      },
      { check: Billing.Portal.configured({ features: realistic.portalFeatures }), tier: "launch-adjacent", owner: "support" },
      { check: Billing.Tax.active(), tier: "launch-critical", owner: "finance" }
    ],
    rollback: {
      "billing.key": { none: "configuration only" },
      "billing.account": { none: "account status is not deployed" },
      "billing.catalog": { procedure: "re-point the pricing page to the previous lookup keys", killSwitch: "flag: paid-plans" },
      "billing.webhook": { procedure: "disable the new endpoint; the old one keeps receiving" },
      "billing.tax": { none: "tax settings are not deployed" }
    },
    layer: Billing.layer({
      apiKey: Redacted.make(LIVE_KEY),
      environment: "production",
      baseUrl: stripe.url,
      retry: { baseDelay: "1 millis" }
    })
  })

const runWith = (problems: Problems) =>
  withEmulator(seedRealisticAccount({ now: NOW, problems }), async (stripe) => {
    const receiver = await WebhookReceiver.start({ secrets: [SECRET] })
    try {
      return await Runner.runPromise(launchGate(stripe, `${receiver.url}/api/stripe/webhook`), { now: NOW })
    } finally {
      await receiver.close()
    }
  })

describe("seedRealisticAccount + a public-launch gate", () => {
  it("is ready when nothing is wrong", async () => {
    const report = await runWith({})
    expect(report.items.filter((i) => i.status !== "pass").map((i) => `${i.id}: ${i.message}`)).toEqual([])
    expect(report.verdict).toBe("ready")
  })

  const cases: ReadonlyArray<readonly [string, Problems, string, "fail" | "warn"]> = [
    // Charges are disabled because requirements are past due: both checks say so.
    ["charges disabled", { chargesDisabled: true }, "billing.account.charges-enabled+billing.account.requirements", "fail"],
    ["payouts disabled", { payoutsDisabled: true }, "billing.account.payouts-enabled", "fail"],
    ["requirements due", { requirementsDue: true }, "billing.account.requirements", "fail"],
    ["deadline soon", { deadlineInDays: 3 }, "billing.account.requirements", "warn"],
    ["plan missing", { missingPlan: "pro_yearly" }, "billing.catalog.prices", "fail"],
    ["plan archived", { archivedPlan: "pro_yearly" }, "billing.catalog.prices", "fail"],
    ["plan duplicated", { duplicatePlan: "pro_yearly" }, "billing.catalog.prices", "fail"],
    ["plan mismatched", { mismatchedPlan: "pro_yearly" }, "billing.catalog.prices", "fail"],
    ["product archived", { archivedProduct: "Team" }, "billing.catalog.prices", "fail"],
    ["tax behaviour unspecified", { unspecifiedTaxBehavior: true }, "billing.catalog.prices", "fail"],
    ["webhook disabled", { webhookDisabled: true }, "billing.webhook.endpoint", "fail"],
    ["webhook missing events", { webhookMissingEvents: ["invoice.paid"] }, "billing.webhook.endpoint", "fail"],
    ["webhook version unpinned", { webhookApiVersion: null }, "billing.webhook.endpoint", "fail"],
    ["deliveries failing", { failedDeliveries: 4 }, "billing.webhook.delivery", "fail"],
    ["portal without terms", { portalWithoutTerms: true }, "billing.portal.configured", "fail"],
    ["portal feature off", { portalFeatureDisabled: "subscription_cancel" }, "billing.portal.configured", "fail"],
    ["tax pending", { taxPending: true }, "billing.tax.active", "fail"]
  ]

  it.each(cases)("%s breaks exactly the matching check", async (_name, problems, ids, status) => {
    const report = await runWith(problems)
    const notPassing = report.items.filter((i) => i.status !== "pass")
    expect(notPassing.map((i) => [i.id, i.status])).toEqual(ids.split("+").map((id) => [id, status]))
    expect(report.verdict).toBe(status === "fail" && !ids.includes("payouts") && !ids.includes("portal") ? "blocked" : "ready")
  })
})
