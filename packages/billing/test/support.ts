/**
 * Test support, what is Stripe-specific: the emulator with a seed, the client
 * layer pointed at it (`StripeEmulator.clientOptions`), and the options of
 * core's `runChecks` / `runCheck` (`@launchgate/core/testing`) for a billing
 * gate: launch-critical items, a production environment (the billing checks
 * read it for the expected mode), active checks allowed, a fixed instant.
 */
import type { HttpTransport, Report } from "@launchgate/core"
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

/** Start a Stripe emulator with a seed for the length of one test (core's `withEmulator`). */
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

/** `runChecks` / `runCheck` options for a billing gate against `emulator`. */
export const on = (
  emulator: { readonly url: string },
  options: RunOptions = {}
): Testing.RunChecksOptions<BillingClient> => ({
  layer: layerFor(emulator, options.layer),
  tier: "launch-critical",
  environment: options.environment ?? "production",
  allowActive: options.allowActive ?? true,
  now: options.now ?? NOW,
  http: options.http,
  ...(options.checkTimeout !== undefined ? { runner: { checkTimeout: options.checkTimeout } } : {})
})

/** Requests the emulator served for a path. */
export const hits = (emulator: Running<StripeState>, path: string) => emulator.requests({ path })

/** The error a failed read left as the item's evidence (core's `Check.errorFromCause` puts it under `error`). */
export const errorOf = (item: Report.ItemReport): Record<string, unknown> =>
  (item.evidence["error"] ?? {}) as Record<string, unknown>
