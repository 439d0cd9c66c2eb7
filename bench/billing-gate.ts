/**
 * Billing gate cost: runs the full billing check set (nine read-only checks)
 * against the Stripe emulator and reports requests per run and wall time,
 * then the same with a 429 on every resource's first request.
 *
 *   pnpm bench billing-gate
 */
// The root has no dependency on the workspace packages: import core by path (the same files the
// billing package's workspace link resolves to).
import { Gate, Runner } from "@launchgate/core"
import { Redacted } from "effect"
import * as Billing from "@launchgate/billing"
import { realistic, seedRealisticAccount, StripeEmulator } from "@launchgate/billing/emulator"

const RUNS = 30

const gate = (stripe: { url: string }) =>
  Gate.make({
    name: "billing bench",
    environment: "production",
    items: [
      Billing.Key.mode(),
      Billing.Account.chargesEnabled(),
      Billing.Account.payoutsEnabled(),
      Billing.Account.requirements(),
      Billing.Catalog.prices({ plans: realistic.plans, taxRequired: true }),
      Billing.Webhook.endpoint({ url: realistic.webhookUrl, events: realistic.webhookEvents }),
      Billing.Webhook.delivery(),
      Billing.Portal.configured({ features: realistic.portalFeatures }),
      Billing.Tax.active()
    ].map((check) => ({ check, tier: "launch-adjacent" as const, owner: "bench" })),
    layer: Billing.layer({
      apiKey: Redacted.make("rk_live_benchKey0001"),
      baseUrl: stripe.url,
      retry: { baseDelay: "1 millis" }
    })
  })

const measure = async (label: string, before: (stripe: Awaited<ReturnType<typeof StripeEmulator.start>>) => void) => {
  const stripe = await StripeEmulator.start({ seed: seedRealisticAccount() })
  const times: Array<number> = []
  let requests = 0
  try {
    for (let i = 0; i < RUNS; i++) {
      stripe.clearLog()
      before(stripe)
      const started = performance.now()
      const report = await Runner.runPromise(gate(stripe))
      times.push(performance.now() - started)
      requests += stripe.log.length
      if (report.items.some((item) => item.status !== "pass")) throw new Error(`${label}: not every check passed`)
    }
  } finally {
    await stripe.close()
  }
  times.sort((a, b) => a - b)
  const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1)
  console.log(`${label}: ${RUNS} runs, ${(requests / RUNS).toFixed(1)} requests/run, median ${p(0.5)} ms, p90 ${p(0.9)} ms`)
}

export const main = async () => {
  await measure("9 checks, healthy account", () => {})
  await measure("9 checks, first request of each resource 429", (stripe) => {
    for (const path of ["/v1/account", "/v1/prices", "/v1/webhook_endpoints", "/v1/events", "/v1/billing_portal/configurations", "/v1/tax/settings"]) {
      stripe.faults.add({ fault: StripeEmulator.rateLimited(0), path, times: 1 })
    }
  })
}
