/**
 * Runs a gate: the gate's setup and layer, then its checks on a bounded pool
 * of workers (prerequisites first), with per-check timeouts, an overall
 * deadline, fail-fast and interruption. The rules that turn outcomes into a
 * verdict are {@link ReportBuilder}'s. Whatever happens, the result is a
 * {@link Report.Report}: a check that throws, hangs or returns garbage is an
 * `error` item, never a crash and never a pass.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Check from "./Check.js"
import * as Gate from "./Gate.js"
import * as HttpTransport from "./HttpTransport.js"
import { currentDeadline } from "./internal/deadline.js"
import { gitCommit } from "./internal/metadata.js"
import { ioFirstScheduler } from "./internal/ioFirstScheduler.js"
import { RealTimeSleep, sleepsInRealTime } from "./internal/realTimeClock.js"
import { version } from "./internal/version.js"
import * as Outcome from "./Outcome.js"
import * as Report from "./Report.js"
import * as ReportBuilder from "./ReportBuilder.js"

/** Runner options. */
export interface Options {
  /**
   * Checks running at once. Default 64: checks wait on the network, and the HTTP transport already bounds each
   * origin (16 connections), so more checks in flight let different vendors' reads overlap instead of queueing
   * behind one vendor's checks (issue 13: with 32, on a 43-check gate, the checks that read secret versions waited
   * for a worker while the list they needed had already arrived).
   */
  readonly concurrency?: number | undefined
  /** Timeout of one check unless the check sets its own. Default 30 seconds. */
  readonly checkTimeout?: Duration.DurationInput | undefined
  /** Deadline for the whole run; unfinished checks end `error`. */
  readonly deadline?: Duration.DurationInput | undefined
  /** Stop at the first blocking result; unfinished checks are skipped. */
  readonly failFast?: boolean | undefined
  /** Aborting it interrupts checks in flight; the report is marked interrupted. */
  readonly signal?: AbortSignal | undefined
  /** Allow active checks in addition to what the gate allows: `true` or a list of ids. */
  readonly allowActive?: boolean | ReadonlyArray<string> | undefined
  /** Options for the HTTP transport the runner provides (when the context has none). */
  readonly http?: HttpTransport.Options | undefined
  /**
   * How long the run's finalizers (closing the transport, the gate layer's
   * clean-up) may take once the checks are done; then they are abandoned and
   * the report says so. Default 5 seconds.
   */
  readonly finalizerGrace?: Duration.DurationInput | undefined
  /** Called as items start and finish (live progress). */
  readonly onEvent?: ((event: Event) => void) | undefined
}

/** Options of the promise API. */
export interface PromiseOptions extends Options {
  /**
   * Pin "now" for the gate rules and checks (expiry, freshness). Time still
   * moves forward from this instant at the real rate.
   */
  readonly now?: Date | undefined
}

/** Progress events. */
export type Event =
  | { readonly type: "start"; readonly index: number; readonly id: string; readonly total: number }
  | { readonly type: "finish"; readonly index: number; readonly item: Report.ItemReport; readonly total: number }

const DEFAULT_CONCURRENCY = 64
const DEFAULT_TIMEOUT = Duration.seconds(30)
const DEFAULT_FINALIZER_GRACE = Duration.seconds(5)

type RunItem<R> = ReportBuilder.RunItem<R>
type Raw = ReportBuilder.Raw

/** What settling some items released: the items now ready, and the fail-fast reason if one blocked. */
interface Settled {
  readonly ready: ReadonlyArray<number>
  readonly failFast: string | undefined
}

/**
 * Run a gate. Never fails: every problem becomes part of the report.
 * The gate's `setup` (if any) runs first, once; then its services are built
 * once for this run (the shared HTTP transport, the setup's layer, the gate's
 * `layer`), and the checks run on at most `concurrency` workers.
 *
 * Everything the run does is under the deadline and the signal: the setup,
 * building the layer, running the checks, and closing the run's scope (the
 * transport's sockets, the layer's finalizers, the setup's teardown), which
 * gets a bounded grace period. The scope is closed however the run ends, an
 * outside interruption included.
 */
export const run = <R>(gate: Gate.Gate<R>, options: Options = {}): Effect.Effect<Report.Report> =>
  Effect.acquireUseRelease(
    Scope.make(),
    (scope) => runIn(gate, options, scope),
    (scope) => closeWithin(scope, finalizerGrace(options))
  ).pipe((program) =>
    // Pending I/O between batches of fibre work, so answers are read and dependent requests leave while other
    // checks judge (see internal/ioFirstScheduler.ts). Scheduling only: what runs and what it decides is the same.
    // A clock a test drives (TestClock) keeps Effect's scheduler, whose microtask turns TestClock.adjust awaits.
    Effect.clockWith((clock) => sleepsInRealTime(clock) ? Effect.withScheduler(program, ioFirstScheduler) : program)
  )

const finalizerGrace = (options: Options): Duration.Duration =>
  Duration.decode(options.finalizerGrace ?? DEFAULT_FINALIZER_GRACE)

/**
 * Close a scope, giving its finalizers `grace` to finish. The close runs
 * disconnected, so a finalizer that never ends is abandoned (it keeps running
 * in the background) instead of holding the run. `false` when abandoned.
 */
const closeWithin = (scope: Scope.CloseableScope, grace: Duration.Duration): Effect.Effect<boolean> =>
  Scope.close(scope, Exit.void).pipe(
    Effect.disconnect,
    Effect.timeoutOption(grace),
    Effect.map(Option.isSome)
  )

/**
 * A deferred completed with the reason the run must stop: the overall deadline
 * (measured from the start of the run, set-up included) or the signal.
 * Fail-fast completes it too.
 */
const stopWhen = (
  options: Options
): Effect.Effect<
  { readonly stop: Deferred.Deferred<string>; readonly halt: Deferred.Deferred<string> },
  never,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const stop = yield* Deferred.make<string>()
    // The deadline or the signal only (not fail-fast): what still bounds the work done after the checks.
    const halt = yield* Deferred.make<string>()
    if (options.deadline !== undefined) {
      const deadline = Duration.decode(options.deadline)
      const reason = `overall deadline of ${Duration.format(deadline)} exceeded`
      yield* Effect.forkScoped(
        Effect.sleep(deadline).pipe(
          Effect.zipRight(Deferred.succeed(stop, reason)),
          Effect.zipRight(Deferred.succeed(halt, reason))
        )
      )
    }
    const signal = options.signal
    if (signal) {
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          const onAbort = () => {
            Deferred.unsafeDone(stop, Exit.succeed(abortReason(signal)))
            Deferred.unsafeDone(halt, Exit.succeed(abortReason(signal)))
          }
          if (signal.aborted) onAbort()
          else signal.addEventListener("abort", onAbort, { once: true })
          return onAbort
        }),
        (onAbort) => Effect.sync(() => signal.removeEventListener("abort", onAbort))
      )
    }
    return { stop, halt }
  })

/** A cause's message without the "could not decide" prefix that check outcomes carry (a note is not an outcome). */
const undecided = (message: string): string => message.replace(/^could not decide: /, "")

/** Where setting the run up failed: the gate's own setup, or building its services. */
type Stage = "setup" | "services"

type Built<R> =
  | {
    readonly _tag: "Built"
    readonly exit: Exit.Exit<Context.Context<R | Gate.Provided>, unknown>
    readonly stage: Stage
  }
  | { readonly _tag: "Stopped"; readonly reason: string }

/**
 * Run the gate's setup in the run's scope. Its teardown becomes a finalizer of
 * that scope (so it runs within the finalizer grace), and a failing teardown
 * is noted in the report. A promise that settles after the run stopped waiting
 * for it is torn down at once, so an emulator started late is not leaked.
 */
const runSetup = (
  setup: Gate.SetupFunction,
  scope: Scope.CloseableScope,
  notes: Array<string>
): Effect.Effect<Gate.Setup, unknown> =>
  Effect.suspend(() => {
    const result = setup()
    if (Effect.isEffect(result)) return Scope.extend(result, scope)
    return Effect.async<Gate.Setup, unknown>((resume) => {
      let abandoned = false
      Promise.resolve(result).then(
        (value) => {
          if (!abandoned) resume(Effect.succeed(value))
          else void Promise.resolve().then(() => value?.teardown?.()).catch(() => undefined)
        },
        (error) => resume(Effect.fail(error))
      )
      return Effect.sync(() => {
        abandoned = true
      })
    })
  }).pipe(
    Effect.tap((value) => {
      const teardown = value?.teardown
      if (teardown === undefined) return Effect.void
      return Scope.addFinalizer(
        scope,
        Effect.tryPromise(() => Promise.resolve().then(teardown)).pipe(
          Effect.catchAll((e) =>
            Effect.sync(() => notes.push(`the gate's teardown failed: ${undecided(Check.errorFromCause(Cause.fail(e.error)).message)}`))
          )
        )
      )
    })
  )

/** The run's services: the transport, the run context, the setup's layer, then the gate's layer on top. */
const prepare = <R>(
  gate: Gate.Gate<R>,
  options: Options,
  scope: Scope.CloseableScope,
  notes: Array<string>,
  stage: { current: Stage }
): Effect.Effect<Context.Context<R | Gate.Provided>, unknown> =>
  Effect.gen(function*() {
    const existing = yield* Effect.serviceOption(HttpTransport.HttpTransport)
    const setup = gate.setup ? yield* runSetup(gate.setup, scope, notes) : undefined
    stage.current = "services"
    const transportLayer = Option.isSome(existing)
      ? Layer.succeed(HttpTransport.HttpTransport, existing.value)
      : HttpTransport.layer({ ...gate.http, ...options.http })
    const runContext = Layer.succeed(Gate.RunContext, {
      ...runContextOf(gate),
      ...(setup?.context !== undefined ? { setup: setup.context } : {})
    })
    let layer: Layer.Layer<any, unknown, never> = Layer.merge(transportLayer, runContext)
    if (setup?.layer) layer = Layer.provideMerge(setup.layer, layer)
    if (gate.layer) layer = Layer.provideMerge(gate.layer, layer)
    return (yield* Layer.buildWithScope(layer, scope)) as Context.Context<R | Gate.Provided>
  })

const runIn = <R>(gate: Gate.Gate<R>, options: Options, scope: Scope.CloseableScope): Effect.Effect<Report.Report> =>
  Effect.scoped(Effect.gen(function*() {
    const startedAt = yield* Clock.currentTimeMillis
    const now = new Date(startedAt)
    const items = Gate.runItems(gate)
    const reports: Array<Report.ItemReport | undefined> = []
    const notes: Array<string> = []
    const { halt, stop } = yield* stopWhen(options)
    const runDeadline = options.deadline === undefined
      ? undefined
      : startedAt + Duration.toMillis(Duration.decode(options.deadline))
    const everyItem = (outcome: Outcome.Outcome) =>
      items.forEach((item, i) => {
        reports[i] = ReportBuilder.itemReport(gate, item, { outcome, durationMs: 0 }, now)
      })

    const stage: { current: Stage } = { current: "setup" }
    const preparing = prepare(gate, options, scope, notes, stage)
    // Disconnected: a setup or layer that never finishes (or ignores interruption) cannot hold the run.
    const built: Built<R> = yield* Effect.race(
      (runDeadline === undefined ? preparing : Effect.locally(preparing, currentDeadline, runDeadline)).pipe(
        Effect.exit,
        Effect.disconnect,
        Effect.map((exit): Built<R> => ({ _tag: "Built", exit, stage: stage.current }))
      ),
      Effect.map(Deferred.await(stop), (reason): Built<R> => ({ _tag: "Stopped", reason }))
    )

    let interruptReason: string | undefined
    let insecureOrigins: ReadonlyArray<string> | undefined
    let configurationErrors: ReadonlyArray<ReportBuilder.ConfigurationError> = []

    if (built._tag === "Stopped") {
      interruptReason = built.reason
      const services = stage.current === "services"
      const what = services ? "gate's services were being set up" : "gate's setup was running"
      everyItem(Outcome.error(`did not run: ${built.reason} while the ${what}`, {
        remediation: services
          ? "The gate's layer (its clients and their set-up) did not finish building: check that what it " +
            "connects to is reachable, or raise the deadline."
          : "The gate's setup did not finish: check what it starts or connects to, or raise the deadline."
      }))
    } else if (Exit.isFailure(built.exit)) {
      configurationErrors = configurationErrorsOf(built.exit.cause)
      if (configurationErrors.length > 0) {
        everyItem(Outcome.error(
          `did not run: the run's configuration is missing or invalid (${
            ReportBuilder.describeConfigurationErrors(configurationErrors)
          }); see run.configurationErrors`,
          {
            evidence: { configurationErrors: configurationErrors.map((e) => ({ ...e })) },
            remediation: "Set every variable listed in run.configurationErrors (or fix its value), then run again."
          }
        ))
      } else {
        // Failures and defects alike (a layer that throws on bad options): every item is `error`.
        const outcome = Check.errorFromCause(built.exit.cause)
        const what = built.stage === "services" ? "the gate's services could not be set up" : "the gate's setup failed"
        everyItem({ ...outcome, message: `${what}: ${undecided(outcome.message)}` })
      }
    } else {
      const context = built.exit.value
      insecureOrigins = Context.get(context, HttpTransport.HttpTransport).insecureOrigins
      interruptReason = yield* runItems(gate, items, reports, options, context, stop, now, runDeadline)
    }

    // Read after the checks, with the same services: reads the checks made answer the launch scope's.
    let launchScope: Report.LaunchScope | undefined
    const declaration = gate.launchScope
    if (declaration !== undefined) {
      const context = built._tag === "Built" && Exit.isSuccess(built.exit)
        ? built.exit.value as Context.Context<any>
        : declaration.local === true
        ? Context.make(Gate.RunContext, runContextOf(gate))
        : undefined
      const stopped = built._tag === "Stopped" ||
        (interruptReason !== undefined && !ReportBuilder.isFailFastStop(interruptReason))
      launchScope = stopped
        ? yield* notRead(declaration, `the run stopped (${interruptReason})`)
        : context === undefined
        ? yield* notRead(declaration, "the gate's setup or services failed")
        : yield* boundedRead(declaration, options, halt, runDeadline, context)
      if (launchScope.error !== undefined) {
        notes.push(`the launch scope (${declaration.source}) could not be read: ${launchScope.error}`)
      }
    }

    const grace = finalizerGrace(options)
    if (!(yield* closeWithin(scope, grace))) {
      notes.push(
        `the run's finalizers (closing connections, the gate layer's clean-up) did not finish within ` +
          `${Duration.format(grace)} and were abandoned; some connections or resources may still be open`
      )
    }

    const finishedAt = yield* Clock.currentTimeMillis
    return ReportBuilder.build(gate, items, reports, {
      startedAt,
      finishedAt,
      interruptReason,
      insecureOrigins,
      notes,
      configurationErrors,
      launchScope,
      launchgateVersion: version,
      gitCommit: gitCommit(),
      nodeVersion: process.version
    })
  }))

/** The run context a gate's checks and launch scope see (the setup's `context` is added when there is one). */
const runContextOf = <R>(gate: Gate.Gate<R>): Context.Tag.Service<Gate.RunContext> => ({
  gate: gate.name,
  environment: gate.environment,
  deferrals: gate.deferrals
})

const decodeSummary = Schema.decodeUnknown(Report.LaunchScopeSummary)

const readAt = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

const notRead = (declaration: Gate.LaunchScopeDeclaration, why: string): Effect.Effect<Report.LaunchScope> =>
  Effect.map(readAt, (at) => ({ source: declaration.source, readAt: at, error: `not read: ${why}` }))

/**
 * Read a gate's launch scope: the declaration's summary, decoded, or why it
 * could not be read (a failure, a defect, a summary of the wrong shape).
 * Never fails; unbounded (the runner bounds it, `plan` and `docs` too).
 *
 * @example
 * const scope = await Effect.runPromise(Runner.readLaunchScope(gate.launchScope!))
 */
export const readLaunchScope = <R>(
  declaration: Gate.LaunchScopeDeclaration<R>
): Effect.Effect<Report.LaunchScope, never, R> =>
  Effect.gen(function*() {
    const exit = yield* Effect.exit(Effect.flatMap(Effect.suspend(() => declaration.summarize), decodeSummary))
    const at = yield* readAt
    if (Exit.isSuccess(exit)) return { source: declaration.source, readAt: at, ...exit.value }
    const error = undecided(Check.errorFromCause(exit.cause).message)
    return { source: declaration.source, readAt: at, error }
  })

/**
 * {@link readLaunchScope} as the runner does it: within the check timeout and the run's deadline (which the
 * transport reads), and given up at once when the deadline passes or the signal aborts.
 */
const boundedRead = (
  declaration: Gate.LaunchScopeDeclaration,
  options: Options,
  halt: Deferred.Deferred<string>,
  runDeadline: number | undefined,
  context: Context.Context<any>
): Effect.Effect<Report.LaunchScope> =>
  Effect.gen(function*() {
    const timeout = Duration.decode(options.checkTimeout ?? DEFAULT_TIMEOUT)
    const started = yield* Clock.currentTimeMillis
    const deadline = Math.min(started + Duration.toMillis(timeout), runDeadline ?? Number.POSITIVE_INFINITY)
    const read = Effect.locally(
      Effect.provide(readLaunchScope(declaration) as Effect.Effect<Report.LaunchScope>, context),
      currentDeadline,
      deadline
    )
    // Disconnected: a summary that ignores interruption cannot hold the run once it is given up.
    return yield* Effect.raceAll([
      Effect.disconnect(read),
      Effect.flatMap(Deferred.await(halt), (reason) => notRead(declaration, reason)),
      Effect.zipRight(
        Effect.sleep(Math.max(0, deadline - started)),
        notRead(
          declaration,
          deadline === runDeadline
            ? "the run's overall deadline passed"
            : `timed out after ${Duration.format(Duration.millis(deadline - started))}`
        )
      )
    ])
  })

/**
 * Every configuration problem in a cause: Effect `ConfigError`s (their `And`
 * / `Or` trees flattened) and errors whose `reason` is `"config"` (vendor
 * errors), among all its failures and defects, not only the first. Parallel
 * layer builds (`Layer.merge`, `Layer.mergeAll`) put each sub-layer's failure
 * in the cause, so two vendors missing their variables are both listed.
 */
export const configurationErrorsOf = (cause: Cause.Cause<unknown>): Array<ReportBuilder.ConfigurationError> => {
  const found: Array<ReportBuilder.ConfigurationError> = []
  const seen = new Set<string>()
  const add = (error: ReportBuilder.ConfigurationError) => {
    const key = `${error.path ?? ""}\u0000${error.message}`
    if (seen.has(key)) return
    seen.add(key)
    found.push(error)
  }
  const visit = (error: unknown): void => {
    if (ConfigError.isConfigError(error)) {
      const stack: Array<ConfigError.ConfigError> = [error]
      while (stack.length > 0) {
        const e = stack.pop()!
        if (e._op === "And" || e._op === "Or") stack.push(e.right, e.left)
        else add({ ...(e.path.length > 0 ? { path: e.path.join("_") } : {}), message: e.message })
      }
      return
    }
    if (typeof error === "object" && error !== null && (error as { reason?: unknown }).reason === "config") {
      const { path, message } = error as { path?: unknown; message?: unknown }
      add({
        ...(typeof path === "string" ? { path } : {}),
        message: typeof message === "string" && message.length > 0 ? message : "configuration is invalid"
      })
    }
  }
  for (const failure of Cause.failures(cause)) visit(failure)
  for (const defect of Cause.defects(cause)) visit(defect)
  return found
}

/**
 * Run the items on `concurrency` worker fibres pulling from a queue of items
 * that are ready: every prerequisite finished and passed (or warned). An item
 * whose prerequisite did not pass, or an active check the gate does not allow,
 * is settled at once without taking a worker. No worker ever waits on a
 * prerequisite, so `dependsOn` cannot deadlock the pool. Each item's report
 * is built once, when it settles; progress events carry that same value.
 * Returns why the run stopped early, if it did.
 */
const runItems = <R>(
  gate: Gate.Gate<R>,
  items: ReadonlyArray<RunItem<R>>,
  reports: Array<Report.ItemReport | undefined>,
  options: Options,
  context: Context.Context<R | Gate.Provided>,
  stop: Deferred.Deferred<string>,
  now: Date,
  runDeadline: number | undefined
): Effect.Effect<string | undefined> =>
  Effect.gen(function*() {
    const total = items.length
    const workers = Math.max(1, Math.min(Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY), total))
    const defaultTimeout = Duration.decode(options.checkTimeout ?? DEFAULT_TIMEOUT)
    const extraAllowed = options.allowActive ?? false
    const allDone = yield* Deferred.make<void>()

    const indexById = new Map<string, number>()
    items.forEach((item, i) => indexById.set(item.check.id, i))
    // Each prerequisite lists its dependents once, even when a (hand-built) item names it twice: an item is
    // released when its last prerequisite settles, and must be released once.
    const dependents: Array<Array<number>> = items.map(() => [])
    items.forEach((item, i) => {
      for (const dep of new Set(item.check.dependsOn)) {
        const d = indexById.get(dep)
        if (d !== undefined) dependents[d]!.push(i)
      }
    })
    const status: Array<Outcome.Status | undefined> = []
    let settled = 0
    let running = 0 // taken by a worker, not yet settled
    // Ready items no worker has taken yet (from `head` on), in the order they became ready, and the idle
    // workers, each parked until it is handed an item. Plain arrays: no Effect queue per item.
    const pending: Array<number> = []
    let head = 0
    const parked: Array<(index: number) => void> = []
    // Once the run stops, late results (a check that ignored interruption) change nothing.
    let closed = false

    /** Settled without running, ready to run, or still waiting on a prerequisite. */
    const decide = (index: number): Raw | "ready" | "wait" => {
      const item = items[index]!
      for (const dep of item.check.dependsOn) {
        const d = indexById.get(dep)
        // Gate.make rejects this; a hand-built gate may not have been validated.
        if (d === undefined) {
          return {
            outcome: Outcome.error(`not run: prerequisite ${dep} is not an item of this gate`, {
              evidence: { prerequisite: dep }
            }),
            durationMs: 0
          }
        }
        const s = status[d]
        if (s === undefined) return "wait"
        if (s !== "pass" && s !== "warn") {
          return {
            outcome: Outcome.skip(`not run: prerequisite ${dep} ended ${s}`, {
              evidence: { prerequisite: dep, prerequisiteStatus: s }
            }),
            durationMs: 0
          }
        }
      }
      const allowed = Gate.activeAllowed(gate, item) || extraAllowed === true ||
        (Array.isArray(extraAllowed) && extraAllowed.includes(item.check.id))
      if (allowed) return "ready"
      return {
        outcome: Outcome.skip(
          "not run: this check is active (it changes or triggers something remote) and the gate does not allow it",
          {
            remediation: `Set allowActive: true on this item, or list "${item.check.id}" in the gate's allowActive, ` +
              "for targets where that is safe."
          }
        ),
        durationMs: 0
      }
    }

    // Absent without a callback, so no event is even built; a callback that throws must not stop the run.
    const onEvent = options.onEvent
    const emit = onEvent && ((event: Event) => {
      try {
        onEvent(event)
      } catch {
        // A progress callback that throws must not stop the run or lose a result.
      }
    })

    /**
     * Settle items (synchronously, so the counters stay consistent), releasing
     * dependents as their prerequisites settle. Returns the items that became
     * ready and the fail-fast reason, if one blocked.
     */
    const settle = (first: ReadonlyArray<readonly [number, Raw]>): Settled => {
      const ready: Array<number> = []
      let failFast: string | undefined
      const work = [...first]
      while (work.length > 0) {
        const [index, raw] = work.pop()!
        // Already settled (a dependent skipped by another prerequisite, an item the timer settled): keep the first.
        if (status[index] !== undefined) continue
        const report = ReportBuilder.itemReport(gate, items[index]!, raw, now)
        reports[index] = report
        status[index] = raw.outcome.status
        settled++
        emit?.({ type: "finish", index, item: report, total })
        if (options.failFast && report.disposition === "blocking") failFast ??= `fail-fast: ${report.id} blocked the gate`
        for (const j of dependents[index]!) {
          const decision = decide(j)
          if (decision === "ready") ready.push(j)
          else if (decision !== "wait") work.push([j, decision])
        }
      }
      return { ready, failFast }
    }

    /**
     * Hand what became ready to idle workers (or leave it for the next one free), stop on fail-fast, settle a
     * dependency cycle as error, and finish when all is settled. Synchronous: settling costs no Effect step.
     */
    const after = ({ failFast, ready }: Settled): void => {
      if (failFast !== undefined) Deferred.unsafeDone(stop, Exit.succeed(failFast))
      for (const index of ready) {
        const wake = parked.pop()
        if (wake === undefined) pending.push(index)
        else {
          running++
          wake(index)
        }
      }
      if (running === 0 && head === pending.length && settled < total) {
        // Nothing runs and nothing is ready, yet items remain: they wait on each other (an unvalidated gate).
        const stuck: Array<readonly [number, Raw]> = []
        for (let i = 0; i < total; i++) {
          if (status[i] === undefined) {
            stuck.push([i, {
              outcome: Outcome.error("not run: its prerequisites form a dependency cycle", {
                remediation: "Remove one of the dependencies in the cycle (Gate.make reports it)."
              }),
              durationMs: 0
            }])
          }
        }
        settle(stuck)
      }
      if (settled === total) Deferred.unsafeDone(allDone, Exit.void)
    }

    /** The next ready item: at once when one is pending, else when `after` hands one to this parked worker. */
    const take: Effect.Effect<number> = Effect.suspend(() => {
      if (head < pending.length) {
        const index = pending[head++]!
        // Start over when drained, so the array does not grow with every item of the run.
        if (head === pending.length) pending.length = head = 0
        running++
        return Effect.succeed(index)
      }
      return Effect.async<number>((resume) => {
        const wake = (index: number) => resume(Effect.succeed(index))
        parked.push(wake)
        return Effect.sync(() => {
          const at = parked.indexOf(wake)
          if (at >= 0) parked.splice(at, 1)
        })
      })
    })

    // Timeouts without a race per check (which forks two fibres each): a worker runs its check inline, and one
    // timer, armed for the earliest timeout in flight, interrupts a worker whose check ran out of time, settles
    // that item as `error` and starts a replacement worker in its slot. With the usual single timeout, later
    // checks time out later, so the timer is re-armed only when it fires.
    interface Slot {
      readonly index: number
      readonly startedAt: number
      readonly timeoutAt: number
      readonly timeout: Duration.Duration
    }
    const slots: Array<Slot | undefined> = []
    const fibers: Array<Fiber.RuntimeFiber<void>> = []
    const timers = new Set<Fiber.RuntimeFiber<void>>()
    let armedAt: number | undefined

    const timedOut = (slot: Slot, now: number): Raw => ({
      outcome: Outcome.error(`timed out after ${Duration.format(slot.timeout)}`, {
        evidence: { timeoutMs: Duration.toMillis(slot.timeout) },
        remediation: "The target did not answer in time. Check that it is reachable, or raise the " +
          "check's timeout (Check.timeout) if it is legitimately slow."
      }),
      startedAt: slot.startedAt,
      durationMs: now - slot.startedAt
    })

    /** Arm the timer for `at`, unless the run is over or it is already armed for that time or earlier. */
    const arm = (at: number): Effect.Effect<void> | undefined => {
      if (closed || (armedAt !== undefined && armedAt <= at)) return undefined
      armedAt = at
      return Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.flatMap(
          Effect.forkDaemon(Effect.zipRight(Effect.sleep(Math.max(0, at - now)), onTimer)),
          (fiber) => {
            timers.add(fiber)
            fiber.addObserver(() => timers.delete(fiber))
            return Effect.void
          }
        ))
    }

    const onTimer: Effect.Effect<void> = Effect.gen(function*() {
      armedAt = undefined
      if (closed) return
      const now = yield* Clock.currentTimeMillis
      const expired: Array<number> = []
      const results: Array<readonly [number, Raw]> = []
      let next: number | undefined
      for (let s = 0; s < workers; s++) {
        const slot = slots[s]
        if (slot === undefined) continue
        if (slot.timeoutAt <= now) {
          slots[s] = undefined
          running--
          expired.push(s)
          results.push([slot.index, timedOut(slot, now)])
        } else next = next === undefined ? slot.timeoutAt : Math.min(next, slot.timeoutAt)
      }
      for (const s of expired) {
        // Not awaited: a check that ignores interruption must not hold the timer (the deadline bounds the run).
        yield* Fiber.interruptFork(fibers[s]!)
        fibers[s] = yield* Effect.forkDaemon(worker(s))
      }
      after(settle(results))
      const arming = next === undefined ? undefined : arm(next)
      if (arming !== undefined) yield* arming
    })

    const worker = (s: number): Effect.Effect<void> =>
      Effect.gen(function*() {
        const clock = yield* Effect.clock
        for (;;) {
          const index = yield* take
          const item = items[index]!
          const started = clock.unsafeCurrentTimeMillis()
          emit?.({ type: "start", index, id: item.check.id, total })
          const timeout = item.check.timeout ?? defaultTimeout
          const timeoutAt = started + Duration.toMillis(timeout)
          slots[s] = { index, startedAt: started, timeoutAt, timeout }
          const arming = arm(timeoutAt)
          if (arming !== undefined) yield* arming
          // This worker fibre runs only checks: setting the deadline (not `locally`) needs no restore.
          yield* FiberRef.set(currentDeadline, Math.min(timeoutAt, runDeadline ?? Number.POSITIVE_INFINITY))
          const outcome = yield* Check.runSafely(item.check)
          // The timer settled this item and replaced this worker: its late result changes nothing.
          if (slots[s]?.index !== index || closed) return
          slots[s] = undefined
          running--
          const durationMs = clock.unsafeCurrentTimeMillis() - started
          after(settle([[index, { outcome, startedAt: started, durationMs }]]))
        }
        // The run's services, provided once per worker rather than once per check.
      }).pipe(Effect.provide(context))

    // Ready items start in gate order; the rest are released as their prerequisites settle.
    const ready: Array<number> = []
    let failFast: string | undefined
    for (let i = 0; i < total; i++) {
      const decision = decide(i)
      if (decision === "ready") ready.push(i)
      else if (decision !== "wait") {
        const result = settle([[i, decision]])
        ready.push(...result.ready)
        failFast ??= result.failFast
      }
    }
    after({ ready, failFast })
    // An item that blocked before anything ran (a prerequisite that is not an item) stops a fail-fast run here.
    if (failFast !== undefined) return failFast

    const work = Effect.gen(function*() {
      for (let w = 0; w < workers; w++) fibers.push(yield* Effect.forkDaemon(worker(w)))
      yield* Deferred.await(allDone)
    })
    // Daemon fibres: stop them all (workers idle or in flight, the timer), without waiting for any, however
    // the run ends (its own caller interrupting it included).
    const stopAll = Effect.fiberIdWith((by) =>
      Effect.sync(() => {
        closed = true
        for (const fiber of [...fibers, ...timers]) fiber.unsafeInterruptAsFork(by)
      })
    )
    // Disconnected: a check that ignores interruption cannot hold the run once it must stop.
    return yield* Effect.race(Effect.as(Effect.disconnect(work), undefined), Deferred.await(stop)).pipe(
      Effect.ensuring(stopAll)
    )
  })

const abortReason = (signal: AbortSignal): string => {
  const reason: unknown = signal.reason
  if (typeof reason === "string") return `interrupted: ${reason}`
  if (reason instanceof Error && reason.name !== "AbortError") return `interrupted: ${reason.message}`
  return "interrupted"
}

/**
 * A clock pinned to `now` that then moves at the real rate, so deferral
 * expiry and freshness rules see a chosen instant while timeouts still work.
 */
export const pinnedClock = (now: Date): Clock.Clock => {
  const offset = now.getTime() - Date.now()
  const base = Clock.make()
  const nanos = () => base.unsafeCurrentTimeNanos() + BigInt(offset) * 1_000_000n
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => Date.now() + offset,
    currentTimeMillis: Effect.sync(() => Date.now() + offset),
    unsafeCurrentTimeNanos: nanos,
    currentTimeNanos: Effect.sync(nanos),
    // Sleeping is real time: only the reading of "now" is shifted.
    sleep: (duration) => base.sleep(duration),
    [RealTimeSleep]: true
  } as Clock.Clock
}

/**
 * Run a gate with plain promises (no Effect knowledge needed).
 *
 * @example
 * const report = await Runner.runPromise(gate, { concurrency: 4 })
 * process.exitCode = report.verdict === "ready" ? 0 : 1
 */
export const runPromise = <R>(gate: Gate.Gate<R>, options: PromiseOptions = {}): Promise<Report.Report> => {
  const program = run(gate, options)
  return Effect.runPromise(options.now ? Effect.withClock(program, pinnedClock(options.now)) : program)
}

/** Exit code for a report: 0 ready, 1 blocked. (2 is for configuration and usage errors.) */
export const exitCode = (report: Report.Report): 0 | 1 => (report.verdict === "ready" ? 0 : 1)
