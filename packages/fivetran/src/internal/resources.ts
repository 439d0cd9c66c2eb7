/**
 * Fivetran's reads as {@link ResourceStore} kinds: one table drives the
 * per-run cache, de-duplication and list-answers-get. A group's connection
 * list carries every field the connection rules read (the list item schema
 * `ConnectorResponse` has `status`, `setup_tests`, `succeeded_at`, `failed_at`,
 * `sync_frequency`, … like the details), so once a group is listed, gets of
 * its members cost nothing; only an item the list could not decode in full is
 * fetched on its own.
 *
 * @internal
 */
import { ResourceStore } from "@launchgate/core"
import { Deferred, Effect, FiberId, Option, Schema } from "effect"
import type { FivetranError } from "../FivetranError.js"
import { type Caller, fivetranError, type Operation, type Read, type ReadMeta } from "./http.js"
import * as Api from "./schema.js"

/** `Accept` for the operations the spec defaults to version 2 (connections, destinations). */
export const ACCEPT_V2 = "application/json;version=2"
export const ACCEPT_V1 = "application/json"

/** An item of a group's connection list: what every item has, and the full details when the item carries them. */
export interface Member {
  readonly summary: Api.ConnectionSummary
  readonly details: Api.ConnectionDetails | undefined
}

type Kind<A> = ResourceStore.Kind<A, FivetranError>

/** The kinds of resource the checks read. */
export type FivetranKinds = {
  /** `GET /v1/connections/{id}`; the group list (below) answers gets of its complete members. */
  readonly connection: Kind<Api.ConnectionDetails>
  /** Every page of `GET /v1/connections?group_id=…` (parent: the group id). */
  readonly groupMember: Kind<Member>
  /** `GET /v1/connections/{id}/schemas`. */
  readonly schemas: Kind<Api.SchemaConfig>
  readonly group: Kind<Api.GroupDetails>
  readonly destination: Kind<Api.DestinationDetails>
  /** Every page of `GET /v1/webhooks` (account and group webhooks; parent `""`). */
  readonly webhook: Kind<Api.WebhookDetails>
}

/** What a store answer carries: the Fivetran meta when a request was made. */
type Sent<A> = ResourceStore.Fetched<A> & { readonly meta: ReadMeta }

const sent = <A>(read: Read<A>): Sent<A> => ({
  value: read.value,
  requests: read.meta.requests,
  retries: read.meta.attempts - read.meta.requests,
  meta: read.meta
})

const hasMeta = <A>(f: ResourceStore.Fetched<A>): f is Sent<A> => "meta" in f

/** A store answer as a {@link Read}; a get answered by a list cost no request. */
export const toRead = <A>(f: ResourceStore.Fetched<A>): Read<A> => ({
  value: f.value,
  meta: hasMeta(f) ? f.meta : { requests: f.requests, attempts: f.requests + f.retries }
})

const enc = encodeURIComponent

/** The per-run store of a client. `pageSize` is the `limit` of every list page. */
export const make = (call: Caller, pageSize: number): Effect.Effect<ResourceStore.Store<FivetranKinds>> =>
  Effect.gen(function*() {
    // The group of each listed connection, so a later get of it is answered by its group's list.
    const groupOf = new Map<string, string>()
    // Complete list items by id, and the group lists in flight: a get that starts while a list is
    // being read waits for it (core's parentOf cannot name a connection's group from its id alone).
    const listed = new Map<string, Api.ConnectionDetails>()
    const listing = new Set<Deferred.Deferred<void>>()

    const afterLists = (id: string) =>
      Effect.map(Effect.forEach([...listing], Deferred.await, { discard: true }), () => listed.get(id))

    const pages = <A>(op: Operation, decode: (item: unknown) => Effect.Effect<A, FivetranError>) =>
      Effect.suspend(() => {
        let rateLimitRemaining: number | undefined
        let retryAfterWaitedMs = 0
        return ResourceStore.paginate({
          page: (cursor) =>
            call.one({ ...op, query: { ...op.query, limit: String(pageSize), cursor } }, Api.Page(Schema.Unknown)).pipe(
              Effect.tap((read) => {
                rateLimitRemaining = read.meta.rateLimitRemaining ?? rateLimitRemaining
                retryAfterWaitedMs += read.meta.retryAfterWaitedMs ?? 0
              }),
              Effect.flatMap((read) =>
                Effect.map(Effect.forEach(read.value.items, decode), (items) => ({
                  items,
                  // An empty page ends the list even if a cursor came with it.
                  next: items.length === 0 ? undefined : read.value.next_cursor,
                  retries: read.meta.attempts - 1
                }))
              )
            ),
          stuck: (page) =>
            fivetranError({
              reason: "invalid-response",
              method: "GET",
              url: op.path,
              message: `${op.what}: pagination repeated a cursor after page ${page}; stopping instead of looping`,
              remediation:
                "Fivetran's pagination repeated a cursor. Retry later; report it to Fivetran support if it persists."
            })
        }).pipe(Effect.map((f): Sent<ReadonlyArray<A>> => ({
          ...f,
          meta: {
            requests: f.requests,
            attempts: f.requests + f.retries,
            rateLimitRemaining,
            ...(retryAfterWaitedMs > 0 ? { retryAfterWaitedMs } : {})
          }
        })))
      })

    const item = <A, I>(schema: Schema.Schema<A, I>, what: string) => (u: unknown) =>
      Schema.decodeUnknown(schema)(u).pipe(Effect.mapError((e) =>
        fivetranError({
          reason: "invalid-response",
          method: "GET",
          message: `${what}: a list item is not the documented shape: ${e.message.slice(0, 400)}`,
          remediation: "Check that the base URL points at Fivetran's v1 API; if Fivetran changed the shape, " +
            "update @launchgate/fivetran."
        })
      ))

    const member = (what: string) => (u: unknown) =>
      Effect.map(item(Api.ConnectionSummary, what)(u), (summary): Member => ({
        summary,
        details: Option.getOrUndefined(Schema.decodeUnknownOption(Api.ConnectionDetails)(u))
      }))

    const get = <A, I>(op: Operation, schema: Schema.Schema<A, I>) => Effect.map(call.one(op, schema), sent)

    const connection = (id: string): Operation => ({
      method: "GET",
      path: `/connections/${enc(id)}`,
      accept: ACCEPT_V2,
      what: `connection ${JSON.stringify(id)}`
    })

    const kinds: FivetranKinds = {
      connection: {
        get: (id) =>
          Effect.flatMap(afterLists(id), (hit) =>
            hit === undefined
              ? get(connection(id), Api.ConnectionDetails)
              : Effect.succeed({ value: hit, requests: 0, retries: 0 })),
        // Derived from the group list (already counted there): only complete items answer gets.
        list: (groupId) =>
          Effect.map(store.list("groupMember", groupId), (listed) => ({
            value: listed.value.flatMap((m) => (m.details === undefined ? [] : [m.details])),
            requests: 0,
            retries: 0
          })),
        keyOf: (c) => c.id,
        parentOf: (id) => groupOf.get(id)
      },
      groupMember: {
        list: (groupId) => Effect.suspend(() => {
          const done = Deferred.unsafeMake<void>(FiberId.none)
          listing.add(done)
          return pages({
            method: "GET",
            path: "/connections",
            accept: ACCEPT_V2,
            query: { group_id: groupId },
            what: `connections of group ${JSON.stringify(groupId)}`
          }, member(`connections of group ${JSON.stringify(groupId)}`)).pipe(
            Effect.tap((read) =>
              read.value.forEach((m) => {
                groupOf.set(m.summary.id, groupId)
                if (m.details !== undefined) listed.set(m.summary.id, m.details)
              })
            ),
            Effect.ensuring(Effect.zipRight(Deferred.succeed(done, undefined), Effect.sync(() => listing.delete(done))))
          )
        })
      },
      schemas: {
        get: (id) =>
          get({
            method: "GET",
            path: `/connections/${enc(id)}/schemas`,
            accept: ACCEPT_V1,
            what: `schema config of connection ${JSON.stringify(id)}`
          }, Api.SchemaConfig)
      },
      group: {
        get: (id) =>
          get({ method: "GET", path: `/groups/${enc(id)}`, accept: ACCEPT_V1, what: `group ${JSON.stringify(id)}` },
            Api.GroupDetails)
      },
      destination: {
        get: (id) =>
          get({
            method: "GET",
            path: `/destinations/${enc(id)}`,
            accept: ACCEPT_V2,
            what: `destination ${JSON.stringify(id)}`
          }, Api.DestinationDetails)
      },
      webhook: {
        list: () =>
          pages(
            { method: "GET", path: "/webhooks", accept: ACCEPT_V1, what: "webhooks" },
            item(Api.WebhookDetails, "webhooks")
          )
      }
    }
    const store: ResourceStore.Store<FivetranKinds> = yield* ResourceStore.make(kinds)
    return store
  })
