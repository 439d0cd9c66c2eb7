/**
 * What every billing check shares: reading the billing client, and resolving
 * the mode the launch expects. A read that fails is a `BillingError`, which
 * the runner turns into an `error` outcome with every field as evidence
 * (core's `Check.errorFromCause`): it never becomes a pass.
 *
 * @internal
 */
import { Check, type Outcome } from "@launchgate/core"
import * as Effect from "effect/Effect"
import type { BillingError } from "../BillingError.js"
import { BillingClient, type Service } from "../BillingClient.js"
import type { Mode } from "../BillingProvider.js"

/** Options every mode-aware check accepts. */
export interface ModeOptions {
  /** Overrides the provider's expected mode for this check. */
  readonly expectedMode?: Mode | undefined
}

/** The mode this check expects. */
export const expectedMode = (client: Service, options: ModeOptions | undefined): Mode =>
  options?.expectedMode ?? client.expectedMode

/** A check that reads the billing client. */
export const make = (
  options: Check.Options & { readonly run: (client: Service) => Effect.Effect<Outcome.Outcome, BillingError> }
): Check.Check<BillingClient> => {
  const { run, ...rest } = options
  return Check.make({ ...rest, run: Effect.flatMap(BillingClient, run) })
}

/** "live" / "test" data, for messages. */
export const modeWord = (live: boolean): Mode => (live ? "live" : "test")
