/**
 * Runs a gate: bounded concurrency, per-check timeouts, an overall deadline,
 * fail-fast, interruption, and the gate rules that turn outcomes into a
 * verdict. Whatever happens, the result is a {@link Report.Report}: a check
 * that throws, hangs or returns garbage is an `error` item, never a crash and
 * never a pass.
 *
 * @since 0.1.0
 */
import { Clock, Context, Deferred, Duration, Effect, Exit, Layer, Option, Scope } from "effect"
import * as Check from "./Check.js"
import * as Deferral from "./Deferral.js"
import * as Gate from "./Gate.js"
import * as HttpTransport from "./HttpTransport.js"
import { gitCommit } from "./internal/metadata.js"
import { version } from "./internal/version.js"
import * as Outcome from "./Outcome.js"
import * as Redaction from "./Redaction.js"
import * as Report from "./Report.js"
import * as Rollback from "./Rollback.js"

/** Runner options. */
export interface Options {
  /** Checks running at once. Default 8. */
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

const DEFAULT_CONCURRENCY = 8
const DEFAULT_TIMEOUT = Duration.seconds(30)
const DEFAULT_FINALIZER_GRACE = Duration.seconds(5)

type RunItem<R> = Gate.Item<R> & { readonly rollbackOf?: string }

interface Raw {
  readonly outcome: Outcome.Outcome
  readonly startedAt?: number | undefined
  readonly durationMs: number
}

/**
 * Run a gate. Never fails: every problem becomes part of the report.
 * Requirements of the checks are provided by the gate's `layer`, built once
 * for this run (on top of the shared HTTP transport).
 *
 * Everything the run does is under the deadline and the signal: building the
 * layer, running the checks, and closing the run's scope (the transport's
 * sockets, the layer's finalizers), which gets a bounded grace period. The
 * scope is closed however the run ends, an outside interruption included.
 */
export const run = <R>(gate: Gate.Gate<R>, options: Options = {}): Effect.Effect<Report.Report> =>
  Effect.acquireUseRelease(
    Scope.make(),
    (scope) => runIn(gate, options, scope),
    (scope) => closeWithin(scope, finalizerGrace(options))
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
 * (measured from the start of the run, layer building included) or the signal.
 * Fail-fast completes it too.
 */
const stopWhen = (options: Options): Effect.Effect<Deferred.Deferred<string>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const stop = yield* Deferred.make<string>()
    if (options.deadline !== undefined) {
      const deadline = Duration.decode(options.deadline)
      yield* Effect.forkScoped(
        Effect.sleep(deadline).pipe(
          Effect.zipRight(Deferred.succeed(stop, `overall deadline of ${Duration.format(deadline)} exceeded`))
        )
      )
    }
    const signal = options.signal
    if (signal) {
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          const onAbort = () => Deferred.unsafeDone(stop, Exit.succeed(abortReason(signal)))
          if (signal.aborted) onAbort()
          else signal.addEventListener("abort", onAbort, { once: true })
          return onAbort
        }),
        (onAbort) => Effect.sync(() => signal.removeEventListener("abort", onAbort))
      )
    }
    return stop
  })

type Built<R> =
  | { readonly _tag: "Built"; readonly exit: Exit.Exit<Context.Context<R | Gate.Provided>, unknown> }
  | { readonly _tag: "Stopped"; readonly reason: string }

const runIn = <R>(gate: Gate.Gate<R>, options: Options, scope: Scope.CloseableScope): Effect.Effect<Report.Report> =>
  Effect.scoped(Effect.gen(function*() {
    const startedAt = yield* Clock.currentTimeMillis
    const items = Gate.runItems(gate)
    const raws: Array<Raw | undefined> = new Array(items.length).fill(undefined)
    const notes: Array<string> = []
    const stop = yield* stopWhen(options)

    // Services: the transport (from the context or built here), then the gate's layer on top.
    const existing = yield* Effect.serviceOption(HttpTransport.HttpTransport)
    const transportLayer = Option.isSome(existing)
      ? Layer.succeed(HttpTransport.HttpTransport, existing.value)
      : HttpTransport.layer({ ...gate.http, ...options.http })
    const runContext = Layer.succeed(Gate.RunContext, { gate: gate.name, environment: gate.environment })
    const provided = Layer.merge(transportLayer, runContext)
    const layer = (gate.layer ? Layer.provideMerge(gate.layer, provided) : provided) as Layer.Layer<R | Gate.Provided>
    // Disconnected: a layer that never finishes (or ignores interruption) cannot hold the run past the deadline.
    const built: Built<R> = yield* Effect.race(
      Layer.buildWithScope(layer, scope).pipe(
        Effect.exit,
        Effect.disconnect,
        Effect.map((exit): Built<R> => ({ _tag: "Built", exit }))
      ),
      Effect.map(Deferred.await(stop), (reason): Built<R> => ({ _tag: "Stopped", reason }))
    )

    let interruptReason: string | undefined
    let insecureOrigins: ReadonlyArray<string> = []

    if (built._tag === "Stopped") {
      interruptReason = built.reason
      items.forEach((_, i) => {
        raws[i] = {
          outcome: Outcome.error(`did not run: ${built.reason} while the gate's services were being set up`, {
            remediation:
              "The gate's layer (its clients and their set-up) did not finish building: check that what it connects to " +
              "is reachable, or raise the deadline."
          }),
          durationMs: 0
        }
      })
    } else if (Exit.isFailure(built.exit)) {
      // Failures and defects alike (a layer that throws on bad options): every item is `error`.
      const outcome = Check.errorFromCause(built.exit.cause)
      items.forEach((_, i) => {
        raws[i] = {
          outcome: {
            ...outcome,
            message: `the gate's services could not be set up: ${outcome.message.replace(/^could not decide: /, "")}`
          },
          durationMs: 0
        }
      })
    } else {
      const context = built.exit.value
      insecureOrigins = Context.get(context, HttpTransport.HttpTransport).insecureOrigins
      interruptReason = yield* runItems(gate, items, raws, options, context, stop)
    }

    const grace = finalizerGrace(options)
    if (!(yield* closeWithin(scope, grace))) {
      notes.push(
        `the run's finalizers (closing connections, the gate layer's clean-up) did not finish within ` +
          `${Duration.format(grace)} and were abandoned; some connections or resources may still be open`
      )
    }

    const finishedAt = yield* Clock.currentTimeMillis
    return buildReport(gate, items, raws, {
      startedAt,
      finishedAt,
      interruptReason,
      insecureOrigins,
      notes,
      failFast: options.failFast === true
    })
  }))

const runItems = <R>(
  gate: Gate.Gate<R>,
  items: ReadonlyArray<RunItem<R>>,
  raws: Array<Raw | undefined>,
  options: Options,
  context: Context.Context<R | Gate.Provided>,
  stop: Deferred.Deferred<string>
): Effect.Effect<string | undefined> =>
  Effect.gen(function*() {
    const semaphore = yield* Effect.makeSemaphore(Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY))
    const finished = new Map<string, Deferred.Deferred<Outcome.Status>>()
    for (const item of items) finished.set(item.check.id, yield* Deferred.make<Outcome.Status>())
    const now = new Date(yield* Clock.currentTimeMillis)
    const extraAllowed = options.allowActive ?? false
    const runOne = (item: RunItem<R>, index: number) =>
      Effect.gen(function*() {
        const record = (raw: Raw) =>
          Effect.gen(function*() {
            raws[index] = raw
            yield* Deferred.succeed(finished.get(item.check.id)!, raw.outcome.status)
            if (!options.onEvent && !options.failFast) return
            const report = itemReport(gate, item, raw, now)
            options.onEvent?.({ type: "finish", index, item: report, total: items.length })
            if (options.failFast && report.disposition === "blocking") {
              yield* Deferred.succeed(stop, `fail-fast: ${item.check.id} blocked the gate`)
            }
          })

        for (const dep of item.check.dependsOn) {
          const status = yield* Deferred.await(finished.get(dep)!)
          if (status !== "pass" && status !== "warn") {
            return yield* record({
              outcome: Outcome.skip(`not run: prerequisite ${dep} ended ${status}`, {
                evidence: { prerequisite: dep, prerequisiteStatus: status }
              }),
              durationMs: 0
            })
          }
        }

        const allowed = Gate.activeAllowed(gate, item) || extraAllowed === true ||
          (Array.isArray(extraAllowed) && extraAllowed.includes(item.check.id))
        if (!allowed) {
          return yield* record({
            outcome: Outcome.skip(
              "not run: this check is active (it changes or triggers something remote) and the gate does not allow it",
              {
                remediation:
                  `Set allowActive: true on this item, or list "${item.check.id}" in the gate's allowActive, for targets where that is safe.`
              }
            ),
            durationMs: 0
          })
        }

        const timeout = item.check.timeout ?? Duration.decode(options.checkTimeout ?? DEFAULT_TIMEOUT)
        yield* semaphore.withPermits(1)(
          Effect.gen(function*() {
            const started = yield* Clock.currentTimeMillis
            options.onEvent?.({ type: "start", index, id: item.check.id, total: items.length })
            const outcome = yield* Check.runSafely(item.check).pipe(
              Effect.provide(context),
              Effect.timeoutTo({
                duration: timeout,
                onSuccess: (o): Outcome.Outcome => o,
                onTimeout: () =>
                  Outcome.error(`timed out after ${Duration.format(timeout)}`, {
                    evidence: { timeoutMs: Duration.toMillis(timeout) },
                    remediation:
                      "The target did not answer in time. Check that it is reachable, or raise the check's timeout (Check.timeout) if it is legitimately slow."
                  })
              })
            )
            const ended = yield* Clock.currentTimeMillis
            yield* record({ outcome, startedAt: started, durationMs: ended - started })
          })
        )
      })

    const work = Effect.forEach(items, runOne, { concurrency: "unbounded", discard: true })
    // Disconnected: a check that ignores interruption cannot hold the run once it must stop.
    return yield* Effect.race(Effect.as(Effect.disconnect(work), undefined), Deferred.await(stop))
  })

const abortReason = (signal: AbortSignal): string => {
  const reason: unknown = signal.reason
  if (typeof reason === "string") return `interrupted: ${reason}`
  if (reason instanceof Error && reason.name !== "AbortError") return `interrupted: ${reason.message}`
  return "interrupted"
}

const dispositionOf = (
  tier: Gate.Tier,
  status: Outcome.Status,
  deferralState: Deferral.State | undefined,
  policy: Gate.Policy
): Report.Disposition => {
  if (status === "skip") return "skipped"
  if (status === "pass") return "ok"
  if (status === "warn") return tier === "post-launch" ? "info" : "warning"
  // fail or error
  if (deferralState === "active") return "deferred"
  switch (tier) {
    case "launch-critical":
      return "blocking"
    case "launch-adjacent":
      return policy.launchAdjacent === "block" ? "blocking" : "warning"
    case "post-launch":
      return "info"
  }
}

const deferralReport = (d: Deferral.Deferral, now: Date, status: Outcome.Status | undefined): Report.DeferralReport => ({
  check: d.check,
  owner: d.owner,
  reason: d.reason,
  risk: d.risk,
  followUp: d.followUp,
  expires: d.expires.toISOString(),
  ...(d.approvedBy !== undefined ? { approvedBy: d.approvedBy } : {}),
  state: Deferral.state(d, now, status),
  daysLeft: Deferral.daysLeft(d, now)
})

const itemReport = <R>(gate: Gate.Gate<R>, item: RunItem<R>, raw: Raw, now: Date): Report.ItemReport => {
  const { check } = item
  const outcome = raw.outcome
  const deferral = gate.deferrals.find((d) => d.check === check.id)
  const deferred = deferral ? deferralReport(deferral, now, outcome.status) : undefined
  const disposition = dispositionOf(item.tier, outcome.status, deferred?.state, gate.policy)
  const scrubbedEvidence = Redaction.scrubJson(outcome.evidence as Outcome.Json) as Record<string, Outcome.Json>
  return {
    id: check.id,
    title: check.title,
    surface: check.surface,
    category: check.category,
    kind: check.kind,
    tier: item.tier,
    owner: item.owner,
    status: outcome.status,
    disposition,
    message: Redaction.scrub(outcome.message),
    evidence: scrubbedEvidence,
    ...(outcome.remediation !== undefined ? { remediation: Redaction.scrub(outcome.remediation) } : {}),
    ...(outcome.docs !== undefined ? { docs: outcome.docs } : {}),
    ...(check.description !== undefined ? { description: check.description } : {}),
    ...(check.role !== undefined ? { role: check.role } : {}),
    active: check.active,
    ...(raw.startedAt !== undefined ? { startedAt: new Date(raw.startedAt).toISOString() } : {}),
    durationMs: raw.durationMs,
    attempts: outcome.attempts ?? (raw.startedAt !== undefined ? 1 : 0),
    dependsOn: [...check.dependsOn],
    ...(outcome.subjects
      ? {
        subjects: outcome.subjects.map((s) => ({
          subject: s.subject,
          status: s.status,
          message: Redaction.scrub(s.message),
          evidence: Redaction.scrubJson(s.evidence as Outcome.Json) as Record<string, Outcome.Json>,
          ...(s.remediation !== undefined ? { remediation: Redaction.scrub(s.remediation) } : {})
        }))
      }
      : {}),
    ...(deferred ? { deferral: deferred } : {}),
    ...(item.rollbackOf !== undefined ? { rollbackOf: item.rollbackOf } : {}),
    ...(check.meta ? { meta: Redaction.scrubJson(check.meta as Outcome.Json) as Record<string, Outcome.Json> } : {})
  }
}

const emptyCounts = (): { -readonly [K in keyof Report.Counts]: number } => ({
  pass: 0,
  fail: 0,
  warn: 0,
  error: 0,
  skip: 0,
  deferred: 0
})

const buildReport = <R>(
  gate: Gate.Gate<R>,
  items: ReadonlyArray<RunItem<R>>,
  raws: ReadonlyArray<Raw | undefined>,
  meta: {
    startedAt: number
    finishedAt: number
    interruptReason: string | undefined
    insecureOrigins: ReadonlyArray<string>
    notes: ReadonlyArray<string>
    failFast: boolean
  }
): Report.Report => {
  const now = new Date(meta.startedAt)
  const stoppedByFailFast = meta.interruptReason?.startsWith("fail-fast") === true
  const reports = items.map((item, i) => {
    const raw = raws[i] ?? {
      outcome: stoppedByFailFast
        ? Outcome.skip(`not run: ${meta.interruptReason}`)
        : Outcome.error(`did not finish: ${meta.interruptReason ?? "run ended early"}`, {
          remediation: "Re-run the gate; the run was stopped before this check finished."
        }),
      durationMs: 0
    }
    return itemReport(gate, item, raw, now)
  })

  const byTier = {
    "launch-critical": emptyCounts(),
    "launch-adjacent": emptyCounts(),
    "post-launch": emptyCounts()
  }
  for (const r of reports) {
    const counts = byTier[r.tier]
    if (r.disposition === "deferred") counts.deferred++
    else counts[r.status]++
  }

  const reasons: Array<string> = []
  for (const r of reports) {
    if (r.disposition !== "blocking") continue
    const expired = r.deferral?.state === "expired" ? ` (its deferral expired ${r.deferral.expires.slice(0, 10)})` : ""
    reasons.push(`${r.id} [${r.tier}] ${r.status}: ${r.message}${expired}`)
  }
  const interrupted = meta.interruptReason !== undefined && !stoppedByFailFast
  if (interrupted) reasons.unshift(`run ${meta.interruptReason}`)

  const statusById = new Map(reports.map((r) => [r.id, r.status]))
  return {
    schemaVersion: Report.SCHEMA_VERSION,
    gate: {
      name: gate.name,
      ...(gate.description !== undefined ? { description: gate.description } : {}),
      ...(gate.environment !== undefined ? { environment: gate.environment } : {})
    },
    run: {
      startedAt: new Date(meta.startedAt).toISOString(),
      finishedAt: new Date(meta.finishedAt).toISOString(),
      durationMs: meta.finishedAt - meta.startedAt,
      launchgateVersion: version,
      ...(() => {
        const commit = gitCommit()
        return commit ? { gitCommit: commit } : {}
      })(),
      nodeVersion: process.version,
      interrupted,
      ...(meta.interruptReason !== undefined ? { interruptReason: meta.interruptReason } : {}),
      ...(meta.insecureOrigins.length > 0 ? { insecureOrigins: [...meta.insecureOrigins] } : {}),
      ...(meta.notes.length > 0 ? { notes: meta.notes.map(Redaction.scrub) } : {})
    },
    verdict: reasons.length > 0 ? "blocked" : "ready",
    reasons: reasons.map(Redaction.scrub),
    policy: { launchAdjacent: gate.policy.launchAdjacent },
    summary: {
      total: reports.length,
      blocking: reports.filter((r) => r.disposition === "blocking").length,
      warnings: reports.filter((r) => r.disposition === "warning").length,
      byTier
    },
    items: reports,
    deferrals: gate.deferrals.map((d) => deferralReport(d, now, statusById.get(d.check))),
    rollback: gate.rollback.map((p) =>
      Rollback.isNone(p)
        ? { surface: p.surface, none: p.none }
        : {
          surface: p.surface,
          procedure: p.procedure,
          ...(p.killSwitch !== undefined ? { killSwitch: p.killSwitch } : {}),
          ...(p.owner !== undefined ? { owner: p.owner } : {}),
          ...(p.verify !== undefined ? { verify: p.verify.id } : {})
        }
    ),
    unsupported: gate.unsupported.map((u) => ({ case: u.case, ...(u.reason !== undefined ? { reason: u.reason } : {}) }))
  }
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
    sleep: (duration) => base.sleep(duration)
  }
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
