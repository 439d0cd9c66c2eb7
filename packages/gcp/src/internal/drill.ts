/**
 * The rollback drill: shift all traffic to the rollback target, watch the
 * service with the zero-downtime probe while it happens, then put the
 * original traffic split back, and report how long the rollback took, what
 * the probe saw, and the restored state. A restore that fails is reported
 * loudly, with the command to finish by hand.
 *
 * @internal
 */
import { Check, Outcome } from "@launchgate/core"
import { ZeroDowntime } from "@launchgate/core/http"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { GcpClient, type GcpServices } from "../Gcp.js"
import * as GcpErrors from "../GcpError.js"
import type { GcpError } from "../GcpError.js"
import { errorOutcome, Reads } from "./check.js"
import { lastSegment } from "./resources.js"
import * as Run from "./run.js"
import type { Service, TrafficTarget } from "./schemas.js"

/** Options of the rollback drill. */
export interface DrillOptions {
  /** The service id or full name. One service per drill. */
  readonly service: string
  readonly region?: string | undefined
  readonly project?: string | undefined
  /**
   * The revision (name or traffic tag) to roll back to. Default: the target
   * `gcp.cloud-run.rollback-target` finds.
   */
  readonly to?: string | undefined
  /** Rollback tags, as for `gcp.cloud-run.rollback-target`. Default `["rollback", "stable"]`. */
  readonly tags?: ReadonlyArray<string> | undefined
  /** The zero-downtime probe during the shift. */
  readonly probe?: {
    /** Default: the service URL plus `path`. */
    readonly url?: string | undefined
    readonly path?: string | undefined
    /** Default 10 requests per second. */
    readonly ratePerSecond?: number | undefined
    /** Keep probing after the shift converged. Default 2 seconds. */
    readonly settle?: Duration.DurationInput | undefined
    readonly requestTimeout?: Duration.DurationInput | undefined
    /** Failure fraction still acceptable. Default 0. */
    readonly errorBudget?: number | undefined
    readonly maxGap?: Duration.DurationInput | undefined
  } | undefined
  /** How long one traffic change may take to show in `trafficStatuses`. Default 5 minutes. */
  readonly convergeTimeout?: Duration.DurationInput | undefined
  /** Between polls of the operation and the service. Default 2 seconds. */
  readonly pollInterval?: Duration.DurationInput | undefined
  /** The whole drill. Default 15 minutes. */
  readonly timeout?: Duration.DurationInput | undefined
}

class DrillFailure extends Data.TaggedError("DrillFailure")<{ readonly message: string }> {}

const REVISION = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION"

/** Traffic that sends everything to `target`, keeping every tag where it points. */
const allTo = (original: ReadonlyArray<TrafficTarget>, target: string, service: Service): Array<TrafficTarget> => {
  const tagged = original.filter((t) => t.tag)
  const targetTag = tagged.find((t) => Run.revisionOf(t, service) === target && t.type !== Run.LATEST)?.tag
  return [
    { type: REVISION, revision: target, percent: 100, ...(targetTag ? { tag: targetTag } : {}) },
    ...tagged.filter((t) => t.tag !== targetTag).map((t) => ({ ...t, percent: 0 }))
  ]
}

/**
 * `gcp.cloud-run.rollback-drill` (active): roll back for real, under probe,
 * and restore. Needs `roles/run.developer` (run.services.update) and
 * `roles/iam.serviceAccountUser` on the service's runtime service account.
 */
export const drill = (options: DrillOptions): Check.Check<GcpServices> =>
  Check.make({
    id: "gcp.cloud-run.rollback-drill",
    title: "Cloud Run rolls back in one step without downtime",
    surface: "gcp.cloud-run",
    category: "rollback",
    active: true,
    timeout: options.timeout ?? "15 minutes",
    role: "roles/run.developer + roles/iam.serviceAccountUser on the runtime service account",
    description:
      "Shifting all traffic to the rollback revision converges, requests keep succeeding meanwhile, and the original "
      + "split is restored afterwards.",
    run: Effect.gen(function*() {
      const client = yield* GcpClient
      const reads = new Reads(client)
      const project = options.project ?? client.project
      const region = options.region ?? client.region
      if (region === undefined) return yield* GcpErrors.config("region", "is required for the rollback drill")
      const name = options.service.includes("/") ? options.service : `projects/${project}/locations/${region}/services/${options.service}`
      const id = lastSegment(name)
      const interval = options.pollInterval ?? "2 seconds"
      const convergeMs = Duration.toMillis(Duration.decode(options.convergeTimeout ?? "5 minutes"))
      let polls = 0

      const before = yield* reads.fresh("service", name)
      const original = before.traffic ?? []
      if (original.length === 0) {
        return Outcome.error("the service reports no traffic configuration: nothing to restore afterwards, so the drill did not start")
      }

      let target: string | undefined
      if (options.to !== undefined) {
        const byTag = [...(before.trafficStatuses ?? []), ...original].find((t) => t.tag === options.to)
        target = byTag ? Run.revisionOf(byTag, before) : Run.short(options.to)
      } else {
        target = (yield* Run.findRollbackTarget(reads, before, options.tags ?? ["rollback", "stable"])).target?.revision
      }
      if (target === undefined) {
        return Outcome.fail(`no rollback target for ${id}: nothing to drill`, {
          remediation: "Make gcp.cloud-run.rollback-target pass first (tag a Ready previous revision), or name the revision with `to`."
        })
      }

      const base = before.uri ?? before.urls?.[0]
      const url = options.probe?.url ?? (base === undefined ? undefined : `${base.replace(/\/+$/, "")}${options.probe?.path ?? ""}`)
      if (url === undefined) return Outcome.error(`${id} has no URL to probe; pass probe.url`)

      const rollbackCommand = Run.rollbackCommand(name, region, project, target)
      const restoreCommand = Run.updateTrafficCommand(name, region, project, original)
      const desired = allTo(original, target, before)

      /** Wait for the operation, then for trafficStatuses to show `wanted`. */
      const converge = (operation: string, wanted: ReadonlyArray<TrafficTarget>) =>
        Effect.gen(function*() {
          const deadline = (yield* Clock.currentTimeMillis) + convergeMs
          const shape = Run.trafficShape(wanted)
          const overdue = (what: string) =>
            Effect.flatMap(Clock.currentTimeMillis, (now) =>
              now > deadline
                ? Effect.fail(new DrillFailure({ message: `${what} after ${Duration.format(Duration.millis(convergeMs))}` }))
                : Effect.sleep(interval))
          for (;;) {
            polls++
            const op = yield* client.operation(operation)
            if (op.done === true) {
              if (op.error) {
                const why = `${op.error.status ?? op.error.code ?? ""} ${op.error.message ?? ""}`
                return yield* new DrillFailure({ message: `operation ${lastSegment(op.name)} failed: ${why}`.trim() })
              }
              break
            }
            yield* overdue("the traffic update operation did not finish")
          }
          for (;;) {
            polls++
            const now = yield* reads.fresh("service", name)
            if (now.reconciling !== true && Run.sameShape(Run.trafficShape(now.trafficStatuses ?? []), shape)) return now
            yield* overdue("trafficStatuses did not converge")
          }
        })

      let patched = false
      const markIfMaybeApplied = (e: GcpError) => {
        // A 4xx was rejected before it changed anything; anything else may have landed.
        if (e.reason === "transport" || (e.status ?? 500) >= 500) patched = true
      }
      const shift = Effect.gen(function*() {
        const started = yield* Clock.currentTimeMillis
        const op = yield* client.updateTraffic(name, desired, before.etag).pipe(
          Effect.tapError((e) => Effect.sync(() => markIfMaybeApplied(e)))
        )
        patched = true
        yield* converge(op.name, desired)
        return (yield* Clock.currentTimeMillis) - started
      })

      const restore = yield* Effect.cached(
        Effect.gen(function*() {
          const current = yield* reads.fresh("service", name)
          const op = yield* client.updateTraffic(name, original, current.etag)
          return yield* converge(op.name, original)
        }).pipe(Effect.either)
      )

      const probed = yield* ZeroDowntime.probe({
        url,
        during: shift,
        ratePerSecond: options.probe?.ratePerSecond ?? 10,
        settle: options.probe?.settle ?? "2 seconds",
        ...(options.probe?.requestTimeout !== undefined ? { requestTimeout: options.probe.requestTimeout } : {})
      }).pipe(Effect.onInterrupt(() => (patched ? Effect.asVoid(restore) : Effect.void)))

      const restored = patched ? yield* restore : undefined
      // Checks after the drill must read the service as it is now, not as cached before it.
      yield* client.invalidate("service", name)
      const probeOutcome = ZeroDowntime.evaluate(probed, {
        ...(options.probe?.errorBudget !== undefined ? { errorBudget: options.probe.errorBudget } : {}),
        ...(options.probe?.maxGap !== undefined ? { maxGap: options.probe.maxGap } : {})
      })
      const shiftExit = probed.during!
      const timeToRollbackMs = shiftExit._tag === "Success" ? shiftExit.value : null
      const shiftError = shiftExit._tag === "Failure" ? failureMessage(shiftExit.cause) : undefined
      const restoreError = restored && Either.isLeft(restored) ? restored.left.message : undefined
      const { during: _during, ...probeFacts } = ZeroDowntime.evidence(probed)

      const evidence = {
        service: id,
        from: original,
        to: target,
        timeToRollbackMs,
        probe: probeFacts,
        restore: restored === undefined
          ? { attempted: false }
          : Either.isRight(restored)
          ? { attempted: true, ok: true, trafficStatuses: restored.right.trafficStatuses ?? [] }
          : { attempted: true, ok: false, error: restoreError },
        rollbackCommand,
        restoreCommand
      }
      const attempts = polls + 1
      const problems: Array<string> = []
      if (restoreError !== undefined) {
        const stuck = `${id} may still send 100% of traffic to ${target} (${restoreError})`
        problems.push(`RESTORE FAILED: ${stuck}; finish by hand: ${restoreCommand}`)
      }
      if (shiftError !== undefined) problems.push(`the rollback to ${target} did not complete: ${shiftError}`)
      if (probeOutcome.status === "fail") problems.push(`requests failed during the rollback: ${probeOutcome.message}`)
      if (problems.length > 0) {
        return Outcome.fail(problems.join("; "), {
          evidence,
          attempts,
          remediation: restoreError !== undefined
            ? `Restore the original traffic now: ${restoreCommand}. Then find out why the restore failed `
              + "(permissions, a concurrent deploy changing the etag, quota)."
            : shiftError !== undefined
            ? `The one-step rollback (${rollbackCommand}) does not work as is: fix the reason above before launch.`
            : probeOutcome.remediation
        })
      }
      if (probeOutcome.status !== "pass") {
        return Outcome.fromStatus(probeOutcome.status, `the probe could not judge the rollback: ${probeOutcome.message}`, {
          evidence,
          attempts,
          remediation: probeOutcome.remediation
        })
      }
      return Outcome.pass(
        `rolled back ${id} to ${target} in ${timeToRollbackMs} ms with ${probed.total - probed.succeeded} failed of `
          + `${probed.total} probe requests, then restored the original traffic`,
        { evidence, attempts }
      )
    }).pipe(Effect.catchTag("GcpError", (e) => Effect.succeed(errorOutcome(e))))
  })

const failureMessage = (cause: Cause.Cause<unknown>): string => {
  const failure = Option.getOrUndefined(Cause.failureOption(cause))
  if (failure && typeof failure === "object" && "message" in failure && typeof failure.message === "string") return failure.message
  return Cause.isInterruptedOnly(cause) ? "interrupted" : Cause.pretty(cause).split("\n")[0] ?? "unknown failure"
}
