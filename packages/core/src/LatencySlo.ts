/**
 * The latency SLO check: N requests to a URL (a few at a time), the
 * p50/p95/p99 and error count as evidence, and a pass when the chosen
 * percentile is under the threshold and errors stay within the allowance.
 *
 * Samples are never retried: a retry would hide exactly the slowness and
 * errors this check is about.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Check from "./Check.js"
import type * as HttpTransport from "./HttpTransport.js"
import * as Http from "./internal/http/common.js"
import * as Outcome from "./Outcome.js"

/** One sample: a latency, or why the request failed. */
export type Sample =
  | { readonly ok: true; readonly status: number; readonly durationMs: number }
  | { readonly ok: false; readonly status?: number | undefined; readonly error: string }

/** What {@link evaluate} judges against. */
export interface Objective {
  /** Which percentile must be under the threshold (0 < p ≤ 100). Default 95. */
  readonly percentile?: number | undefined
  /** The percentile must be under this. */
  readonly threshold: Duration.DurationInput
  /** Warn (instead of pass) when the percentile is at or above this, but under `threshold`. */
  readonly warnThreshold?: Duration.DurationInput | undefined
  /** Failed requests tolerated. Default 0. */
  readonly maxErrors?: number | undefined
}

/** Options of {@link make}. */
export interface Options extends Http.Identity, Omit<Http.RequestOptions, "retry">, Objective {
  /** Measured requests. Default 20. */
  readonly samples?: number | undefined
  /** Requests in flight at once. Default 4. */
  readonly concurrency?: number | undefined
  /** Requests sent first and not measured (connection set-up). Default 0. */
  readonly warmup?: number | undefined
  /** Which statuses count as success. Default: 2xx. */
  readonly expect?: ((status: number) => boolean) | undefined
  /** Per-request timeout. Default 5 seconds. */
  readonly requestTimeout?: Duration.DurationInput | undefined
}

/** Nearest-rank percentile of ascending-sorted values (`undefined` when empty). */
export const percentile = (sorted: ReadonlyArray<number>, p: number): number | undefined => {
  if (sorted.length === 0) return undefined
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1]
}

/** Latency summary of a set of samples. */
export interface Summary {
  readonly samples: number
  readonly errors: number
  readonly p50: number | null
  readonly p95: number | null
  readonly p99: number | null
  readonly min: number | null
  readonly max: number | null
  readonly mean: number | null
  /** Failed requests by cause (`status 503`, `Timeout`, `ECONNRESET` …). */
  readonly errorKinds: Readonly<Record<string, number>>
}

/** Summarise samples: percentiles over the successful ones, errors counted by cause. */
export const summarise = (samples: ReadonlyArray<Sample>): Summary => {
  const latencies = samples.flatMap((s) => (s.ok ? [s.durationMs] : [])).sort((a, b) => a - b)
  const errorKinds: Record<string, number> = {}
  for (const s of samples) if (!s.ok) errorKinds[s.error] = (errorKinds[s.error] ?? 0) + 1
  const sum = latencies.reduce((a, b) => a + b, 0)
  return {
    samples: samples.length,
    errors: samples.length - latencies.length,
    p50: percentile(latencies, 50) ?? null,
    p95: percentile(latencies, 95) ?? null,
    p99: percentile(latencies, 99) ?? null,
    min: latencies[0] ?? null,
    max: latencies[latencies.length - 1] ?? null,
    mean: latencies.length > 0 ? Math.round((sum / latencies.length) * 10) / 10 : null,
    errorKinds
  }
}

/** Judge samples against an objective (pure). */
export const evaluate = (samples: ReadonlyArray<Sample>, objective: Objective): Outcome.Outcome => {
  const p = objective.percentile ?? 95
  const threshold = Http.millis(objective.threshold)
  const warnAt = objective.warnThreshold === undefined ? undefined : Http.millis(objective.warnThreshold)
  const maxErrors = objective.maxErrors ?? 0
  const summary = summarise(samples)
  const latencies = samples.flatMap((s) => (s.ok ? [s.durationMs] : [])).sort((a, b) => a - b)
  const value = percentile(latencies, p)
  const expected = `p${p} < ${threshold} ms, at most ${maxErrors} error(s)`
  const evidence = {
    ...summary,
    percentile: p,
    thresholdMs: threshold,
    ...(warnAt !== undefined ? { warnThresholdMs: warnAt } : {}),
    maxErrors
  }
  if (value === undefined) {
    return Outcome.error(`could not decide: none of ${samples.length} requests succeeded`, {
      expected,
      evidence,
      remediation: "Every request failed, so there is no latency to judge: check the URL, credentials and that the service is up."
    })
  }
  const measured = `p${p} ${value} ms over ${latencies.length} samples, ${summary.errors} error(s)`
  if (summary.errors > maxErrors) {
    return Outcome.fail(`${summary.errors} of ${samples.length} requests failed (${measured})`, {
      observed: { errors: summary.errors, [`p${p}`]: value },
      expected,
      evidence,
      remediation:
        "Requests failed while measuring latency: fix the errors first (see errorKinds), " +
        "or raise maxErrors if some failures are within the SLO."
    })
  }
  if (value >= threshold) {
    return Outcome.fail(`${measured}: not under ${threshold} ms`, {
      observed: value,
      expected,
      evidence,
      remediation:
        "The endpoint is slower than its objective: profile the slow path, add capacity or caching, " +
        "or revisit the objective with its owner."
    })
  }
  if (warnAt !== undefined && value >= warnAt) {
    return Outcome.warn(`${measured}: under ${threshold} ms but at or above the warning line of ${warnAt} ms`, {
      observed: value,
      expected,
      evidence,
      remediation: "Latency is close to the objective; look for headroom before launch traffic arrives."
    })
  }
  return Outcome.pass(`${measured}: under ${threshold} ms`, { observed: value, expected, evidence })
}

const sampleOf = (options: Options) => {
  const ok = options.expect ?? ((s: number) => s >= 200 && s < 300)
  return Http.send(options, { retry: false, timeout: options.requestTimeout ?? "5 seconds" }).pipe(
    Effect.map((r): Sample =>
      ok(r.status)
        ? { ok: true, status: r.status, durationMs: r.durationMs }
        : { ok: false, status: r.status, error: `status ${r.status}` }
    ),
    Effect.catchTag("HttpError", (e) => Effect.succeed<Sample>({ ok: false, error: e.code ?? e.reason }))
  )
}

/**
 * Send the requests and collect samples (the check's measurement, usable on
 * its own).
 */
export const measure = (options: Options): Effect.Effect<ReadonlyArray<Sample>, never, HttpTransport.HttpTransport> => {
  const concurrency = Math.max(1, options.concurrency ?? 4)
  const one = sampleOf(options)
  return Effect.forEach(Array.from({ length: Math.max(0, options.warmup ?? 0) }), () => one, { concurrency, discard: true })
    .pipe(Effect.zipRight(Effect.forEach(Array.from({ length: Math.max(1, options.samples ?? 20) }), () => one, { concurrency })))
}

/**
 * A latency SLO check (category `capacity`, id `http.<host>.latency-p<N>` unless given).
 *
 * @example
 * LatencySlo.make({ url: "https://api.acme.dev/v1/search?q=a", samples: 50, concurrency: 5, percentile: 95, threshold: "300 millis" })
 */
export const make = (options: Options): Check.Check<HttpTransport.HttpTransport> => {
  Http.registerSecrets(options.headers)
  const p = options.percentile ?? 95
  return Check.make({
    ...Http.identity(options, {
      url: options.url,
      property: `latency-p${p}`,
      title: `${Http.shownUrl(options.url)} p${p} latency is under ${Duration.format(Duration.decode(options.threshold))}`,
      category: "capacity",
      description: `The endpoint's p${p} latency over a sample of requests is under the objective, with errors within the allowance.`
    }),
    run: Effect.map(measure(options), (samples) => evaluate(samples, options))
  })
}
