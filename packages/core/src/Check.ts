/**
 * A readiness check: a stable id, what it is about, and a run that produces an
 * {@link Outcome.Outcome}.
 *
 * Checks are values. Write them as Effects ({@link make}) or as plain async
 * functions ({@link fromAsync}); combine them with {@link retry},
 * {@link timeout}, {@link eventually}, {@link all}, {@link any} and
 * {@link dependsOn}.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { dual } from "effect/Function"
import { type Pipeable, pipeArguments } from "effect/Pipeable"
import { currentDeadline, remaining as remainingTime } from "./internal/deadline.js"
import * as Outcome from "./Outcome.js"

/** Launch-review categories every check is tagged with. */
export const Category = Schema.Literal(
  "architecture",
  "capacity",
  "rollback",
  "monitoring",
  "security",
  "automation",
  "dependencies",
  "rollout"
)
export type Category = typeof Category.Type

/** All categories, in launch-review order. */
export const categories: ReadonlyArray<Category> = Category.literals

/** What kind of item a check is; reports show attestations as attested, not checked. */
export type Kind = "check" | "attestation" | "document"

export const TypeId: unique symbol = Symbol.for("@launchgate/core/Check")
export type TypeId = typeof TypeId

/** What an async check receives. */
export interface Context {
  /** Aborted when the check times out or the run is interrupted. */
  readonly signal: AbortSignal
  /** The run's notion of now (from Effect's `Clock`, so tests can pin it). */
  readonly now: Date
}

/**
 * A readiness check. `R` is what its run needs (for example a GCP client),
 * provided once per run by the gate's layer.
 */
// No `out` variance marker on R: tsup's .d.ts bundler copies it onto a type alias, which TypeScript rejects
// for consumers that type-check libraries (skipLibCheck: false, TS2637).
export interface Check<R = never> extends Pipeable {
  readonly [TypeId]: TypeId
  /** Stable dotted id, `<package>.<surface>.<property>`. Never changes once published. */
  readonly id: string
  readonly title: string
  /** The integration surface, e.g. `gcp.cloud-run`; rollback plans are keyed by it. */
  readonly surface: string
  readonly category: Category
  /** Changes or triggers something remote: skipped unless the gate allows it. */
  readonly active: boolean
  readonly kind: Kind
  /** What a pass proves, in one sentence (used by the launch-readiness document). */
  readonly description?: string | undefined
  /** The least-privilege role or permission the check needs. */
  readonly role?: string | undefined
  /** Ids of checks that must pass before this one runs. */
  readonly dependsOn: ReadonlyArray<string>
  /** Per-check timeout; the runner's default applies when absent. */
  readonly timeout?: Duration.Duration | undefined
  /** Extra facts reporters show (attestation details and the like). */
  readonly meta?: Readonly<Record<string, Outcome.Json>> | undefined
  readonly run: Effect.Effect<Outcome.Outcome, unknown, R>
}

/** Options shared by the check constructors. */
export interface Options {
  readonly id: string
  readonly title: string
  readonly surface: string
  readonly category: Category
  readonly active?: boolean | undefined
  readonly kind?: Kind | undefined
  readonly description?: string | undefined
  readonly role?: string | undefined
  readonly dependsOn?: ReadonlyArray<string> | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly meta?: Readonly<Record<string, Outcome.Json>> | undefined
}

const CheckProto = {
  [TypeId]: TypeId,
  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }
}

const build = <R>(options: Options, run: Effect.Effect<Outcome.Outcome, unknown, R>): Check<R> => {
  const check = Object.create(CheckProto)
  Object.assign(check, {
    id: options.id,
    title: options.title,
    surface: options.surface,
    category: options.category,
    active: options.active ?? false,
    kind: options.kind ?? "check",
    description: options.description,
    role: options.role,
    dependsOn: options.dependsOn ?? [],
    timeout: options.timeout === undefined ? undefined : Duration.decode(options.timeout),
    meta: options.meta,
    run
  })
  return check
}

/** Is this value a check? */
export const isCheck = (u: unknown): u is Check<unknown> =>
  typeof u === "object" && u !== null && TypeId in u

/**
 * A check whose run is an Effect. Failures and defects of the Effect become an
 * `error` outcome in the runner; they never pass.
 *
 * @example
 * const minInstances = Check.make({
 *   id: "acme.api.min-instances",
 *   title: "API keeps at least one warm instance",
 *   surface: "acme.api",
 *   category: "capacity",
 *   run: Effect.succeed(Outcome.pass("2 instances", { observed: 2, expected: ">= 1" }))
 * })
 */
export const make = <R = never>(
  options: Options & { readonly run: Effect.Effect<Outcome.Outcome, unknown, R> }
): Check<R> => build(options, options.run)

/**
 * A check written as a plain (async) function, for users who do not use
 * Effect. A thrown exception or rejected promise becomes an `error` outcome.
 * The function receives an `AbortSignal` that fires on timeout or interruption.
 *
 * @example
 * const healthy = Check.fromAsync({
 *   id: "acme.api.health", title: "API is healthy", surface: "acme.api", category: "monitoring",
 *   run: async ({ signal }) => {
 *     const res = await fetch("https://api.acme.dev/healthz", { signal })
 *     return res.ok ? Outcome.pass("200 OK") : Outcome.fail(`status ${res.status}`, { observed: res.status, expected: 200 })
 *   }
 * })
 */
export const fromAsync = (
  options: Options & { readonly run: (context: Context) => Promise<Outcome.Outcome> | Outcome.Outcome }
): Check =>
  build(
    options,
    Effect.flatMap(Clock.currentTimeMillis, (millis) =>
      Effect.tryPromise({
        try: (signal) => Promise.resolve().then(() => options.run({ signal, now: new Date(millis) })),
        catch: (cause) => cause
      })
    )
  )

/** Replace some descriptive fields (not the run) of a check. */
export const annotate: {
  (fields: Partial<Omit<Options, "timeout">>): <R>(self: Check<R>) => Check<R>
  <R>(self: Check<R>, fields: Partial<Omit<Options, "timeout">>): Check<R>
} = dual(2, <R>(self: Check<R>, fields: Partial<Omit<Options, "timeout">>): Check<R> =>
  build({ ...optionsOf(self), ...fields }, self.run)
)

const optionsOf = (self: Check<any>): Options => ({
  id: self.id,
  title: self.title,
  surface: self.surface,
  category: self.category,
  active: self.active,
  kind: self.kind,
  description: self.description,
  role: self.role,
  dependsOn: self.dependsOn,
  timeout: self.timeout,
  meta: self.meta
})

/** Replace the run of a check, keeping everything else. */
export const mapRun = <R, R2>(
  self: Check<R>,
  f: (run: Effect.Effect<Outcome.Outcome, unknown, R>) => Effect.Effect<Outcome.Outcome, unknown, R2>
): Check<R2> => build(optionsOf(self), f(self.run))

/**
 * Run a check to an outcome, turning every failure, defect and interruption
 * cause into an `error` outcome, and anything returned that is not a valid
 * outcome into an `error` that names the bad field. The runner uses this; so
 * can combinators.
 */
export const runSafely = <R>(self: Check<R>): Effect.Effect<Outcome.Outcome, never, R> =>
  self.run.pipe(
    Effect.map((returned) => validateOutcome(self.id, returned)),
    Effect.catchAllCause((cause) =>
      Cause.isInterruptedOnly(cause) ? Effect.interrupt : Effect.succeed(errorFromCause(cause))
    )
  )

/**
 * What a check must return. The schema lives with the outcome
 * ({@link Outcome.OutcomeSchema}); this name stays for code that used it here.
 */
export const OutcomeSchema = Outcome.OutcomeSchema

const decodeOutcome = Schema.decodeUnknownEither(OutcomeSchema)

const jsonEvidence = (evidence: Readonly<Record<string, unknown>>): Outcome.Evidence => {
  const out: Record<string, Outcome.Json> = {}
  for (const [key, value] of Object.entries(evidence)) if (value !== undefined) out[key] = Outcome.toJson(value)
  return out
}

/**
 * Validate what a check returned. A valid outcome comes back with JSON-safe
 * evidence; anything else is an `error` outcome naming each bad field and what
 * was found, so garbage can neither pass nor crash the report.
 */
export const validateOutcome = (id: string, returned: unknown): Outcome.Outcome => {
  const decoded = decodeOutcome(returned, { errors: "all" })
  if (Either.isRight(decoded)) {
    const { subjects, ...o } = decoded.right
    return {
      ...o,
      evidence: jsonEvidence(o.evidence),
      ...(subjects ? { subjects: subjects.map((s) => ({ ...s, evidence: jsonEvidence(s.evidence) })) } : {})
    }
  }
  // An optional field that is present but wrong also fails the union's "undefined" branch: that line adds nothing.
  const issues = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)
  const meaningful = issues.filter((issue) => !issue.message.startsWith("Expected undefined"))
  const problems = (meaningful.length > 0 ? meaningful : issues).map((issue) => ({
    field: issue.path.length === 0 ? "(outcome)" : issue.path.map((k) => (typeof k === "number" ? `[${k}]` : String(k)))
      .join(".").replace(/\.\[/g, "["),
    problem: issue._tag === "Missing" ? "is missing" : issue.message
  }))
  return Outcome.error(
    `check ${id} returned something that is not a valid outcome: ${
      problems.map((p) => `${p.field}: ${p.problem}`).join("; ")
    }`,
    {
      observed: returned,
      evidence: { problems },
      remediation:
        "Return Outcome.pass/fail/warn/error/skip(message, details) from the check's run: " +
        "a status and a string message."
    }
  )
}

/** An `error` outcome describing why a check could not decide. */
export const errorFromCause = (cause: Cause.Cause<unknown>): Outcome.Outcome => {
  const failure = Cause.failureOption(cause)
  const error = Option.isSome(failure) ? failure.value : Option.getOrUndefined(Cause.dieOption(cause))
  const described = describeError(error)
  // Vendor and transport errors count their attempts (retries included): the item reports that, not 1.
  const attempts = attemptsOf(error)
  return Outcome.error(described.message, {
    evidence: { error: described.evidence },
    remediation: described.remediation,
    ...(attempts !== undefined ? { attempts } : {})
  })
}

const attemptsOf = (error: unknown): number | undefined => {
  const attempts = error && typeof error === "object" ? (error as { attempts?: unknown }).attempts : undefined
  return typeof attempts === "number" && Number.isInteger(attempts) && attempts >= 0 ? attempts : undefined
}

const describeError = (
  error: unknown
): { message: string; evidence: Outcome.Json; remediation?: string | undefined } => {
  if (error && typeof error === "object") {
    const e = error as { _tag?: unknown; message?: unknown; remediation?: unknown; name?: unknown }
    const tag = typeof e._tag === "string" ? e._tag : typeof e.name === "string" ? e.name : "Error"
    const message = typeof e.message === "string" && e.message.length > 0 ? e.message : String(tag)
    const evidence = Outcome.toJson(error)
    return {
      message: `could not decide: ${message}`,
      evidence: typeof evidence === "object" && evidence !== null && !Array.isArray(evidence)
        ? { tag, ...evidence }
        : { tag, value: evidence },
      remediation: typeof e.remediation === "string" ? e.remediation : undefined
    }
  }
  return { message: `could not decide: ${String(error)}`, evidence: Outcome.toJson(error) }
}

/**
 * Retry a check with a `Schedule` while it fails to run or ends `error`
 * (transient trouble). `fail` is an answer and is not retried. The outcome
 * records the number of attempts.
 */
export const retry: {
  <Out, R2>(schedule: Schedule.Schedule<Out, Outcome.Outcome, R2>): <R>(self: Check<R>) => Check<R | R2>
  <R, Out, R2>(self: Check<R>, schedule: Schedule.Schedule<Out, Outcome.Outcome, R2>): Check<R | R2>
} = dual(2, <R, Out, R2>(self: Check<R>, schedule: Schedule.Schedule<Out, Outcome.Outcome, R2>) =>
  mapRun(self, () =>
    Effect.suspend(() => {
      let attempts = 0
      const once = runSafely(self).pipe(
        Effect.tap(() => Effect.sync(() => void attempts++)),
        Effect.flatMap((outcome) => (outcome.status === "error" ? Effect.fail(outcome) : Effect.succeed(outcome)))
      )
      return once.pipe(
        Effect.retry(schedule),
        Effect.merge,
        Effect.map((outcome) => ({ ...outcome, attempts: Math.max(attempts, outcome.attempts ?? 1) }))
      )
    })
  ))

/**
 * Give a check its own timeout (instead of the runner's default). A check
 * that times out ends `error`.
 */
export const timeout: {
  (duration: Duration.DurationInput): <R>(self: Check<R>) => Check<R>
  <R>(self: Check<R>, duration: Duration.DurationInput): Check<R>
} = dual(2, <R>(self: Check<R>, duration: Duration.DurationInput): Check<R> =>
  build({ ...optionsOf(self), timeout: duration }, self.run)
)

/** Options of {@link eventually}. */
export interface EventuallyOptions {
  /** Give up after this long; the last outcome is reported. */
  readonly within: Duration.DurationInput
  /** Wait between polls. Default 1 second. */
  readonly every?: Duration.DurationInput | undefined
}

/**
 * Poll a check until it passes or the deadline passes (for post-deploy
 * convergence). The last outcome is reported with the number of polls; a
 * deadline with no pass reports that outcome, annotated.
 */
export const eventually: {
  (options: EventuallyOptions): <R>(self: Check<R>) => Check<R>
  <R>(self: Check<R>, options: EventuallyOptions): Check<R>
} = dual(2, <R>(self: Check<R>, options: EventuallyOptions): Check<R> => {
  const within = Duration.decode(options.within)
  const every = Duration.decode(options.every ?? "1 second")
  const run = Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    let attempts = 0
    for (;;) {
      attempts++
      const outcome = yield* runSafely(self)
      if (outcome.status === "pass" || outcome.status === "skip") return { ...outcome, attempts }
      const now = yield* Clock.currentTimeMillis
      if (now - start + Duration.toMillis(every) > Duration.toMillis(within)) {
        return {
          ...outcome,
          message: `${outcome.message} (still not passing after ${Duration.format(within)}, ${attempts} polls)`,
          attempts
        }
      }
      yield* Effect.sleep(every)
    }
  })
  // The check's own timeout must leave room for the whole polling window.
  const timeoutMillis = Duration.toMillis(within) + Math.max(Duration.toMillis(every), 5_000)
  return build({ ...optionsOf(self), timeout: Duration.millis(timeoutMillis) }, run)
})

/** Identity of a composite check. */
export type CompositeOptions = Omit<Options, "kind">

/**
 * A check that passes when every part passes. The composite's status is the
 * worst part's; each part's outcome is evidence. Parts run concurrently.
 */
export const all = <const Checks extends ReadonlyArray<Check<any>>>(
  options: CompositeOptions,
  checks: Checks
): Check<Checks[number] extends Check<infer R> ? R : never> =>
  build(
    options,
    Effect.map(Effect.all(checks.map(runSafely), { concurrency: "unbounded" }), (outcomes) => {
      const status = outcomes.reduce<Outcome.Status>((acc, o) => Outcome.worst(acc, o.status), "pass")
      const failing = outcomes.filter((o) => o.status !== "pass" && o.status !== "skip").length
      return Outcome.fromStatus(
        status,
        failing === 0
          ? `all ${checks.length} parts passed`
          : `${failing} of ${checks.length} parts did not pass`,
        { evidence: { parts: partsEvidence(checks, outcomes) } }
      )
    })
  )

/**
 * A check that passes when at least one part passes. When none passes, the
 * status is the best of the parts (an `error` part cannot make it pass).
 */
export const any = <const Checks extends ReadonlyArray<Check<any>>>(
  options: CompositeOptions,
  checks: Checks
): Check<Checks[number] extends Check<infer R> ? R : never> =>
  build(
    options,
    Effect.map(Effect.all(checks.map(runSafely), { concurrency: "unbounded" }), (outcomes) => {
      const passed = outcomes.filter((o) => o.status === "pass").length
      if (passed > 0) {
        return Outcome.pass(`${passed} of ${checks.length} parts passed`, {
          evidence: { parts: partsEvidence(checks, outcomes) }
        })
      }
      const best = outcomes.reduce<Outcome.Status>(
        (acc, o) => (Outcome.severity[o.status] < Outcome.severity[acc] ? o.status : acc),
        "error"
      )
      return Outcome.fromStatus(best === "skip" ? "fail" : best, `none of ${checks.length} parts passed`, {
        evidence: { parts: partsEvidence(checks, outcomes) }
      })
    })
  )

const partsEvidence = (checks: ReadonlyArray<Check<any>>, outcomes: ReadonlyArray<Outcome.Outcome>) =>
  checks.map((c, i) => ({
    id: c.id,
    status: outcomes[i]!.status,
    message: outcomes[i]!.message,
    evidence: outcomes[i]!.evidence
  }))

/**
 * Run `self` only after each prerequisite passed (or warned). When a
 * prerequisite did not pass, the runner skips `self` and says which one.
 * Prerequisites must be items of the same gate.
 */
export const dependsOn: {
  (prerequisites: ReadonlyArray<Check<any> | string>): <R>(self: Check<R>) => Check<R>
  <R>(self: Check<R>, prerequisites: ReadonlyArray<Check<any> | string>): Check<R>
} = dual(2, <R>(self: Check<R>, prerequisites: ReadonlyArray<Check<any> | string>): Check<R> =>
  build(
    {
      ...optionsOf(self),
      dependsOn: [...self.dependsOn, ...prerequisites.map((p) => (typeof p === "string" ? p : p.id))]
    },
    self.run
  ))

/**
 * Provide what a check needs, making it self-contained. Prefer the gate's
 * `layer` for clients shared by many checks: it is built once per run, which
 * is what lets checks share reads.
 */
export const provide: {
  <ROut, E, RIn>(layer: Layer.Layer<ROut, E, RIn>): <R>(self: Check<R>) => Check<Exclude<R, ROut> | RIn>
  <R, ROut, E, RIn>(self: Check<R>, layer: Layer.Layer<ROut, E, RIn>): Check<Exclude<R, ROut> | RIn>
} = dual(2, <R, ROut, E, RIn>(self: Check<R>, layer: Layer.Layer<ROut, E, RIn>) =>
  mapRun(self, (run) => Effect.provide(run, layer)))

/**
 * The running check's deadline: an absolute time in milliseconds of the
 * Effect `Clock`, the earlier of the check's timeout and the run's deadline.
 * The runner sets it for every check it runs (and for the gate's setup and
 * layer, with the run's deadline); it is `undefined` outside a run. The HTTP
 * transport reads it, so a request never waits (`Retry-After`, backoff) past
 * the time its check has left. Vendor clients read it with {@link remaining}.
 */
export const Deadline: FiberRef.FiberRef<number | undefined> = currentDeadline

/**
 * Time the running check has left before its deadline (zero once passed), or
 * `None` outside a run.
 *
 * @example
 * const left = yield* Check.remaining
 * if (Option.isSome(left) && Duration.lessThan(left.value, "2 seconds")) return Outcome.error("no time left to poll")
 */
export const remaining: Effect.Effect<Option.Option<Duration.Duration>> = remainingTime

/**
 * Run `self` with a deadline (absolute milliseconds of the Effect `Clock`);
 * an earlier deadline already in force is kept.
 */
export const withDeadline: {
  (deadline: number): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, deadline: number): Effect.Effect<A, E, R>
} = dual(2, <A, E, R>(self: Effect.Effect<A, E, R>, deadline: number): Effect.Effect<A, E, R> =>
  Effect.flatMap(FiberRef.get(currentDeadline), (current) =>
    Effect.locally(self, currentDeadline, current === undefined ? deadline : Math.min(current, deadline))))
