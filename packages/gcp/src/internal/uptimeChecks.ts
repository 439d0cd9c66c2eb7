/**
 * Which uptime checks watch a target, and how well: the matching rules (host and port, or the Cloud Run
 * service as a monitored resource), the checker locations behind each region, and the bounds a check is held to.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { durationMillis, type Reads } from "./check.js"
import { lastSegment } from "./resources.js"
import type { UptimeCheckConfig } from "./schemas.js"

/** What is being watched: a URL, a Cloud Run service, or both. */
export interface Target {
  readonly url?: URL | undefined
  readonly service?: { readonly id: string; readonly location: string | undefined } | undefined
}

/** The bounds an uptime check is held to. */
export interface Bounds {
  readonly maxPeriod: Duration.Duration
  readonly minLocations: number
  /** The path it must request, relative to the service URL; undefined for any path under it. */
  readonly path: string | undefined
}

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

const defaultPort = (url: URL) => Number(url.port || (url.protocol === "https:" ? 443 : 80))

const withSlash = (path: string) => (path.startsWith("/") ? path : `/${path}`)

const pointsAtUrl = (check: UptimeCheckConfig, url: URL): boolean => {
  const port = check.httpCheck?.port ?? (check.httpCheck?.useSsl ? 443 : 80)
  const host = check.monitoredResource?.labels?.["host"]
  if (host !== url.hostname) return false
  if (check.tcpCheck !== undefined) return true
  if (port !== defaultPort(url)) return false
  // On a host that routes by path (a load balancer in front of several services; the emulator's one origin), a
  // check of another service's path watches that service, not this one.
  const base = url.pathname.replace(/\/+$/, "")
  const path = withSlash(check.httpCheck?.path ?? "/")
  return base === "" || path === base || path.startsWith(`${base}/`)
}

const pointsAtService = (check: UptimeCheckConfig, service: NonNullable<Target["service"]>): boolean => {
  const labels = check.monitoredResource?.labels ?? {}
  const location = labels["location"]
  return labels["service_name"] === service.id &&
    (location === undefined || service.location === undefined || location === service.location)
}

/** Does this uptime check point at the target (host and port, or the Cloud Run service)? */
export const pointsAt = (check: UptimeCheckConfig, target: Target): boolean => {
  const type = check.monitoredResource?.type
  if (type === "uptime_url" && target.url) return pointsAtUrl(check, target.url)
  if (type === "cloud_run_revision" && target.service) return pointsAtService(check, target.service)
  return false
}

const basePath = (check: UptimeCheckConfig, target: Target) =>
  check.monitoredResource?.type === "uptime_url" && target.url ? target.url.pathname.replace(/\/+$/, "") : ""

/** The checker locations of the selected regions; `unknown` lists regions the table does not know. */
export const locationsOf = (check: UptimeCheckConfig) => {
  const regions = (check.selectedRegions ?? []).filter((r) => r !== "REGION_UNSPECIFIED")
  const unknown = regions.filter((r) => UPTIME_LOCATIONS[r] === undefined)
  return { regions, unknown, locations: [...new Set(regions.flatMap((r) => UPTIME_LOCATIONS[r] ?? []))] }
}

const pathProblems = (check: UptimeCheckConfig, target: Target, bounds: Bounds): Array<string> => {
  if (!check.httpCheck) return ["it is not an HTTP(S) check, so it does not exercise the service"]
  const problems: Array<string> = []
  // (A check whose path is outside the service URL does not point at it: see pointsAtUrl.)
  const base = basePath(check, target)
  const path = withSlash(check.httpCheck.path ?? "/")
  const want = bounds.path === undefined ? undefined : `${base}${withSlash(bounds.path)}`
  if (want !== undefined && path !== want) problems.push(`it requests ${path}, expected ${want}`)
  return problems
}

/** Why this uptime check falls short of the bounds (empty when it does not). */
export const problemsOf = (check: UptimeCheckConfig, target: Target, bounds: Bounds): Array<string> => {
  const problems: Array<string> = check.disabled === true ? ["it is disabled"] : []
  problems.push(...pathProblems(check, target, bounds))
  const period = durationMillis(check.period ?? "60s")
  const maxPeriodMs = Duration.toMillis(bounds.maxPeriod)
  if (period === undefined || period > maxPeriodMs) {
    problems.push(`its period ${check.period} is longer than ${maxPeriodMs / 1000}s`)
  }
  const { locations, regions } = locationsOf(check)
  if (regions.length > 0 && locations.length < bounds.minLocations) {
    const from = `${locations.length} checker location(s) (${regions.join(", ")})`
    problems.push(`it runs from ${from}, fewer than ${bounds.minLocations}`)
  }
  return problems
}

/** The uptime checks of the project that point at the target (one list per project per run). */
export const uptimeChecksFor = (reads: Reads, project: string, target: Target) =>
  Effect.map(reads.list("uptimeCheck", `projects/${project}`), (checks) => checks.filter((c) => pointsAt(c, target)))

/** An uptime check as evidence, with its problems against the bounds. */
export const assess = (c: UptimeCheckConfig, target: Target, bounds: Bounds) => ({
  id: lastSegment(c.name),
  displayName: c.displayName,
  resource: c.monitoredResource?.type,
  path: c.httpCheck?.path,
  period: c.period ?? "60s",
  regions: c.selectedRegions?.length ? c.selectedRegions : "all",
  locations: c.selectedRegions?.length ? locationsOf(c).locations.length : "all",
  problems: problemsOf(c, target, bounds),
  unknown: locationsOf(c).unknown
})

/** The bounds as the check's `expected` evidence. */
export const expectedOf = (bounds: Bounds) => ({
  path: bounds.path ?? "under the service URL",
  maxPeriod: Duration.format(bounds.maxPeriod),
  minLocations: bounds.minLocations
})
