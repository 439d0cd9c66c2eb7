/**
 * Schemas of the Fivetran REST API v1 responses the checks read, written from
 * Fivetran's published OpenAPI document (not generated from it). Only the
 * fields the checks use are decoded; the rest is ignored. Enums Fivetran
 * extends are decoded "open": an unknown value decodes to {@link UnknownValue}
 * so the check reading it can report `error` naming the value.
 *
 * @internal
 */
import * as Data from "effect/Data"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/** A value of an extensible Fivetran enum that this package does not know. */
export class UnknownValue extends Data.TaggedClass("UnknownValue")<{ readonly value: string }> {}

/** A known literal, or an {@link UnknownValue}. */
export type Open<L extends string> = L | UnknownValue

export const isUnknown = (u: unknown): u is UnknownValue => u instanceof UnknownValue

/** The raw text of an open-enum value (for messages and evidence). */
export const raw = (value: Open<string> | undefined): string | undefined =>
  value === undefined ? undefined : isUnknown(value) ? value.value : value

/**
 * An extensible string enum. With `caseInsensitive`, `CONNECTED` and
 * `connected` both decode to the literal as written in `literals` (the
 * destination `setup_status` is documented uppercase and served lowercase).
 */
export const openEnum = <const L extends string>(
  literals: ReadonlyArray<L>,
  options: { readonly caseInsensitive?: boolean } = {}
): Schema.Schema<Open<L>, string> => {
  const To = Schema.declare(
    (u): u is Open<L> => isUnknown(u) || (typeof u === "string" && (literals as ReadonlyArray<string>).includes(u))
  )
  return Schema.transformOrFail(Schema.String, To, {
    strict: true,
    decode: (s) => {
      const found = literals.find((l) => (options.caseInsensitive ? l.toLowerCase() === s.toLowerCase() : l === s))
      return ParseResult.succeed(found ?? new UnknownValue({ value: s }))
    },
    encode: (v) => ParseResult.succeed(isUnknown(v) ? v.value : v)
  })
}

/** Optional field that Fivetran may also send as `null`. */
const opt = <A, I>(schema: Schema.Schema<A, I>) => Schema.optionalWith(schema, { nullable: true })
/** Optional array that defaults to empty (absent or `null`). */
const list = <A, I>(schema: Schema.Schema<A, I>) =>
  Schema.optionalWith(Schema.Array(schema), { nullable: true, default: () => [] })

export const SETUP_STATES = ["connected", "broken", "incomplete"] as const
export const SYNC_STATES = ["scheduled", "syncing", "paused", "rescheduled"] as const
export const UPDATE_STATES = ["on_schedule", "delayed"] as const
export const SCHEDULE_TYPES = ["auto", "manual"] as const
export const DATA_DELAY_SENSITIVITIES = ["LOW", "NORMAL", "HIGH", "CUSTOM", "SYNC_FREQUENCY"] as const
export const SETUP_TEST_STATUSES = ["PASSED", "SKIPPED", "WARNING", "FAILED", "JOB_FAILED"] as const
export const SCHEMA_CHANGE_HANDLINGS = ["ALLOW_ALL", "ALLOW_COLUMNS", "BLOCK_ALL"] as const
export const DESTINATION_SETUP_STATUSES = ["connected", "incomplete", "broken"] as const

export type SetupState = (typeof SETUP_STATES)[number]
export type ScheduleType = (typeof SCHEDULE_TYPES)[number]
export type DataDelaySensitivity = (typeof DATA_DELAY_SENSITIVITIES)[number]
export type SchemaChangeHandling = (typeof SCHEMA_CHANGE_HANDLINGS)[number]
export type SetupTestStatus = (typeof SETUP_TEST_STATUSES)[number]

/** A task (needs action, blocks syncs) or a warning on a connection. */
export const Condition = Schema.Struct({
  code: opt(Schema.String),
  message: opt(Schema.String),
  details: opt(Schema.Unknown)
})
export type Condition = typeof Condition.Type

export const SetupTest = Schema.Struct({
  title: Schema.String,
  status: openEnum(SETUP_TEST_STATUSES),
  message: opt(Schema.String),
  details: opt(Schema.Unknown)
})
export type SetupTest = typeof SetupTest.Type

export const ConnectionStatus = Schema.Struct({
  setup_state: openEnum(SETUP_STATES),
  sync_state: openEnum(SYNC_STATES),
  update_state: openEnum(UPDATE_STATES),
  is_historical_sync: Schema.Boolean,
  tasks: list(Condition),
  warnings: list(Condition),
  rescheduled_for: opt(Schema.String)
})

/** `GET /v1/connections/{id}` data (and the data of `POST …/test`). */
export const ConnectionDetails = Schema.Struct({
  id: Schema.String,
  group_id: Schema.String,
  service: Schema.String,
  schema: Schema.String,
  paused: Schema.Boolean,
  pause_after_trial: Schema.Boolean,
  schedule_type: openEnum(SCHEDULE_TYPES),
  sync_frequency: Schema.Number,
  data_delay_sensitivity: opt(openEnum(DATA_DELAY_SENSITIVITIES)),
  data_delay_threshold: opt(Schema.Number),
  succeeded_at: opt(Schema.Date),
  failed_at: opt(Schema.Date),
  created_at: opt(Schema.String),
  status: ConnectionStatus,
  setup_tests: list(SetupTest)
})
export type ConnectionDetails = typeof ConnectionDetails.Type

/** An item of `GET /v1/connections`: only what listing needs. */
export const ConnectionSummary = Schema.Struct({
  id: Schema.String,
  group_id: Schema.String,
  service: Schema.String,
  schema: Schema.String,
  paused: opt(Schema.Boolean)
})
export type ConnectionSummary = typeof ConnectionSummary.Type

/** `GET /v1/connections/{id}/schemas` data: the policy, not the table tree. */
export const SchemaConfig = Schema.Struct({
  schema_change_handling: openEnum(SCHEMA_CHANGE_HANDLINGS),
  enable_new_by_default: opt(Schema.Boolean),
  schemas: opt(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})
export type SchemaConfig = typeof SchemaConfig.Type

/** `GET /v1/destinations/{id}` data. */
export const DestinationDetails = Schema.Struct({
  id: Schema.String,
  group_id: Schema.String,
  service: Schema.String,
  region: Schema.String,
  time_zone_offset: opt(Schema.String),
  setup_status: openEnum(DESTINATION_SETUP_STATUSES, { caseInsensitive: true }),
  setup_tests: list(SetupTest)
})
export type DestinationDetails = typeof DestinationDetails.Type

/** `GET /v1/groups/{id}` data. */
export const GroupDetails = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  created_at: opt(Schema.String)
})
export type GroupDetails = typeof GroupDetails.Type

/** An item of `GET /v1/webhooks`. The secret is always masked by Fivetran. */
export const WebhookDetails = Schema.Struct({
  id: Schema.String,
  type: openEnum(["account", "group"] as const),
  url: Schema.String,
  events: Schema.Array(Schema.String),
  active: Schema.Boolean,
  secret: opt(Schema.String),
  group_id: opt(Schema.String),
  created_at: opt(Schema.String),
  created_by: opt(Schema.String)
})
export type WebhookDetails = typeof WebhookDetails.Type

/** `POST /v1/webhooks/{id}/test` data. */
export const WebhookTestResult = Schema.Struct({
  succeed: Schema.Boolean,
  status: Schema.Number,
  message: opt(Schema.String)
})
export type WebhookTestResult = typeof WebhookTestResult.Type

/** The success envelope `{ code, message, data }`. */
export const Envelope = <A, I>(data: Schema.Schema<A, I>) =>
  Schema.Struct({ code: Schema.String, message: opt(Schema.String), data })

/** The data of a paginated list. */
export const Page = <A, I>(item: Schema.Schema<A, I>) =>
  Schema.Struct({ items: Schema.Array(item), next_cursor: opt(Schema.String) })

/** An error body `{ code, message }` (decoded leniently: error bodies are mostly undocumented). */
export const ErrorBody = Schema.Struct({ code: opt(Schema.String), message: opt(Schema.String) })
