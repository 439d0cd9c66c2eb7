/**
 * Builders for emulator fixtures: a Cloud Run service with its revisions, a
 * secret with its versions, uptime checks, alert policies, notification
 * channels and budgets. Defaults describe a healthy, launch-ready resource;
 * each option turns one property into a real problem
 * (`cloudRunService({ minInstances: 0 })`).
 *
 * {@link seedRealisticProject} seeds a whole public-launch project (an API
 * service and a worker, their secrets, an uptime check with an alert policy
 * and channels, a budget) with a chosen set of problems.
 *
 * @since 0.1.0
 */
import { hash, type Resource } from "./internal/google.js"
import { statusesFor } from "./internal/run.js"
import {
  DEFAULT_BILLING_ACCOUNT,
  DEFAULT_PROJECT,
  DEFAULT_PROJECT_NUMBER,
  DEFAULT_REGION,
  projectNumber,
  type State
} from "./internal/state.js"

/** Something the emulator can hold; add it with `GcpEmulator.add(state, …fixtures)`. */
export type Fixture =
  | { readonly _tag: "Project"; readonly id: string; readonly number: string; readonly parent?: string | undefined }
  | { readonly _tag: "Folder"; readonly id: string; readonly parent: string; readonly displayName: string }
  | {
    readonly _tag: "CloudRunService"
    readonly service: Resource
    readonly revisions: ReadonlyArray<Resource>
    /** Status each revision answers with on the service URL. */
    readonly serving: Readonly<Record<string, number>>
  }
  | { readonly _tag: "Secret"; readonly secret: Resource; readonly versions: ReadonlyArray<Resource> }
  | {
    readonly _tag: "UptimeCheck"
    readonly config: Resource
    readonly target?: { readonly service: string; readonly path: string } | undefined
  }
  | { readonly _tag: "AlertPolicy"; readonly policy: Resource }
  | { readonly _tag: "NotificationChannel"; readonly channel: Resource }
  | { readonly _tag: "Budget"; readonly budget: Resource }

const DAY = 86_400_000
const iso = (ms: number) => new Date(ms).toISOString()
const LATEST = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
const REVISION = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION"

/** @internal Put a fixture into the state. */
export const apply = (state: State, f: Fixture): void => {
  switch (f._tag) {
    case "Project":
      state.projects.set(f.id, f.number)
      if (f.parent !== undefined) state.projectParents.set(f.id, f.parent)
      return
    case "Folder":
      state.folders.set(f.id, { parent: f.parent, displayName: f.displayName })
      return
    case "CloudRunService":
      state.services.set(f.service["name"], structuredClone(f.service))
      for (const r of f.revisions) state.revisions.set(r["name"], structuredClone(r))
      for (const [rev, status] of Object.entries(f.serving)) state.serving.set(rev, { status })
      return
    case "Secret":
      state.secrets.set(f.secret["name"], structuredClone(f.secret))
      for (const v of f.versions) state.versions.set(v["name"], structuredClone(v))
      return
    case "UptimeCheck":
      state.uptimeChecks.set(f.config["name"], structuredClone(f.config))
      if (f.target) state.uptimeTargets.set(f.config["name"], f.target)
      return
    case "AlertPolicy":
      state.alertPolicies.set(f.policy["name"], structuredClone(f.policy))
      return
    case "NotificationChannel":
      state.channels.set(f.channel["name"], structuredClone(f.channel))
      return
    case "Budget":
      state.budgets.set(f.budget["name"], structuredClone(f.budget))
      return
  }
}

/** A project id and its number, optionally under a parent (`folders/F` or `organizations/O`, Resource Manager v3). */
export const project = (id: string, number: string, parent?: string): Fixture =>
  ({ _tag: "Project", id, number, ...(parent !== undefined ? { parent } : {}) })

/** A Resource Manager folder (`folders/ID`) under `parent` (`folders/F` or `organizations/O`). */
export const folder = (id: string, parent: string, displayName = `folder ${id}`): Fixture =>
  ({ _tag: "Folder", id, parent, displayName })

/** An env var: a literal value, or a reference to a Secret Manager secret. */
export type EnvSpec =
  | { readonly name: string; readonly value: string }
  | { readonly name: string; readonly secret: string; readonly version?: string | undefined }

/** Options of {@link cloudRunService}. */
export interface CloudRunServiceOptions {
  /** Service id. Default `api`. */
  readonly name?: string | undefined
  readonly project?: string | undefined
  readonly region?: string | undefined
  /** How many revisions exist (the newest is the latest). Default 3. */
  readonly revisions?: number | undefined
  /** Revision-level minimum instances. Default 1. */
  readonly minInstances?: number | undefined
  /** Service-level minimum instances. Default unset. */
  readonly serviceMinInstances?: number | undefined
  /** Maximum instances; `null` leaves it unset (reads then show the server default, 100). Default 10. */
  readonly maxInstances?: number | null | undefined
  /** `true` (HTTP GET /healthz), `"tcp"`, or `false` for none. Default `true`. */
  readonly startupProbe?: boolean | "tcp" | undefined
  /** Default `true` (HTTP GET /healthz). */
  readonly livenessProbe?: boolean | undefined
  /** Runtime service account; `null` leaves it unset (the default compute account). Default `NAME-sa@PROJECT.iam.gserviceaccount.com`. */
  readonly serviceAccount?: string | null | undefined
  /** Default `INGRESS_TRAFFIC_ALL`. */
  readonly ingress?: string | undefined
  readonly env?: ReadonlyArray<EnvSpec> | undefined
  /** Secrets mounted as files. */
  readonly secretVolumes?:
    | ReadonlyArray<{ readonly secret: string; readonly version?: string | undefined; readonly path?: string | undefined }>
    | undefined
  /** Traffic tag on the newest Ready revision before the latest; `null` for none. Default `rollback`. */
  readonly rollbackTag?: string | null | undefined
  /** State of the revisions before the latest. Default `ready`. */
  readonly previous?: "ready" | "retired" | "failed" | undefined
  /** The newest revision failed to become ready, with these reasons. */
  readonly latestFailure?: {
    readonly reason?: string | undefined
    readonly revisionReason?: string | undefined
    readonly message?: string | undefined
  } | undefined
  /** A rollout is in progress (reconciling, observedGeneration behind). */
  readonly reconciling?: boolean | undefined
  /** A custom split: revision number (1 = oldest) or `"latest"`, percent, optional tag. */
  readonly traffic?:
    | ReadonlyArray<{ readonly revision: number | "latest"; readonly percent: number; readonly tag?: string | undefined }>
    | undefined
  /** How each revision (by number) answers on the service URL, e.g. `{ 2: 503 }`. */
  readonly serving?: Readonly<Record<number, number>> | undefined
  readonly now?: Date | undefined
}

const probe = (kind: boolean | "tcp" | undefined) =>
  kind === false
    ? undefined
    : kind === "tcp"
    ? { timeoutSeconds: 240, periodSeconds: 240, failureThreshold: 1, tcpSocket: { port: 8080 } }
    : { initialDelaySeconds: 0, timeoutSeconds: 1, periodSeconds: 3, failureThreshold: 3, httpGet: { path: "/healthz", port: 8080 } }

/** The name revision `n` of a service gets: `api-00003-x7k`. */
export const revisionId = (service: string, n: number): string => `${service}-${String(n).padStart(5, "0")}-${hash(`${service}${n}`, 3)}`

/**
 * A Cloud Run service with its revisions. Defaults: three Ready revisions,
 * all traffic on the latest, the previous one tagged `rollback`, HTTP startup
 * and liveness probes, min 1 / max 10 instances, a dedicated service
 * account, public ingress.
 */
export const cloudRunService = (options: CloudRunServiceOptions = {}): Fixture => {
  const id = options.name ?? "api"
  const projectId = options.project ?? DEFAULT_PROJECT
  const region = options.region ?? DEFAULT_REGION
  const count = Math.max(1, options.revisions ?? 3)
  const now = (options.now ?? new Date()).getTime()
  const name = `projects/${projectId}/locations/${region}/services/${id}`
  const revName = (n: number) => `${name}/revisions/${revisionId(id, n)}`
  const failedLatest = options.latestFailure !== undefined
  const previousState = options.previous ?? "ready"
  const readyOf = (n: number) => (n === count ? !failedLatest : previousState !== "failed")
  const retiredOf = (n: number) => n < count && previousState === "retired"
  const latestReady = [...Array(count).keys()].map((i) => count - i).find(readyOf)

  const env = (options.env ?? []).map((e) =>
    "secret" in e
      ? { name: e.name, valueSource: { secretKeyRef: { secret: e.secret, version: e.version ?? "latest" } } }
      : { name: e.name, value: e.value }
  )
  const volumes = (options.secretVolumes ?? []).map((v, i) => ({
    name: `secret-${i}`,
    secret: { secret: v.secret, items: [{ path: v.path ?? "value", version: v.version ?? "latest" }] }
  }))
  const serviceAccount = options.serviceAccount === null
    ? undefined
    : options.serviceAccount ?? `${id}-sa@${projectId}.iam.gserviceaccount.com`
  const scaling = {
    minInstanceCount: options.minInstances ?? 1,
    ...(options.maxInstances === null ? {} : { maxInstanceCount: options.maxInstances ?? 10 })
  }
  const container = (n: number) => ({
    name: "app",
    image: `us-docker.pkg.dev/${projectId}/app/${id}:v${n}`,
    ports: [{ name: "http1", containerPort: 8080 }],
    resources: { limits: { cpu: "1", memory: "512Mi" }, cpuIdle: true },
    ...(env.length > 0 ? { env } : {}),
    ...(volumes.length > 0 ? { volumeMounts: volumes.map((v) => ({ name: v.name, mountPath: `/secrets/${v.name}` })) } : {}),
    ...(probe(options.startupProbe) ? { startupProbe: probe(options.startupProbe) } : {}),
    ...(options.livenessProbe === false ? {} : { livenessProbe: probe(true) })
  })

  const revisions: Array<Resource> = []
  for (let n = 1; n <= count; n++) {
    const created = now - (count - n) * 7 * DAY - DAY
    const ready = readyOf(n)
    const failure = n === count && failedLatest ? options.latestFailure! : undefined
    revisions.push({
      name: revName(n),
      uid: `${hash(revName(n), 8)}-rev`,
      generation: "1",
      observedGeneration: "1",
      createTime: iso(created),
      updateTime: iso(created + 60_000),
      launchStage: "GA",
      service: name,
      scaling,
      maxInstanceRequestConcurrency: 80,
      timeout: "300s",
      ...(serviceAccount ? { serviceAccount } : {}),
      containers: [container(n)],
      ...(volumes.length > 0 ? { volumes } : {}),
      executionEnvironment: "EXECUTION_ENVIRONMENT_GEN2",
      reconciling: false,
      conditions: [
        {
          type: "Ready",
          state: ready ? "CONDITION_SUCCEEDED" : "CONDITION_FAILED",
          lastTransitionTime: iso(created + 60_000),
          ...(failure?.reason ? { reason: failure.reason } : {}),
          ...(failure?.revisionReason ? { revisionReason: failure.revisionReason } : {}),
          ...(!ready ? { message: failure?.message ?? "The revision is not ready." } : {})
        },
        { type: "ContainerHealthy", state: ready ? "CONDITION_SUCCEEDED" : "CONDITION_FAILED", lastTransitionTime: iso(created + 60_000) },
        ...(retiredOf(n)
          ? [{
            type: "Active",
            state: "CONDITION_FAILED",
            severity: "INFO",
            revisionReason: "RETIRED",
            lastTransitionTime: iso(created + 7 * DAY)
          }]
          : [])
      ],
      etag: `"${hash(`${revName(n)}etag`, 8)}"`
    })
  }

  const rollbackRevision = [...Array(count).keys()]
    .map((i) => count - i)
    .find((n) => latestReady !== undefined && n < latestReady && readyOf(n))
  const tag = options.rollbackTag === undefined ? "rollback" : options.rollbackTag
  const traffic = options.traffic
    ? options.traffic.map((t) =>
      t.revision === "latest"
        ? { type: LATEST, percent: t.percent, ...(t.tag ? { tag: t.tag } : {}) }
        : { type: REVISION, revision: revisionId(id, t.revision), percent: t.percent, ...(t.tag ? { tag: t.tag } : {}) }
    )
    : [
      { type: LATEST, percent: 100 },
      ...(tag !== null && rollbackRevision !== undefined ? [{ type: REVISION, revision: revisionId(id, rollbackRevision), tag }] : [])
    ]
  const generation = String(count)
  const conditionTime = iso(now - DAY + 120_000)
  const service: Resource = {
    name,
    uid: `${hash(name, 8)}-svc`,
    generation,
    observedGeneration: options.reconciling ? String(count - 1) : generation,
    createTime: iso(now - count * 7 * DAY),
    updateTime: conditionTime,
    creator: `deployer@${projectId}.iam.gserviceaccount.com`,
    lastModifier: `deployer@${projectId}.iam.gserviceaccount.com`,
    ingress: options.ingress ?? "INGRESS_TRAFFIC_ALL",
    launchStage: "GA",
    ...(options.serviceMinInstances !== undefined ? { scaling: { minInstanceCount: options.serviceMinInstances } } : {}),
    template: {
      scaling,
      ...(serviceAccount ? { serviceAccount } : {}),
      containers: [container(count)],
      ...(volumes.length > 0 ? { volumes } : {}),
      maxInstanceRequestConcurrency: 80,
      timeout: "300s",
      executionEnvironment: "EXECUTION_ENVIRONMENT_GEN2"
    },
    traffic,
    terminalCondition: {
      type: "Ready",
      state: options.reconciling ? "CONDITION_RECONCILING" : failedLatest ? "CONDITION_FAILED" : "CONDITION_SUCCEEDED",
      lastTransitionTime: conditionTime,
      ...(failedLatest
        ? {
          reason: options.latestFailure?.reason ?? "REVISION_FAILED",
          ...(options.latestFailure?.revisionReason ? { revisionReason: options.latestFailure.revisionReason } : {}),
          message: options.latestFailure?.message ?? `Revision '${revisionId(id, count)}' is not ready and cannot serve traffic.`
        }
        : {})
    },
    conditions: [
      { type: "RoutesReady", state: "CONDITION_SUCCEEDED", lastTransitionTime: conditionTime },
      { type: "ConfigurationsReady", state: failedLatest ? "CONDITION_FAILED" : "CONDITION_SUCCEEDED", lastTransitionTime: conditionTime }
    ],
    latestCreatedRevision: revName(count),
    ...(latestReady !== undefined ? { latestReadyRevision: revName(latestReady) } : {}),
    reconciling: options.reconciling ?? false,
    etag: `"${hash(`${name}${generation}`, 8)}"`
  }
  service["trafficStatuses"] = statusesFor(service)
  const serving: Record<string, number> = {}
  for (const [n, status] of Object.entries(options.serving ?? {})) serving[revisionId(id, Number(n))] = status
  return { _tag: "CloudRunService", service, revisions, serving }
}

/** Options of {@link secret}. */
export interface SecretOptions {
  /** Secret id. Default `api-key`. */
  readonly name?: string | undefined
  readonly project?: string | undefined
  /** How many versions exist. Default 2. */
  readonly versions?: number | undefined
  /** How many of the newest are ENABLED (older ones DISABLED). Default 1. */
  readonly enabledVersions?: number | undefined
  /** Explicit version states, newest first (overrides `enabledVersions`). */
  readonly versionStates?: ReadonlyArray<string> | undefined
  /** Age of the newest version in days. Default 5. */
  readonly newestAgeDays?: number | undefined
  /** Days between versions. Default 30. */
  readonly versionIntervalDays?: number | undefined
  /**
   * Rotation schedule; `false` for none. Default every 30 days, next in 25 days. The period is kept by
   * the emulator but never served (input only); a next time in the past is advanced on read.
   */
  readonly rotation?: { readonly periodDays?: number | undefined; readonly nextInDays?: number | undefined } | false | undefined
  /** Pub/Sub topics notified on rotation. Default `projects/PROJECT/topics/secret-rotation`. */
  readonly topics?: ReadonlyArray<string> | undefined
  /** Expire (and be deleted) in this many days. Default never. */
  readonly expireInDays?: number | undefined
  readonly labels?: Readonly<Record<string, string>> | undefined
  readonly now?: Date | undefined
}

/** A secret with its versions (metadata only: the emulator has no payloads). */
export const secret = (options: SecretOptions = {}): Fixture => {
  const id = options.name ?? "api-key"
  const projectId = options.project ?? DEFAULT_PROJECT
  const now = (options.now ?? new Date()).getTime()
  const name = `projects/${projectId}/secrets/${id}`
  const states = options.versionStates ??
    [...Array(Math.max(0, options.versions ?? 2)).keys()].map((i) => (i < (options.enabledVersions ?? 1) ? "ENABLED" : "DISABLED"))
  const count = states.length
  const newest = now - (options.newestAgeDays ?? 5) * DAY
  const interval = (options.versionIntervalDays ?? 30) * DAY
  const versions = states.map((state, i) => {
    const n = count - i
    const created = newest - i * interval
    return {
      name: `${name}/versions/${n}`,
      createTime: iso(created),
      state,
      ...(state === "DESTROYED" ? { destroyTime: iso(created + interval) } : {}),
      replicationStatus: { automatic: {} },
      etag: `"${hash(`${name}${n}`, 8)}"`,
      clientSpecifiedPayloadChecksum: true
    }
  })
  const rotation = options.rotation === false ? undefined : {
    nextRotationTime: iso(now + (options.rotation?.nextInDays ?? 25) * DAY),
    rotationPeriod: `${(options.rotation?.periodDays ?? 30) * 86_400}s`
  }
  const topics = options.topics ?? [`projects/${projectId}/topics/secret-rotation`]
  return {
    _tag: "Secret",
    secret: {
      name,
      createTime: iso(newest - Math.max(0, count - 1) * interval),
      replication: { automatic: {} },
      ...(options.labels ? { labels: { ...options.labels } } : {}),
      ...(topics.length > 0 ? { topics: topics.map((t) => ({ name: t })) } : {}),
      ...(rotation ? { rotation } : {}),
      ...(options.expireInDays !== undefined ? { expireTime: iso(now + options.expireInDays * DAY) } : {}),
      etag: `"${hash(name, 8)}"`
    },
    versions
  }
}

/** Options of {@link uptimeCheck}. */
export interface UptimeCheckOptions {
  /** Default `SERVICE-uptime`. */
  readonly id?: string | undefined
  readonly project?: string | undefined
  readonly displayName?: string | undefined
  /** The Cloud Run service it targets (its URL is filled in when read). Default `api`. */
  readonly service?: string | undefined
  readonly region?: string | undefined
  /** Target this host instead of a service (`uptime_url`). */
  readonly host?: string | undefined
  /** `uptime_url` (default) or `cloud_run_revision` (the service as a monitored resource). */
  readonly resourceType?: "uptime_url" | "cloud_run_revision" | undefined
  /** Path under the service URL. Default `/healthz`. */
  readonly path?: string | undefined
  /** Default `60s`. */
  readonly period?: string | undefined
  /** Checker regions; `[]` means all. Default USA, EUROPE, ASIA_PACIFIC. */
  readonly regions?: ReadonlyArray<string> | undefined
  readonly disabled?: boolean | undefined
}

/** The id {@link uptimeCheck} gives a service's uptime check by default. */
export const uptimeCheckId = (service: string): string => `${service}-uptime`

/** An HTTPS uptime check on a Cloud Run service (or a host). */
export const uptimeCheck = (options: UptimeCheckOptions = {}): Fixture => {
  const service = options.service ?? "api"
  const projectId = options.project ?? DEFAULT_PROJECT
  const region = options.region ?? DEFAULT_REGION
  const id = options.id ?? uptimeCheckId(service)
  const path = options.path ?? "/healthz"
  const name = `projects/${projectId}/uptimeCheckConfigs/${id}`
  const regions = options.regions ?? ["USA", "EUROPE", "ASIA_PACIFIC"]
  const base = {
    name,
    displayName: options.displayName ?? `${service} ${path}`,
    period: options.period ?? "60s",
    timeout: "10s",
    ...(regions.length > 0 ? { selectedRegions: [...regions] } : {}),
    checkerType: "STATIC_IP_CHECKERS",
    ...(options.disabled !== undefined ? { disabled: options.disabled } : {})
  }
  const httpCheck = {
    path,
    port: 443,
    useSsl: true,
    validateSsl: true,
    requestMethod: "GET",
    acceptedResponseStatusCodes: [{ statusClass: "STATUS_CLASS_2XX" }]
  }
  if (options.resourceType === "cloud_run_revision") {
    return {
      _tag: "UptimeCheck",
      config: {
        ...base,
        monitoredResource: {
          type: "cloud_run_revision",
          labels: { project_id: projectId, service_name: service, location: region }
        },
        httpCheck
      }
    }
  }
  return {
    _tag: "UptimeCheck",
    config: {
      ...base,
      monitoredResource: { type: "uptime_url", labels: { project_id: projectId, host: options.host ?? `${service}.example.com` } },
      httpCheck
    },
    ...(options.host === undefined ? { target: { service: `projects/${projectId}/locations/${region}/services/${service}`, path } } : {})
  }
}

/** Options of {@link alertPolicy}. */
export interface AlertPolicyOptions {
  /** Default derived from the display name. */
  readonly id?: string | undefined
  readonly project?: string | undefined
  readonly displayName?: string | undefined
  /** Uptime check id(s) the policy fires on. Default `api-uptime`. */
  readonly uptimeCheck?: string | ReadonlyArray<string> | undefined
  /** Notification channel ids. Default `["oncall"]`. */
  readonly channels?: ReadonlyArray<string> | undefined
  /** `null` leaves `enabled` unset. Default `true`. */
  readonly enabled?: boolean | null | undefined
}

/** An alert policy on uptime check failures. */
export const alertPolicy = (options: AlertPolicyOptions = {}): Fixture => {
  const projectId = options.project ?? DEFAULT_PROJECT
  const checks = typeof options.uptimeCheck === "string" ? [options.uptimeCheck] : options.uptimeCheck ?? [uptimeCheckId("api")]
  const displayName = options.displayName ?? `Uptime failure: ${checks.join(", ")}`
  const id = options.id ?? String(parseInt(hash(displayName, 8), 36))
  const checkFilter = checks.length === 1
    ? `metric.label.check_id="${checks[0]}"`
    : `metric.label.check_id=one_of(${checks.map((c) => `"${c}"`).join(",")})`
  return {
    _tag: "AlertPolicy",
    policy: {
      name: `projects/${projectId}/alertPolicies/${id}`,
      displayName,
      combiner: "OR",
      severity: "CRITICAL",
      ...(options.enabled === null ? {} : { enabled: options.enabled ?? true }),
      conditions: [{
        name: `projects/${projectId}/alertPolicies/${id}/conditions/${hash(`${id}c`, 6)}`,
        displayName: "Uptime check failing",
        conditionThreshold: {
          filter: `metric.type="monitoring.googleapis.com/uptime_check/check_passed" AND ${checkFilter} AND resource.type="uptime_url"`,
          aggregations: [{
            alignmentPeriod: "1200s",
            perSeriesAligner: "ALIGN_NEXT_OLDER",
            crossSeriesReducer: "REDUCE_COUNT_FALSE",
            groupByFields: ["resource.label.*"]
          }],
          comparison: "COMPARISON_GT",
          thresholdValue: 1,
          duration: "60s",
          trigger: { count: 1 }
        }
      }],
      notificationChannels: (options.channels ?? ["oncall"]).map((c) => `projects/${projectId}/notificationChannels/${c}`),
      documentation: { content: "Runbook: https://runbooks.example.com/api-down", mimeType: "text/markdown" },
      alertStrategy: { autoClose: "604800s" }
    }
  }
}

/** Options of {@link notificationChannel}. */
export interface NotificationChannelOptions {
  /** Default `oncall`. */
  readonly id?: string | undefined
  readonly project?: string | undefined
  /** Default `email`. */
  readonly type?: "email" | "pagerduty" | "slack" | "sms" | "webhook_tokenauth" | undefined
  readonly displayName?: string | undefined
  /** `null` leaves it unset. Default `true`. */
  readonly enabled?: boolean | null | undefined
  /** Default `VERIFIED` for email and sms, unset for the rest; `null` leaves it unset. */
  readonly verificationStatus?: string | null | undefined
}

/** A notification channel. */
export const notificationChannel = (options: NotificationChannelOptions = {}): Fixture => {
  const projectId = options.project ?? DEFAULT_PROJECT
  const id = options.id ?? "oncall"
  const type = options.type ?? "email"
  const verification = options.verificationStatus === null
    ? undefined
    : options.verificationStatus ?? (type === "email" || type === "sms" ? "VERIFIED" : undefined)
  const labels: Record<string, string> = type === "email"
    ? { email_address: `${id}@example.com` }
    : type === "slack"
    ? { channel_name: `#${id}`, auth_token: "**************" }
    : type === "pagerduty"
    ? { service_key: "**************" }
    : type === "sms"
    ? { number: "+15555550100" }
    : { url: "https://hooks.example.com/alerts" }
  return {
    _tag: "NotificationChannel",
    channel: {
      name: `projects/${projectId}/notificationChannels/${id}`,
      type,
      displayName: options.displayName ?? `${id} (${type})`,
      labels,
      ...(options.enabled === null ? {} : { enabled: options.enabled ?? true }),
      ...(verification !== undefined ? { verificationStatus: verification } : {})
    }
  }
}

/** Options of {@link budget}. */
export interface BudgetOptions {
  /** Default derived from the display name. */
  readonly id?: string | undefined
  readonly billingAccount?: string | undefined
  /** The project it is scoped to (by number, as Google stores it); `null` for the whole billing account. */
  readonly project?: string | null | undefined
  readonly projectNumber?: string | undefined
  readonly displayName?: string | undefined
  /** Default 1000. */
  readonly amount?: number | undefined
  readonly currencyCode?: string | undefined
  /** Default 50%, 90%, 100% of current spend and 100% of forecasted spend. */
  readonly thresholds?: ReadonlyArray<{ readonly percent: number; readonly basis?: string | undefined }> | undefined
  /** Monitoring channel ids (in the project) notified. Default `["oncall"]`. */
  readonly channels?: ReadonlyArray<string> | undefined
  readonly pubsubTopic?: string | undefined
  readonly disableDefaultIamRecipients?: boolean | undefined
  /** `folders/F` or `organizations/O` the budget selects (with `project: null`, only these). */
  readonly resourceAncestors?: ReadonlyArray<string> | undefined
  /** Narrowing filters: only these services (`services/ID`), labels, subaccounts. */
  readonly services?: ReadonlyArray<string> | undefined
  readonly labels?: Readonly<Record<string, ReadonlyArray<string>>> | undefined
  readonly subaccounts?: ReadonlyArray<string> | undefined
  /** Default `INCLUDE_ALL_CREDITS`. */
  readonly creditTypesTreatment?: string | undefined
  /** Accepted like the other builders' `now`; a budget holds no times of its own. */
  readonly now?: Date | undefined
  /** A one-off period instead of the monthly calendar period. */
  readonly customPeriod?: {
    readonly startDate: { readonly year: number; readonly month: number; readonly day: number }
    readonly endDate?: { readonly year: number; readonly month: number; readonly day: number } | undefined
  } | undefined
}

/** A budget on the billing account. */
export const budget = (options: BudgetOptions = {}): Fixture => {
  const account = options.billingAccount ?? DEFAULT_BILLING_ACCOUNT
  const projectId = options.project === null ? undefined : options.project ?? DEFAULT_PROJECT
  const number = options.projectNumber ?? (projectId === DEFAULT_PROJECT ? DEFAULT_PROJECT_NUMBER : undefined)
  const displayName = options.displayName ?? `${projectId ?? "account"} monthly`
  const id = options.id ?? `${hash(displayName, 8)}-${hash(`${displayName}b`, 4)}`
  const thresholds = options.thresholds ?? [{ percent: 0.5 }, { percent: 0.9 }, { percent: 1 }, { percent: 1, basis: "FORECASTED_SPEND" }]
  const channels = options.channels ?? ["oncall"]
  return {
    _tag: "Budget",
    budget: {
      name: `billingAccounts/${account}/budgets/${id}`,
      displayName,
      budgetFilter: {
        ...(projectId !== undefined ? { projects: [`projects/${number ?? projectId}`] } : {}),
        ...(options.resourceAncestors?.length ? { resourceAncestors: [...options.resourceAncestors] } : {}),
        ...(options.services?.length ? { services: [...options.services] } : {}),
        ...(options.labels ? { labels: Object.fromEntries(Object.entries(options.labels).map(([k, v]) => [k, [...v]])) } : {}),
        ...(options.subaccounts?.length ? { subaccounts: [...options.subaccounts] } : {}),
        creditTypesTreatment: options.creditTypesTreatment ?? "INCLUDE_ALL_CREDITS",
        ...(options.customPeriod ? { customPeriod: structuredClone(options.customPeriod) } : { calendarPeriod: "MONTH" })
      },
      amount: { specifiedAmount: { currencyCode: options.currencyCode ?? "USD", units: String(options.amount ?? 1000) } },
      thresholdRules: thresholds.map((t) => ({ thresholdPercent: t.percent, spendBasis: t.basis ?? "CURRENT_SPEND" })),
      notificationsRule: {
        ...(channels.length > 0
          ? {
            monitoringNotificationChannels: channels.map((c) =>
              `projects/${projectId ?? DEFAULT_PROJECT}/notificationChannels/${c}`
            )
          }
          : {}),
        ...(options.pubsubTopic ? { pubsubTopic: options.pubsubTopic, schemaVersion: "1.0" } : {}),
        disableDefaultIamRecipients: options.disableDefaultIamRecipients ?? false
      },
      etag: `"${hash(id, 8)}"`,
      ownershipScope: "ALL_USERS"
    }
  }
}

/** Problems {@link seedRealisticProject} can plant, each one a real launch blocker. */
export const PROBLEMS = [
  /** The API's latest deploy failed its health check (HEALTH_CHECK_CONTAINER_ERROR). */
  "failed-deploy",
  /** The API scales to zero. */
  "min-instances-zero",
  /** The API sets no maximum instance count: it runs at the server default of 100. */
  "no-max-instances",
  /** The API has no startup probe. */
  "no-startup-probe",
  /** The API has a single revision: nothing to roll back to. */
  "no-rollback-target",
  /** A SendGrid API key sits in the API's env as a literal value. */
  "literal-secret-env",
  /** The API references a secret version that is disabled. */
  "disabled-secret-version",
  /** The worker runs as the default compute service account. */
  "default-service-account",
  /**
   * The JWT signing key's rotation subscriber is broken: Secret Manager keeps advancing the schedule,
   * but the newest version is 94 days old (rotation every 30 days).
   */
  "rotation-overdue",
  /** The database password has four enabled versions. */
  "too-many-enabled-versions",
  /** The Stripe key expires in a week. */
  "secret-expiring",
  /** The uptime check runs every 15 minutes from one region. */
  "slow-uptime-check",
  /** The uptime alert policy is disabled. */
  "alert-disabled",
  /** The team email channel was never verified. */
  "unverified-channel",
  /** The budget has no forecasted-spend rule. */
  "no-forecast-rule"
] as const
export type Problem = (typeof PROBLEMS)[number]

/** Options of {@link seedRealisticProject}. */
export interface RealisticProjectOptions {
  readonly project?: string | undefined
  readonly projectNumber?: string | undefined
  readonly region?: string | undefined
  readonly billingAccount?: string | undefined
  /** Problems to plant. Default none: everything passes. */
  readonly problems?: ReadonlyArray<Problem> | undefined
  /** "Now" for ages, rotations and expiries (pass the same to `Runner.runPromise(gate, { now })`). Default the wall clock. */
  readonly now?: Date | undefined
}

/** What {@link seedRealisticProject} created. */
export interface RealisticProject {
  readonly project: string
  readonly projectNumber: string
  readonly region: string
  readonly billingAccount: string
  readonly services: ReadonlyArray<string>
  readonly secrets: ReadonlyArray<string>
  readonly uptimeChecks: ReadonlyArray<string>
  readonly channels: ReadonlyArray<string>
  readonly problems: ReadonlyArray<Problem>
}

/**
 * Seed a realistic public-launch project: a public `api` service (secrets
 * from Secret Manager, probes, min/max instances, a tagged rollback
 * revision) and an internal `worker`, three rotated secrets, an uptime check
 * on the API's `/healthz` with an alert policy paging two channels, and a
 * project budget with a forecast rule. Plant `problems` to make it fail in
 * realistic ways.
 *
 * @example
 * GcpEmulator.start({ seed: (s) => seedRealisticProject(s, { problems: ["min-instances-zero", "rotation-overdue"] }) })
 */
export const seedRealisticProject = (state: State, options: RealisticProjectOptions = {}): RealisticProject => {
  const projectId = options.project ?? DEFAULT_PROJECT
  const number = options.projectNumber ?? (projectId === DEFAULT_PROJECT ? DEFAULT_PROJECT_NUMBER : projectNumber(state, projectId))
  const region = options.region ?? DEFAULT_REGION
  const billingAccount = options.billingAccount ?? DEFAULT_BILLING_ACCOUNT
  const problems = new Set(options.problems ?? [])
  const has = (p: Problem) => problems.has(p)
  const now = options.now ?? new Date()
  const at = { project: projectId, now }
  // A pinned "now" pins the emulator's clock too, so reads (rotation schedules) agree with the seeded ages.
  if (options.now !== undefined) state.settings.now = () => now.getTime()

  const api = cloudRunService({
    ...at,
    name: "api",
    region,
    revisions: has("no-rollback-target") ? 1 : 3,
    minInstances: has("min-instances-zero") ? 0 : 2,
    maxInstances: has("no-max-instances") ? null : 20,
    startupProbe: !has("no-startup-probe"),
    env: [
      { name: "LOG_LEVEL", value: "info" },
      { name: "STRIPE_API_KEY", secret: "stripe-api-key" },
      { name: "DATABASE_PASSWORD", secret: "db-password", version: has("disabled-secret-version") ? "1" : "latest" },
      { name: "JWT_SIGNING_KEY", secret: "jwt-signing-key" },
      ...(has("literal-secret-env") ? [{ name: "SENDGRID_API_KEY", value: "SG.launchgate-demo-not-a-real-key.x9Qm2vT7" }] : [])
    ],
    ...(has("failed-deploy")
      ? {
        latestFailure: {
          reason: "REVISION_FAILED",
          revisionReason: "HEALTH_CHECK_CONTAINER_ERROR",
          message: "The user-provided container failed the configured startup probe checks."
        }
      }
      : {})
  })
  const worker = cloudRunService({
    ...at,
    name: "worker",
    region,
    revisions: 2,
    ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY",
    serviceAccount: has("default-service-account") ? `${number}-compute@developer.gserviceaccount.com` : undefined,
    env: [{ name: "DATABASE_PASSWORD", secret: "db-password" }]
  })
  const secrets = [
    secret({ ...at, name: "stripe-api-key", versions: 3, ...(has("secret-expiring") ? { expireInDays: 7 } : {}) }),
    secret({
      ...at,
      name: "db-password",
      versions: 4,
      ...(has("too-many-enabled-versions") ? { enabledVersions: 4 } : {}),
      ...(has("disabled-secret-version") ? { enabledVersions: 1 } : {})
    }),
    secret({
      ...at,
      name: "jwt-signing-key",
      versions: 2,
      ...(has("rotation-overdue")
        ? { newestAgeDays: 94, rotation: { periodDays: 30, nextInDays: -64 } }
        : { rotation: { periodDays: 30, nextInDays: 20 } })
    })
  ]
  const channels = [
    notificationChannel({ project: projectId, id: "oncall", type: "pagerduty", displayName: "API on-call (PagerDuty)" }),
    notificationChannel({
      project: projectId,
      id: "team-email",
      type: "email",
      displayName: "API team",
      ...(has("unverified-channel") ? { verificationStatus: "UNVERIFIED" } : {})
    })
  ]
  const uptime = uptimeCheck({
    project: projectId,
    service: "api",
    region,
    path: "/healthz",
    ...(has("slow-uptime-check") ? { period: "900s", regions: ["USA"] } : {})
  })
  const policy = alertPolicy({
    project: projectId,
    displayName: "API is down",
    uptimeCheck: uptimeCheckId("api"),
    channels: ["oncall", "team-email"],
    enabled: !has("alert-disabled")
  })
  const projectBudget = budget({
    billingAccount,
    project: projectId,
    projectNumber: number,
    displayName: `${projectId} monthly`,
    amount: 2000,
    channels: ["oncall", "team-email"],
    ...(has("no-forecast-rule") ? { thresholds: [{ percent: 0.5 }, { percent: 0.9 }, { percent: 1 }] } : {})
  })
  apply(state, project(projectId, number))
  for (const f of [api, worker, ...secrets, ...channels, uptime, policy, projectBudget]) apply(state, f)
  return {
    project: projectId,
    projectNumber: number,
    region,
    billingAccount,
    services: ["api", "worker"],
    secrets: ["stripe-api-key", "db-password", "jwt-signing-key"],
    uptimeChecks: [uptimeCheckId("api")],
    channels: ["oncall", "team-email"],
    problems: [...problems]
  }
}
