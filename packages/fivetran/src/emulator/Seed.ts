/**
 * Builders for emulator state: realistic defaults, camelCase options, the
 * API's field names out. {@link seedRealisticAccount} seeds a data SaaS's
 * production account with a few real problems.
 *
 * @example
 * await FivetranEmulator.start({
 *   seed: (state) => {
 *     state.addConnection(connection({ id: "crm", service: "salesforce", setupState: "broken" }))
 *   }
 * })
 *
 * @since 0.1.0
 */
import type {
  ConditionData,
  ConnectionSeed,
  DestinationData,
  GroupData,
  SchemaConfigData,
  SetupTestData,
  State,
  WebhookSeed
} from "./State.js"

/** The group (and destination) id builders use unless told otherwise. */
export const DEFAULT_GROUP_ID = "main_warehouse"

let counter = 0
const nextId = (prefix: string) => `${prefix}_${(++counter).toString(36).padStart(3, "0")}`

const MINUTE = 60_000
const iso = (value: Date | string | number): string => new Date(value).toISOString()
const isoOrNull = (value: Date | string | null | undefined, fallback: string | null): string | null =>
  value === undefined ? fallback : value === null ? null : iso(value)

/** A setup test result. */
export const setupTest = (title: string, status: string, message?: string): SetupTestData => ({
  title,
  status,
  ...(message !== undefined ? { message } : {})
})

const passingTests = (): Array<SetupTestData> => [
  setupTest("Validate Login", "PASSED"),
  setupTest("Connecting to source", "PASSED"),
  setupTest("Validate Permissions", "PASSED")
]

/** Options of {@link connection}. Every field has a realistic default. */
export interface ConnectionOptions {
  readonly id?: string | undefined
  readonly groupId?: string | undefined
  /** Connector type, e.g. `postgres`, `salesforce`, `stripe`. Default `postgres`. */
  readonly service?: string | undefined
  /** The connection's name (and destination schema). Default `<service>_<n>`. */
  readonly schema?: string | undefined
  /** `connected` (default), `broken`, `incomplete`, or any string to test unknown values. */
  readonly setupState?: string | undefined
  readonly syncState?: string | undefined
  /** `on_schedule` (default) or `delayed`. */
  readonly updateState?: string | undefined
  readonly isHistoricalSync?: boolean | undefined
  readonly paused?: boolean | undefined
  readonly pauseAfterTrial?: boolean | undefined
  /** `auto` (default) or `manual`. */
  readonly scheduleType?: string | undefined
  /** Minutes. Default 360. */
  readonly syncFrequency?: number | undefined
  /** Default `NORMAL`. */
  readonly dataDelaySensitivity?: string | undefined
  readonly dataDelayThreshold?: number | undefined
  /** The instant the defaults are relative to. Default: now. */
  readonly now?: Date | undefined
  /** Default 30 minutes before `now` (`null`: never succeeded). */
  readonly succeededAt?: Date | string | null | undefined
  /** Default none; for `broken`, 10 minutes before `now`. */
  readonly failedAt?: Date | string | null | undefined
  readonly tasks?: ReadonlyArray<ConditionData> | undefined
  readonly warnings?: ReadonlyArray<ConditionData> | undefined
  readonly setupTests?: ReadonlyArray<SetupTestData> | undefined
  /** What a `POST …/test` run reports. Default: `setupTests`. */
  readonly setupTestsOnRun?: ReadonlyArray<SetupTestData> | undefined
  /** `ALLOW_ALL` (Fivetran's default), `ALLOW_COLUMNS` or `BLOCK_ALL`. */
  readonly schemaChangeHandling?: string | undefined
  readonly config?: Record<string, unknown> | undefined
  readonly createdAt?: Date | string | undefined
}

/**
 * A connection. Broken connections come with a failing login test and a
 * reconnect task; incomplete ones with no passing test.
 *
 * @example
 * connection({ id: "billing_db", service: "postgres", setupState: "broken" })
 */
export const connection = (options: ConnectionOptions = {}): ConnectionSeed => {
  const now = (options.now ?? new Date()).getTime()
  const id = options.id ?? nextId("connection")
  const service = options.service ?? "postgres"
  const setupState = options.setupState ?? "connected"
  const broken = setupState === "broken"
  const defaultTests = broken
    ? [
      setupTest("Validate Login", "FAILED", "Invalid credentials: the password was rejected by the source"),
      setupTest("Connecting to source", "PASSED")
    ]
    : setupState === "incomplete"
    ? [setupTest("Validate Login", "SKIPPED", "Setup form is incomplete")]
    : passingTests()
  const defaultTasks: Array<ConditionData> = broken
    ? [{
      code: "reconnect",
      message: "Reconnect",
      details: "The source rejected the saved credentials. Reconnect the connection."
    }]
    : []
  const paused = options.paused ?? false
  return {
    data: {
      id,
      group_id: options.groupId ?? DEFAULT_GROUP_ID,
      service,
      service_version: 1,
      schema: options.schema ?? `${service}_${id.split("_").pop()}`,
      connected_by: "operator_admin",
      created_at: iso(options.createdAt ?? now - 90 * 24 * 60 * MINUTE),
      succeeded_at: isoOrNull(options.succeededAt, iso(now - 30 * MINUTE)),
      failed_at: isoOrNull(options.failedAt, broken ? iso(now - 10 * MINUTE) : null),
      paused,
      pause_after_trial: options.pauseAfterTrial ?? false,
      sync_frequency: options.syncFrequency ?? 360,
      data_delay_sensitivity: options.dataDelaySensitivity ?? "NORMAL",
      data_delay_threshold: options.dataDelayThreshold ?? 0,
      schedule_type: options.scheduleType ?? "auto",
      status: {
        setup_state: setupState,
        sync_state: options.syncState ?? (paused ? "paused" : "scheduled"),
        update_state: options.updateState ?? "on_schedule",
        is_historical_sync: options.isHistoricalSync ?? false,
        tasks: [...(options.tasks ?? defaultTasks)],
        warnings: [...(options.warnings ?? [])]
      },
      setup_tests: [...(options.setupTests ?? defaultTests)],
      config: { ...(options.config ?? {}) }
    },
    schemaConfig: schemaConfig(options.schemaChangeHandling ?? "ALLOW_ALL"),
    ...(options.setupTestsOnRun !== undefined ? { setupTestsOnRun: [...options.setupTestsOnRun] } : {})
  }
}

/** A small schema config (one schema, one table) with the given policy. */
export const schemaConfig = (schemaChangeHandling: string): SchemaConfigData => ({
  enable_new_by_default: schemaChangeHandling !== "BLOCK_ALL",
  schema_change_handling: schemaChangeHandling,
  schemas: {
    public: {
      name_in_destination: "public",
      enabled: true,
      tables: {
        accounts: {
          name_in_destination: "accounts",
          enabled: true,
          sync_mode: "SOFT_DELETE",
          supports_columns_config: true,
          supports_history_mode: true,
          enabled_patch_settings: { allowed: true },
          columns: {
            id: {
              name_in_destination: "id",
              enabled: true,
              hashed: false,
              is_primary_key: true,
              enabled_patch_settings: { allowed: false }
            },
            email: {
              name_in_destination: "email",
              enabled: true,
              hashed: true,
              enabled_patch_settings: { allowed: true }
            }
          }
        }
      }
    }
  }
})

/** Options of {@link destination}. */
export interface DestinationOptions {
  /** The destination id, which is its group's id. Default {@link DEFAULT_GROUP_ID}. */
  readonly id?: string | undefined
  /** Default `snowflake`. */
  readonly service?: string | undefined
  /** Default `AWS_US_EAST_1`. */
  readonly region?: string | undefined
  /** Served as given: `connected` (default, as the live API sends), `CONNECTED`, `broken`, `incomplete`, … */
  readonly setupStatus?: string | undefined
  readonly timeZoneOffset?: string | undefined
  readonly setupTests?: ReadonlyArray<SetupTestData> | undefined
}

/** A destination (a Snowflake warehouse by default). */
export const destination = (options: DestinationOptions = {}): DestinationData => {
  const id = options.id ?? DEFAULT_GROUP_ID
  const status = options.setupStatus ?? "connected"
  return {
    id,
    group_id: id,
    service: options.service ?? "snowflake",
    region: options.region ?? "AWS_US_EAST_1",
    time_zone_offset: options.timeZoneOffset ?? "0",
    setup_status: status,
    daylight_saving_time_enabled: false,
    networking_method: "Directly",
    setup_tests: [
      ...(options.setupTests ??
        (status.toLowerCase() === "connected"
          ? [
            setupTest("Host Connection", "PASSED"),
            setupTest("Database Connection", "PASSED"),
            setupTest("Permission Test", "PASSED")
          ]
          : [
            setupTest("Host Connection", "PASSED"),
            setupTest("Permission Test", "FAILED", "The Fivetran role cannot create schemas in database ANALYTICS")
          ]))
    ],
    config: {
      host: "acme-analytics.snowflakecomputing.com",
      port: 443,
      database: "ANALYTICS",
      auth: "PASSWORD",
      user: "FIVETRAN_USER",
      password: "******"
    }
  }
}

/** A group. */
export const group = (
  options: { readonly id?: string; readonly name?: string; readonly createdAt?: Date | string } = {}
): GroupData => {
  const id = options.id ?? DEFAULT_GROUP_ID
  return { id, name: options.name ?? id, created_at: iso(options.createdAt ?? "2025-01-15T09:00:00Z") }
}

/** Options of {@link webhook}. */
export interface WebhookOptions {
  readonly id?: string | undefined
  /** `account` (default) or `group` (give `groupId`). */
  readonly type?: string | undefined
  readonly groupId?: string | undefined
  readonly url?: string | undefined
  /** Default `sync_start`, `sync_end`, `connection_failure`. */
  readonly events?: ReadonlyArray<string> | undefined
  readonly active?: boolean | undefined
  /** The signing secret; `null` for an unsigned webhook. Default `emulator_webhook_secret`. */
  readonly secret?: string | null | undefined
  /** Report this from `POST …/test` instead of delivering for real. */
  readonly testResult?: { succeed: boolean; status: number; message: string } | undefined
}

/** A webhook (an active, signed account webhook by default). */
export const webhook = (options: WebhookOptions = {}): WebhookSeed => {
  const type = options.type ?? (options.groupId !== undefined ? "group" : "account")
  const secret = options.secret === undefined ? "emulator_webhook_secret" : options.secret
  return {
    data: {
      id: options.id ?? nextId("webhook"),
      type,
      ...(options.groupId !== undefined ? { group_id: options.groupId } : {}),
      url: options.url ?? "https://hooks.example.com/fivetran",
      events: [...(options.events ?? ["sync_start", "sync_end", "connection_failure"])],
      active: options.active ?? true,
      created_at: "2025-02-01T10:30:00.000Z",
      created_by: "operator_admin"
    },
    ...(secret !== null ? { secret } : {}),
    ...(options.testResult !== undefined ? { testResult: options.testResult } : {})
  }
}

/** The ids of what {@link seedRealisticAccount} seeded. */
export interface RealisticAccount {
  /** The production group, which is also the destination id. */
  readonly groupId: string
  readonly stagingGroupId: string
  readonly destinationId: string
  /** Healthy production connections. */
  readonly healthy: ReadonlyArray<string>
  /** Production connections with a real problem, by problem. */
  readonly problems: {
    /** setup_state broken: a failed login test and a reconnect task. */
    readonly broken: string
    /** Last success 20 h ago on a 6 h schedule, a failure since, update_state delayed. */
    readonly stale: string
    /** Paused, manual schedule, pause_after_trial. */
    readonly paused: string
    /** Historical sync still running. */
    readonly historicalSync: string
    /** Connected and fresh, but ALLOW_ALL schema changes and a warning. */
    readonly allowAll: string
  }
  /** The product's account webhook. */
  readonly webhook: { readonly id: string; readonly url: string; readonly secret: string }
  /** Every production connection id. */
  readonly connections: ReadonlyArray<string>
}

/**
 * Seed a data SaaS's account: a production group on Snowflake (AWS us-east-1)
 * with eight connections (three healthy, five with one real problem each,
 * see {@link RealisticAccount}), a staging group
 * whose destination is incomplete, a signed account webhook for the product's
 * receiver, and an insecure, inactive staging webhook.
 *
 * @example
 * const running = await FivetranEmulator.start({ seed: (s) => void seedRealisticAccount(s, { now }) })
 */
export const seedRealisticAccount = (state: State, options: { readonly now?: Date } = {}): RealisticAccount => {
  const now = options.now ?? new Date()
  const ago = (minutes: number) => new Date(now.getTime() - minutes * MINUTE)
  const groupId = "acme_production"
  const stagingGroupId = "acme_staging"
  state.addGroup(group({ id: groupId, name: "Acme production warehouse", createdAt: "2025-01-15T09:00:00Z" }))
  state.addGroup(group({ id: stagingGroupId, name: "Acme staging warehouse", createdAt: "2025-03-02T14:00:00Z" }))
  state.addDestination(destination({ id: groupId, region: "AWS_US_EAST_1" }))
  state.addDestination(destination({ id: stagingGroupId, region: "AWS_US_EAST_1", setupStatus: "incomplete" }))

  const prod = (o: ConnectionOptions) => state.addConnection(connection({ groupId, now, ...o })).data.id
  const healthy = [
    prod({
      id: "app_postgres",
      service: "postgres",
      schema: "app_db",
      syncFrequency: 15,
      succeededAt: ago(7),
      schemaChangeHandling: "BLOCK_ALL",
      dataDelaySensitivity: "HIGH"
    }),
    prod({
      id: "billing_stripe",
      service: "stripe",
      schema: "stripe",
      syncFrequency: 60,
      succeededAt: ago(25),
      schemaChangeHandling: "ALLOW_COLUMNS"
    }),
    prod({
      id: "crm_salesforce",
      service: "salesforce",
      schema: "salesforce",
      syncFrequency: 360,
      succeededAt: ago(95),
      schemaChangeHandling: "ALLOW_COLUMNS"
    })
  ]
  const problems = {
    broken: prod({
      id: "support_zendesk",
      service: "zendesk",
      schema: "zendesk",
      setupState: "broken",
      syncFrequency: 60,
      succeededAt: ago(26 * 60),
      failedAt: ago(20),
      schemaChangeHandling: "BLOCK_ALL"
    }),
    stale: prod({
      id: "marketing_hubspot",
      service: "hubspot",
      schema: "hubspot",
      syncFrequency: 360,
      succeededAt: ago(20 * 60),
      failedAt: ago(3 * 60),
      updateState: "delayed",
      schemaChangeHandling: "ALLOW_COLUMNS"
    }),
    paused: prod({
      id: "finance_sheets",
      service: "google_sheets",
      schema: "finance_forecast",
      paused: true,
      scheduleType: "manual",
      pauseAfterTrial: true,
      syncFrequency: 1440,
      succeededAt: ago(9 * 24 * 60),
      schemaChangeHandling: "BLOCK_ALL"
    }),
    historicalSync: prod({
      id: "events_s3",
      service: "s3",
      schema: "product_events",
      isHistoricalSync: true,
      syncState: "syncing",
      syncFrequency: 60,
      succeededAt: null,
      schemaChangeHandling: "BLOCK_ALL"
    }),
    allowAll: prod({
      id: "ads_facebook",
      service: "facebook_ads",
      schema: "facebook_ads",
      syncFrequency: 720,
      succeededAt: ago(4 * 60),
      schemaChangeHandling: "ALLOW_ALL",
      warnings: [{
        code: "resync_table_warning",
        message: "Resync Table Warning",
        details: "Table ads_insights needs a re-sync to pick up a changed column type."
      }]
    })
  }
  state.addConnection(connection({
    id: "staging_postgres",
    groupId: stagingGroupId,
    service: "postgres",
    schema: "app_db",
    setupState: "incomplete",
    succeededAt: null,
    now
  }))

  const secret = "acme_webhook_signing_secret"
  const url = "https://api.acme-analytics.example/webhooks/fivetran"
  const account = state.addWebhook(webhook({
    id: "acme_account_hook",
    url,
    events: ["sync_start", "sync_end", "connection_successful", "connection_failure"],
    secret
  }))
  state.addWebhook(webhook({
    id: "acme_staging_hook",
    type: "group",
    groupId: stagingGroupId,
    url: "http://staging.acme-analytics.example/webhooks/fivetran",
    events: ["sync_end"],
    active: false,
    secret: null
  }))
  return {
    groupId,
    stagingGroupId,
    destinationId: groupId,
    healthy,
    problems,
    webhook: { id: account.data.id, url, secret },
    connections: [...healthy, ...Object.values(problems)]
  }
}
