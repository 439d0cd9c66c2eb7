/**
 * Test support, what is billing-specific: the emulator with a seed, the client
 * layer pointed at it (`StripeEmulator.clientOptions`), and a gate with an
 * environment (core's `runChecks` has no `environment`, which the billing
 * checks read for the expected mode).
 */
import { type Check, Gate, type HttpTransport, type Report, Runner } from "@launchgate/core"
import type { Running } from "@launchgate/core/emulator"
import * as Testing from "@launchgate/core/testing"
import { type Duration, type Layer, Redacted } from "effect"
import * as BillingClient from "../src/BillingClient.js"
import type { BillingError } from "../src/BillingError.js"
import type * as Stripe from "../src/Stripe.js"
import { StripeEmulator, type StripeState } from "../src/emulator/index.js"

type BillingClient = BillingClient.BillingClient

export const LIVE_KEY = "rk_live_51LaunchgateTestKey0001"
export const TEST_KEY = "rk_test_51LaunchgateTestKey0001"
export const NOW = new Date("2026-06-01T12:00:00Z")

/** Start an emulator for one test; closed by `using`-free `try/finally` in `withEmulator`. */
export const withEmulator = <A>(
  seed: ((state: StripeState) => void) | undefined,
  f: (emulator: Running<StripeState>) => Promise<A>
): Promise<A> => Testing.withEmulator(StripeEmulator, seed ? { seed } : {}, f)

/** The Stripe layer against a running emulator, with millisecond retry delays. */
export const layerFor = (
  emulator: { readonly url: string },
  options: Partial<Stripe.Options> & { key?: string } = {}
): Layer.Layer<BillingClient, BillingError, HttpTransport.HttpTransport> => {
  const { key, ...rest } = options
  return BillingClient.layer(StripeEmulator.clientOptions(emulator, { apiKey: Redacted.make(key ?? LIVE_KEY), ...rest }))
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
  checks: ReadonlyArray<Check.Check<BillingClient>>,
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
  check: Check.Check<BillingClient>,
  options: RunOptions = {}
): Promise<Report.ItemReport> => {
  const report = await run(emulator, [check], options)
  return Testing.item(report, check.id)
}

/** Requests the emulator served for a path. */
export const hits = (emulator: Running<StripeState>, path: string) => emulator.requests({ path })

/** The error a failed read left as the item's evidence (core's `Check.errorFromCause` puts it under `error`). */
export const errorOf = (item: Report.ItemReport): Record<string, unknown> =>
  (item.evidence["error"] ?? {}) as Record<string, unknown>
