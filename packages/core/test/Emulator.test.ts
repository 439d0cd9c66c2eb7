import { it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import * as net from "node:net"
import { Agent, request } from "undici"
import { describe, expect, it as vitestIt } from "vitest"
import { Emulator, HttpFailure } from "../src/emulator/index.js"
import { openTcpHandles, until } from "./helpers/http.js"
import { certificate } from "./helpers/httpTls.js"

interface Store {
  items: Map<string, { name: string }>
  version: number
}

const store = Emulator.define<Store>({
  name: "store",
  initialState: () => ({ items: new Map([["a", { name: "apple" }]]), version: 1 }),
  redactHeaders: ["x-session"],
  before: (req, _ctx, route) =>
    route?.name === "admin" && req.headers["authorization"] !== "Bearer letmein-please"
      ? { status: 401, json: { error: "unauthenticated" } }
      : undefined,
  routes: [
    Emulator.route<Store>("GET", "/v1/items/{id}", (req, { state }) => {
      const item = state.items.get(req.params["id"]!)
      if (!item) throw new HttpFailure({ status: 404, json: { error: "no such item" } })
      return { json: { ...item, version: state.version } }
    }),
    Emulator.route<Store>("POST", "/v1/items/{id}", (req, { state }) => {
      state.items.set(req.params["id"]!, req.json() as { name: string })
      return { status: 201, json: { created: req.params["id"] } }
    }),
    Emulator.route<Store>("GET", "/v1/secrets/{name}:access", (req) => ({ json: { secret: req.params["name"] } })),
    Emulator.route<Store>("GET", "/files/{rest*}", (req) => ({ json: { rest: req.params["rest"] } })),
    Emulator.route<Store>("GET", "/v1/a.b*", () => ({ json: { literal: true } })),
    Emulator.route<Store>("GET", "/admin", () => ({ json: { admin: true } }), "admin")
  ]
})

/** One request with a fresh connection; returns status, headers and body (or the socket error). */
const send = async (url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) => {
  const agent = new Agent()
  try {
    const res = await request(url, {
      dispatcher: agent,
      method: (init.method ?? "GET") as "GET",
      ...(init.headers ? { headers: init.headers } : {}),
      ...(init.body ? { body: init.body } : {})
    })
    const body = await res.body.text()
    return { status: res.statusCode, headers: res.headers, body }
  } finally {
    await agent.destroy()
  }
}

describe("Emulator routes, state and log", () => {
  it.scopedLive("routes by method and path, with params, custom methods, rest params and literal regex characters", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.scoped(store)
      const get = (path: string) => Effect.promise(() => send(`${emu.url}${path}`))
      expect(JSON.parse((yield* get("/v1/items/a")).body)).toEqual({ name: "apple", version: 1 })
      expect((yield* get("/v1/items/zzz")).status).toBe(404)
      expect(JSON.parse((yield* get("/v1/secrets/db-password:access")).body)).toEqual({ secret: "db-password" })
      expect(JSON.parse((yield* get("/files/a/b/c.txt")).body)).toEqual({ rest: "a/b/c.txt" })
      // `.` and `*` in a literal path are literal.
      expect((yield* get("/v1/a.b*")).status).toBe(200)
      expect((yield* get("/v1/aXb")).status).toBe(404)
      // An encoded slash stays inside its segment: it matches one parameter, decoded.
      expect(JSON.parse((yield* get("/v1/secrets/a%2Fb:access")).body)).toEqual({ secret: "a/b" })
      expect((yield* get("/nowhere")).status).toBe(404)
    }))

  it.scopedLive("state is seeded, changed while running, and reset; middleware answers before routing", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.scoped(store, { seed: (s) => s.items.set("b", { name: "banana" }) })
      const get = (path: string, headers?: Record<string, string>) =>
        Effect.promise(() => send(`${emu.url}${path}`, headers ? { headers } : {}))
      expect(JSON.parse((yield* get("/v1/items/b")).body).name).toBe("banana")
      emu.state.version = 2
      expect(JSON.parse((yield* get("/v1/items/a")).body).version).toBe(2)
      yield* Effect.promise(() => send(`${emu.url}/v1/items/c`, { method: "POST", body: JSON.stringify({ name: "cherry" }) }))
      expect(emu.state.items.get("c")).toEqual({ name: "cherry" })
      expect((yield* Effect.promise(() => send(`${emu.url}/v1/items/d`, { method: "POST", body: "not json" }))).status).toBe(400)
      emu.reset()
      expect(emu.state.version).toBe(1)
      expect(emu.state.items.has("c")).toBe(false)
      expect(emu.state.items.has("b")).toBe(true)
      expect((yield* get("/admin")).status).toBe(401)
      expect((yield* get("/admin", { authorization: "Bearer letmein-please" })).status).toBe(200)
    }))

  it.scopedLive("logs every request with credentials redacted in headers and query", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.scoped(store)
      yield* Effect.promise(() =>
        send(`${emu.url}/v1/items/a?key=AIzaSyTopSecret&page=2&page=3`, {
          headers: { authorization: "Bearer abc.def.ghi", "x-api-key": "k-123456", "x-session": "sess-999", accept: "application/json" }
        })
      )
      const [entry] = emu.requests({ method: "GET", path: "/v1/items/*" })
      expect(entry).toMatchObject({
        seq: 1,
        method: "GET",
        path: "/v1/items/a",
        route: "GET /v1/items/{id}",
        status: 200,
        query: { key: "<redacted>", page: ["2", "3"] }
      })
      expect(entry!.headers).toMatchObject({
        authorization: "Bearer <redacted>",
        "x-api-key": "<redacted>",
        "x-session": "<redacted>",
        accept: "application/json"
      })
      expect(JSON.stringify(emu.log)).not.toMatch(/abc\.def|k-123456|sess-999|TopSecret/)
      expect(emu.requests({ route: "GET /v1/items/{id}" })).toHaveLength(1)
      expect(emu.requests({ path: /^\/v1\// })).toHaveLength(1)
      emu.clearLog()
      expect(emu.log).toHaveLength(0)
    }))
})

describe("Emulator faults", () => {
  it.scopedLive("status for the next N requests, per route, then back to normal", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.scoped(store)
      emu.faults.next({ kind: "status", status: 503 }, { route: "GET /v1/items/{id}", times: 2 })
      const statuses: Array<number> = []
      for (let i = 0; i < 3; i++) statuses.push((yield* Effect.promise(() => send(`${emu.url}/v1/items/a`))).status)
      expect((yield* Effect.promise(() => send(`${emu.url}/files/x`))).status).toBe(200)
      expect(statuses).toEqual([503, 503, 200])
      expect(emu.log.map((e) => e.fault ?? null)).toEqual(["status", "status", null, null])
      expect(emu.faults.hits()).toEqual([2])
    }))

  it.scopedLive("429 with Retry-After in seconds or as an HTTP-date", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.scoped(store)
      const date = new Date(Date.UTC(2030, 0, 1))
      emu.faults.next({ kind: "rate-limit", retryAfter: 7 })
      emu.faults.next({ kind: "rate-limit", retryAfter: date })
      const first = yield* Effect.promise(() => send(`${emu.url}/v1/items/a`))
      const second = yield* Effect.promise(() => send(`${emu.url}/v1/items/a`))
      expect(first).toMatchObject({ status: 429, headers: { "retry-after": "7" } })
      expect(second).toMatchObject({ status: 429, headers: { "retry-after": "Tue, 01 Jan 2030 00:00:00 GMT" } })
    }))

  it.scopedLive("reset drops the connection; truncate cuts the body; malformed JSON does not parse", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.scoped(store)
      emu.faults.next({ kind: "reset" })
      const reset = yield* Effect.promise(() => send(`${emu.url}/v1/items/a`).then(() => "answered", (e: Error & { code?: string }) => e.code ?? e.message))
      expect(reset).toMatch(/UND_ERR_SOCKET|ECONNRESET/)
      expect(emu.log[0]).toMatchObject({ status: 0, fault: "reset" })

      emu.faults.next({ kind: "truncate" })
      const cut = yield* Effect.promise(() => send(`${emu.url}/v1/items/a`).then(() => "complete", () => "cut off"))
      expect(cut).toBe("cut off")

      emu.faults.next({ kind: "malformed-json" })
      const malformed = yield* Effect.promise(() => send(`${emu.url}/v1/items/a`))
      expect(malformed.status).toBe(200)
      expect(() => JSON.parse(malformed.body)).toThrow()
    }))

  it.scopedLive("latency and slow-drip bodies take the time they promise", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.scoped(store)
      emu.faults.next({ kind: "latency", ms: 120 })
      let started = Date.now()
      yield* Effect.promise(() => send(`${emu.url}/v1/items/a`))
      expect(Date.now() - started).toBeGreaterThanOrEqual(110)

      emu.faults.next({ kind: "slow-drip", chunkMs: 10, chunkBytes: 4 })
      started = Date.now()
      const drip = yield* Effect.promise(() => send(`${emu.url}/v1/items/a`))
      // 30 bytes in 4-byte chunks: 8 chunks, 10 ms apart.
      expect(JSON.parse(drip.body)).toEqual({ name: "apple", version: 1 })
      expect(Date.now() - started).toBeGreaterThanOrEqual(60)
    }))

  it.scopedLive("faults are scriptable over time: start after a delay, last for a window", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.scoped(store)
      emu.faults.add({ fault: { kind: "status", status: 502 }, path: "/v1/items/a", afterMs: 80, forMs: 120 })
      const at = async (ms: number) => {
        await new Promise((r) => setTimeout(r, ms))
        return (await send(`${emu.url}/v1/items/a`)).status
      }
      const statuses = yield* Effect.promise(async () => [await at(0), await at(120), await at(200)])
      expect(statuses).toEqual([200, 502, 200])
      const remove = emu.faults.add({ fault: { kind: "status", status: 500 } })
      expect((yield* Effect.promise(() => send(`${emu.url}/v1/items/a`))).status).toBe(500)
      remove()
      expect((yield* Effect.promise(() => send(`${emu.url}/v1/items/a`))).status).toBe(200)
    }))
})

class StoreEmulator extends Context.Tag("test/StoreEmulator")<StoreEmulator, Emulator.Running<Store>>() {}

describe("Emulator lifecycle", () => {
  vitestIt("plain async API: start, use, close (idempotent)", async () => {
    const emu = await Emulator.start(store)
    expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect((await send(`${emu.url}/v1/items/a`)).status).toBe(200)
    await emu.close()
    await emu.close()
    await expect(send(`${emu.url}/v1/items/a`)).rejects.toMatchObject({ code: "ECONNREFUSED" })
  })

  vitestIt("as a Layer: started when built, closed when the scope closes", async () => {
    let url = ""
    await Effect.runPromise(
      Effect.gen(function*() {
        const emu = yield* StoreEmulator
        url = emu.url
        expect((yield* Effect.promise(() => send(`${emu.url}/v1/items/a`))).status).toBe(200)
      }).pipe(Effect.provide(Emulator.layer(StoreEmulator, store, { seed: (s) => void (s.version = 9) })))
    )
    await expect(send(`${url}/v1/items/a`)).rejects.toMatchObject({ code: "ECONNREFUSED" })
    // The layer composes with others like any layer.
    const both = Layer.merge(Emulator.layer(StoreEmulator, store), Layer.empty)
    const version = await Effect.runPromise(Effect.map(StoreEmulator, (e) => e.state.version).pipe(Effect.provide(both)))
    expect(version).toBe(1)
  })

  vitestIt("serves HTTPS with a given key and certificate", async () => {
    const pem = certificate({ days: 5 })
    const emu = await Emulator.start(store, { tls: pem })
    try {
      expect(emu.url).toMatch(/^https:/)
      const agent = new Agent({ connect: { ca: pem.cert } })
      const res = await request(`${emu.url.replace("127.0.0.1", "localhost")}/v1/items/a`, { dispatcher: agent })
      expect(res.statusCode).toBe(200)
      await res.body.dump()
      await agent.destroy()
    } finally {
      await emu.close()
    }
  })

  vitestIt("shuts down cleanly: idle keep-alive sockets, hanging requests and pending delays leave nothing behind", async () => {
    const before = openTcpHandles()
    const emu = await Emulator.start(store)
    // An idle keep-alive connection and a raw socket that never sends a full request.
    const agent = new Agent()
    const res = await request(`${emu.url}/v1/items/a`, { dispatcher: agent })
    await res.body.text()
    const raw = net.connect(emu.port, "127.0.0.1")
    raw.on("error", () => {})
    await new Promise((r) => raw.once("connect", r))
    raw.write("GET /v1/items/a HTTP/1.1\r\nHost: x\r\n")
    // A request stuck in a 60-second fault delay.
    emu.faults.next({ kind: "latency", ms: 60_000 })
    const stuck = request(`${emu.url}/v1/items/a`, { dispatcher: agent }).then(() => "answered", () => "dropped")
    await until(() => emu.log.length === 2)
    expect(emu.connections()).toBeGreaterThanOrEqual(2)

    const started = Date.now()
    await emu.close()
    // Closing ends the delay instead of waiting it out: a tenth of it is a generous bound.
    expect(Date.now() - started).toBeLessThan(6_000)
    expect(await stuck).toBe("dropped")
    expect(emu.connections()).toBe(0)
    await agent.destroy()
    raw.destroy()
    await until(() => openTcpHandles() <= before, 2_000)
    expect(openTcpHandles()).toBeLessThanOrEqual(before)
  })

  vitestIt("restarts on the same port (for outage drills)", async () => {
    const first = await Emulator.start(store)
    await first.close()
    const second = await Emulator.start(store, { port: first.port })
    try {
      expect(second.url).toBe(first.url)
      expect((await send(`${second.url}/v1/items/a`)).status).toBe(200)
    } finally {
      await second.close()
    }
  })
})
