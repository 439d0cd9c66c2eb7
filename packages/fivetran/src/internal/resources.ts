/**
 * Fivetran's reads as {@link ResourceStore} kinds: one table drives the
 * per-run cache, de-duplication and list-answers-get. The account's
 * connection list (`GET /v1/connections`, every accessible connection) carries
 * every field the connection rules read (the list item schema
 * `ConnectorResponse` has `status`, `setup_tests`, `succeeded_at`, `failed_at`,
 * `sync_frequency`, … like the details), so one listing per run answers every
 * connection read and every group's membership; only an id the list lacks, or
 * an item it could not decode in full, is fetched on its own.
 *
 * @internal
 */
import { ResourceStore } from "@launchgate/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { FivetranError } from "../FivetranError.js"
import { type Caller, fivetranError, type Operation, type Read, type ReadMeta } from "./http.js"
import * as Api from "./schema.js"
import { yieldIfBusy } from "./yieldToIo.js"

/** `Accept` for the operations the spec defaults to version 2 (connections, destinations). */
export const ACCEPT_V2 = "application/json;version=2"
export const ACCEPT_V1 = "application/json"

/** An item of a connection list: what every item has, and the full details when the item carries them. */
export interface Member {
  readonly summary: Api.ConnectionSummary
  readonly details: Api.ConnectionDetails | undefined
}

type Kind<A> = ResourceStore.Kind<A, FivetranError>

/** The kinds of resource the checks read. */
export type FivetranKinds = {
  /**
   * A connection's details: the account list's item when it carries them (no request), else
   * `GET /v1/connections/{id}`.
   */
  readonly connection: Kind<Api.ConnectionDetails>
  /** Every page of `GET /v1/connections` without `group_id`: every connection the key can see (parent `""`). */
  readonly accountMember: Kind<Member>
  /** Every page of `GET /v1/connections?group_id=…` (parent: the group id), read only if the account list failed. */
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

/**
 * A value taken from a list already read: no request of its own (the list's pages are counted once, by whoever
 * reports the list), but the list's attempts, rate-limit budget and `Retry-After` wait stay visible, since the
 * value was held by them.
 */
const fromList = <A>(value: A, list: ReadMeta): Sent<A> => ({
  value,
  requests: 0,
  retries: 0,
  meta: {
    requests: 0,
    attempts: list.attempts,
    rateLimitRemaining: list.rateLimitRemaining,
    ...(list.retryAfterWaitedMs !== undefined ? { retryAfterWaitedMs: list.retryAfterWaitedMs } : {})
  }
})

/**
 * Whether a failed account listing leaves each read to its own request. A 401 (the key is rejected) and a
 * 429 that could not be waited out (Fivetran's quota is per account) would answer every per-connection GET the
 * same way, so those end the read with the listing's error instead of sending one doomed request per
 * connection; anything else (403, 5xx after retries, a transport error, a body of the wrong shape) may be
 * particular to the listing, so each connection's own GET decides (and its error is the check's error).
 */
export const fallsBack = (error: FivetranError): boolean =>
  error.reason !== "unauthenticated" && error.reason !== "rate-limited"

const enc = encodeURIComponent

// One schema object for every page, so the caller's per-schema decoder is compiled once.
const PAGE = Api.Page(Schema.Unknown)

// The account list's complete items by id, built once per listing (gets look up, not scan).
const indexes = new WeakMap<ReadonlyArray<Member>, ReadonlyMap<string, Api.ConnectionDetails>>()
const indexOf = (members: ReadonlyArray<Member>) => {
  let index = indexes.get(members)
  if (index === undefined) {
    index = new Map(members.flatMap((m) => (m.details === undefined ? [] : [[m.summary.id, m.details] as const])))
    indexes.set(members, index)
  }
  return index
}

/** The account list (read once per run, shared), or `undefined` when its failure leaves reads to their own GET. */
const accountListOf = (store: ResourceStore.Store<FivetranKinds>) =>
  store.list("accountMember", "").pipe(
    Effect.map((f): Read<ReadonlyArray<Member>> | undefined => toRead(f)),
    Effect.catchIf(fallsBack, () => Effect.succeed(undefined))
  )

/**
 * What the account list answers, as a lookup: the `connection` get of an id the list carries in full,
 * computed here without a read of its own (the same value and meta the store's get gives), or `undefined`
 * for an id that needs its own `GET /v1/connections/{id}` (absent from the list, an item without the
 * details, a listing whose failure leaves reads to their own GET). Fails as every connection get does when
 * the listing failed for the whole account (401, exhausted quota). A check over 200 connections asks once
 * instead of running 200 reads (a fibre each) that all wait for the same list (issue 13).
 */
export const accountAnswers = (
  store: ResourceStore.Store<FivetranKinds>
): Effect.Effect<(id: string) => Read<Api.ConnectionDetails> | undefined, FivetranError> =>
  Effect.map(accountListOf(store), (list) => {
    if (list === undefined) return () => undefined
    const index = indexOf(list.value)
    return (id) => {
      const hit = index.get(id)
      return hit === undefined ? undefined : toRead(fromList(hit, list.meta))
    }
  })

const decodeDetails = Schema.decodeUnknownOption(Api.ConnectionDetails)

/** What `ConnectionSummary` decodes from an item that decoded as details (its fields are a subset of theirs). */
const summaryOf = (d: Api.ConnectionDetails): Api.ConnectionSummary => ({
  id: d.id,
  group_id: d.group_id,
  service: d.service,
  schema: d.schema,
  paused: d.paused
})

/** The per-run store of a client. `pageSize` is the `limit` of every list page. */
export const make = (call: Caller, pageSize: number): Effect.Effect<ResourceStore.Store<FivetranKinds>> =>
  Effect.gen(function*() {
    const pages = <A>(op: Operation, decode: (item: unknown) => Effect.Effect<A, FivetranError>) =>
      Effect.suspend(() => {
        let rateLimitRemaining: number | undefined
        let retryAfterWaitedMs = 0
        return ResourceStore.paginate({
          page: (cursor) =>
            call.one({ ...op, query: { ...op.query, limit: String(pageSize), cursor } }, PAGE).pipe(
              Effect.tap((read) => {
                rateLimitRemaining = read.meta.rateLimitRemaining ?? rateLimitRemaining
                retryAfterWaitedMs += read.meta.retryAfterWaitedMs ?? 0
              }),
              Effect.flatMap((read) =>
                // A 1000-item page takes a while to decode: pending I/O (other vendors' responses) gets turns.
                Effect.map(
                  Effect.forEach(read.value.items, (u) => Effect.zipRight(yieldIfBusy, decode(u))),
                  (items) => ({
                    items,
                    // An empty page ends the list even if a cursor came with it.
                    next: items.length === 0 ? undefined : read.value.next_cursor,
                    retries: read.meta.attempts - 1
                  })
                )
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

    const member = (what: string) => (u: unknown): Effect.Effect<Member, FivetranError> => {
      const details = Option.getOrUndefined(decodeDetails(u))
      // An item that decodes as details has every summary field, under the same schemas: read the summary off it
      // rather than decode the item twice (200 items a run).
      if (details !== undefined) return Effect.succeed({ summary: summaryOf(details), details })
      return Effect.map(item(Api.ConnectionSummary, what)(u), (summary): Member => ({ summary, details: undefined }))
    }

    const members = (what: string, query: Record<string, string>) =>
      pages({ method: "GET", path: "/connections", accept: ACCEPT_V2, query, what }, member(what))

    const get = <A, I>(op: Operation, schema: Schema.Schema<A, I>) => Effect.map(call.one(op, schema), sent)

    const connection = (id: string): Operation => ({
      method: "GET",
      path: `/connections/${enc(id)}`,
      accept: ACCEPT_V2,
      what: `connection ${JSON.stringify(id)}`
    })

    const accountList = Effect.suspend(() => accountListOf(store))

    const kinds: FivetranKinds = {
      connection: {
        // Every get waits for the one account listing (the store de-duplicates it while in flight), so the
        // order in which checks start cannot turn list-answered reads into GETs. An id the list lacks (newer
        // than the list, or not visible to the key), or whose item lacks the details, is fetched on its own:
        // the GET names its 404/403 precisely.
        get: (id) =>
          Effect.flatMap(accountList, (list) => {
            const hit = list === undefined ? undefined : indexOf(list.value).get(id)
            return list === undefined || hit === undefined
              ? get(connection(id), Api.ConnectionDetails)
              : Effect.succeed(fromList(hit, list.meta))
          })
      },
      accountMember: {
        list: () => members("connections of the account", {})
      },
      groupMember: {
        list: (groupId) => members(`connections of group ${JSON.stringify(groupId)}`, { group_id: groupId })
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
