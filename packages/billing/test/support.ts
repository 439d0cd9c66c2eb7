/**
 * Test support: start the Stripe emulator, build the Stripe layer pointed at
 * it (tiny retry delays), and run checks through the real runner.
 */
import { type Check, Gate, type HttpTransport, type Report, Runner } from "@launchgate/core"
import type { Running } from "@launchgate/core/emulator"
import { type Duration, type Layer, Redacted } from "effect"
import type { BillingError } from "../src/BillingError.js"
import type { BillingProvider } from "../src/BillingProvider.js"
import * as Stripe from "../src/Stripe.js"
import { StripeEmulator, type StripeState } from "../src/emulator/index.js"

export const LIVE_KEY = "rk_live_51LaunchgateTestKey0001"
export const TEST_KEY = "rk_test_51LaunchgateTestKey0001"
export const NOW = new Date("2026-06-01T12:00:00Z")

/** Start an emulator for one test; closed by `using`-free `try/finally` in `withEmulator`. */
export const withEmulator = async <A>(
  seed: ((state: StripeState) => void) | undefined,
  f: (emulator: Running<StripeState>) => Promise<A>
): Promise<A> => {
  const emulator = await StripeEmulator.start(seed ? { seed } : {})
  try {
    return await f(emulator)
  } finally {
    await emulator.close()
  }
}

/** The Stripe layer against a running emulator, with millisecond retry delays. */
export const layerFor = (
  emulator: { readonly url: string },
  options: Partial<Stripe.Options> & { key?: string } = {}
): Layer.Layer<BillingProvider, BillingError, HttpTransport.HttpTransport> => {
  const { key, ...rest } = options
  return Stripe.layer({
    apiKey: Redacted.make(key ?? LIVE_KEY),
    ...StripeEmulator.connection(emulator),
    retryBaseDelay: "1 millis",
    retryMaxDelay: "5 millis",
    ...rest
  })
}

export interface RunOptions {
  readonly layer?: (Partial<Stripe.Options> & { key?: string }) | undefined
  readonly now?: Date | undefined
  readonly environment?: string | undefined
  readonly allowActive?: boolean | undefined
  /** The gate's `http` options (CA, proxy, insecure origins): the transport every check and layer shares. */
  readonly http?: HttpTransport.Options | undefined
  /** The runner's per-check timeout. */
  readonly checkTimeout?: Duration.DurationInput | undefined
}

/** A gate over `checks` (launch-critical, rollback `none` per surface) run once by the core runner. */
export const run = (
  emulator: { readonly url: string },
  checks: ReadonlyArray<Check.Check<BillingProvider>>,
  options: RunOptions = {}
): Promise<Report.Report> =>
  Runner.runPromise(
    Gate.make({
      name: "billing test",
      environment: options.environment ?? "production",
      items: checks.map((check) => ({ check, tier: "launch-critical" as const, owner: "payments" })),
      rollback: Object.fromEntries([...new Set(checks.map((c) => c.surface))].map((s) => [s, { none: "test fixture" }])),
      allowActive: options.allowActive ?? true,
      ...(options.http !== undefined ? { http: options.http } : {}),
      layer: layerFor(emulator, options.layer)
    }),
    { now: options.now ?? NOW, ...(options.checkTimeout !== undefined ? { checkTimeout: options.checkTimeout } : {}) }
  )

/** Run one check and return its report item. */
export const runOne = async (
  emulator: { readonly url: string },
  check: Check.Check<BillingProvider>,
  options: RunOptions = {}
): Promise<Report.ItemReport> => {
  const report = await run(emulator, [check], options)
  return report.items[0]!
}

/** Requests the emulator served for a path. */
export const hits = (emulator: Running<StripeState>, path: string) => emulator.requests({ path })
