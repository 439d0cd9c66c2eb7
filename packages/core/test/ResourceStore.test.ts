import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import * as ResourceStore from "../src/ResourceStore.js"

interface Item {
  readonly name: string
  readonly v: number
}

class NotFound {
  readonly _tag = "NotFound"
  constructor(readonly key: string) {}
}

/** A table over an in-memory world that counts every read, so a test sees what reached the "vendor". */
const world = (absent: boolean) => {
  const data = new Map<string, Item>([
    ["projects/p/items/a", { name: "projects/p/items/a", v: 1 }],
    ["projects/p/items/b", { name: "projects/p/items/b", v: 1 }]
  ])
  const calls: Array<string> = []
  const kinds = {
    item: {
      get: (key: string) =>
        Effect.suspend(() => {
          calls.push(`get ${key}`)
          const hit = data.get(key)
          return hit ? Effect.succeed({ value: hit, retries: 0, requests: 1 }) : Effect.fail(new NotFound(key))
        }).pipe(Effect.delay("1 millis")),
      list: (parent: string, scope: string) =>
        Effect.suspend(() => {
          calls.push(`list ${parent}${scope ? `?${scope}` : ""}`)
          const items = [...data.values()].filter((i) => i.name.startsWith(`${parent}/items/`))
          return Effect.succeed({ value: items, retries: 0, requests: 1 })
        }).pipe(Effect.delay("5 millis")),
      keyOf: (i: Item) => i.name,
      parentOf: (key: string) => key.split("/").slice(0, -2).join("/"),
      // Project number 123 is project p.
      normalize: (key: string) => key.replace(/^projects\/123(\/|$)/, "projects/p$1"),
      ...(absent ? { absent: (key: string) => new NotFound(key) } : {})
    } satisfies ResourceStore.Kind<Item, NotFound>
  }
  return { data, calls, kinds }
}

describe("ResourceStore", () => {
  it.live("concurrent gets of one resource cost one read", () =>
    Effect.gen(function*() {
      const w = world(false)
      const store = yield* ResourceStore.make(w.kinds)
      const got = yield* Effect.all(Array.from({ length: 10 }, () => store.get("item", "projects/p/items/a")), {
        concurrency: "unbounded"
      })
      expect(got.every((g) => g.value.name === "projects/p/items/a")).toBe(true)
      expect(w.calls).toEqual(["get projects/p/items/a"])
    }))

  it.live("a list (even in flight) answers gets of its members", () =>
    Effect.gen(function*() {
      const w = world(false)
      const store = yield* ResourceStore.make(w.kinds)
      const [list, a, b] = yield* Effect.all(
        [store.list("item", "projects/p"), store.get("item", "projects/p/items/a"), store.get("item", "projects/p/items/b")],
        { concurrency: "unbounded" }
      )
      expect(list.value).toHaveLength(2)
      expect(a.requests + b.requests).toBe(0)
      expect(w.calls).toEqual(["list projects/p"])
    }))

  it.live("a project number and its id are one resource", () =>
    Effect.gen(function*() {
      const w = world(false)
      const store = yield* ResourceStore.make(w.kinds)
      yield* store.get("item", "projects/p/items/a")
      yield* store.get("item", "projects/123/items/a")
      yield* store.list("item", "projects/123")
      yield* store.list("item", "projects/p")
      expect(w.calls).toEqual(["get projects/p/items/a", "list projects/p"])
    }))

  it.live("a member missing from the list is fetched directly unless the kind says the list proves absence", () =>
    Effect.gen(function*() {
      const fetches = world(false)
      const s1 = yield* ResourceStore.make(fetches.kinds)
      yield* s1.list("item", "projects/p")
      const e1 = yield* Effect.flip(s1.get("item", "projects/p/items/zzz"))
      expect(e1).toBeInstanceOf(NotFound)
      expect(fetches.calls).toEqual(["list projects/p", "get projects/p/items/zzz"])

      const proves = world(true)
      const s2 = yield* ResourceStore.make(proves.kinds)
      yield* s2.list("item", "projects/p")
      const e2 = yield* Effect.flip(s2.get("item", "projects/p/items/zzz"))
      expect(e2).toBeInstanceOf(NotFound)
      expect(proves.calls).toEqual(["list projects/p"])
    }))

  it.live("filtered lists are cached apart and do not answer gets", () =>
    Effect.gen(function*() {
      const w = world(false)
      const store = yield* ResourceStore.make(w.kinds)
      yield* store.list("item", "projects/p", { scope: "filter=x" })
      yield* store.list("item", "projects/p", { scope: "filter=x" })
      yield* store.get("item", "projects/p/items/a")
      expect(w.calls).toEqual(["list projects/p?filter=x", "get projects/p/items/a"])
    }))

  it.live("invalidate makes the next read see the new state; fresh never caches", () =>
    Effect.gen(function*() {
      const w = world(false)
      const store = yield* ResourceStore.make(w.kinds)
      yield* store.list("item", "projects/p")
      expect((yield* store.get("item", "projects/p/items/a")).value.v).toBe(1)
      w.data.set("projects/p/items/a", { name: "projects/p/items/a", v: 2 })
      expect((yield* store.get("item", "projects/p/items/a")).value.v).toBe(1)
      expect((yield* store.fresh("item", "projects/p/items/a")).value.v).toBe(2)
      yield* store.invalidate("item", "projects/123/items/a")
      expect((yield* store.get("item", "projects/p/items/a")).value.v).toBe(2)
      expect(w.calls).toEqual(["list projects/p", "get projects/p/items/a", "get projects/p/items/a"])
    }))

  it.live("a reader interrupted mid-read leaves no one hanging or interrupted: a waiting reader reads again", () =>
    Effect.gen(function*() {
      const calls: Array<string> = []
      const store = yield* ResourceStore.make({
        item: {
          get: (key: string) =>
            Effect.suspend(() => {
              calls.push(key)
              // The first read never answers; the second does.
              return calls.length === 1 ? Effect.never : Effect.succeed({ value: calls.length, retries: 0, requests: 1 })
            })
        }
      })
      const first = yield* Effect.fork(store.get("item", "a"))
      while (calls.length === 0) yield* Effect.yieldNow()
      const second = yield* Effect.fork(store.get("item", "a"))
      while ((yield* Fiber.status(second))._tag !== "Suspended") yield* Effect.yieldNow()
      expect(calls).toEqual(["a"])
      yield* Fiber.interrupt(first)
      const got = yield* Fiber.join(second)
      expect(got.value).toBe(2)
      expect(calls).toEqual(["a", "a"])
      // And the completed read is shared from then on.
      expect((yield* store.get("item", "a")).value).toBe(2)
      expect(calls).toEqual(["a", "a"])
    }))

  it.live("a list answers gets of many members with one read (an index, not a search per get)", () =>
    Effect.gen(function*() {
      const keys = Array.from({ length: 500 }, (_, i) => `projects/p/items/i${i}`)
      const calls: Array<string> = []
      let keyOfCalls = 0
      const store = yield* ResourceStore.make({
        item: {
          list: () => Effect.sync(() => (calls.push("list"), { value: keys.map((name) => ({ name })), retries: 0, requests: 1 })),
          get: (key: string) => Effect.sync(() => (calls.push(`get ${key}`), { value: { name: key }, retries: 0, requests: 1 })),
          keyOf: (i: { readonly name: string }) => (keyOfCalls++, i.name),
          parentOf: (key: string) => key.split("/").slice(0, -2).join("/")
        }
      })
      yield* store.list("item", "projects/p")
      const got = yield* Effect.forEach(keys, (k) => store.get("item", k), { concurrency: "unbounded" })
      expect(got.map((g) => g.value.name)).toEqual(keys)
      expect(got.every((g) => g.requests === 0)).toBe(true)
      expect(calls).toEqual(["list"])
      expect(keyOfCalls).toBe(500)
    }))

  it.live("errors are shared too: a failed read is not repeated within the run", () =>
    Effect.gen(function*() {
      const w = world(false)
      const store = yield* ResourceStore.make(w.kinds)
      yield* Effect.flip(store.get("item", "projects/p/items/nope"))
      yield* Effect.flip(store.get("item", "projects/p/items/nope"))
      expect(w.calls).toEqual(["get projects/p/items/nope"])
    }))
})

describe("ResourceStore.paginate", () => {
  const pages: Record<string, { items: Array<number>; next: string | undefined }> = {
    start: { items: [1, 2], next: "t1" },
    t1: { items: [3], next: "t2" },
    t2: { items: [4], next: "" }
  }
  it.effect("reads every page in order and counts requests and retries", () =>
    Effect.gen(function*() {
      const all = yield* ResourceStore.paginate({
        page: (token) => Effect.succeed({ ...pages[token ?? "start"]!, retries: token === "t1" ? 2 : 0 }),
        stuck: (n) => `stuck at ${n}`
      })
      expect(all).toEqual({ value: [1, 2, 3, 4], requests: 3, retries: 2 })
    }))

  it.effect("a repeated token fails instead of looping", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        ResourceStore.paginate({ page: () => Effect.succeed({ items: [1], next: "same" }), stuck: (n) => `stuck at ${n}` })
      )
      expect(error).toBe("stuck at 2")
    }))

  it.effect("pages that never end stop at maxPages", () =>
    Effect.gen(function*() {
      let n = 0
      const error = yield* Effect.flip(
        ResourceStore.paginate({
          page: () => Effect.succeed({ items: [n], next: `t${n++}` }),
          stuck: (p) => `stuck at ${p}`,
          maxPages: 5
        })
      )
      expect(error).toBe("stuck at 5")
    }))
})
