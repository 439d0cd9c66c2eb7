/**
 * What every GCP check shares: a read tracker that counts retries for the
 * outcome's `attempts`, per-subject evaluation where one unreadable resource
 * is an `error` subject rather than a failed check, and the unknown-enum rule.
 *
 * @internal
 */
import { Check, Outcome } from "@launchgate/core"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import { GcpClient, type GcpServices, type Service } from "../Gcp.js"
import type { GcpError } from "../GcpError.js"
import { type Budget, currentBudget } from "./http.js"
import type { Fetched, Kind, TypeOf } from "./resources.js"

/**
 * Outside a run (no `Check.Deadline`), the budget assumed: the check's own timeout, else the
 * runner's default (core's Runner `DEFAULT_TIMEOUT`).
 */
const RUNNER_DEFAULT_TIMEOUT_MS = 30_000

/**
 * The check's time budget from now: inside a run, core's `Check.Deadline` (the earlier of the
 * check's effective timeout and the run's deadline, set by the runner); outside one, the assumed timeout.
 */
const budgetFrom = (spec: Spec, now: number, deadline: number | undefined): Budget => {
  if (deadline !== undefined) return { deadline, timeoutMs: Math.max(0, deadline - now), waitedMs: 0 }
  const timeoutMs = spec.timeout === undefined ? RUNNER_DEFAULT_TIMEOUT_MS : Duration.toMillis(Duration.decode(spec.timeout))
  return { deadline: now + timeoutMs, timeoutMs, waitedMs: 0 }
}

/** Reads made by one check run, counting retries. */
export class Reads {
  retries = 0
  constructor(readonly client: Service) {}

  private track<A>(effect: Effect.Effect<Fetched<A>, GcpError>): Effect.Effect<A, GcpError> {
    return Effect.map(effect, (fetched) => {
      this.retries += fetched.retries
      return fetched.value
    })
  }

  get<K extends Kind>(kind: K, name: string): Effect.Effect<TypeOf<K>, GcpError> {
    return this.track(this.client.get(kind, name))
  }

  list<K extends Kind>(kind: K, parent: string, options?: { readonly scope?: string }): Effect.Effect<ReadonlyArray<TypeOf<K>>, GcpError> {
    return this.track(this.client.list(kind, parent, options))
  }

  fresh<K extends Kind>(kind: K, name: string): Effect.Effect<TypeOf<K>, GcpError> {
    return this.track(this.client.fresh(kind, name))
  }
}

/** Check options every GCP check constructor fills in. */
export interface Spec extends Omit<Check.Options, "role" | "description"> {
  readonly role: string
  readonly description: string
}

const runContext = Effect.all([GcpClient, Clock.currentTimeMillis, FiberRef.get(Check.Deadline)])

/**
 * A check whose run gets a fresh {@link Reads}. The outcome records
 * `attempts` as 1 + the retries behind the reads it used.
 */
export const make = (
  spec: Spec,
  body: (reads: Reads) => Effect.Effect<Outcome.Outcome, GcpError>
): Check.Check<GcpServices> =>
  Check.make({
    ...spec,
    run: Effect.flatMap(runContext, ([client, now, deadline]) => {
      const reads = new Reads(client)
      const budget = budgetFrom(spec, now, deadline)
      return body(reads).pipe(
        // Decided here rather than by the runner so the error's fields (reason, status, role, permission) stay in the evidence.
        Effect.catchAll((error) => Effect.succeed(errorOutcome(error))),
        Effect.map((outcome) =>
          reads.retries > 0 ? { ...outcome, attempts: Math.max(outcome.attempts ?? 1, 1 + reads.retries) } : outcome
        ),
        // How long the server made this check wait (Retry-After, RetryInfo), whatever the outcome.
        Effect.map((outcome) =>
          budget.waitedMs > 0
            ? { ...outcome, evidence: { ...outcome.evidence, retryWaitMs: budget.waitedMs } }
            : outcome
        ),
        Effect.locally(currentBudget, budget)
      )
    })
  })

/** A plain outcome or an Effect of one, as an Effect. */
export const lift = <E>(result: Outcome.Outcome | Effect.Effect<Outcome.Outcome, E>): Effect.Effect<Outcome.Outcome, E> =>
  Effect.isEffect(result) ? result : Effect.succeed(result)

/** An `error` subject for a resource that could not be read: core's outcome, every error field as evidence. */
export const errorOutcome = (error: GcpError): Outcome.Outcome => Check.errorFromCause(Cause.fail(error))

/** A subject (a resource) and its value. */
export interface Subject<A> {
  readonly subject: string
  readonly value: Effect.Effect<A, GcpError>
}

/**
 * Evaluate each subject. With `single`, the one outcome is returned as is (a
 * read error fails the check, and the runner reports it as `error`); with
 * several, per-subject errors become `error` subjects of
 * `Outcome.fromSubjects`.
 */
export const perSubject = <A>(
  subjects: ReadonlyArray<Subject<A>>,
  evaluate: (value: A, subject: string) => Effect.Effect<Outcome.Outcome, GcpError>,
  options: { readonly what: string; readonly single: boolean; readonly evidence?: Record<string, unknown> }
): Effect.Effect<Outcome.Outcome, GcpError> => {
  if (options.single && subjects.length === 1) {
    const only = subjects[0]!
    return Effect.flatMap(only.value, (value) => evaluate(value, only.subject))
  }
  // A subject whose value is already at hand (a list's member) and whose judgement needs no read is decided here,
  // without a fibre: forking one per subject was much of a run's CPU at 50 services and 100 secrets (issue 13).
  // Everything else (a read, a failure, a defect) takes the concurrent path below, as before.
  return Effect.suspend(() => decideAll(subjects, evaluate, options))
}

const decideAll = <A>(
  subjects: ReadonlyArray<Subject<A>>,
  evaluate: (value: A, subject: string) => Effect.Effect<Outcome.Outcome, GcpError>,
  options: { readonly what: string; readonly evidence?: Record<string, unknown> }
): Effect.Effect<Outcome.Outcome, GcpError> => {
  const outcomes: Array<Outcome.Outcome & { readonly subject: string }> = []
  const pending: Array<{ readonly at: number; readonly run: Effect.Effect<Outcome.Outcome, GcpError> }> = []
  subjects.forEach((s, at) => {
    const decided = decideNow(s, evaluate)
    if (decided !== undefined && Exit.isExit(decided) && Exit.isSuccess(decided)) {
      outcomes[at] = { ...(decided.value as Outcome.Outcome), subject: s.subject }
    } else {
      pending.push({ at, run: decided ?? Effect.flatMap(s.value, (value) => evaluate(value, s.subject)) })
    }
  })
  return Effect.forEach(
    pending,
    ({ at, run }) =>
      run.pipe(
        Effect.catchAll((error) => Effect.succeed(errorOutcome(error))),
        Effect.map((outcome) => {
          outcomes[at] = { ...outcome, subject: subjects[at]!.subject }
        })
      ),
    { concurrency: 16, discard: true }
  ).pipe(Effect.map(() =>
    Outcome.fromSubjects(outcomes, { what: options.what, ...(options.evidence ? { evidence: options.evidence } : {}) })
  ))
}

/**
 * A subject's judgement when its value is a completed success: what `evaluate` returns (a thrown exception
 * becomes a defect, as it would inside `Effect.flatMap`); `undefined` when the value is still to be read.
 */
const decideNow = <A>(
  s: Subject<A>,
  evaluate: (value: A, subject: string) => Effect.Effect<Outcome.Outcome, GcpError>
): Effect.Effect<Outcome.Outcome, GcpError> | undefined => {
  const value: Effect.Effect<A, GcpError> = s.value
  if (!Exit.isExit(value) || !Exit.isSuccess(value)) return undefined
  try {
    return evaluate(value.value as A, s.subject)
  } catch (defect) {
    return Effect.die(defect)
  }
}

/**
 * A value of a vendor enum launchgate does not know: the check cannot
 * decide, so it says so (`error`) instead of guessing.
 */
export const unknownEnum = (field: string, value: string, known: ReadonlyArray<string>): Outcome.Outcome =>
  Outcome.error(`unknown value ${JSON.stringify(value)} for ${field}: cannot decide`, {
    observed: { [field]: value },
    expected: { [field]: known },
    remediation: `Google returned a ${field} value this version of launchgate does not know. `
      + "Update @launchgate/gcp; until then this check cannot vouch for the resource."
  })

/** Is `value` one of `known` (or absent)? */
export const isKnown = (value: string | undefined, known: ReadonlyArray<string>): boolean =>
  value === undefined || known.includes(value)

/** Milliseconds in a google-duration or `undefined`. */
export { durationMillis } from "./http.js"

/** Human duration for messages: "3 days", "5 h", "40 min". */
export const humanMillis = (ms: number): string => {
  const abs = Math.abs(ms)
  if (abs >= 2 * 86_400_000) return `${Math.round(ms / 86_400_000)} days`
  if (abs >= 2 * 3_600_000) return `${Math.round(ms / 3_600_000)} h`
  if (abs >= 2 * 60_000) return `${Math.round(ms / 60_000)} min`
  return `${Math.round(ms / 1000)} s`
}
