/**
 * The alert policies on a target's uptime checks and the notification channels they page: which policy
 * references which check id, which of them page someone, and each channel as evidence.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type { GcpError } from "../GcpError.js"
import type { Reads } from "./check.js"
import { lastSegment } from "./resources.js"
import type { AlertPolicy, NotificationChannel, UptimeCheckConfig } from "./schemas.js"
import { type Target, uptimeChecksFor } from "./uptimeChecks.js"

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

// One compiled pattern per check id: every target's check is matched against every policy of the project, so
// compiling per (policy, check) pair cost more than the matching (2,500 compilations a run on 50 services).
const patterns = new Map<string, RegExp>()
const patternFor = (checkId: string): RegExp => {
  let pattern = patterns.get(checkId)
  if (pattern === undefined) {
    const id = escapeRegExp(checkId)
    // No `g` flag: `test` keeps no state between calls, so a shared pattern is safe.
    pattern = new RegExp(`check_id[^"']{0,40}(?:one_of\\([^)]*)?["']${id}["']|check_id\\s*=\\s*${id}\\b`)
    if (patterns.size >= 10_000) patterns.clear()
    patterns.set(checkId, pattern)
  }
  return pattern
}

/** Does the policy have a condition on this uptime check's `check_id`? */
const references = (policy: AlertPolicy, checkId: string): boolean => {
  const pattern = patternFor(checkId)
  return (policy.conditions ?? []).some((c) =>
    [
      c.conditionThreshold?.filter,
      c.conditionAbsent?.filter,
      c.conditionMonitoringQueryLanguage?.query,
      c.conditionPrometheusQueryLanguage?.query
    // The pattern can only match where the id appears literally: the substring test skips most texts cheaply.
    ].some((text) => text !== undefined && text.includes(checkId) && pattern.test(text))
  )
}

/** The uptime checks on a target and the alert policies on them. */
export interface Alerting {
  readonly checks: ReadonlyArray<UptimeCheckConfig>
  readonly policies: ReadonlyArray<AlertPolicy>
  /** Enabled policies that notify at least one channel. */
  readonly paging: ReadonlyArray<AlertPolicy>
  /** Policies whose `enabled` is not reported. */
  readonly undetermined: ReadonlyArray<AlertPolicy>
}

/** The target's uptime checks and the policies referencing them (one list of each per project per run). */
export const alertingFor = (reads: Reads, project: string, target: Target): Effect.Effect<Alerting, GcpError> =>
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

/** A policy as evidence. */
export const policySummary = (p: AlertPolicy) => ({
  id: lastSegment(p.name),
  displayName: p.displayName,
  enabled: p.enabled ?? null,
  notificationChannels: (p.notificationChannels ?? []).map(lastSegment)
})

const sameChannel = (a: string, b: string) => lastSegment(a) === lastSegment(b) && a.split("/")[1] === b.split("/")[1]

/** Each named channel, from the project's list, else its own get (undefined once deleted). */
const channelsFor = (reads: Reads, project: string, names: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const listed = yield* reads.list("notificationChannel", `projects/${project}`)
    const getOne = (name: string) =>
      Effect.catchIf(reads.get("notificationChannel", name), (e) => e.reason === "not-found", () => Effect.void)
    return yield* Effect.forEach(names, (name) => {
      const hit: NotificationChannel | undefined = listed.find((c) => sameChannel(c.name, name))
      return Effect.map(hit ? Effect.succeed(hit) : getOne(name), (channel) => ({ name, channel }))
    }, { concurrency: 8 })
  })

/** One channel as evidence (`exists: false` once deleted). */
export interface ChannelRow {
  readonly id: string
  readonly type: string | null
  readonly displayName: string | null
  readonly enabled: boolean | null
  readonly verificationStatus: string | null
  readonly exists: boolean
}

/** The channels of these policies as evidence rows (none read when they name none). */
export const channelRows = (reads: Reads, project: string, policies: ReadonlyArray<AlertPolicy>) =>
  Effect.gen(function*() {
    const names = [...new Set(policies.flatMap((p) => p.notificationChannels ?? []))]
    const channels = names.length > 0 ? yield* channelsFor(reads, project, names) : []
    return channels.map(({ channel, name }): ChannelRow => ({
      id: lastSegment(name),
      type: channel?.type ?? null,
      displayName: channel?.displayName ?? null,
      enabled: channel?.enabled ?? null,
      verificationStatus: channel?.verificationStatus ?? null,
      exists: channel !== undefined
    }))
  })
