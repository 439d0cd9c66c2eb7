/**
 * The post-deploy smoke gate: run it right after `gcloud run deploy --no-traffic`.
 *
 * 1. `gcp.cloud-run.rollback-target`: a Ready previous revision exists. Its
 *    evidence is the one-step rollback command the CI templates run when the
 *    suite fails; nothing moves unless this passes.
 * 2. `smoke.api.zero-downtime-shift` (**active, allowed on purpose**): PATCH
 *    the service's traffic so the new revision gets 100%, while the
 *    zero-downtime probe keeps requesting the service; any failed request
 *    fails the check (error budget 0).
 * 3. After the shift: `gcp.cloud-run.latest-deploy-live`,
 *    `gcp.cloud-run.healthy`, the health endpoint (`smoke.api.health`) and
 *    the latency SLO (`smoke.api.latency-p95`).
 *
 * Targets come from the environment when `SERVICE_URL` is set (a real
 * deploy), and from the bundled emulators otherwise (see `emulators.ts`).
 *
 * @example
 * // the CLI (the emulators when SERVICE_URL is unset):
 * // launchgate run smoke.gate.ts --markdown reports/smoke.md
 * // in vitest: test/smoke.test.ts
 */
import { Check, Gate } from "@launchgate/core"
import { HealthCheck, type HttpTransport, LatencySlo, ZeroDowntime } from "@launchgate/core/http"
import { CloudRun, Gcp, GcpClient, type GcpError, type GcpServices } from "@launchgate/gcp"
import { GcpEmulator } from "@launchgate/gcp/emulator"
import { Data, Duration, Effect, Layer, Redacted } from "effect"
import { type EmulatorOptions, NOTES_LATENCY_MS, PROJECT, REGION, SERVICE, startEmulators } from "./emulators.js"

/** How fast and how long the active part runs. */
export interface Timing {
  /** Probe requests per second during the shift. */
  readonly probeRate: number
  /** Probe at least this long, even when the shift is quicker. */
  readonly probeDuration?: Duration.DurationInput | undefined
  /** Per probe request; longer than this counts as downtime. */
  readonly probeRequestTimeout: Duration.DurationInput
  /** Keep probing this long after Cloud Run reports the new split. */
  readonly settle: Duration.DurationInput
  /** Between polls of the operation and the service. */
  readonly pollInterval: Duration.DurationInput
  /** How long the traffic change may take to show in `trafficStatuses`. */
  readonly convergeTimeout: Duration.DurationInput
  /** The whole shift check. */
  readonly shiftTimeout: Duration.DurationInput
  /** Latency samples. */
  readonly latencySamples: number
  /** Per latency sample (default 5 s); a sample that takes longer is an error. */
  readonly latencyRequestTimeout?: Duration.DurationInput | undefined
}

/** What the smoke gate points at. */
export interface Targets {
  /** Where the targets came from: `"environment"` or `"emulators"`. */
  readonly source: "environment" | "emulators"
  /** The service's health endpoint (`SERVICE_URL` + `SMOKE_HEALTH_PATH`). */
  readonly healthUrl: string
  /** Components the health endpoint must report (`SMOKE_HEALTH_COMPONENTS`, comma-separated). */
  readonly healthComponents: ReadonlyArray<string>
  /** The URL the latency SLO samples (`SERVICE_URL` + `SMOKE_LATENCY_PATH`). */
  readonly latencyUrl: string
  /** p95 threshold in milliseconds (`SMOKE_P95_MS`). */
  readonly p95Ms: number
  /** What the zero-downtime probe requests while traffic shifts. */
  readonly probeUrl: string
  /** The Cloud Run service (`CLOUD_RUN_SERVICE`, `GOOGLE_CLOUD_PROJECT`, `GOOGLE_CLOUD_REGION`). */
  readonly service: string
  readonly project: string
  readonly region: string
  /** The Google Cloud client. */
  readonly gcp: Layer.Layer<GcpServices, GcpError, HttpTransport.HttpTransport>
  readonly timing: Timing
}

/** After a real deploy: patient, because Cloud Run takes seconds to minutes to converge. */
const REAL_TIMING: Timing = {
  probeRate: 10,
  probeRequestTimeout: "2 seconds",
  settle: "10 seconds",
  pollInterval: "2 seconds",
  convergeTimeout: "5 minutes",
  shiftTimeout: "10 minutes",
  latencySamples: 30
}

/** Against the emulators: quick, and lenient per request because CI machines are busy (a slow answer is not downtime). */
const EMULATOR_TIMING: Timing = {
  probeRate: 25,
  probeDuration: "1 second",
  probeRequestTimeout: "5 seconds",
  settle: "200 millis",
  pollInterval: "25 millis",
  convergeTimeout: "10 seconds",
  shiftTimeout: "30 seconds",
  latencySamples: 20,
  latencyRequestTimeout: "20 seconds"
}

/** Thrown when the environment half-describes a target: the suite refuses to guess. */
export class SmokeConfigError extends Error {
  override readonly name = "SmokeConfigError"
}

const REQUIRED = ["CLOUD_RUN_SERVICE", "GOOGLE_CLOUD_PROJECT", "GOOGLE_CLOUD_REGION"] as const

/**
 * Targets from environment variables, or `undefined` when `SERVICE_URL` is
 * unset and the target environment is local (run against the emulators).
 * Fails closed: a named target (`SMOKE_TARGET=production`) without
 * `SERVICE_URL`, or `SERVICE_URL` without the Cloud Run coordinates, throws
 * instead of quietly testing the emulators.
 */
export const targetsFromEnv = (
  env: string | undefined,
  vars: Readonly<Record<string, string | undefined>> = process.env
): Targets | undefined => {
  const serviceUrl = vars["SERVICE_URL"]?.trim()
  if (!serviceUrl) {
    if (env !== undefined && env !== "local") {
      throw new SmokeConfigError(`the smoke target is "${env}" but SERVICE_URL is not set: refusing to test the bundled emulators in its place`)
    }
    return undefined
  }
  const missing = REQUIRED.filter((key) => !vars[key]?.trim())
  if (missing.length > 0) {
    throw new SmokeConfigError(`SERVICE_URL is set, so the smoke suite targets a real deploy, but ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not set`)
  }
  if (!URL.canParse(serviceUrl)) throw new SmokeConfigError(`SERVICE_URL is not a URL: ${JSON.stringify(serviceUrl)}`)
  const p95 = Number(vars["SMOKE_P95_MS"] ?? "500")
  if (!Number.isFinite(p95) || p95 <= 0) throw new SmokeConfigError(`SMOKE_P95_MS must be a positive number of milliseconds, got ${JSON.stringify(vars["SMOKE_P95_MS"])}`)
  const base = serviceUrl.replace(/\/+$/, "")
  const healthUrl = `${base}${vars["SMOKE_HEALTH_PATH"] ?? "/healthz"}`
  const token = vars["GCP_ACCESS_TOKEN"]?.trim()
  const project = vars["GOOGLE_CLOUD_PROJECT"]!
  const region = vars["GOOGLE_CLOUD_REGION"]!
  return {
    source: "environment",
    healthUrl,
    healthComponents: (vars["SMOKE_HEALTH_COMPONENTS"] ?? "").split(",").map((c) => c.trim()).filter((c) => c !== ""),
    latencyUrl: `${base}${vars["SMOKE_LATENCY_PATH"] ?? "/"}`,
    p95Ms: p95,
    // The public URL, as users reach it: what must not go down while traffic moves.
    probeUrl: healthUrl,
    service: vars["CLOUD_RUN_SERVICE"]!,
    project,
    region,
    // Without GCP_ACCESS_TOKEN: Application Default Credentials (workload identity in CI).
    gcp: Gcp.layer({ project, region, accessToken: token ? Redacted.make(token) : undefined }),
    timing: REAL_TIMING
  }
}

/** Targets on running emulators (only their URLs are read). */
export const emulatorTargets = (emulators: {
  readonly app: { readonly url: string }
  readonly gcp: { readonly url: string }
}): Targets => ({
  source: "emulators",
  healthUrl: `${emulators.app.url}/healthz`,
  healthComponents: ["db", "cache"],
  latencyUrl: `${emulators.app.url}/v1/notes`,
  // The app emulator adds a fixed latency to /v1/notes (NOTES_LATENCY_MS); the threshold is 100 times it, so a
  // busy machine does not change the verdict.
  p95Ms: NOTES_LATENCY_MS * 100,
  // The Cloud Run service URL the emulator serves: it answers from the revision the traffic split picks,
  // so this is where a bad shift shows (the app emulator stands in for the endpoints only).
  probeUrl: `${GcpEmulator.urlOf(emulators.gcp, `projects/${PROJECT}/locations/${REGION}/services/${SERVICE}`)}/healthz`,
  service: SERVICE,
  project: PROJECT,
  region: REGION,
  gcp: Gcp.layer({ project: PROJECT, region: REGION, baseUrls: emulators.gcp.url, accessToken: Redacted.make("emulator-token") }),
  timing: EMULATOR_TIMING
})

/** The promotion did not happen (or did not finish). */
export class PromotionError extends Data.TaggedError("PromotionError")<{ readonly message: string }> {}

const REVISION = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION"
const lastSegment = (name: string | undefined) => name?.slice(name.lastIndexOf("/") + 1)

/**
 * Send 100% of a Cloud Run service's traffic to its latest revision: one
 * PATCH of `traffic` (with the etag, tags kept at 0%), then follow the
 * operation and wait until `trafficStatuses` show the new split. Refuses
 * (moving nothing) when the latest revision is not Ready. Needs
 * `roles/run.developer`.
 */
export const promoteLatest = (serviceName: string, timing: Pick<Timing, "pollInterval" | "convergeTimeout">) =>
  Effect.gen(function*() {
    const client = yield* GcpClient
    const poll = <A, E>(read: Effect.Effect<A, E>, done: (a: A) => boolean, what: string) =>
      Effect.gen(function*() {
        for (;;) {
          const value = yield* read
          if (done(value)) return value
          yield* Effect.sleep(timing.pollInterval)
        }
      }).pipe(Effect.timeoutFail({
        duration: timing.convergeTimeout,
        onTimeout: () => new PromotionError({ message: `${what} within ${Duration.format(Duration.decode(timing.convergeTimeout))}` })
      }))

    const { value: before } = yield* client.fresh("service", serviceName)
    const latest = lastSegment(before.latestCreatedRevision)
    if (latest === undefined) return yield* new PromotionError({ message: `${serviceName} has no revision to promote` })
    if (lastSegment(before.latestReadyRevision) !== latest) {
      return yield* new PromotionError({
        message: `the new revision ${latest} is not Ready (latest Ready: ${lastSegment(before.latestReadyRevision) ?? "none"}); traffic was left where it was`
      })
    }
    const traffic = [
      { type: REVISION, revision: latest, percent: 100 },
      // Keep every tag where it points, at 0%, so tag URLs (rollback, candidate) keep working.
      ...(before.traffic ?? []).filter((t) => t.tag !== undefined).map((t) => ({ ...t, percent: 0 }))
    ]
    const operation = yield* client.updateTraffic(serviceName, traffic, before.etag)
    const finished = yield* poll(client.operation(operation.name), (op) => op.done === true, "the traffic update did not finish")
    if (finished.error !== undefined) {
      return yield* new PromotionError({
        message: `the traffic update failed: ${finished.error.status ?? finished.error.code ?? ""} ${finished.error.message ?? ""}`.trim()
      })
    }
    yield* poll(
      Effect.map(client.fresh("service", serviceName), (f) => f.value),
      (s) => s.reconciling !== true && (s.trafficStatuses ?? []).some((t) => lastSegment(t.revision) === latest && t.percent === 100),
      `Cloud Run did not report 100% on ${latest}`
    )
    return { revision: latest, operation: operation.name }
  })

/** Options of {@link smokeGate}. */
export interface SmokeGateOptions {
  /** Called when a run ends. */
  readonly onRunEnd?: (() => Promise<void>) | undefined
  /**
   * Start the targets when the gate runs (the gate's `setup`), not when it is made: `plan` and `docs` then start
   * nothing. The checks are described with the targets given to {@link smokeGate} and run against these.
   */
  readonly setup?: (() => Promise<{ readonly targets: Targets; readonly close: () => Promise<void> }>) | undefined
}

/** The setup did not run (a check was run outside its gate): fail closed. */
export class NoTargetsError extends Data.TaggedError("NoTargetsError")<{ readonly message: string }> {}

const setupTargets = Effect.flatMap(Gate.RunContext, (run) => {
  const found = run.setup?.["targets"] as Targets | undefined
  return found === undefined
    ? Effect.fail(new NoTargetsError({ message: "no targets: the gate's setup did not run" }))
    : Effect.succeed(found)
})

/** The smoke gate for a set of targets. */
export const smokeGate = (targets: Targets, environment?: string, options: SmokeGateOptions = {}) => {
  const { project, region, service, timing } = targets
  const serviceName = `projects/${project}/locations/${region}/services/${service}`
  // With a setup, a check aimed at a URL is described now and built, when the gate runs, on the started targets.
  const live = <R>(build: (t: Targets) => Check.Check<R>): Check.Check<R | Gate.RunContext> =>
    options.setup === undefined
      ? build(targets)
      : Check.mapRun(build(targets), () => Effect.flatMap(setupTargets, (t) => build(t).run))

  // Its own client, so its own read cache: it reads the service before the shift, and the checks after the
  // shift must not be answered from that read (a gate's client caches each resource for the whole run).
  const rollbackTarget = live((t) => CloudRun.rollbackTarget({ service }).pipe(Check.provide(t.gcp)))

  const shift = live((t) => ZeroDowntime.check({
    id: "smoke.api.zero-downtime-shift",
    title: `${service} keeps answering while its traffic shifts to the new revision`,
    surface: "smoke.api",
    role: "roles/run.developer",
    url: t.probeUrl,
    during: promoteLatest(serviceName, timing),
    ratePerSecond: timing.probeRate,
    duration: timing.probeDuration,
    requestTimeout: timing.probeRequestTimeout,
    settle: timing.settle,
    errorBudget: 0,
    timeout: timing.shiftTimeout,
    // Fail closed: no traffic moves unless a one-step rollback exists.
    dependsOn: [rollbackTarget.id]
  }))

  // Everything else judges the new revision, so it runs once traffic is on it.
  const afterShift = Check.dependsOn([shift])

  return Gate.make({
    name: `post-deploy smoke: ${service}`,
    description: "Shift traffic to the new revision under a zero-downtime probe, then prove health, latency and the rollout.",
    ...(environment !== undefined ? { environment } : {}),
    items: [
      { check: rollbackTarget, tier: "launch-critical", owner: "platform" },
      // Active: it changes the service's traffic. Allowed on purpose: promoting the deploy is this suite's job.
      { check: shift, tier: "launch-critical", owner: "platform", allowActive: true },
      { check: afterShift(CloudRun.latestDeployLive({ service })), tier: "launch-critical", owner: "platform" },
      { check: afterShift(CloudRun.healthy({ service })), tier: "launch-critical", owner: "platform" },
      {
        check: afterShift(live((t) =>
          HealthCheck.make({
            id: "smoke.api.health",
            title: "The service's health endpoint reports every component healthy",
            surface: "smoke.api",
            url: t.healthUrl,
            components: t.healthComponents
          })
        )),
        tier: "launch-critical",
        owner: "api"
      },
      {
        check: afterShift(live((t) =>
          LatencySlo.make({
            id: "smoke.api.latency-p95",
            title: `The service's p95 latency is under ${t.p95Ms} ms`,
            surface: "smoke.api",
            url: t.latencyUrl,
            samples: timing.latencySamples,
            concurrency: 4,
            warmup: 2,
            percentile: 95,
            threshold: Duration.millis(t.p95Ms),
            ...(timing.latencyRequestTimeout !== undefined ? { requestTimeout: timing.latencyRequestTimeout } : {}),
            maxErrors: 0
          })
        )),
        tier: "launch-critical",
        owner: "api"
      }
    ],
    rollback: {
      "gcp.cloud-run": {
        procedure:
          `gcloud run services update-traffic ${service} --region ${region} --project ${project} --to-revisions REVISION=100, with the REVISION that gcp.cloud-run.rollback-target names in this report (the CI templates do this on failure)`,
        owner: "platform"
      },
      "smoke.api": { procedure: "the same one-step traffic rollback as gcp.cloud-run: the previous revision serves the API", owner: "api" }
    },
    ...(options.setup === undefined
      ? {
        layer: options.onRunEnd === undefined
          ? targets.gcp
          : Layer.merge(targets.gcp, Layer.scopedDiscard(Effect.addFinalizer(() => Effect.promise(options.onRunEnd!))))
      }
      : {
        setup: async () => {
          const started = await options.setup!()
          return {
            layer: started.targets.gcp,
            context: { targets: started.targets },
            teardown: async () => {
              await started.close()
              await options.onRunEnd?.()
            }
          }
        }
      })
  })
}

/** What `plan` and `docs` describe the emulator gate with: no emulator runs there, so no URL is real. */
const PLANNED_EMULATORS = { app: { url: "http://127.0.0.1:1" }, gcp: { url: "http://127.0.0.1:2" } }

/**
 * The smoke gate on the bundled emulators, started by the gate's setup when it runs and closed with the run.
 * Making it (and `launchgate plan`/`docs`) starts nothing.
 */
export const emulatorGate = (environment: string = "local", emulatorOptions: EmulatorOptions = {}) =>
  smokeGate(emulatorTargets(PLANNED_EMULATORS), environment, {
    setup: async () => {
      const emulators = await startEmulators(emulatorOptions)
      return { targets: emulatorTargets(emulators), close: emulators.close }
    }
  })

/**
 * `(env) => gate`, for `describeGate` and the CLI: the environment's targets
 * when `SERVICE_URL` is set, otherwise freshly started emulators that close
 * when the run ends.
 */
export default function gate(env: string | undefined) {
  const fromEnv = targetsFromEnv(env)
  if (fromEnv !== undefined) return smokeGate(fromEnv, env)
  return emulatorGate(env ?? "local")
}
