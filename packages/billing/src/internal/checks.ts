/**
 * What every billing check shares: reading the provider, turning a
 * {@link BillingError} into an `error` outcome with evidence, and resolving
 * the mode the launch expects.
 *
 * @internal
 */
import { Check, Outcome } from "@launchgate/core"
import { Effect } from "effect"
import type { BillingError } from "../BillingError.js"
import { BillingProvider, type Mode, type Service } from "../BillingProvider.js"

/** Options every mode-aware check accepts. */
export interface ModeOptions {
  /** Overrides the provider's expected mode for this check. */
  readonly expectedMode?: Mode | undefined
}

/** The mode this check expects. */
export const expectedMode = (provider: Service, options: ModeOptions | undefined): Mode =>
  options?.expectedMode ?? provider.expectedMode

/** An `error` outcome for a failed read: the check could not decide. */
export const errorOutcome = (reads: string, error: BillingError): Outcome.Outcome =>
  Outcome.error(`could not read ${reads}: ${error.message}`, {
    evidence: {
      provider: error.provider,
      reason: error.reason,
      status: error.status,
      request: error.request,
      requestId: error.requestId,
      permission: error.permission,
      attempts: error.attempts,
      code: error.code,
      retryAfterMs: error.retryAfterMs,
      waitedMs: error.waitedMs
    },
    remediation: error.remediation
  })

/** A check that reads the billing provider; read failures become `error` outcomes. */
export const make = <R = never>(
  options: Check.Options & {
    /** What the check reads, for error messages ("the account"). */
    readonly reads: string
    readonly run: (provider: Service) => Effect.Effect<Outcome.Outcome, BillingError, R>
  }
): Check.Check<BillingProvider | R> => {
  const { reads, run, ...rest } = options
  return Check.make({
    ...rest,
    run: Effect.flatMap(BillingProvider, run).pipe(
      Effect.catchTag("BillingError", (error) => Effect.succeed(errorOutcome(reads, error)))
    )
  })
}

/** "live" / "test" data, for messages. */
export const modeWord = (live: boolean): Mode => (live ? "live" : "test")
