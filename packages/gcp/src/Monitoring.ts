/**
 * Cloud Monitoring checks (`gcp.monitoring.*`): an uptime check watches the
 * service's URL, an enabled alert policy fires on it, and the channels it
 * notifies can reach someone.
 *
 * Targets are Cloud Run services (their URL comes from the service) or an
 * explicit `url`. Needs `roles/monitoring.viewer` (plus `roles/run.viewer`
 * when the target is a Cloud Run service). One list of uptime checks, one of
 * alert policies and one of channels serve all three checks.
 *
 * @since 0.1.0
 */
import { type Check, Outcome } from "@launchgate/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { GcpServices } from "./Gcp.js"
import type { GcpError } from "./GcpError.js"
import { alertingFor, type ChannelRow, channelRows, policySummary } from "./internal/alertPolicies.js"
import { make, perSubject, type Reads, type Spec, type Subject, unknownEnum } from "./internal/check.js"
import { lastSegment } from "./internal/resources.js"
import * as Run from "./internal/run.js"
import type { AlertPolicy, Service } from "./internal/schemas.js"
import {
  assess,
  type Bounds,
  expectedOf,
  type Target,
  UPTIME_LOCATIONS,
  uptimeChecksFor
} from "./internal/uptimeChecks.js"

export { AlertPolicy, NotificationChannel, UptimeCheckConfig } from "./internal/schemas.js"
export { UPTIME_LOCATIONS } from "./internal/uptimeChecks.js"

/** The surface of every check in this module. */
export const surface = "gcp.monitoring"

const VIEWER = "roles/monitoring.viewer"
const VERIFICATION = ["VERIFICATION_STATUS_UNSPECIFIED", "UNVERIFIED", "VERIFIED"] as const

/** Remediation texts of every Monitoring check. */
const remediation = {
  noUrl: "Deploy the service so it has a URL, or pass `url` to the check.",
  createServiceUptime: (service: NonNullable<Target["service"]>, project: string, path: string) =>
    `gcloud monitoring uptime create ${service.id}-uptime --resource-type=cloud-run-revision `
    + `--resource-labels=service_name=${service.id},location=${service.location ?? "REGION"},project_id=${project} `
    + `--path=${path} --period=1`,
  createUrlUptime: (host: string | undefined, project: string, path: string) =>
    "gcloud monitoring uptime create NAME --resource-type=uptime-url "
    + `--resource-labels=host=${host},project_id=${project} --path=${path} --period=1`,
  updateUptime: "Update the uptime check (gcloud monitoring uptime update ID --period=1 "
    + "--regions=usa-oregon,europe,asia-pacific --path=/healthz) so it requests the health path often, "
    + "from several regions.",
  uptimeFirst: "Create the uptime check first (see gcp.monitoring.uptime-check), then an alert policy on it.",
  createPolicy: (checkId: string | undefined) =>
    "Create or fix the policy: condition filter metric.type=\"monitoring.googleapis.com/uptime_check/check_passed\" "
    + `AND metric.label.check_id="${checkId}", enabled, with your on-call channel `
    + "(gcloud alpha monitoring policies create --policy-from-file=policy.json).",
  alertFirst: (bad: ReadonlyArray<ChannelRow>) =>
    "Fix gcp.monitoring.uptime-alert first: without a paging policy no channel is notified."
    + (bad[0] ? ` Enable and verify ${bad.map((b) => b.id).join(", ")} `
      + `(gcloud alpha monitoring channels verify ${bad[0].id}).` : ""),
  verifyChannels: (first: string) =>
    "Enable and verify the channels (Monitoring > Alerting > Edit notification channels; "
    + `gcloud alpha monitoring channels verify ${first}), or point the policy at a working channel.`
} as const

/** What is being watched: Cloud Run services (default) or an explicit URL. */
export interface MonitoringTarget extends Run.ServiceSelector {
  /** Watch this URL instead of a Cloud Run service's URL. */
  readonly url?: string | undefined
  /** The path the uptime check must request, relative to the service URL (e.g. `/healthz`). Default: any path. */
  readonly path?: string | undefined
}

type Evaluate = (target: Target, project: string, reads: Reads) => Effect.Effect<Outcome.Outcome, GcpError>

/** A Cloud Run service as a target: its URL (once it has one) and its id and location. */
const serviceTarget = (svc: Service): Target => {
  const uri = svc.uri ?? svc.urls?.[0]
  return {
    ...(uri !== undefined && URL.canParse(uri) ? { url: new URL(uri) } : {}),
    service: { id: lastSegment(svc.name), location: Run.locationOf(svc.name) }
  }
}

/** The project-wide Monitoring lists a check judges from. */
type Lists = ReadonlyArray<"uptimeCheck" | "alertPolicy" | "notificationChannel">

/**
 * Start the project's lists the check will judge from, alongside the services list: none needs another's
 * answer, and reading them in turn (services, then uptime checks, then policies, then channels) made the
 * channels check four lists deep, ten round trips on a 50-service project (issue 13). Each read is shared with
 * every check of the run and its failure is kept for whoever needs the list; it is not this effect's failure
 * (a list the judging never reaches must not decide the outcome).
 */
const readAtOnce = <A, E>(reads: Reads, project: string, lists: Lists, first: Effect.Effect<A, E>) =>
  Effect.flatten(
    Effect.map(
      Effect.all([
        Effect.either(first),
        ...lists.map((kind) => Effect.ignore(reads.list(kind, `projects/${project}`)))
      ], { concurrency: "unbounded" }),
      ([result]) => result
    )
  )

/**
 * A check over the targets (services or a URL); `evaluate` gets each target's URL and service, after `lists`
 * (what `evaluate` reads) were read.
 */
const targetCheck = (spec: Omit<Spec, "surface" | "role">, options: MonitoringTarget, lists: Lists, evaluate: Evaluate) =>
  make({ surface, role: `${VIEWER}, roles/run.viewer`, ...spec }, (reads) =>
    Effect.gen(function*() {
      const project = options.project ?? reads.client.project
      const judge = (target: Target) =>
        target.url || target.service ? evaluate(target, project, reads) : Effect.succeed(noUrl())
      if (options.url !== undefined) {
        const url = new URL(options.url)
        yield* readAtOnce(reads, project, lists, Effect.void)
        return yield* perSubject([{ subject: options.url, value: Effect.succeed({ url }) }], judge, {
          what: "targets",
          single: true
        })
      }
      const selection = yield* readAtOnce(reads, project, lists, Run.selectServices(reads, options))
      const subjects: ReadonlyArray<Subject<Target>> = selection.subjects.map((s) => ({
        subject: s.subject,
        value: Effect.map(s.value, serviceTarget)
      }))
      return yield* perSubject(subjects, judge, { what: "services", single: selection.single, evidence: { project } })
    }))

const noUrl = () =>
  Outcome.error("the service has no URL yet (never served?): cannot tell what an uptime check should target", {
    remediation: remediation.noUrl
  })

/** Options of {@link uptimeCheck}. */
export interface UptimeCheckOptions extends MonitoringTarget {
  /** Longest acceptable period. Default 300 seconds. */
  readonly maxPeriod?: Duration.DurationInput | undefined
  /**
   * Fewest checker locations (distinct checkers; `USA` holds three). None selected means all. Default 3,
   * the minimum Google asks for.
   */
  readonly minLocations?: number | undefined
  /** @deprecated Counted regions, which under-counts `USA`; now an alias of `minLocations`. */
  readonly minRegions?: number | undefined
}

const boundsOf = (options: UptimeCheckOptions): Bounds => ({
  maxPeriod: Duration.decode(options.maxPeriod ?? "300 seconds"),
  minLocations: options.minLocations ?? options.minRegions ?? 3,
  path: options.path
})

const createUptime = (target: Target, project: string, path: string | undefined) =>
  target.service
    ? remediation.createServiceUptime(target.service, project, path ?? "/healthz")
    : remediation.createUrlUptime(target.url?.hostname, project, path ?? "/")

/**
 * `gcp.monitoring.uptime-check`: an uptime check targets the service's URL
 * (host, port and path, or the Cloud Run service as a monitored resource),
 * runs at least every `maxPeriod`, from at least `minLocations` checker locations.
 */
export const uptimeCheck = (options: UptimeCheckOptions = {}): Check.Check<GcpServices> =>
  targetCheck({
    id: "gcp.monitoring.uptime-check",
    title: "An uptime check watches the service URL",
    category: "monitoring",
    description: "Google probes the service from several regions often enough to notice an outage within minutes."
  }, options, ["uptimeCheck"], (target, project, reads) =>
    Effect.gen(function*() {
      const bounds = boundsOf(options)
      const checks = yield* uptimeChecksFor(reads, project, target)
      const where = target.url?.toString() ?? target.service?.id ?? "?"
      if (checks.length === 0) {
        return Outcome.fail(`no uptime check targets ${where}`, {
          observed: { uptimeChecks: [] },
          expected: "an HTTP(S) uptime check on the service URL",
          remediation: createUptime(target, project, options.path)
        })
      }
      const assessed = checks.map((c) => assess(c, target, bounds))
      const good = assessed.find((a) => a.problems.length === 0 && a.unknown.length === 0)
      // A region launchgate cannot map to checkers: fail closed rather than guess how many it holds.
      const unknownRegion = assessed.flatMap((a) => a.unknown)[0]
      if (!good && unknownRegion !== undefined) {
        return unknownEnum("selectedRegions", unknownRegion, Object.keys(UPTIME_LOCATIONS))
      }
      if (!good) {
        const why = assessed.map((a) => `${a.id} (${a.problems.join(", ")})`).join("; ")
        return Outcome.fail(`${checks.length} uptime check(s) target ${where}, none within bounds: ${why}`, {
          observed: { uptimeChecks: assessed },
          expected: expectedOf(bounds),
          remediation: remediation.updateUptime
        })
      }
      const from = typeof good.locations === "number" ? `${good.locations} checker locations` : "all regions"
      return Outcome.pass(`uptime check ${good.id} requests ${good.path ?? "/"} every ${good.period} from ${from}`, {
        observed: { uptimeChecks: assessed }
      })
    }))

/** Options of {@link uptimeAlert}. */
export type UptimeAlertOptions = MonitoringTarget

const notPagingReason = (policies: ReadonlyArray<AlertPolicy>, checkIds: ReadonlyArray<string>) => {
  if (policies.length === 0) {
    return `no alert policy has a condition on metric.label.check_id = ${checkIds.map((id) => `"${id}"`).join(" or ")}`
  }
  const states = policies.map((p) => `${lastSegment(p.name)} (${p.enabled === false ? "disabled" : "no channels"})`)
  return `the alert policies on the uptime check are disabled or notify nobody: ${states.join(", ")}`
}

/**
 * `gcp.monitoring.uptime-alert`: an enabled alert policy has a condition on
 * the uptime check (`metric.label.check_id`) and notifies at least one
 * channel.
 */
export const uptimeAlert = (options: UptimeAlertOptions = {}): Check.Check<GcpServices> =>
  targetCheck({
    id: "gcp.monitoring.uptime-alert",
    title: "An enabled alert policy fires on the uptime check",
    category: "monitoring",
    description: "A failing uptime check opens an incident that notifies someone."
  }, options, ["uptimeCheck", "alertPolicy"], (target, project, reads) =>
    Effect.gen(function*() {
      const a = yield* alertingFor(reads, project, target)
      const checkIds = a.checks.map((c) => lastSegment(c.name))
      const observed = { uptimeChecks: checkIds, policies: a.policies.map(policySummary) }
      if (a.checks.length === 0) {
        return Outcome.fail("no uptime check targets the service, so nothing can alert on it", {
          observed,
          remediation: remediation.uptimeFirst
        })
      }
      const [paging] = a.paging
      if (paging !== undefined) {
        const channels = paging.notificationChannels!.length
        const text = `alert policy ${lastSegment(paging.name)} fires on ${checkIds.join(", ")}`
        return Outcome.pass(`${text} and notifies ${channels} channel(s)`, { observed })
      }
      const [undetermined] = a.undetermined
      if (undetermined !== undefined) {
        const text = `alert policy ${lastSegment(undetermined.name)} does not report whether it is enabled`
        return Outcome.error(`${text}: cannot decide`, { observed })
      }
      return Outcome.fail(notPagingReason(a.policies, checkIds), {
        observed,
        expected: "an enabled policy on monitoring.googleapis.com/uptime_check/check_passed for the check id, "
          + "with notification channels",
        remediation: remediation.createPolicy(checkIds[0])
      })
    }))

/** Options of {@link notificationChannels}. */
export type NotificationChannelsOptions = MonitoringTarget

const whyBad = (b: ChannelRow) => (!b.exists ? "deleted" : b.enabled === false ? "disabled" : "unverified")
const isUnknownStatus = (r: ChannelRow) =>
  r.verificationStatus !== null && !(VERIFICATION as ReadonlyArray<string>).includes(r.verificationStatus)

/**
 * `gcp.monitoring.notification-channels`: the channels the paging alert
 * policies notify are enabled and not `UNVERIFIED`. When no enabled policy
 * pages anyone, the channels of the other policies on the check are still
 * read and reported, so one run shows every problem it can see.
 */
export const notificationChannels = (options: NotificationChannelsOptions = {}): Check.Check<GcpServices> =>
  targetCheck({
    id: "gcp.monitoring.notification-channels",
    title: "Alert notification channels are enabled and verified",
    category: "monitoring",
    description: "The channels an uptime alert notifies can deliver: enabled, and verified where verification applies."
  }, options, ["uptimeCheck", "alertPolicy", "notificationChannel"], (target, project, reads) =>
    Effect.gen(function*() {
      const a = yield* alertingFor(reads, project, target)
      const rows = yield* channelRows(reads, project, a.paging.length > 0 ? a.paging : a.policies)
      const unknown = rows.find(isUnknownStatus)
      const bad = rows.filter((r) => !r.exists || r.enabled === false || r.verificationStatus === "UNVERIFIED")
      const observed = { policies: a.policies.map(policySummary), channels: rows }
      const expected = { enabled: true, verificationStatus: "VERIFIED or not applicable" }
      const badText = bad.map((b) => `${b.displayName ?? b.id} (${whyBad(b)})`).join(", ")
      if (a.paging.length === 0) {
        const also = bad.length > 0 ? `; its channels cannot deliver either: ${badText}` : ""
        const text = "no enabled alert policy on the uptime check notifies a channel (see gcp.monitoring.uptime-alert)"
        return Outcome.fail(`${text}${also}`, { observed, expected, remediation: remediation.alertFirst(bad) })
      }
      if (unknown?.verificationStatus) {
        return unknownEnum("verificationStatus", unknown.verificationStatus, VERIFICATION)
      }
      if (bad[0] !== undefined) {
        return Outcome.fail(`${bad.length} of ${rows.length} channel(s) cannot deliver: ${badText}`, {
          observed,
          expected,
          remediation: remediation.verifyChannels(bad[0].id)
        })
      }
      const undetermined = rows.find((r) => r.enabled === null)
      if (undetermined) {
        const text = `channel ${undetermined.id} does not report whether it is enabled: cannot decide`
        return Outcome.error(text, { observed, expected })
      }
      return Outcome.pass(`${rows.length} channel(s) enabled and deliverable`, { observed, expected })
    }))

/** Every Monitoring check with its defaults, for the same target. */
export const all = (target: MonitoringTarget = {}): ReadonlyArray<Check.Check<GcpServices>> => [
  uptimeCheck(target),
  uptimeAlert(target),
  notificationChannels(target)
]
