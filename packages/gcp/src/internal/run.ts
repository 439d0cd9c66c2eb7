/**
 * Cloud Run facts derived from services and revisions: enums, selection,
 * traffic, readiness, rollback targets, secret references, and the gcloud
 * commands quoted in remediations.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type { GcpError } from "../GcpError.js"
import * as GcpErrors from "../GcpError.js"
import type { Reads, Subject } from "./check.js"
import { lastSegment, parentOf } from "./resources.js"
import type { Condition, Revision, Service, TrafficTarget, TrafficTargetStatus } from "./schemas.js"

export const CONDITION_STATES = [
  "STATE_UNSPECIFIED",
  "CONDITION_PENDING",
  "CONDITION_RECONCILING",
  "CONDITION_FAILED",
  "CONDITION_SUCCEEDED"
] as const

export const TRAFFIC_TYPES = [
  "TRAFFIC_TARGET_ALLOCATION_TYPE_UNSPECIFIED",
  "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST",
  "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION"
] as const

export const INGRESS = [
  "INGRESS_TRAFFIC_UNSPECIFIED",
  "INGRESS_TRAFFIC_ALL",
  "INGRESS_TRAFFIC_INTERNAL_ONLY",
  "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
  "INGRESS_TRAFFIC_NONE"
] as const
export type Ingress = (typeof INGRESS)[number]

export const LATEST = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"

/** Which services a Cloud Run check looks at. */
export interface ServiceSelector {
  /**
   * A service id (`api`), a full name (`projects/p/locations/l/services/api`),
   * or a list of them. Omit for every service in the project and region.
   */
  readonly service?: string | ReadonlyArray<string> | undefined
  /** Defaults to the client's region. */
  readonly region?: string | undefined
  /** Defaults to the client's project. */
  readonly project?: string | undefined
}

/** A resolved service selection. */
export interface Selection {
  readonly project: string
  readonly region: string
  readonly single: boolean
  readonly subjects: ReadonlyArray<Subject<Service>>
}

/** The location part of a name (`projects/p/locations/l/...`). */
export const locationOf = (name: string): string | undefined => /\/locations\/([^/]+)/.exec(name)?.[1]
/** The project part of a name. */
export const projectOf = (name: string): string | undefined => /^projects\/([^/]+)/.exec(name)?.[1]

/**
 * Resolve the services a check covers. Named services are read one by one
 * (answered by the region's list when another check listed it); otherwise the
 * region is listed once, page by page.
 */
export const selectServices = (reads: Reads, selector: ServiceSelector): Effect.Effect<Selection, GcpError> =>
  Effect.gen(function*() {
    const project = selector.project ?? reads.client.project
    const region = selector.region ?? reads.client.region
    if (region === undefined) {
      return yield* GcpErrors.config(
        "region",
        "is required for Cloud Run checks",
        "Set Gcp.layer({ region }) (or GOOGLE_CLOUD_REGION), or the check's region option."
      )
    }
    const parent = `projects/${project}/locations/${region}`
    if (selector.service !== undefined) {
      const names = typeof selector.service === "string" ? [selector.service] : [...selector.service]
      return {
        project,
        region,
        single: typeof selector.service === "string",
        subjects: names.map((n) => {
          const name = n.includes("/") ? n : `${parent}/services/${n}`
          // Several services: one list of their region answers every get (issue 13); one service: one GET.
          const value = names.length > 1
            ? Effect.zipRight(reads.list("service", parentOf(name)), reads.get("service", name))
            : reads.get("service", name)
          return { subject: lastSegment(name), value }
        })
      }
    }
    const services = yield* reads.list("service", parent)
    return {
      project,
      region,
      single: false,
      subjects: services.map((s) => ({ subject: lastSegment(s.name), value: Effect.succeed(s) }))
    }
  })

/** The short name of a revision (`api-00002-xyz`), whichever form the API used. */
export const short = (revision: string | undefined): string | undefined =>
  revision === undefined || revision === "" ? undefined : lastSegment(revision)

/** The revision a traffic entry points at, resolving LATEST. */
export const revisionOf = (t: TrafficTarget | TrafficTargetStatus, service: Service): string | undefined =>
  t.type === LATEST ? short(service.latestReadyRevision) : short(t.revision)

/** Traffic as `{ key: percent }` where key is `LATEST` or a revision, plus tags. */
export const trafficShape = (entries: ReadonlyArray<TrafficTarget | TrafficTargetStatus>) => {
  const percents: Record<string, number> = {}
  const tags: Record<string, string> = {}
  for (const t of entries) {
    const key = t.type === LATEST ? "LATEST" : short(t.revision) ?? "(none)"
    if ((t.percent ?? 0) > 0) percents[key] = (percents[key] ?? 0) + (t.percent ?? 0)
    if (t.tag) tags[t.tag] = key
  }
  return { percents, tags }
}

export const sameShape = (a: ReturnType<typeof trafficShape>, b: ReturnType<typeof trafficShape>): boolean =>
  JSON.stringify(sortKeys(a.percents)) === JSON.stringify(sortKeys(b.percents)) &&
  JSON.stringify(sortKeys(a.tags)) === JSON.stringify(sortKeys(b.tags))

const sortKeys = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).sort(([x], [y]) => x.localeCompare(y)))

/** Percent of traffic each revision actually serves (from trafficStatuses). */
export const servingShares = (service: Service): Record<string, number> => {
  const shares: Record<string, number> = {}
  for (const t of service.trafficStatuses ?? []) {
    const rev = revisionOf(t, service) ?? "(unresolved)"
    if ((t.percent ?? 0) > 0) shares[rev] = (shares[rev] ?? 0) + (t.percent ?? 0)
  }
  return shares
}

/** How a revision stands. `unknown` holds a condition state launchgate does not know. */
export interface Readiness {
  readonly ready: boolean
  readonly retired: boolean
  readonly reason?: string | undefined
  readonly unknown?: string | undefined
}

export const readiness = (revision: Revision): Readiness => {
  const conditions = revision.conditions ?? []
  const ready = conditions.find((c) => c.type === "Ready")
  const unknown = conditions.find((c) => c.state !== undefined && !(CONDITION_STATES as ReadonlyArray<string>).includes(c.state))
  const retired = conditions.some((c) => c.revisionReason === "RETIRED" || c.revisionReason === "RETIRING")
  return {
    ready: ready?.state === "CONDITION_SUCCEEDED",
    retired,
    reason: ready ? reasonOf(ready) : "no Ready condition reported",
    ...(unknown?.state !== undefined ? { unknown: unknown.state } : {})
  }
}

/** Every reason a condition gives, the most specific (revision) one first. */
export const reasonsOf = (c: Condition): ReadonlyArray<string> =>
  [c.revisionReason, c.reason, c.executionReason].filter((r): r is string => r !== undefined && !/_UNDEFINED$/.test(r))

/** A condition's reasons as one string (`HEALTH_CHECK_CONTAINER_ERROR, REVISION_FAILED`). */
export const reasonOf = (c: Condition): string | undefined => reasonsOf(c).join(", ") || undefined

/** Revision name of a service's revision. */
export const revisionName = (service: Service, revision: string): string =>
  revision.includes("/") ? revision : `${service.name}/revisions/${revision}`

const createdAt = (r: Revision): number => (r.createTime ? Date.parse(r.createTime) : 0)
const ordinal = (name: string): number => Number(/-(\d+)-[^-]*$/.exec(name)?.[1] ?? 0)

/** A rollback candidate and how it can be reached. */
export interface RollbackTarget {
  readonly revision: string
  readonly reachableBy: "tag" | "revision name"
  readonly tag?: string | undefined
  readonly tagUrl?: string | undefined
  readonly createTime?: string | undefined
}

/** Why no rollback target qualified. */
export interface Considered {
  readonly revision: string
  readonly via: string
  readonly why: string
}

/**
 * Find the revision a one-step rollback would go to: a tagged revision (by
 * preference) or else the newest older revision that is Ready and not
 * retired. Reads only what it needs: the tagged revision, or the service's
 * revision list when nothing is tagged.
 */
export const findRollbackTarget = (
  reads: Reads,
  service: Service,
  tags: ReadonlyArray<string>
): Effect.Effect<{ target?: RollbackTarget; considered: ReadonlyArray<Considered>; unknown?: string }, GcpError> =>
  Effect.gen(function*() {
    const current = short(service.latestReadyRevision)
    const latestCreated = short(service.latestCreatedRevision)
    const considered: Array<Considered> = []
    let unknown: string | undefined
    const entries = [...(service.trafficStatuses ?? []), ...(service.traffic ?? [])]
    for (const tag of tags) {
      const entry = entries.find((t) => t.tag === tag)
      if (!entry) continue
      const rev = revisionOf(entry, service)
      if (rev === undefined || rev === current) {
        considered.push({ revision: rev ?? "(none)", via: `tag ${tag}`, why: "it is the revision already serving" })
        continue
      }
      const revision = yield* reads.get("revision", revisionName(service, rev))
      const r = readiness(revision)
      if (r.unknown) unknown ??= r.unknown
      if (r.ready && !r.retired) {
        const status = (service.trafficStatuses ?? []).find((t) => t.tag === tag)
        return {
          target: {
            revision: rev,
            reachableBy: "tag",
            tag,
            ...(status?.uri ? { tagUrl: status.uri } : {}),
            ...(revision.createTime ? { createTime: revision.createTime } : {})
          },
          considered
        }
      }
      considered.push({ revision: rev, via: `tag ${tag}`, why: r.retired ? "it is retired" : `it is not Ready (${r.reason ?? "unknown"})` })
    }
    const revisions = yield* reads.list("revision", service.name)
    const candidates = revisions
      .filter((r) => {
        const n = lastSegment(r.name)
        return n !== current && n !== latestCreated
      })
      .sort((a, b) => createdAt(b) - createdAt(a) || ordinal(lastSegment(b.name)) - ordinal(lastSegment(a.name)))
    for (const revision of candidates) {
      const r = readiness(revision)
      if (r.unknown) unknown ??= r.unknown
      if (r.ready && !r.retired) {
        return {
          target: {
            revision: lastSegment(revision.name),
            reachableBy: "revision name",
            ...(revision.createTime ? { createTime: revision.createTime } : {})
          },
          considered
        }
      }
      considered.push({
        revision: lastSegment(revision.name),
        via: "revision list",
        why: r.retired ? "it is retired" : `it is not Ready (${r.reason ?? "unknown"})`
      })
    }
    return { considered, ...(unknown !== undefined ? { unknown } : {}) }
  })

/** `gcloud run services update-traffic` for a traffic split. */
export const updateTrafficCommand = (
  service: string,
  region: string,
  project: string,
  traffic: ReadonlyArray<TrafficTarget>
): string => {
  const id = lastSegment(service)
  const base = `gcloud run services update-traffic ${id} --region ${region} --project ${project}`
  const serving = traffic.filter((t) => (t.percent ?? 0) > 0)
  if (serving.length === 1 && serving[0]!.type === LATEST) return `${base} --to-latest`
  const parts = serving.map((t) => `${t.type === LATEST ? "LATEST" : short(t.revision)}=${t.percent}`)
  const tags = traffic.filter((t) => t.tag && t.type !== LATEST && t.revision).map((t) => `${t.tag}=${short(t.revision)}`)
  return `${base} --to-revisions ${parts.join(",")}${tags.length > 0 ? ` --set-tags ${tags.join(",")}` : ""}`
}

/** The one-step rollback command. */
export const rollbackCommand = (service: string, region: string, project: string, revision: string): string =>
  `gcloud run services update-traffic ${lastSegment(service)} --region ${region} --project ${project} --to-revisions ${revision}=100`

/** `gcloud run services <verb> <service> --region R --project P [flags]`: the commands remediations quote. */
export const serviceCommand = (
  verb: "describe" | "update" | "update-traffic",
  service: Service,
  selection: Pick<Selection, "region" | "project">,
  flags = ""
): string =>
  `gcloud run services ${verb} ${lastSegment(service.name)} --region ${selection.region} --project ${selection.project}${
    flags === "" ? "" : ` ${flags}`
  }`

/** A reference from a service to a Secret Manager secret. */
export interface SecretRef {
  /** Where: `env API_KEY (container app)` or `volume secrets/creds.json`. */
  readonly from: string
  /** Full secret name under the service's project when the reference is short. */
  readonly secret: string
  /** `latest`, a number or an alias. */
  readonly version: string
}

/** Every secret a service references, from env vars and secret volumes. */
export const secretRefs = (service: Service, project: string): ReadonlyArray<SecretRef> => {
  const full = (s: string) => (s.includes("/") ? s : `projects/${project}/secrets/${s}`)
  const refs: Array<SecretRef> = []
  for (const [i, c] of (service.template?.containers ?? []).entries()) {
    for (const env of c.env ?? []) {
      const ref = env.valueSource?.secretKeyRef
      if (ref) {
        refs.push({ from: `env ${env.name} (container ${c.name ?? i})`, secret: full(ref.secret), version: ref.version || "latest" })
      }
    }
  }
  for (const v of service.template?.volumes ?? []) {
    if (!v.secret) continue
    const items = v.secret.items ?? []
    if (items.length === 0) refs.push({ from: `volume ${v.name}`, secret: full(v.secret.secret), version: "latest" })
    for (const item of items) {
      refs.push({ from: `volume ${v.name}/${item.path ?? ""}`, secret: full(v.secret.secret), version: item.version || "latest" })
    }
  }
  return refs
}

/** The container that receives requests: the one with a port, or the only one. */
export const servingContainer = (service: Service) => {
  const containers = service.template?.containers ?? []
  return containers.find((c) => (c.ports ?? []).length > 0) ?? containers[0]
}
