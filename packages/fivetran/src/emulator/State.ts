/**
 * The emulator's state: what the emulated Fivetran account holds, in the
 * API's own field names, so what is seeded is what is served. Change it
 * while the emulator runs (`running.state.connection(id).paused = true`).
 *
 * @since 0.1.0
 */

/** A task or warning on a connection. */
export interface ConditionData {
  code: string
  message: string
  details?: string | undefined
}

/** A setup test result. */
export interface SetupTestData {
  title: string
  /** `PASSED`, `SKIPPED`, `WARNING`, `FAILED`, `JOB_FAILED` (or anything, to test unknown values). */
  status: string
  message?: string | undefined
}

/** A connection, as `GET /v1/connections/{id}` serves it. */
export interface ConnectionData {
  id: string
  group_id: string
  service: string
  service_version: number
  schema: string
  connected_by: string
  created_at: string
  succeeded_at: string | null
  failed_at: string | null
  paused: boolean
  pause_after_trial: boolean
  sync_frequency: number
  data_delay_sensitivity: string
  data_delay_threshold: number
  schedule_type: string
  status: {
    setup_state: string
    sync_state: string
    update_state: string
    is_historical_sync: boolean
    tasks: Array<ConditionData>
    warnings: Array<ConditionData>
    rescheduled_for?: string | undefined
  }
  setup_tests: Array<SetupTestData>
  config: Record<string, unknown>
}

/** A column of a schema config. */
export interface ColumnConfigData {
  name_in_destination: string
  enabled: boolean
  hashed: boolean
  is_primary_key?: boolean | undefined
  enabled_patch_settings: { allowed: boolean }
}

/** A table of a schema config. */
export interface TableConfigData {
  name_in_destination: string
  enabled: boolean
  sync_mode?: string | undefined
  supports_columns_config: boolean
  supports_history_mode: boolean
  enabled_patch_settings: { allowed: boolean }
  columns: Record<string, ColumnConfigData>
}

/** A connection's schema config, as `GET /v1/connections/{id}/schemas` serves it. */
export interface SchemaConfigData {
  enable_new_by_default: boolean
  schema_change_handling: string
  schemas: Record<string, { name_in_destination: string; enabled: boolean; tables: Record<string, TableConfigData> }>
}

/** A connection with what only the emulator knows. */
export interface ConnectionSeed {
  data: ConnectionData
  schemaConfig: SchemaConfigData
  /** What `POST /v1/connections/{id}/test` reports (default: the current `setup_tests`). */
  setupTestsOnRun?: Array<SetupTestData> | undefined
}

/** A group. */
export interface GroupData {
  id: string
  name: string
  created_at: string
}

/** A destination, as `GET /v1/destinations/{id}` serves it. */
export interface DestinationData {
  id: string
  group_id: string
  service: string
  region: string
  time_zone_offset: string
  /** Served as given; the live API sends lower-case (`connected`), the spec documents upper-case. */
  setup_status: string
  daylight_saving_time_enabled: boolean
  networking_method: string
  setup_tests: Array<SetupTestData>
  config: Record<string, unknown>
}

/** A webhook as served (the secret is served masked, never as set). */
export interface WebhookData {
  id: string
  type: string
  group_id?: string | undefined
  url: string
  events: Array<string>
  active: boolean
  created_at: string
  created_by: string
}

/** A webhook with what only the emulator knows. */
export interface WebhookSeed {
  data: WebhookData
  /** Signs test deliveries; served as `******`. */
  secret?: string | undefined
  /** What `POST /v1/webhooks/{id}/test` reports, instead of really delivering. */
  testResult?: { succeed: boolean; status: number; message: string } | undefined
}

/** The emulated account. */
export class State {
  /** The one valid key pair; anything else is 401. */
  credentials = { apiKey: "emulator_api_key", apiSecret: "emulator_api_secret" }
  /**
   * Requests allowed per rolling window before 429 with `Retry-After`.
   * Fivetran's documented quota is 20,000 per hour for paid accounts.
   */
  rateLimit = { limit: 20_000, windowMs: 3_600_000 }
  readonly groups = new Map<string, GroupData>()
  readonly connections = new Map<string, ConnectionSeed>()
  readonly destinations = new Map<string, DestinationData>()
  readonly webhooks = new Map<string, WebhookSeed>()
  /** @internal Arrival times inside the rate window. */
  readonly requestTimes: Array<number> = []

  addGroup(group: GroupData): GroupData {
    this.groups.set(group.id, group)
    return group
  }

  /** Add a connection (its group is created when missing). */
  addConnection(seed: ConnectionSeed): ConnectionSeed {
    if (!this.groups.has(seed.data.group_id)) {
      this.addGroup({ id: seed.data.group_id, name: seed.data.group_id, created_at: seed.data.created_at })
    }
    this.connections.set(seed.data.id, seed)
    return seed
  }

  /** Add a destination (its group is created when missing). */
  addDestination(destination: DestinationData): DestinationData {
    if (!this.groups.has(destination.group_id)) {
      this.addGroup({ id: destination.group_id, name: destination.group_id, created_at: "2025-01-15T09:00:00.000Z" })
    }
    this.destinations.set(destination.id, destination)
    return destination
  }

  addWebhook(seed: WebhookSeed): WebhookSeed {
    this.webhooks.set(seed.data.id, seed)
    return seed
  }

  /** A connection's served data, to change it while running. Throws when missing. */
  connection(id: string): ConnectionData {
    const seed = this.connections.get(id)
    if (!seed) throw new Error(`no connection ${JSON.stringify(id)} in the emulator state`)
    return seed.data
  }
}
