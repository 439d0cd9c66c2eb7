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
import { Duration, Effect } from "effect"
import type { GcpServices } from "./Gcp.js"
import type { GcpError } from "./GcpError.js"
import { durationMillis, make, perSubject, type Reads, type Spec, type Subject, unknownEnum } from "./internal/check.js"
import { lastSegment } from "./internal/resources.js"
import * as Run from "./internal/run.js"
import type { AlertPolicy, NotificationChannel, UptimeCheckConfig } from "./internal/schemas.js"

export { AlertPolicy, NotificationChannel, UptimeCheckConfig } from "./internal/schemas.js"

/** The surface of every check in this module. */
export const surface = "gcp.monitoring"

const VIEWER = "roles/monitoring.viewer"
const VERIFICATION = ["VERIFICATION_STATUS_UNSPECIFIED", "UNVERIFIED", "VERIFIED"] as const

/** What is being watched: Cloud Run services (default) or an explicit URL. */
export interface MonitoringTarget extends Run.ServiceSelector {
  /** Watch this URL instead of a Cloud Run service's URL. */
  readonly url?: string | undefined
  /** The path the uptime check must request, relative to the service URL (e.g. `/healthz`). Default: any path. */
  readonly path?: string | undefined
}

interface Target {
  readonly url?: URL | undefined
  readonly service?: { readonly id: string; readonly location: string | undefined } | undefined
}

/** A check over the targets (services or a URL); `evaluate` gets each target's URL and service. */
const targetCheck = (
  spec: Omit<Spec, "surface" | "role">,
  options: MonitoringTarget,
  evaluate: (target: Target, project: string, reads: Reads) => Effect.Effect<Outcome.Outcome, GcpError>
): Check.Check<GcpServices> =>
  make({ surface, role: `${VIEWER}, roles/run.viewer`, ...spec }, (reads) =>
    Effect.gen(function*() {
      const project = options.project ?? reads.client.project
      if (options.url !== undefined) {
        const url = new URL(options.url)
        return yield* perSubject([{ subject: options.url, value: Effect.succeed({ url }) }], (t) => evaluate(t, project, reads), {
          what: "targets",
          single: true
        })
      }
      const selection = yield* Run.selectServices(reads, options)
      const subjects: ReadonlyArray<Subject<Target>> = selection.subjects.map((s) => ({
        subject: s.subject,
        value: Effect.map(s.value, (svc) => {
          const uri = svc.uri ?? svc.urls?.[0]
          return {
            ...(uri !== undefined && URL.canParse(uri) ? { url: new URL(uri) } : {}),
            service: { id: lastSegment(svc.name), location: Run.locationOf(svc.name) }
          }
        })
      }))
      return yield* perSubject(subjects, (t) => evaluate(t, project, reads), { what: "services", single: selection.single, evidence: { project } })
    }))

const noUrl = () =>
  Outcome.error("the service has no URL yet (never served?): cannot tell what an uptime check should target", {
    remediation: "Deploy the service so it has a URL, or pass `url` to the check."
  })

const defaultPort = (url: URL) => Number(url.port || (url.protocol === "https:" ? 443 : 80))

/** Does this uptime check point at the target (host and port, or the Cloud Run service)? */
const pointsAt = (check: UptimeCheckConfig, target: Target): boolean => {
  const resource = check.monitoredResource
  if (resource?.type === "uptime_url" && target.url) {
    const port = check.httpCheck?.port ?? (check.httpCheck?.useSsl ? 443 : 80)
    return resource.labels?.["host"] === target.url.hostname && (check.tcpCheck !== undefined || port === defaultPort(target.url))
  }
  if (resource?.type === "cloud_run_revision" && target.service) {
    const labels = resource.labels ?? {}
    return labels["service_name"] === target.service.id &&
      (labels["location"] === undefined || target.service.location === undefined || labels["location"] === target.service.location)
  }
  return false
}

const basePath = (check: UptimeCheckConfig, target: Target) =>
  check.monitoredResource?.type === "uptime_url" && target.url ? target.url.pathname.replace(/\/+$/, "") : ""

/**
 * The checker locations behind each uptime-check region: "The uptime-check region USA includes the
 * USA_OREGON, USA_IOWA, and USA_VIRGINIA regions. Each of the USA_* regions has one checker ... EUROPE,
 * SOUTH_AMERICA, and ASIA_PACIFIC, each have one checker"
 * (https://cloud.google.com/monitoring/uptime-checks/introduction). The monitoring v3 reference asks
 * for "a minimum of 3 locations" (UptimeCheckConfig.selectedRegions,
 * https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.uptimeCheckConfigs).
 */
export const UPTIME_LOCATIONS: Readonly<Record<string, ReadonlyArray<string>>> = {
  USA: ["USA_OREGON", "USA_IOWA", "USA_VIRGINIA"],
  USA_OREGON: ["USA_OREGON"],
  USA_IOWA: ["USA_IOWA"],
  USA_VIRGINIA: ["USA_VIRGINIA"],
  EUROPE: ["EUROPE"],
  SOUTH_AMERICA: ["SOUTH_AMERICA"],
  ASIA_PACIFIC: ["ASIA_PACIFIC"]
}

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

/** The checker locations of the selected regions; `unknown` lists regions the table does not know. */
const locationsOf = (check: UptimeCheckConfig) => {
  const regions = (check.selectedRegions ?? []).filter((r) => r !== "REGION_UNSPECIFIED")
  const unknown = regions.filter((r) => UPTIME_LOCATIONS[r] === undefined)
  return { regions, unknown, locations: [...new Set(regions.flatMap((r) => UPTIME_LOCATIONS[r] ?? []))] }
}

const problemsOf = (check: UptimeCheckConfig, target: Target, options: UptimeCheckOptions): Array<string> => {
  const maxPeriod = Duration.toMillis(Duration.decode(options.maxPeriod ?? "300 seconds"))
  const minLocations = options.minLocations ?? options.minRegions ?? 3
  const problems: Array<string> = []
  if (check.disabled === true) problems.push("it is disabled")
  if (!check.httpCheck) problems.push("it is not an HTTP(S) check, so it does not exercise the service")
  else {
    const base = basePath(check, target)
    const path = check.httpCheck.path ?? "/"
    const normalised = path.startsWith("/") ? path : `/${path}`
    if (base !== "" && normalised !== base && !normalised.startsWith(`${base}/`)) problems.push(`its path ${normalised} is outside the service URL ${base}`)
    if (options.path !== undefined) {
      const want = `${base}${options.path.startsWith("/") ? options.path : `/${options.path}`}`
      if (normalised !== want) problems.push(`it requests ${normalised}, expected ${want}`)
    }
  }
  const period = durationMillis(check.period ?? "60s")
  if (period === undefined || period > maxPeriod) problems.push(`its period ${check.period} is longer than ${maxPeriod / 1000}s`)
  const { regions, locations } = locationsOf(check)
  if (regions.length > 0 && locations.length < minLocations) {
    problems.push(`it runs from ${locations.length} checker location(s) (${regions.join(", ")}), fewer than ${minLocations}`)
  }
  return problems
}

const uptimeChecksFor = (reads: Reads, project: string, target: Target) =>
  Effect.map(reads.list("uptimeCheck", `projects/${project}`), (checks) => checks.filter((c) => pointsAt(c, target)))

const summary = (c: UptimeCheckConfig) => ({
  id: lastSegment(c.name),
  displayName: c.displayName,
  resource: c.monitoredResource?.type,
  path: c.httpCheck?.path,
  period: c.period ?? "60s",
  regions: c.selectedRegions?.length ? c.selectedRegions : "all",
  locations: c.selectedRegions?.length ? locationsOf(c).locations.length : "all"
})

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
  }, options, (target, project, reads) =>
    Effect.gen(function*() {
      if (!target.url && !target.service) return noUrl()
      const checks = yield* uptimeChecksFor(reads, project, target)
      const where = target.url?.toString() ?? target.service?.id ?? "?"
      if (checks.length === 0) {
        return Outcome.fail(`no uptime check targets ${where}`, {
          observed: { uptimeChecks: [] },
          expected: "an HTTP(S) uptime check on the service URL",
          remediation: target.service
            ? `gcloud monitoring uptime create ${target.service.id}-uptime --resource-type=cloud-run-revision --resource-labels=service_name=${target.service.id},location=${target.service.location ?? "REGION"},project_id=${project} --path=${options.path ?? "/healthz"} --period=1`
            : `gcloud monitoring uptime create NAME --resource-type=uptime-url --resource-labels=host=${target.url?.hostname},project_id=${project} --path=${options.path ?? "/"} --period=1`
        })
      }
      const assessed = checks.map((c) => ({ ...summary(c), problems: problemsOf(c, target, options), unknown: locationsOf(c).unknown }))
      const good = assessed.find((a) => a.problems.length === 0 && a.unknown.length === 0)
      // A region launchgate cannot map to checkers: fail closed rather than guess how many it holds.
      const unknownRegion = assessed.flatMap((a) => a.unknown)[0]
      if (!good && unknownRegion !== undefined) return unknownEnum("selectedRegions", unknownRegion, Object.keys(UPTIME_LOCATIONS))
      if (!good) {
        return Outcome.fail(`${checks.length} uptime check(s) target ${where}, none within bounds: ${assessed.map((a) => `${a.id} (${a.problems.join(", ")})`).join("; ")}`, {
          observed: { uptimeChecks: assessed },
          expected: { path: options.path ?? "under the service URL", maxPeriod: Duration.format(Duration.decode(options.maxPeriod ?? "300 seconds")), minLocations: options.minLocations ?? options.minRegions ?? 3 },
          remediation: "Update the uptime check (gcloud monitoring uptime update ID --period=1 --regions=usa-oregon,europe,asia-pacific --path=/healthz) so it requests the health path often, from several regions."
        })
      }
      return Outcome.pass(`uptime check ${good.id} requests ${good.path ?? "/"} every ${good.period} from ${typeof good.locations === "number" ? `${good.locations} checker locations` : "all regions"}`, {
        observed: { uptimeChecks: assessed }
      })
    }))

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** Does the policy have a condition on this uptime check's `check_id`? */
const references = (policy: AlertPolicy, checkId: string): boolean => {
  const id = escapeRegExp(checkId)
  const pattern = new RegExp(`check_id[^"']{0,40}(?:one_of\\([^)]*)?["']${id}["']|check_id\\s*=\\s*${id}\\b`)
  return (policy.conditions ?? []).some((c) =>
    [c.conditionThreshold?.filter, c.conditionAbsent?.filter, c.conditionMonitoringQueryLanguage?.query, c.conditionPrometheusQueryLanguage?.query]
      .some((text) => text !== undefined && pattern.test(text))
  )
}

interface Alerting {
  readonly checks: ReadonlyArray<UptimeCheckConfig>
  readonly policies: ReadonlyArray<AlertPolicy>
  /** Enabled policies that notify at least one channel. */
  readonly paging: ReadonlyArray<AlertPolicy>
  /** Policies whose `enabled` is not reported. */
  readonly undetermined: ReadonlyArray<AlertPolicy>
}

const alertingFor = (reads: Reads, project: string, target: Target): Effect.Effect<Alerting, GcpError> =>
  Effect.gen(function*() {
    const checks = yield* uptimeChecksFor(reads, project, target)
    if (checks.length === 0) return { checks, policies: [], paging: [], undetermined: [] }
    const ids = checks.map((c) => lastSegment(c.name))
    const all = yield* reads.list("alertPolicy", `projects/${project}`)
    const policies = all.filter((p) => ids.some((id) => references(p, id)))
    return {
      checks,
      policies,
      paging: policies.filter((p) => p.enabled === true && (p.notificationChannels ?? []).length > 0),
      undetermined: policies.filter((p) => p.enabled === undefined)
    }
  })

const policySummary = (p: AlertPolicy) => ({
  id: lastSegment(p.name),
  displayName: p.displayName,
  enabled: p.enabled ?? null,
  notificationChannels: (p.notificationChannels ?? []).map(lastSegment)
})

/** Options of {@link uptimeAlert}. */
export type UptimeAlertOptions = MonitoringTarget

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
  }, options, (target, project, reads) =>
    Effect.gen(function*() {
      if (!target.url && !target.service) return noUrl()
      const a = yield* alertingFor(reads, project, target)
      const observed = { uptimeChecks: a.checks.map((c) => lastSegment(c.name)), policies: a.policies.map(policySummary) }
      if (a.checks.length === 0) {
        return Outcome.fail("no uptime check targets the service, so nothing can alert on it", {
          observed,
          remediation: "Create the uptime check first (see gcp.monitoring.uptime-check), then an alert policy on it."
        })
      }
      if (a.paging.length > 0) {
        return Outcome.pass(`alert policy ${lastSegment(a.paging[0]!.name)} fires on ${observed.uptimeChecks.join(", ")} and notifies ${a.paging[0]!.notificationChannels!.length} channel(s)`, { observed })
      }
      if (a.undetermined.length > 0) {
        return Outcome.error(`alert policy ${lastSegment(a.undetermined[0]!.name)} does not report whether it is enabled: cannot decide`, { observed })
      }
      const why = a.policies.length === 0
        ? `no alert policy has a condition on metric.label.check_id = ${observed.uptimeChecks.map((id) => `"${id}"`).join(" or ")}`
        : `the alert policies on the uptime check are disabled or notify nobody: ${a.policies.map((p) => `${lastSegment(p.name)} (${p.enabled === false ? "disabled" : "no channels"})`).join(", ")}`
      return Outcome.fail(why, {
        observed,
        expected: "an enabled policy on monitoring.googleapis.com/uptime_check/check_passed for the check id, with notification channels",
        remediation:
          `Create or fix the policy: condition filter metric.type="monitoring.googleapis.com/uptime_check/check_passed" AND metric.label.check_id="${observed.uptimeChecks[0]}", enabled, with your on-call channel (gcloud alpha monitoring policies create --policy-from-file=policy.json).`
      })
    }))

/** Options of {@link notificationChannels}. */
export type NotificationChannelsOptions = MonitoringTarget

const channelsFor = (reads: Reads, project: string, names: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const listed = yield* reads.list("notificationChannel", `projects/${project}`)
    return yield* Effect.forEach(names, (name) => {
      const hit = listed.find((c) => lastSegment(c.name) === lastSegment(name) && c.name.split("/")[1] === name.split("/")[1])
      return hit
        ? Effect.succeed({ name, channel: hit as NotificationChannel | undefined })
        : Effect.map(
          Effect.catchIf(reads.get("notificationChannel", name), (e) => e.reason === "not-found", () => Effect.succeed(undefined)),
          (channel) => ({ name, channel })
        )
    }, { concurrency: 8 })
  })

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
  }, options, (target, project, reads) =>
    Effect.gen(function*() {
      if (!target.url && !target.service) return noUrl()
      const a = yield* alertingFor(reads, project, target)
      const source = a.paging.length > 0 ? a.paging : a.policies
      const names = [...new Set(source.flatMap((p) => p.notificationChannels ?? []))]
      const channels = names.length > 0 ? yield* channelsFor(reads, project, names) : []
      const rows = channels.map(({ name, channel }) => ({
        id: lastSegment(name),
        type: channel?.type ?? null,
        displayName: channel?.displayName ?? null,
        enabled: channel?.enabled ?? null,
        verificationStatus: channel?.verificationStatus ?? null,
        exists: channel !== undefined
      }))
      const unknown = rows.find((r) => r.verificationStatus !== null && !(VERIFICATION as ReadonlyArray<string>).includes(r.verificationStatus))
      const bad = rows.filter((r) => !r.exists || r.enabled === false || r.verificationStatus === "UNVERIFIED")
      const observed = { policies: a.policies.map(policySummary), channels: rows }
      const expected = { enabled: true, verificationStatus: "VERIFIED or not applicable" }
      const badText = bad.map((b) => `${b.displayName ?? b.id} (${!b.exists ? "deleted" : b.enabled === false ? "disabled" : "unverified"})`).join(", ")
      const verify = bad[0] ? ` Enable and verify ${bad.map((b) => b.id).join(", ")} (gcloud alpha monitoring channels verify ${bad[0].id}).` : ""
      if (a.paging.length === 0) {
        return Outcome.fail(`no enabled alert policy on the uptime check notifies a channel (see gcp.monitoring.uptime-alert)${bad.length > 0 ? `; its channels cannot deliver either: ${badText}` : ""}`, {
          observed,
          expected,
          remediation: `Fix gcp.monitoring.uptime-alert first: without a paging policy no channel is notified.${verify}`
        })
      }
      if (unknown?.verificationStatus) return unknownEnum("verificationStatus", unknown.verificationStatus, VERIFICATION)
      if (bad.length > 0) {
        return Outcome.fail(`${bad.length} of ${rows.length} channel(s) cannot deliver: ${badText}`, {
          observed,
          expected,
          remediation: `Enable and verify the channels (Monitoring > Alerting > Edit notification channels; gcloud alpha monitoring channels verify ${bad[0]!.id}), or point the policy at a working channel.`
        })
      }
      const undetermined = rows.find((r) => r.enabled === null)
      if (undetermined) return Outcome.error(`channel ${undetermined.id} does not report whether it is enabled: cannot decide`, { observed, expected })
      return Outcome.pass(`${rows.length} channel(s) enabled and deliverable`, { observed, expected })
    }))

/** Every Monitoring check with its defaults, for the same target. */
export const all = (target: MonitoringTarget = {}): ReadonlyArray<Check.Check<GcpServices>> => [
  uptimeCheck(target),
  uptimeAlert(target),
  notificationChannels(target)
]
