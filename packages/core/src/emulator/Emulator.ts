/**
 * The emulator kit: a small HTTP server on 127.0.0.1 with a route table,
 * in-memory state that tests (and users) seed and change while it runs, a log
 * of every request with credentials redacted, and scriptable fault injection.
 *
 * Every vendor emulator in launchgate is built on it, and ships with its
 * package so users can test their own gates offline.
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as http from "node:http"
import * as https from "node:https"
import type { AddressInfo, Socket } from "node:net"
import { isSensitiveQueryKey } from "../internal/redactUrl.js"
import { type Fault, type FaultRule, Faults } from "./Faults.js"

/** An incoming request as a handler sees it. */
export interface EmulatorRequest {
  readonly method: string
  /**
   * The path without the query string, percent-decoded per segment (an
   * encoded `/` inside a segment stays `%2F`, so it cannot match across
   * segments; route parameters hold it decoded).
   */
  readonly path: string
  readonly query: URLSearchParams
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** Route parameters (`{name}` in the route's path). */
  readonly params: Readonly<Record<string, string>>
  /** The body parsed as JSON; throws {@link HttpFailure} 400 when it is not JSON. */
  readonly json: () => unknown
}

/** What a handler answers. `json` wins over `body`. */
export interface Reply {
  readonly status?: number | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly json?: unknown
  readonly body?: string | Uint8Array | undefined
}

/** Throw from a handler to answer with a status and body. */
export class HttpFailure extends Error {
  constructor(readonly reply: Reply) {
    super(`emulator reply ${reply.status ?? 500}`)
  }
}

/** Context passed to handlers. */
export interface HandlerContext<S> {
  readonly state: S
  /** The emulator's own base URL (for links, operation names, service URLs). */
  readonly url: string
}

export type Handler<S> = (request: EmulatorRequest, context: HandlerContext<S>) => Reply | Promise<Reply>

/** One route: a method (`*` for any), a path with `{param}` / `{rest*}` segments, and a handler. */
export interface Route<S> {
  readonly method: string
  readonly path: string
  /** A name for fault targeting and logs; defaults to `"METHOD path"`. */
  readonly name: string
  readonly handler: Handler<S>
  readonly pattern: RegExp
  readonly keys: ReadonlyArray<string>
}

/**
 * Declare a route. Parameters are written `{name}` (one segment, no `/` or
 * `:`, so Google-style custom methods such as `{version}:access` work) or
 * `{name*}` (the rest of the path).
 *
 * @example
 * Emulator.route("GET", "/v1/items/{id}", (req, { state }) => ({ json: state.items[req.params.id] }))
 */
export const route = <S>(method: string, path: string, handler: Handler<S>, name?: string): Route<S> => {
  const keys: Array<string> = []
  // One pass, so regex characters in literal parts (`*`, `{`, `.`) are escaped and parameters are not.
  const source = path.replace(/\{(\w+)(\*?)\}|[.*+?^$()[\]{}|\\]/g, (all, key: string | undefined, star: string | undefined) => {
    if (key === undefined) return `\\${all}`
    keys.push(key)
    return star ? "(.+)" : "([^/:]+)"
  })
  return {
    method: method.toUpperCase(),
    path,
    name: name ?? `${method.toUpperCase()} ${path}`,
    handler,
    pattern: new RegExp(`^${source}$`),
    keys
  }
}

/** An emulator definition: name, initial state, routes, and optional middleware (auth, rate limits). */
export interface Definition<S> {
  readonly name: string
  readonly initialState: () => S
  readonly routes: ReadonlyArray<Route<S>>
  /**
   * Runs before routing; return a reply to answer without routing (e.g. 401).
   * Receives the matched route, if any.
   */
  readonly before?:
    | ((
      request: EmulatorRequest,
      context: HandlerContext<S>,
      route: Route<S> | undefined
    ) => Reply | undefined | Promise<Reply | undefined>)
    | undefined
  /** Answer for unmatched paths. Default: 404 `{ error: "not found" }`. */
  readonly notFound?: ((request: EmulatorRequest) => Reply) | undefined
  /** Extra header names whose values are redacted in the log (authorization, cookies and API keys always are). */
  readonly redactHeaders?: ReadonlyArray<string> | undefined
}

/** Define an emulator. */
export const define = <S>(definition: Definition<S>): Definition<S> => definition

/** One logged request. */
export interface LogEntry {
  readonly seq: number
  readonly time: number
  readonly method: string
  readonly path: string
  /** Query parameters; values of credential-like names (`key`, `token`, `signature` …) are redacted. */
  readonly query: Readonly<Record<string, string | ReadonlyArray<string>>>
  /** Headers with credentials redacted. */
  readonly headers: Readonly<Record<string, string>>
  /** The request body (first 64 KiB). */
  readonly body: string
  /** The matched route's name, if any. */
  readonly route?: string | undefined
  /** The status sent (0 when the connection was reset). */
  status: number
  /** The fault applied, if any. */
  fault?: Fault["kind"] | undefined
}

/** Options of {@link start}. */
export interface StartOptions<S> {
  /** Default 0: a random free port. */
  readonly port?: number | undefined
  /** Default 127.0.0.1. */
  readonly host?: string | undefined
  /** Change the initial state before the first request. */
  readonly seed?: ((state: S) => void) | undefined
  /** Serve HTTPS with this key and certificate (PEM). */
  readonly tls?: { readonly key: string; readonly cert: string } | undefined
}

/** A running emulator. */
export interface Running<S> {
  readonly name: string
  /** `http://127.0.0.1:PORT` */
  readonly url: string
  readonly port: number
  /** The live state: change it while the emulator runs. */
  readonly state: S
  /** Every request so far, in arrival order. */
  readonly log: ReadonlyArray<LogEntry>
  /** Requests matching a method and a path (string equality, prefix with `*` at the end, or RegExp). */
  readonly requests: (filter?: { method?: string; path?: string | RegExp; route?: string }) => ReadonlyArray<LogEntry>
  /** Clear the log. */
  readonly clearLog: () => void
  /** Fault injection. */
  readonly faults: Faults
  /** Replace the state with a fresh initial state (seeded again). */
  readonly reset: () => void
  /** Open client connections right now (keep-alive sockets included): a leak witness for tests. */
  readonly connections: () => number
  /** Stop: closes the server and every open socket, and cancels pending fault delays. */
  readonly close: () => Promise<void>
}

const ALWAYS_REDACTED = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "x-goog-api-key",
  "stripe-signature",
  "x-fivetran-signature-256"
]

const redactHeader = (name: string, value: string): string => {
  if (name === "authorization" || name === "proxy-authorization") {
    const [scheme] = value.split(" ")
    return scheme && scheme !== value ? `${scheme} <redacted>` : "<redacted>"
  }
  return "<redacted>"
}

const queryRecord = (query: URLSearchParams): Record<string, string | Array<string>> => {
  const out: Record<string, string | Array<string>> = {}
  for (const key of new Set(query.keys())) {
    const all = isSensitiveQueryKey(key) ? query.getAll(key).map(() => "<redacted>") : query.getAll(key)
    out[key] = all.length === 1 ? all[0]! : all
  }
  return out
}

// Decode each segment on its own; an encoded slash stays encoded so it cannot split a segment.
const decodePath = (raw: string): string =>
  raw.split("/").map((segment) => {
    try {
      return decodeURIComponent(segment).replace(/\//g, "%2F")
    } catch {
      return segment
    }
  }).join("/")

/** Start an emulator (plain async API). Close it with `close()`. */
export const start = async <S>(definition: Definition<S>, options: StartOptions<S> = {}): Promise<Running<S>> => {
  const freshState = () => {
    const s = definition.initialState()
    options.seed?.(s)
    return s
  }
  const holder = { state: freshState() }
  const log: Array<LogEntry> = []
  const faults = new Faults()
  const sockets = new Set<Socket>()
  const redacted = new Set([...ALWAYS_REDACTED, ...(definition.redactHeaders ?? []).map((h) => h.toLowerCase())])
  let seq = 0
  let baseUrl = ""
  let closing = false
  // Pending fault delays, so close() can end them instead of leaving timers behind.
  const delays = new Map<ReturnType<typeof setTimeout>, () => void>()
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (closing) return resolve()
      const timer = setTimeout(() => {
        delays.delete(timer)
        resolve()
      }, ms)
      delays.set(timer, resolve)
    })

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Array<Buffer> = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString("utf8")
    const url = new URL(req.url ?? "/", "http://emulator")
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v
    }
    const method = (req.method ?? "GET").toUpperCase()
    const path = decodePath(url.pathname)

    let matched: Route<S> | undefined
    let params: Record<string, string> = {}
    for (const r of definition.routes) {
      if (r.method !== "*" && r.method !== method) continue
      const m = r.pattern.exec(path)
      if (!m) continue
      matched = r
      params = Object.fromEntries(r.keys.map((k, i) => [k, m[i + 1]!.replace(/%2F/g, "/")]))
      break
    }

    const entry: LogEntry = {
      seq: ++seq,
      time: Date.now(),
      method,
      path,
      query: queryRecord(url.searchParams),
      headers: Object.fromEntries(
        Object.entries(headers).map(([k, v]) => [k, redacted.has(k) ? redactHeader(k, v) : v])
      ),
      body: body.slice(0, 65_536),
      route: matched?.name,
      status: 0
    }
    log.push(entry)

    const request: EmulatorRequest = {
      method,
      path,
      query: url.searchParams,
      headers,
      body,
      params,
      json: () => {
        try {
          return JSON.parse(body)
        } catch {
          throw new HttpFailure({ status: 400, json: { error: "request body is not valid JSON" } })
        }
      }
    }
    const context: HandlerContext<S> = { state: holder.state, url: baseUrl }

    const fault = faults.take(method, path, matched?.name)
    if (fault) entry.fault = fault.kind
    if (fault?.kind === "latency") await sleep(fault.ms)
    if (closing || req.socket.destroyed) return
    if (fault?.kind === "reset") {
      entry.status = 0
      req.socket.destroy()
      return
    }

    if (fault?.kind === "hang") {
      // Hold the request open; close() destroys the socket.
      return
    }
    if (fault?.kind === "huge-body") {
      entry.status = 200
      const size = Math.max(16, fault.bytes ?? 20 * 1024 * 1024)
      res.writeHead(200, { "content-type": "application/json", "content-length": String(size) })
      const filler = Buffer.alloc(64 * 1024, 0x61)
      res.write('{"filler":"')
      let sent = 11
      while (sent < size - 2 && !res.destroyed && !closing) {
        const n = Math.min(filler.length, size - 2 - sent)
        const ok = res.write(filler.subarray(0, n))
        sent += n
        if (!ok) {
          await new Promise<void>((resolve) => {
            // Remove both listeners either way, so thousands of waits do not pile up listeners.
            const done = () => {
              res.off("drain", done)
              res.off("close", done)
              resolve()
            }
            res.once("drain", done)
            res.once("close", done)
          })
        }
      }
      if (!res.destroyed) res.end('"}')
      return
    }

    let reply: Reply
    if (fault?.kind === "html-as-json") {
      reply = {
        status: fault.status ?? 200,
        headers: { "content-type": "application/json" },
        body: "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
      }
    } else if (fault?.kind === "redirect") {
      reply = { status: fault.status ?? 302, headers: { location: fault.location }, body: "" }
    } else if (fault?.kind === "status") {
      reply = { status: fault.status, headers: fault.headers, json: fault.json ?? { error: `injected ${fault.status}` } }
    } else if (fault?.kind === "rate-limit") {
      reply = {
        status: fault.status ?? 429,
        headers: {
          ...(fault.retryAfter !== undefined
            ? {
              "retry-after": fault.retryAfter instanceof Date ? fault.retryAfter.toUTCString() : String(fault.retryAfter)
            }
            : {}),
          ...fault.headers
        },
        json: fault.json ?? { error: "rate limited" }
      }
    } else {
      try {
        const early = definition.before ? await definition.before(request, context, matched) : undefined
        if (early) reply = early
        else if (matched) reply = await matched.handler(request, context)
        else reply = definition.notFound?.(request) ?? { status: 404, json: { error: `no route for ${method} ${path}` } }
      } catch (error) {
        reply = error instanceof HttpFailure
          ? error.reply
          : { status: 500, json: { error: error instanceof Error ? error.message : String(error) } }
      }
    }

    const status = reply.status ?? 200
    let payload: Buffer
    const outHeaders: Record<string, string> = { ...(reply.headers ?? {}) }
    if (reply.json !== undefined) {
      payload = Buffer.from(JSON.stringify(reply.json))
      outHeaders["content-type"] ??= "application/json; charset=utf-8"
    } else {
      payload = reply.body === undefined ? Buffer.alloc(0) : Buffer.from(reply.body)
    }
    if (fault?.kind === "malformed-json") {
      payload = Buffer.from(payload.toString("utf8").slice(0, Math.max(1, Math.floor(payload.length / 2))) + "{not json")
      outHeaders["content-type"] = "application/json"
    }
    entry.status = status

    if (fault?.kind === "truncate") {
      // Promise the full length, send half, then drop the connection.
      res.writeHead(status, { ...outHeaders, "content-length": String(payload.length) })
      res.write(payload.subarray(0, Math.floor(payload.length / 2)))
      setImmediate(() => req.socket.destroy())
      return
    }
    if (fault?.kind === "slow-drip") {
      res.writeHead(status, { ...outHeaders, "content-length": String(payload.length) })
      const size = Math.max(1, fault.chunkBytes ?? 1)
      for (let i = 0; i < payload.length; i += size) {
        if (res.destroyed || closing) return
        res.write(payload.subarray(i, i + size))
        await sleep(fault.chunkMs)
      }
      if (!res.destroyed) res.end()
      return
    }
    res.writeHead(status, { ...outHeaders, "content-length": String(payload.length) })
    res.end(payload)
  }

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res).catch((error) => {
      if (res.destroyed) return
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" })
        res.end(JSON.stringify({ error: String(error) }))
      } else res.destroy()
    })
  }
  const server = options.tls
    ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, listener)
    : http.createServer({ keepAlive: true }, listener)
  server.on("connection", (socket: Socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  server.on("secureConnection", (socket: Socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address
  baseUrl = `${options.tls ? "https" : "http"}://${host}:${address.port}`
  let closed: Promise<void> | undefined

  return {
    name: definition.name,
    url: baseUrl,
    port: address.port,
    get state() {
      return holder.state
    },
    log,
    requests: (filter = {}) =>
      log.filter((e) =>
        (filter.method === undefined || e.method === filter.method.toUpperCase()) &&
        (filter.route === undefined || e.route === filter.route) &&
        (filter.path === undefined ||
          (filter.path instanceof RegExp
            ? filter.path.test(e.path)
            : filter.path.endsWith("*")
            ? e.path.startsWith(filter.path.slice(0, -1))
            : e.path === filter.path))
      ),
    clearLog: () => void log.splice(0, log.length),
    faults,
    reset: () => {
      holder.state = freshState()
      faults.clear()
    },
    connections: () => sockets.size,
    close: () => {
      closed ??= (async () => {
        closing = true
        for (const [timer, resolveDelay] of delays) {
          clearTimeout(timer)
          resolveDelay()
        }
        delays.clear()
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()))
        // Resolve only once every socket has emitted `close`, so `connections()` is 0 afterwards.
        const socketsClosed = [...sockets].map((socket) => new Promise<void>((resolve) => socket.once("close", () => resolve())))
        for (const socket of sockets) socket.destroy()
        server.closeAllConnections?.()
        await Promise.all([serverClosed, ...socketsClosed])
      })()
      return closed
    }
  } satisfies Running<S>
}

/**
 * Start an emulator as a scoped resource (Effect API): it is closed, with all
 * its sockets, when the scope closes.
 */
export const scoped = <S>(definition: Definition<S>, options?: StartOptions<S>): Effect.Effect<Running<S>, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => start(definition, options)),
    (running) => Effect.promise(() => running.close())
  )

/**
 * An emulator as a layer: started when the layer is built, closed (sockets
 * included) when its scope closes. Tests and other layers reach the running
 * emulator through `tag`.
 *
 * @example
 * class Items extends Context.Tag("test/Items")<Items, Emulator.Running<ItemsState>>() {}
 * const ItemsLive = Emulator.layer(Items, itemsEmulator, { seed: (s) => s.items.set("a", 1) })
 */
export const layer = <I, S>(
  tag: Context.Tag<I, Running<S>>,
  definition: Definition<S>,
  options?: StartOptions<S>
): Layer.Layer<I> => Layer.scoped(tag, scoped(definition, options))

export type { Fault, FaultRule }
