/**
 * Shared reads for vendor clients: one per-run store, driven by a table of
 * resource kinds, so that ten checks reading the same resource cost one
 * request (principle 6), a collection already listed (or being listed)
 * answers later gets of its members without another request, and a write can
 * invalidate what the run has read.
 *
 * A vendor declares each kind once — how to get one, how to list a
 * collection, how to key a member, which list answers which get, and how to
 * normalise a key (a project id and its number are one project) — and gets
 * per-run caching, de-duplication of concurrent reads, list-answers-get and
 * invalidation.
 *
 * The cache is a plain map of completions (one `Deferred` per read), not Effect's `Request` cache: that one
 * hashes a request object, consults an LRU and goes through the batching machinery on every call, about
 * 200 µs per cached get, which made a 200-connection check spend most of its time looking up what it had
 * already read (issue 13). Semantics are the same: one read per key per run, concurrent callers share it,
 * failures are shared too, `invalidate` forgets.
 *
 * @example
 * const store = yield* ResourceStore.make({
 *   connection: {
 *     get: (id) => call(`/v1/connections/${id}`, Connection),
 *     list: (groupId) => paginate(...),
 *     keyOf: (c) => c.id,
 *     parentOf: () => undefined
 *   }
 * })
 * const one = yield* store.get("connection", "abc")
 *
 * @since 0.2.0
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"

/** A value read from a vendor, with what it cost. */
export interface Fetched<A> {
  readonly value: A
  /** Retries across the requests behind this value (0 when every request succeeded first time). */
  readonly retries: number
  /** HTTP requests behind this value (pages of a list); 0 when another read answered it. */
  readonly requests: number
}

/** How to read one kind of resource. Every function is called at most once per key per run. */
export interface Kind<A, E> {
  /** Read one resource by its key (already normalised). */
  readonly get?: ((key: string) => Effect.Effect<Fetched<A>, E>) | undefined
  /**
   * Read a whole collection (every page). `scope` is an extra filter that is part of the cache key
   * (`""` for the unfiltered collection; only the unfiltered list answers gets).
   */
  readonly list?: ((parent: string, scope: string) => Effect.Effect<Fetched<ReadonlyArray<A>>, E>) | undefined
  /** The key of a list member, so a list answers gets of its members. */
  readonly keyOf?: ((item: A) => string) | undefined
  /** The collection a key belongs to (the `parent` of {@link list}); `undefined` when no list holds it. */
  readonly parentOf?: ((key: string) => string | undefined) | undefined
  /** The canonical form of a key or parent, applied before anything is cached (ids vs numbers, case, …). */
  readonly normalize?: ((key: string) => string) | undefined
  /**
   * When a completed unfiltered list lacks a key: `undefined` (default) fetches it directly, since it may
   * be newer than the list; a function answers with that error without another request (the list proved
   * it absent).
   */
  readonly absent?: ((key: string) => E) | undefined
}

/** A table of kinds. */
export type Kinds = Record<string, Kind<any, any>>

type ValueOf<K> = K extends Kind<infer A, any> ? A : never
type ErrorOf<K> = K extends Kind<any, infer E> ? E : never

/** The per-run store over a table of kinds. */
export interface Store<K extends Kinds> {
  /** One resource, shared with every other read of it in this run. */
  readonly get: <N extends keyof K & string>(kind: N, key: string) => Effect.Effect<Fetched<ValueOf<K[N]>>, ErrorOf<K[N]>>
  /** A whole collection, shared with every other read of it in this run. */
  readonly list: <N extends keyof K & string>(
    kind: N,
    parent: string,
    options?: { readonly scope?: string | undefined }
  ) => Effect.Effect<Fetched<ReadonlyArray<ValueOf<K[N]>>>, ErrorOf<K[N]>>
  /** An uncached read, for code that changes things and must see the current state. */
  readonly fresh: <N extends keyof K & string>(kind: N, key: string) => Effect.Effect<Fetched<ValueOf<K[N]>>, ErrorOf<K[N]>>
  /** Forget what the run read of a resource and of the list that holds it (after a write changed it). */
  readonly invalidate: <N extends keyof K & string>(kind: N, key: string) => Effect.Effect<void>
}

/** Thrown as a defect when a kind lacks what a call needs: a programming error, not a vendor answer. */
class MissingOperation extends Error {
  constructor(kind: string, op: string) {
    super(`ResourceStore: kind "${kind}" has no ${op} function`)
  }
}

/**
 * Make a store. Call it once per client layer (so once per run): the cache
 * lives as long as the store.
 */
export const make = <K extends Kinds>(
  kinds: K,
  // Kept for compatibility: the per-run map holds every read of the run, however many.
  _options: { readonly capacity?: number } = {}
): Effect.Effect<Store<K>> =>
  Effect.gen(function*() {
    // One completion per read of this run, by `op kind key scope`: the first caller reads, the others wait.
    const reads = new Map<string, Deferred.Deferred<Fetched<unknown>, unknown>>()
    // The same reads once finished (never an interrupted one): a later caller gets the exit itself, an effect
    // that is already complete, instead of awaiting the completion (most gets of a run are of finished reads).
    const finished = new Map<string, Exit.Exit<Fetched<unknown>, unknown>>()
    // Unfiltered lists started in this run, by `kind parent`: gets of their members wait for them.
    const listed = new Set<string>()
    // Members of completed lists by key, built once per list value (a list answers many gets).
    const indexes = new WeakMap<ReadonlyArray<unknown>, Map<string, unknown>>()

    const spec = (kind: string): Kind<unknown, unknown> => kinds[kind] as Kind<unknown, unknown>
    const norm = (kind: string, key: string) => spec(kind).normalize?.(key) ?? key
    const idOf = (op: "get" | "list", kind: string, key: string, scope: string) => `${op}\u0000${kind}\u0000${key}\u0000${scope}`

    /** The shared read behind `id`: started by the first caller, awaited by the rest, kept for the run. */
    const shared = (id: string, read: () => Effect.Effect<Fetched<unknown>, unknown>): Effect.Effect<Fetched<unknown>, unknown> =>
      Effect.suspend(() => {
        const exit = finished.get(id)
        if (exit !== undefined) return exit
        const known = reads.get(id)
        if (known !== undefined) {
          // A read whose reader was interrupted completes as interrupted: read again rather than inherit that.
          return Effect.catchAllCause(Deferred.await(known), (cause) =>
            Exit.isInterrupted(Exit.failCause(cause)) && reads.get(id) !== known ? shared(id, read) : Effect.failCause(cause))
        }
        const done = Deferred.unsafeMake<Fetched<unknown>, unknown>(FiberId.none)
        reads.set(id, done)
        return Effect.uninterruptibleMask((restore) =>
          Effect.onExit(restore(Effect.suspend(read)), (exit) => {
            if (reads.get(id) === done) {
              if (Exit.isInterrupted(exit)) reads.delete(id)
              else finished.set(id, exit)
            }
            return Deferred.done(done, exit)
          })
        )
      })

    const fetch = (kind: string, op: "get" | "list", key: string, scope: string) => (): Effect.Effect<Fetched<unknown>, unknown> => {
      const s = spec(kind)
      if (op === "get") return s.get ? s.get(key) : Effect.die(new MissingOperation(kind, "get"))
      return s.list ? (s.list(key, scope) as Effect.Effect<Fetched<unknown>, unknown>) : Effect.die(new MissingOperation(kind, "list"))
    }

    const listOf = (kind: string, parent: string, scope: string) =>
      Effect.suspend(() => {
        const p = norm(kind, parent)
        // Mark before the request starts, so gets issued while it is in flight wait for it.
        if (scope === "") listed.add(`${kind} ${p}`)
        return shared(idOf("list", kind, p, scope), fetch(kind, "list", p, scope))
      }) as Effect.Effect<Fetched<ReadonlyArray<unknown>>, unknown>

    const memberOf = (kind: string, list: ReadonlyArray<unknown>, key: string): unknown => {
      let index = indexes.get(list)
      if (index === undefined) {
        const keyOf = spec(kind).keyOf!
        index = new Map()
        // The first member with a key wins, as a search from the start would find it.
        for (const item of list) {
          const k = norm(kind, keyOf(item))
          if (!index.has(k)) index.set(k, item)
        }
        indexes.set(list, index)
      }
      return index.get(key)
    }

    const getOf = (kind: string, key: string) =>
      Effect.suspend(() => {
        const k = norm(kind, key)
        const s = spec(kind)
        const direct = shared(idOf("get", kind, k, ""), fetch(kind, "get", k, ""))
        const parent = s.parentOf?.(k)
        if (parent === undefined || !s.keyOf || !listed.has(`${kind} ${norm(kind, parent)}`)) return direct
        return listOf(kind, parent, "").pipe(
          Effect.map((l) => memberOf(kind, l.value, k)),
          Effect.flatMap((hit): Effect.Effect<Fetched<unknown>, unknown> => {
            if (hit !== undefined) return Effect.succeed({ value: hit, retries: 0, requests: 0 })
            return s.absent ? Effect.fail(s.absent(k)) : direct
          })
        )
      })

    const fresh = (kind: string, key: string) =>
      Effect.suspend(() => {
        const s = spec(kind)
        return s.get ? s.get(norm(kind, key)) : Effect.die(new MissingOperation(kind, "get"))
      })

    const forget = (id: string) => {
      reads.delete(id)
      finished.delete(id)
    }

    const invalidate = (kind: string, key: string) =>
      Effect.sync(() => {
        const k = norm(kind, key)
        forget(idOf("get", kind, k, ""))
        const parent = spec(kind).parentOf?.(k)
        if (parent !== undefined) {
          const p = norm(kind, parent)
          listed.delete(`${kind} ${p}`)
          forget(idOf("list", kind, p, ""))
        }
      })

    return {
      get: (kind, key) => getOf(kind, key),
      list: (kind, parent, opts) => listOf(kind, parent, opts?.scope ?? ""),
      fresh: (kind, key) => fresh(kind, key),
      invalidate: (kind, key) => invalidate(kind, key)
    } as Store<K>
  })

/** One page of a paginated list. */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  /** The token (or cursor, or URL) of the next page; `undefined` or `""` on the last page. */
  readonly next: string | undefined
  /** Retries this page took. */
  readonly retries?: number | undefined
}

/**
 * Read every page of a list, failing (not looping) when the vendor hands back a
 * token it already gave or the pages never end.
 */
export const paginate = <A, E>(options: {
  readonly page: (token: string | undefined) => Effect.Effect<Page<A>, E>
  /** The error for a list that does not advance, given the page number. */
  readonly stuck: (page: number) => E
  /** At most this many pages. Default 1,000. */
  readonly maxPages?: number | undefined
}): Effect.Effect<Fetched<ReadonlyArray<A>>, E> =>
  Effect.gen(function*() {
    const maxPages = options.maxPages ?? 1_000
    const items: Array<A> = []
    const seen = new Set<string>()
    let token: string | undefined
    let requests = 0
    let retries = 0
    do {
      const page = yield* options.page(token)
      requests++
      retries += page.retries ?? 0
      items.push(...page.items)
      token = page.next === "" ? undefined : page.next
      if (token !== undefined) {
        if (seen.has(token) || requests >= maxPages) return yield* Effect.fail(options.stuck(requests))
        seen.add(token)
      }
    } while (token !== undefined)
    return { value: items, retries, requests }
  })
