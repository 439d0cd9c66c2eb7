/**
 * Shared reads: every GET and every paginated list is an Effect `Request`
 * resolved through a per-run request cache, so concurrent checks reading the
 * same resource share one request, and a collection already listed (or being
 * listed) answers later gets of its members without another request.
 *
 * @internal
 */
import { Effect, Request, RequestResolver, type Schema } from "effect"
import { GcpError } from "../GcpError.js"
import { type Api, type CallOptions, decode, type Response } from "./http.js"
import * as S from "./schemas.js"

/** The kinds of resources the client reads. */
export const kinds = {
  service: { api: "run", collection: "services", schema: S.Service },
  revision: { api: "run", collection: "revisions", schema: S.Revision },
  secret: { api: "secretManager", collection: "secrets", schema: S.Secret },
  secretVersion: { api: "secretManager", collection: "versions", schema: S.SecretVersion },
  uptimeCheck: { api: "monitoring", collection: "uptimeCheckConfigs", schema: S.UptimeCheckConfig },
  alertPolicy: { api: "monitoring", collection: "alertPolicies", schema: S.AlertPolicy },
  notificationChannel: { api: "monitoring", collection: "notificationChannels", schema: S.NotificationChannel },
  budget: { api: "budgets", collection: "budgets", schema: S.Budget }
} as const satisfies Record<string, { api: Api; collection: string; schema: Schema.Schema<any, any> }>

export type Kind = keyof typeof kinds
export type TypeOf<K extends Kind> = Schema.Schema.Type<(typeof kinds)[K]["schema"]>

/** A value read from the API, with the retries it took (for the outcome's `attempts`). */
export interface Fetched<A> {
  readonly value: A
  /** Retries across the requests behind this value (0 when every request succeeded first time). */
  readonly retries: number
  /** HTTP requests behind this value (pages of a list); 0 when served from another read. */
  readonly requests: number
}

interface GetRequest extends Request.Request<Fetched<unknown>, GcpError> {
  readonly _tag: "Get"
  readonly kind: Kind
  readonly name: string
}
const GetRequest = Request.tagged<GetRequest>("Get")

interface ListRequest extends Request.Request<Fetched<ReadonlyArray<unknown>>, GcpError> {
  readonly _tag: "List"
  readonly kind: Kind
  readonly parent: string
  /** Extra query (e.g. a budget `scope`), as `key=value`; part of the cache key. */
  readonly scope: string
}
const ListRequest = Request.tagged<ListRequest>("List")

export type Caller = (api: Api, path: string, options?: CallOptions) => Effect.Effect<Response, GcpError>

const MAX_PAGES = 1000

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
  /**
   * Forget what the run read of a resource (and of the list that holds it), after a write
   * changed it: checks that run after an active check then read the new state.
   */
  readonly invalidate: (kind: Kind, name: string) => Effect.Effect<void>
}

export const makeStore = (call: Caller, pageSize: number): Effect.Effect<Store> =>
  Effect.gen(function*() {
    // Created here, so once per client layer, i.e. once per run.
    const cache = yield* Request.makeCache({ capacity: 1_000_000, timeToLive: "1 days" })
    const listed = new Set<string>()

    const fetchOne = (kind: Kind, name: string): Effect.Effect<Fetched<unknown>, GcpError> => {
      const spec = kinds[kind]
      return call(spec.api, name, { resource: name }).pipe(
        Effect.flatMap((res) =>
          decode(spec.schema as Schema.Schema<unknown, unknown>, res.json, { api: spec.api, url: name, resource: name })
            .pipe(Effect.map((value) => ({ value, retries: res.attempts - 1, requests: 1 })))
        )
      )
    }

    const fetchAll = (kind: Kind, parent: string, scope: string): Effect.Effect<Fetched<ReadonlyArray<unknown>>, GcpError> =>
      Effect.gen(function*() {
        const spec = kinds[kind]
        const path = `${parent}/${spec.collection}`
        const extra = scope === "" ? {} : Object.fromEntries(new URLSearchParams(scope))
        const items: Array<unknown> = []
        const seen = new Set<string>()
        let token: string | undefined
        let retries = 0
        let requests = 0
        do {
          const res = yield* call(spec.api, path, {
            resource: path,
            query: { ...extra, pageSize: String(pageSize), pageToken: token }
          })
          requests++
          retries += res.attempts - 1
          const body = (res.json ?? {}) as Record<string, unknown>
          const page = body[spec.collection] ?? []
          if (!Array.isArray(page)) {
            return yield* decodeFailure(spec.api, path, `${spec.collection} is not an array`)
          }
          for (const item of page) {
            items.push(yield* decode(spec.schema as Schema.Schema<unknown, unknown>, item, { api: spec.api, url: path, resource: path }))
          }
          const next = body["nextPageToken"]
          if (next !== undefined && typeof next !== "string") {
            return yield* decodeFailure(spec.api, path, "nextPageToken is not a string")
          }
          token = next === "" ? undefined : next
          if (token !== undefined) {
            if (seen.has(token) || requests >= MAX_PAGES) {
              return yield* decodeFailure(spec.api, path, `pagination did not advance (page ${requests} repeated a page token)`)
            }
            seen.add(token)
          }
        } while (token !== undefined)
        return { value: items, retries, requests }
      })

    const getResolver = RequestResolver.fromEffect((req: GetRequest) => fetchOne(req.kind, req.name))
    const listResolver = RequestResolver.fromEffect((req: ListRequest) => fetchAll(req.kind, req.parent, req.scope))

    const cached = <A>(effect: Effect.Effect<A, GcpError>) =>
      effect.pipe(Effect.withRequestCaching(true), Effect.withRequestCache(cache))

    const list = <K extends Kind>(kind: K, parent: string, options: { readonly scope?: string | undefined } = {}) => {
      const scope = options.scope ?? ""
      return Effect.suspend(() => {
        // Mark before the request starts, so gets issued while it is in flight wait for it.
        if (scope === "") listed.add(`${kind} ${parent}`)
        return cached(Effect.request(ListRequest({ kind, parent, scope }), listResolver))
      }) as Effect.Effect<Fetched<ReadonlyArray<TypeOf<K>>>, GcpError>
    }

    const get = <K extends Kind>(kind: K, name: string) =>
      Effect.suspend(() => {
        const parent = parentOf(name)
        const direct = cached(Effect.request(GetRequest({ kind, name }), getResolver))
        if (!listed.has(`${kind} ${parent}`)) return direct
        const id = lastSegment(name)
        return list(kind, parent).pipe(
          Effect.map((l) => l.value.find((item) => lastSegment((item as { name: string }).name) === id)),
          // A member missing from the list may be newer than the list: ask for it directly.
          Effect.flatMap((hit) => hit === undefined ? direct : Effect.succeed({ value: hit, retries: 0, requests: 0 }))
        )
      }) as Effect.Effect<Fetched<TypeOf<K>>, GcpError>

    const fresh = <K extends Kind>(kind: K, name: string) =>
      fetchOne(kind, name) as Effect.Effect<Fetched<TypeOf<K>>, GcpError>

    const invalidate = (kind: Kind, name: string) =>
      Effect.gen(function*() {
        const parent = parentOf(name)
        listed.delete(`${kind} ${parent}`)
        yield* cache.invalidate(GetRequest({ kind, name }))
        yield* cache.invalidate(ListRequest({ kind, parent, scope: "" }))
      })

    return { get, list, fresh, invalidate }
  })

const decodeFailure = (api: Api, path: string, what: string) =>
  Effect.fail(
    new GcpError({
      reason: "Decode",
      api,
      resource: path,
      message: `unexpected list response for ${path}: ${what}`,
      remediation: "Check the base URL points at the Google API; launchgate cannot decide from this answer."
    })
  )
