/**
 * Turning reads and failures into outcomes: attempts and the rate-limit
 * budget as evidence, client errors as `error` outcomes with their
 * remediation, unknown enum values as `error` outcomes naming the value.
 *
 * @internal
 */
import { Check, Outcome } from "@launchgate/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type { ReadMeta } from "./http.js"
import type { FivetranError } from "../FivetranError.js"
import type { UnknownValue } from "./schema.js"

/**
 * An `error` outcome for a failed call: core's `Check.errorFromCause` (every
 * field as evidence, the remediation, the attempts), plus what only Fivetran
 * has: its rate-limit budget and `Retry-After` wait at the top of the
 * evidence, where successful reads put them (so a reader finds them in one
 * place whether the read passed or failed).
 */
export const fromError = (error: FivetranError): Outcome.Outcome => {
  const outcome = Check.errorFromCause(Cause.fail(error))
  return {
    ...outcome,
    evidence: {
      ...outcome.evidence,
      retryAfterWaitedMs: error.retryAfterWaitedMs ?? 0,
      ...(error.rateLimitRemaining !== undefined ? { rateLimitRemaining: error.rateLimitRemaining } : {})
    }
  }
}

/** Recover a check's run from client errors (other failures still reach the runner as `error`). */
export const orError = <R>(
  run: Effect.Effect<Outcome.Outcome, FivetranError, R>
): Effect.Effect<Outcome.Outcome, never, R> =>
  Effect.catchTag(run, "FivetranError", (e) => Effect.succeed(fromError(e)))

/** An `error` outcome for an enum value Fivetran added after this package was written. */
export const unknownValue = (
  subject: string,
  field: string,
  value: UnknownValue,
  known: ReadonlyArray<string>
): Outcome.Outcome =>
  Outcome.error(`${subject}: ${field} is ${JSON.stringify(value.value)}, a value this check does not know`, {
    observed: value.value,
    expected: `one of ${known.join(", ")}`,
    evidence: { field },
    remediation: `Fivetran reports a new ${field} value. Judge ${subject} by hand in the Fivetran dashboard, ` +
      "and upgrade @launchgate/fivetran (or report the value) so the check can decide it."
  })

/** Attach what the reads cost: attempts on the outcome, `X-Rate-Limit-Remaining` in evidence. */
export const withReads = (outcome: Outcome.Outcome, reads: ReadonlyArray<ReadMeta>): Outcome.Outcome => {
  const remaining = [...reads].reverse().find((r) => r.rateLimitRemaining !== undefined)?.rateLimitRemaining
  const waitedMs = reads.reduce((n, r) => n + (r.retryAfterWaitedMs ?? 0), 0)
  return {
    ...outcome,
    evidence: {
      ...outcome.evidence,
      ...(remaining === undefined ? {} : { rateLimitRemaining: remaining }),
      // How long Fivetran's Retry-After held this result (0 when it never asked).
      ...(waitedMs > 0 ? { retryAfterWaitedMs: waitedMs } : {})
    },
    attempts: Math.max(outcome.attempts ?? 0, reads.reduce((n, r) => n + r.attempts, 0), 1)
  }
}
