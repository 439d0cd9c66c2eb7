/**
 * Our own Schemas for the parts of the four Google APIs launchgate reads,
 * written from the discovery documents (run v2, secretmanager v1,
 * monitoring v3, billingbudgets v1) plus the fields Google added since.
 *
 * Conventions, the same for every API:
 * - int64 fields arrive as JSON strings and are decoded as strings of digits;
 * - timestamps (google-datetime) must parse, durations (google-duration) are `"<seconds>s"`;
 * - enums are decoded as plain strings: vendors extend them, and a check that
 *   depends on one turns an unknown value into an `error` outcome instead of
 *   the whole response failing to decode;
 * - unknown fields are ignored.
 *
 * @internal
 */
import * as Schema from "effect/Schema"

const opt = Schema.optional

/** An int64 encoded as a JSON string. */
export const Int64 = Schema.String.pipe(
  Schema.pattern(/^-?\d+$/, { message: () => "expected an int64 encoded as a string of digits" })
)

/** An RFC 3339 timestamp (google-datetime). */
export const Timestamp = Schema.String.pipe(
  Schema.filter((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)), {
    message: () => "expected an RFC 3339 timestamp"
  })
)

/** A google-duration: seconds with up to nine fractional digits and an `s` suffix. */
export const GoogleDuration = Schema.String.pipe(
  Schema.pattern(/^-?\d+(\.\d{1,9})?s$/, { message: () => "expected a duration such as \"3.5s\"" })
)

const StringMap = Schema.Record({ key: Schema.String, value: Schema.String })

/** google.rpc.Status */
export const RpcStatus = Schema.Struct({
  code: opt(Schema.Number),
  message: opt(Schema.String),
  status: opt(Schema.String),
  details: opt(Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })))
})
export type RpcStatus = typeof RpcStatus.Type

/** The JSON error envelope of Google REST APIs. */
export const ErrorEnvelope = Schema.Struct({ error: RpcStatus })

// ---------------------------------------------------------------------------
// Cloud Run Admin API v2
// ---------------------------------------------------------------------------

export const Condition = Schema.Struct({
  type: opt(Schema.String),
  state: opt(Schema.String),
  message: opt(Schema.String),
  lastTransitionTime: opt(Timestamp),
  severity: opt(Schema.String),
  reason: opt(Schema.String),
  revisionReason: opt(Schema.String),
  executionReason: opt(Schema.String)
})
export type Condition = typeof Condition.Type

export const TrafficTarget = Schema.Struct({
  type: opt(Schema.String),
  revision: opt(Schema.String),
  percent: opt(Schema.Number),
  tag: opt(Schema.String)
})
export type TrafficTarget = typeof TrafficTarget.Type

export const TrafficTargetStatus = Schema.Struct({
  type: opt(Schema.String),
  revision: opt(Schema.String),
  percent: opt(Schema.Number),
  tag: opt(Schema.String),
  uri: opt(Schema.String)
})
export type TrafficTargetStatus = typeof TrafficTargetStatus.Type

const PortAction = Schema.Struct({ port: opt(Schema.Number) })

export const Probe = Schema.Struct({
  initialDelaySeconds: opt(Schema.Number),
  timeoutSeconds: opt(Schema.Number),
  periodSeconds: opt(Schema.Number),
  failureThreshold: opt(Schema.Number),
  httpGet: opt(Schema.Struct({ path: opt(Schema.String), port: opt(Schema.Number) })),
  tcpSocket: opt(PortAction),
  grpc: opt(Schema.Struct({ port: opt(Schema.Number), service: opt(Schema.String) }))
})
export type Probe = typeof Probe.Type

export const SecretKeySelector = Schema.Struct({
  secret: Schema.String,
  version: opt(Schema.String)
})

export const EnvVar = Schema.Struct({
  name: Schema.String,
  value: opt(Schema.String),
  valueSource: opt(Schema.Struct({ secretKeyRef: opt(SecretKeySelector) }))
})
export type EnvVar = typeof EnvVar.Type

export const Container = Schema.Struct({
  name: opt(Schema.String),
  image: opt(Schema.String),
  env: opt(Schema.Array(EnvVar)),
  ports: opt(Schema.Array(Schema.Struct({ name: opt(Schema.String), containerPort: opt(Schema.Number) }))),
  startupProbe: opt(Probe),
  livenessProbe: opt(Probe),
  readinessProbe: opt(Probe)
})
export type Container = typeof Container.Type

export const Volume = Schema.Struct({
  name: Schema.String,
  secret: opt(Schema.Struct({
    secret: Schema.String,
    items: opt(Schema.Array(Schema.Struct({
      path: opt(Schema.String),
      version: opt(Schema.String),
      mode: opt(Schema.Number)
    }))),
    defaultMode: opt(Schema.Number)
  }))
})
export type Volume = typeof Volume.Type

export const RevisionScaling = Schema.Struct({
  minInstanceCount: opt(Schema.Number),
  maxInstanceCount: opt(Schema.Number)
})

export const RevisionTemplate = Schema.Struct({
  revision: opt(Schema.String),
  labels: opt(StringMap),
  annotations: opt(StringMap),
  serviceAccount: opt(Schema.String),
  scaling: opt(RevisionScaling),
  containers: opt(Schema.Array(Container)),
  volumes: opt(Schema.Array(Volume)),
  timeout: opt(GoogleDuration)
})

/** A Cloud Run service (`GoogleCloudRunV2Service`). */
export const Service = Schema.Struct({
  name: Schema.String,
  uid: opt(Schema.String),
  generation: opt(Int64),
  observedGeneration: opt(Int64),
  labels: opt(StringMap),
  createTime: opt(Timestamp),
  updateTime: opt(Timestamp),
  ingress: opt(Schema.String),
  template: opt(RevisionTemplate),
  // Service-level scaling; `maxInstanceCount` was added after the 2024 discovery document.
  scaling: opt(Schema.Struct({
    minInstanceCount: opt(Schema.Number),
    maxInstanceCount: opt(Schema.Number),
    scalingMode: opt(Schema.String)
  })),
  traffic: opt(Schema.Array(TrafficTarget)),
  terminalCondition: opt(Condition),
  conditions: opt(Schema.Array(Condition)),
  latestReadyRevision: opt(Schema.String),
  latestCreatedRevision: opt(Schema.String),
  trafficStatuses: opt(Schema.Array(TrafficTargetStatus)),
  uri: opt(Schema.String),
  urls: opt(Schema.Array(Schema.String)),
  reconciling: opt(Schema.Boolean),
  etag: opt(Schema.String)
})
export type Service = typeof Service.Type

/** A Cloud Run revision (`GoogleCloudRunV2Revision`). */
export const Revision = Schema.Struct({
  name: Schema.String,
  service: opt(Schema.String),
  generation: opt(Int64),
  observedGeneration: opt(Int64),
  createTime: opt(Timestamp),
  conditions: opt(Schema.Array(Condition)),
  reconciling: opt(Schema.Boolean),
  serviceAccount: opt(Schema.String),
  scaling: opt(RevisionScaling),
  containers: opt(Schema.Array(Container))
})
export type Revision = typeof Revision.Type

/** A long-running operation (`GoogleLongrunningOperation`). */
export const Operation = Schema.Struct({
  name: Schema.String,
  done: opt(Schema.Boolean),
  error: opt(RpcStatus),
  metadata: opt(Schema.Unknown),
  response: opt(Schema.Unknown)
})
export type Operation = typeof Operation.Type

// ---------------------------------------------------------------------------
// Secret Manager v1
// ---------------------------------------------------------------------------

/** A secret's metadata (never its payload). */
export const Secret = Schema.Struct({
  name: Schema.String,
  createTime: opt(Timestamp),
  expireTime: opt(Timestamp),
  ttl: opt(GoogleDuration),
  labels: opt(StringMap),
  rotation: opt(Schema.Struct({
    nextRotationTime: opt(Timestamp),
    rotationPeriod: opt(GoogleDuration)
  })),
  topics: opt(Schema.Array(Schema.Struct({ name: Schema.String }))),
  versionAliases: opt(Schema.Record({ key: Schema.String, value: Int64 })),
  etag: opt(Schema.String)
})
export type Secret = typeof Secret.Type

export const SecretVersion = Schema.Struct({
  name: Schema.String,
  createTime: opt(Timestamp),
  destroyTime: opt(Timestamp),
  scheduledDestroyTime: opt(Timestamp),
  state: opt(Schema.String),
  etag: opt(Schema.String)
})
export type SecretVersion = typeof SecretVersion.Type

// ---------------------------------------------------------------------------
// Cloud Monitoring v3
// ---------------------------------------------------------------------------

export const UptimeCheckConfig = Schema.Struct({
  name: Schema.String,
  displayName: opt(Schema.String),
  monitoredResource: opt(Schema.Struct({ type: Schema.String, labels: opt(StringMap) })),
  httpCheck: opt(Schema.Struct({
    path: opt(Schema.String),
    port: opt(Schema.Number),
    useSsl: opt(Schema.Boolean),
    validateSsl: opt(Schema.Boolean),
    requestMethod: opt(Schema.String)
  })),
  tcpCheck: opt(Schema.Struct({ port: opt(Schema.Number) })),
  period: opt(GoogleDuration),
  timeout: opt(GoogleDuration),
  selectedRegions: opt(Schema.Array(Schema.String)),
  checkerType: opt(Schema.String),
  isInternal: opt(Schema.Boolean),
  // Added after the 2024 discovery document.
  disabled: opt(Schema.Boolean)
})
export type UptimeCheckConfig = typeof UptimeCheckConfig.Type

const FilterCondition = Schema.Struct({ filter: opt(Schema.String) })
const QueryCondition = Schema.Struct({ query: opt(Schema.String) })

export const AlertPolicy = Schema.Struct({
  name: Schema.String,
  displayName: opt(Schema.String),
  enabled: opt(Schema.Boolean),
  combiner: opt(Schema.String),
  severity: opt(Schema.String),
  conditions: opt(Schema.Array(Schema.Struct({
    name: opt(Schema.String),
    displayName: opt(Schema.String),
    conditionThreshold: opt(FilterCondition),
    conditionAbsent: opt(FilterCondition),
    conditionMatchedLog: opt(FilterCondition),
    conditionMonitoringQueryLanguage: opt(QueryCondition),
    conditionPrometheusQueryLanguage: opt(QueryCondition)
  }))),
  notificationChannels: opt(Schema.Array(Schema.String))
})
export type AlertPolicy = typeof AlertPolicy.Type

/**
 * A notification channel. `labels` are deliberately not decoded: they hold
 * addresses and (obfuscated) tokens that have no business in a report.
 */
export const NotificationChannel = Schema.Struct({
  name: Schema.String,
  type: opt(Schema.String),
  displayName: opt(Schema.String),
  enabled: opt(Schema.Boolean),
  verificationStatus: opt(Schema.String)
})
export type NotificationChannel = typeof NotificationChannel.Type

// ---------------------------------------------------------------------------
// Cloud Billing Budget API v1
// ---------------------------------------------------------------------------

/** A google.type.Date (budget custom periods). */
const GoogleDate = Schema.Struct({ year: opt(Schema.Number), month: opt(Schema.Number), day: opt(Schema.Number) })

export const Budget = Schema.Struct({
  name: Schema.String,
  displayName: opt(Schema.String),
  // GoogleCloudBillingBudgetsV1Filter: every field that selects or narrows the spend a budget tracks.
  budgetFilter: opt(Schema.Struct({
    projects: opt(Schema.Array(Schema.String)),
    resourceAncestors: opt(Schema.Array(Schema.String)),
    services: opt(Schema.Array(Schema.String)),
    labels: opt(Schema.Record({ key: Schema.String, value: Schema.Array(Schema.Unknown) })),
    subaccounts: opt(Schema.Array(Schema.String)),
    creditTypesTreatment: opt(Schema.String),
    creditTypes: opt(Schema.Array(Schema.String)),
    calendarPeriod: opt(Schema.String),
    customPeriod: opt(Schema.Struct({ startDate: opt(GoogleDate), endDate: opt(GoogleDate) }))
  })),
  amount: opt(Schema.Struct({
    specifiedAmount: opt(Schema.Struct({
      currencyCode: opt(Schema.String),
      units: opt(Int64),
      nanos: opt(Schema.Number)
    })),
    lastPeriodAmount: opt(Schema.Struct({}))
  })),
  thresholdRules: opt(Schema.Array(Schema.Struct({
    thresholdPercent: Schema.Number,
    spendBasis: opt(Schema.String)
  }))),
  notificationsRule: opt(Schema.Struct({
    pubsubTopic: opt(Schema.String),
    schemaVersion: opt(Schema.String),
    monitoringNotificationChannels: opt(Schema.Array(Schema.String)),
    disableDefaultIamRecipients: opt(Schema.Boolean),
    enableProjectLevelRecipients: opt(Schema.Boolean)
  })),
  ownershipScope: opt(Schema.String),
  etag: opt(Schema.String)
})
export type Budget = typeof Budget.Type

/**
 * A Resource Manager v3 project (https://cloud.google.com/resource-manager/reference/rest/v3/projects):
 * `name` is `projects/{number}`, `parent` is `folders/{id}` or `organizations/{id}`.
 */
export const Project = Schema.Struct({
  name: Schema.String,
  projectId: opt(Schema.String),
  parent: opt(Schema.String),
  state: opt(Schema.String)
})
export type Project = typeof Project.Type

/** A Resource Manager v3 folder (https://cloud.google.com/resource-manager/reference/rest/v3/folders). */
export const Folder = Schema.Struct({
  name: Schema.String,
  parent: opt(Schema.String),
  displayName: opt(Schema.String),
  state: opt(Schema.String)
})
export type Folder = typeof Folder.Type
