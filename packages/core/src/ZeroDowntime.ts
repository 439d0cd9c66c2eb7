/**
 * The zero-downtime probe: keep sending requests at a set rate to a URL while
 * something else happens (a deploy, a traffic shift, a secret rotation), then
 * report every request's fate: failures by kind, the error rate, and the
 * longest window with no successful response. It is how a team proves
 * "deploys without downtime" instead of asserting it.
 *
 * Probe requests are never retried (a retry would hide the downtime) and each
 * has its own timeout. Requests are sent on schedule whether or not earlier
 * ones have answered, so a stall shows up as timeouts rather than as a slower
 * probe.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberSet from "effect/FiberSet"
import * as Schedule from "effect/Schedule"
import * as Check from "./Check.js"
import * as HttpTransport from "./HttpTransport.js"
import * as Http from "./internal/http/common.js"
import { scrubUrl } from "./internal/redactUrl.js"
import * as Outcome from "./Outcome.js"

/** Options of {@link probe}. */
export interface ProbeOptions<A = never, E = never, R = never> {
  readonly url: string
  /** Requests per second. Default 20. */
  readonly ratePerSecond?: number | undefined
  /**
   * Probe for this long. With `during`, the probe runs at least this long
   * and until `during` (plus `settle`) completes. Default 10 seconds when
   * there is no `during`.
   */
  readonly duration?: Duration.DurationInput | undefined
  /** The thing that happens meanwhile (deploy, traffic shift, rotation). */
  readonly during?: Effect.Effect<A, E, R> | undefined
  /** Keep probing this long after `during` completes. Default 0. */
  readonly settle?: Duration.DurationInput | undefined
  /** Per request. Default 2 seconds. */
  readonly requestTimeout?: Duration.DurationInput | undefined
  /** Which statuses count as success. Default 2xx and 3xx. */
  readonly expect?: ((status: number) => boolean) | undefined
  /** Request headers (e.g. a `Redacted` bearer token). */
  readonly headers?: Http.RequestOptions["headers"]
}

/** How a probe request failed. `reset` covers refused, reset and closed connections. */
export type FailureKind = "status" | "reset" | "timeout" | "other"

/** One failed request, as evidence. */
export interface FailureSample {
  /** Milliseconds after the probe started that the request was sent. */
  readonly atMs: number
  readonly kind: FailureKind
  /** The status, or the error code / reason. */
  readonly detail: string
}

/** What the probe saw. */
export interface ProbeResult<A = never, E = never> {
  readonly url: string
  readonly total: number
  readonly succeeded: number
  readonly failures: { readonly status: number; readonly reset: number; readonly timeout: number; readonly other: number }
  /** failed / total (0 when nothing was sent). */
  readonly errorRate: number
  /** The longest window with no successful response, in milliseconds (edges of the probe included). */
  readonly longestGapMs: number
  /** Where that window was, in milliseconds after the start. */
  readonly longestGap: { readonly fromMs: number; readonly toMs: number }
  readonly startedAt: string
  readonly durationMs: number
  /** Requests per second asked for. */
  readonly ratePerSecond: number
  /** Failures by status or error code (`503`, `ECONNREFUSED`, `UND_ERR_SOCKET`, `Timeout` …). */
  readonly failuresByDetail: Readonly<Record<string, number>>
  /** The first failures (at most 20), in order. */
  readonly failureSamples: ReadonlyArray<FailureSample>
  /** The outcome of `during`, when given. */
  readonly during?: Exit.Exit<A, E> | undefined
}

/** One probe request's record. */
export interface ProbeRecord {
  readonly sentAt: number
  readonly doneAt: number
  readonly kind: "ok" | FailureKind
  readonly detail: string
}

const RESET_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_REQ_CONTENT_LENGTH_MISMATCH",
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH"
])

/** Classify a transport failure. */
export const classify = (error: HttpTransport.HttpError): FailureKind =>
  error.reason === "Timeout" ? "timeout" : error.code !== undefined && RESET_CODES.has(error.code) ? "reset" : "other"

/**
 * Summarise probe records (pure): counts, error rate and the longest window,
 * between `startedAt` and `endedAt`, in which no successful response arrived.
 */
export const summarise = (
  url: string,
  records: ReadonlyArray<ProbeRecord>,
  startedAt: number,
  endedAt: number,
  ratePerSecond: number
): ProbeResult => {
  const failures = { status: 0, reset: 0, timeout: 0, other: 0 }
  const byDetail: Record<string, number> = {}
  const samples: Array<FailureSample> = []
  const ordered = [...records].sort((a, b) => a.sentAt - b.sentAt)
  for (const r of ordered) {
    if (r.kind === "ok") continue
    failures[r.kind]++
    byDetail[r.detail] = (byDetail[r.detail] ?? 0) + 1
    if (samples.length < 20) samples.push({ atMs: r.sentAt - startedAt, kind: r.kind, detail: r.detail })
  }
  const successes = ordered.filter((r) => r.kind === "ok").map((r) => r.doneAt)
  const points = [startedAt, ...successes, endedAt].sort((a, b) => a - b)
  let longest = { fromMs: 0, toMs: 0 }
  for (let i = 1; i < points.length; i++) {
    const from = points[i - 1]!
    const to = points[i]!
    if (to - from > longest.toMs - longest.fromMs) longest = { fromMs: from - startedAt, toMs: to - startedAt }
  }
  const failed = records.length - successes.length
  return {
    url: scrubUrl(url),
    total: records.length,
    succeeded: successes.length,
    failures,
    errorRate: records.length === 0 ? 0 : failed / records.length,
    longestGapMs: longest.toMs - longest.fromMs,
    longestGap: longest,
    startedAt: new Date(startedAt).toISOString(),
    durationMs: endedAt - startedAt,
    ratePerSecond,
    failuresByDetail: byDetail,
    failureSamples: samples
  }
}

/**
 * Probe a URL at a steady rate for a duration, or while `during` runs (plus
 * `settle`). Never fails: every request's fate is in the result, and the
 * outcome of `during` is its `during` exit.
 *
 * @example
 * const result = yield* ZeroDowntime.probe({
 *   url: "https://api.acme.dev/healthz",
 *   ratePerSecond: 50,
 *   during: deployNewRevision,
 *   settle: "5 seconds"
 * })
 */
export const probe = <A = never, E = never, R = never>(
  options: ProbeOptions<A, E, R>
): Effect.Effect<ProbeResult<A, E>, never, R | HttpTransport.HttpTransport> =>
  Effect.scoped(
    Effect.gen(function*() {
      const transport = yield* HttpTransport.HttpTransport
      const rate = options.ratePerSecond !== undefined && options.ratePerSecond > 0 ? options.ratePerSecond : 20
      const ok = options.expect ?? Http.isSuccess
      const timeout = options.requestTimeout ?? "2 seconds"
      Http.registerSecrets(options.headers)
      const records: Array<ProbeRecord> = []

      const one = Effect.gen(function*() {
        const sentAt = yield* Clock.currentTimeMillis
        const result = yield* Effect.either(transport.request({
          url: options.url,
          retry: false,
          timeout,
          followRedirects: false,
          ...(options.headers !== undefined ? { headers: options.headers } : {})
        }))
        const doneAt = yield* Clock.currentTimeMillis
        if (result._tag === "Right") {
          const status = result.right.status
          records.push(
            ok(status)
              ? { sentAt, doneAt, kind: "ok", detail: String(status) }
              : { sentAt, doneAt, kind: "status", detail: String(status) }
          )
        } else {
          const e = result.left
          records.push({ sentAt, doneAt, kind: classify(e), detail: e.code ?? e.reason })
        }
      })

      const inFlight = yield* FiberSet.make<void, never>()
      const startedAt = yield* Clock.currentTimeMillis
      // Send what is due by the clock on each tick, so timer jitter and high rates do not lower the
      // rate; a backlog of more than a quarter second (a stalled event loop) is dropped, not burst.
      const tickMs = Math.max(1000 / rate, 10)
      const maxBacklog = Math.max(2 * Math.ceil((rate * tickMs) / 1000), Math.ceil(rate / 4))
      let sent = 0
      const fire = Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const expected = Math.floor(((now - startedAt) * rate) / 1000) + 1
        if (expected - sent > maxBacklog) sent = expected - maxBacklog
        for (; sent < expected; sent++) yield* FiberSet.run(inFlight, one)
      })
      const ticker = yield* Effect.fork(Effect.repeat(fire, Schedule.fixed(Duration.millis(tickMs))))

      let during: Exit.Exit<A, E> | undefined
      const minimum = options.duration ?? (options.during === undefined ? "10 seconds" : 0)
      const minimumDone = Effect.sleep(minimum)
      if (options.during !== undefined) {
        const fiber = yield* Effect.fork(options.during)
        const [exit] = yield* Effect.all([Fiber.await(fiber), minimumDone], { concurrency: "unbounded" })
        during = exit
        if (options.settle !== undefined) yield* Effect.sleep(options.settle)
      } else {
        yield* minimumDone
      }

      yield* Fiber.interrupt(ticker)
      const stoppedAt = yield* Clock.currentTimeMillis
      // Let the last requests finish (each is bounded by its own timeout).
      yield* FiberSet.awaitEmpty(inFlight)
      const summary = summarise(options.url, records, startedAt, stoppedAt, rate)
      return (during === undefined ? summary : { ...summary, during }) as ProbeResult<A, E>
    })
  )

/** Options of {@link evaluate}. */
export interface Budget {
  /** The largest failure fraction that still passes (0.001 = 0.1 %). Default 0. */
  readonly errorBudget?: number | undefined
  /** Also fail when the longest window without a success is longer than this. */
  readonly maxGap?: Duration.DurationInput | undefined
}

const exitEvidence = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isSuccess(exit)
    ? { outcome: "success" }
    : Cause.isInterruptedOnly(exit.cause)
    ? { outcome: "interrupted" }
    : { outcome: "failure", cause: Cause.pretty(exit.cause).split("\n").slice(0, 5).join("\n") }

/** Facts about a probe result, as JSON-friendly evidence. */
export const evidence = (result: ProbeResult<unknown, unknown>): Record<string, unknown> => {
  const { during, ...rest } = result
  return during === undefined ? rest : { ...rest, during: exitEvidence(during) }
}

/**
 * Judge a probe result: a `fail` when failures exceed the error budget (or
 * the longest gap exceeds `maxGap`), an `error` when nothing was sent or the
 * operation under test failed (downtime was then not put to the test), a
 * `pass` otherwise.
 */
export const evaluate = (result: ProbeResult<unknown, unknown>, budget: Budget = {}): Outcome.Outcome => {
  const errorBudget = budget.errorBudget ?? 0
  const maxGapMs = budget.maxGap === undefined ? undefined : Http.millis(budget.maxGap)
  const failed = result.total - result.succeeded
  const percent = (n: number) => `${Math.round(n * 10_000) / 100}%`
  const kinds = (Object.entries(result.failures) as Array<[FailureKind, number]>)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(", ")
  const expected = {
    errorBudget,
    ...(maxGapMs !== undefined ? { maxGapMs } : {})
  }
  const details = { evidence: evidence(result), expected }

  if (result.total === 0) {
    return Outcome.error("could not decide: the probe sent no requests", {
      ...details,
      remediation: "The probe ran for no time at all: give it a duration, or make sure the operation under test takes place while it runs."
    })
  }
  const observed = { total: result.total, failed, errorRate: result.errorRate, longestGapMs: result.longestGapMs }
  const summary =
    `${failed} of ${result.total} requests failed (${percent(result.errorRate)}${kinds ? `: ${kinds}` : ""}); ` +
    `longest gap without a success ${result.longestGapMs} ms`
  if (result.errorRate > errorBudget) {
    return Outcome.fail(`${summary}; the error budget is ${percent(errorBudget)}`, {
      ...details,
      observed,
      remediation:
        "Requests failed while the change rolled out: look at failureSamples for when and how. " +
        "Typical fixes: readiness probes and connection draining (graceful shutdown), " +
        "more than one instance during the rollout, gradual traffic shifting."
    })
  }
  if (maxGapMs !== undefined && result.longestGapMs > maxGapMs) {
    return Outcome.fail(`${summary}; the longest gap is over ${maxGapMs} ms`, {
      ...details,
      observed,
      remediation: "There was a window with no successful response: check for a cut-over where no instance was serving."
    })
  }
  if (result.during !== undefined && Exit.isFailure(result.during)) {
    return Outcome.error(`could not decide: the operation under test did not complete (${summary})`, {
      ...details,
      observed,
      remediation:
        "The deploy / shift / rotation under test failed or was interrupted, so zero downtime was not demonstrated: " +
        "fix it and run again."
    })
  }
  return Outcome.pass(summary, { ...details, observed })
}

/** Options of {@link check}. */
export interface CheckOptions<A = never, E = never, R = never> extends ProbeOptions<A, E, R>, Budget, Http.Identity {}

/**
 * The zero-downtime check: probe while `during` runs, then {@link evaluate}.
 * Category `rollout`; active when `during` is given (it changes something);
 * its timeout covers the probe when `duration` is known (otherwise set
 * `timeout` to cover the operation under test).
 *
 * @example
 * ZeroDowntime.check({
 *   id: "acme.api.zero-downtime-deploy",
 *   url: "https://api.acme.dev/healthz",
 *   during: deployNewRevision,
 *   settle: "5 seconds",
 *   timeout: "10 minutes"
 * })
 */
export const check = <A = never, E = never, R = never>(
  options: CheckOptions<A, E, R>
): Check.Check<R | HttpTransport.HttpTransport> => {
  const known = options.during === undefined || options.duration !== undefined
  const timeout = options.timeout ?? (known
    ? Duration.millis(
      Http.millis(options.duration ?? "10 seconds") + Http.millis(options.settle ?? 0) +
        Http.millis(options.requestTimeout ?? "2 seconds") + 5_000
    )
    : undefined)
  return Check.make({
    ...Http.identity({ ...options, timeout }, {
      url: options.url,
      property: "zero-downtime",
      title: `${Http.shownUrl(options.url)} keeps answering${options.during ? " during the change" : ""}`,
      category: "rollout",
      description: "A steady stream of requests saw no more failures than the error budget while the change rolled out.",
      active: options.during !== undefined
    }),
    run: Effect.map(probe(options), (result) => evaluate(result, options))
  })
}
