/**
 * Shared reads, declared as core {@link ResourceStore} kinds: every GET and
 * every paginated list goes through one per-run store, so concurrent checks
 * reading the same resource share one request, a collection already listed
 * (or being listed) answers later gets of its members, a project named by its
 * number or its id is one project, and a secret the list proved absent is not
 * asked for again.
 *
 * @internal
 */
import { ResourceStore } from "@launchgate/core"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { type GcpError, make as gcpError } from "../GcpError.js"
import { type Api, type CallOptions, decode, type Response } from "./http.js"
import * as S from "./schemas.js"

/**
 * The largest page each list accepts. Secret Manager documents 25,000 ("If the number is greater than 25000, it is
 * capped at 25000": https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets/list) and
 * Billing Budgets 100 ("The default and maximum value are 100":
 * https://cloud.google.com/billing/docs/reference/budget/rest/v1/billingAccounts.budgets/list). Cloud Run and
 * Cloud Monitoring document no maximum ("the server may further constrain" it); unverified: 1,000 is asked,
 * which AIP-158 says a server coerces to its own maximum (https://google.aip.dev/158).
 */
const UNDOCUMENTED_MAX = 1000

/** The kinds of resources the client reads. `collection: undefined`: read one by one only. */
export const kinds = {
  service: { api: "run", collection: "services", schema: S.Service, maxPage: UNDOCUMENTED_MAX },
  revision: { api: "run", collection: "revisions", schema: S.Revision, maxPage: UNDOCUMENTED_MAX },
  secret: { api: "secretManager", collection: "secrets", schema: S.Secret, maxPage: 25_000 },
  secretVersion: { api: "secretManager", collection: "versions", schema: S.SecretVersion, maxPage: 25_000 },
  uptimeCheck: {
    api: "monitoring",
    collection: "uptimeCheckConfigs",
    schema: S.UptimeCheckConfig,
    maxPage: UNDOCUMENTED_MAX
  },
  alertPolicy: { api: "monitoring", collection: "alertPolicies", schema: S.AlertPolicy, maxPage: UNDOCUMENTED_MAX },
  notificationChannel: {
    api: "monitoring",
    collection: "notificationChannels",
    schema: S.NotificationChannel,
    maxPage: UNDOCUMENTED_MAX
  },
  budget: { api: "budgets", collection: "budgets", schema: S.Budget, maxPage: 100 },
  project: { api: "resourceManager", collection: undefined, schema: S.Project, maxPage: 0 },
  folder: { api: "resourceManager", collection: undefined, schema: S.Folder, maxPage: 0 }
} as const satisfies Record<
  string,
  { api: Api; collection: string | undefined; schema: Schema.Schema<any, any>; maxPage: number }
>

export type Kind = keyof typeof kinds
export type TypeOf<K extends Kind> = Schema.Schema.Type<(typeof kinds)[K]["schema"]>
export type Fetched<A> = ResourceStore.Fetched<A>

export type Caller = (api: Api, path: string, options?: CallOptions) => Effect.Effect<Response, GcpError>

/** The last segment of a resource name. */
export const lastSegment = (name: string): string => name.slice(name.lastIndexOf("/") + 1)
/** The parent of `.../collection/id`. */
export const parentOf = (name: string): string => name.split("/").slice(0, -2).join("/")

export interface Store {
  readonly get: <K extends Kind>(kind: K, name: string) => Effect.Effect<Fetched<TypeOf<K>>, GcpError>
  readonly list: <K extends Kind>(
    kind: K,
    parent: string,
    options?: { readonly scope?: string | undefined }
  ) => Effect.Effect<Fetched<ReadonlyArray<TypeOf<K>>>, GcpError>
  /** An uncached read, for code that changes things and must see the current state. */
  readonly fresh: <K extends Kind>(kind: K, name: string) => Effect.Effect<Fetched<TypeOf<K>>, GcpError>
  /** Forget what the run read of a resource (and of the list that holds it), after a write changed it. */
  readonly invalidate: (kind: Kind, name: string) => Effect.Effect<void>
}

export interface StoreOptions {
  /** Page size asked of lists; capped at each API's documented maximum. Default: that maximum. */
  readonly pageSize?: number | undefined
  /** The project checked, by id and number: `projects/123/…` and `projects/acme/…` are one resource. */
  readonly project: string
  readonly projectNumber?: string | undefined
}

const decodeFailure = (api: Api, path: string, what: string) =>
  gcpError({
    reason: "invalid-response",
    api,
    resource: path,
    message: `unexpected list response for ${path}: ${what}`,
    remediation: "Check the base URL points at the Google API; launchgate cannot decide from this answer."
  })

const ListPage = Schema.Struct({ nextPageToken: Schema.optional(Schema.String) })

export const makeStore = (call: Caller, options: StoreOptions): Effect.Effect<Store> => {
  const fetchOne = (kind: Kind) => (name: string): Effect.Effect<Fetched<unknown>, GcpError> => {
    const spec = kinds[kind]
    return call(spec.api, name, { resource: name }).pipe(
      Effect.flatMap((res) =>
        decode(spec.schema as Schema.Schema<unknown, unknown>, res.json, { api: spec.api, url: name, resource: name })
          .pipe(Effect.map((value) => ({ value, retries: res.attempts - 1, requests: 1 })))
      )
    )
  }

  const fetchAll = (kind: Kind) => (parent: string, scope: string) => {
    const spec = kinds[kind]
    const collection = spec.collection ?? ""
    const path = `${parent}/${collection}`
    const extra = Object.fromEntries(new URLSearchParams(scope))
    const pageSize = String(Math.min(options.pageSize ?? spec.maxPage, spec.maxPage))
    const schema = spec.schema as Schema.Schema<unknown, unknown>
    return ResourceStore.paginate({
      page: (token) =>
        Effect.gen(function*() {
          const res = yield* call(spec.api, path, { resource: path, query: { ...extra, pageSize, pageToken: token } })
          const body = (res.json ?? {}) as Record<string, unknown>
          const items = body[collection] ?? []
          if (!Array.isArray(items)) return yield* decodeFailure(spec.api, path, `${collection} is not an array`)
          const next = yield* Schema.decodeUnknown(ListPage)(body).pipe(
            Effect.mapError(() => decodeFailure(spec.api, path, "nextPageToken is not a string"))
          )
          const decoded = yield* Effect.forEach(items, (item) => decode(schema, item, { api: spec.api, url: path, resource: path }))
          for (const item of decoded) learn(parent, (item as { name?: string }).name)
          return { items: decoded, next: next.nextPageToken, retries: res.attempts - 1 }
        }),
      stuck: (page) => decodeFailure(spec.api, path, `pagination did not advance (page ${page} repeated a page token)`)
    })
  }

  // Google accepts a project's id and its number in every name, and some APIs answer with the number (Secret
  // Manager): the cache keys by the id. Numbers come from the layer, and from lists of `projects/{id}/…`,
  // whose members all belong to that project.
  const ids = new Map<string, string>(options.projectNumber !== undefined ? [[options.projectNumber, options.project]] : [])
  const projectOf = (name: string) => /^projects\/([^/]+)/.exec(name)?.[1]
  const learn = (parent: string, name: string | undefined) => {
    const id = projectOf(parent)
    const number = name === undefined ? undefined : projectOf(name)
    if (id !== undefined && number !== undefined && /^\d+$/.test(number) && !/^\d+$/.test(id)) ids.set(number, id)
  }
  const normalize = (key: string) => {
    const number = projectOf(key)
    const id = number === undefined ? undefined : ids.get(number)
    return id === undefined ? key : `projects/${id}${key.slice(`projects/${number}`.length)}`
  }

  const absentSecret = (name: string) =>
    gcpError({
      reason: "not-found",
      api: "secretManager",
      resource: name,
      message: `${name} was not found (absent from the list of ${parentOf(name)}/secrets)`,
      remediation: `Check that ${name} exists and that the project and name in the gate are right.`
    })

  const kindOf = (kind: Kind): ResourceStore.Kind<unknown, GcpError> => ({
    get: fetchOne(kind),
    ...(kinds[kind].collection !== undefined
      ? { list: fetchAll(kind), keyOf: (item: unknown) => (item as { name: string }).name, parentOf }
      : {}),
    normalize,
    // The list is read once per run: a secret missing from it does not exist for this run (issue 13).
    ...(kind === "secret" ? { absent: absentSecret } : {})
  })

  const table = Object.fromEntries((Object.keys(kinds) as Array<Kind>).map((k) => [k, kindOf(k)])) as Record<
    Kind,
    ResourceStore.Kind<unknown, GcpError>
  >
  return Effect.map(ResourceStore.make(table), (store) => store as unknown as Store)
}
