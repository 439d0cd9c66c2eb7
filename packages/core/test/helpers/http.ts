/**
 * Shared helpers for the HTTP tests: a fast-retry transport, a "site"
 * emulator whose pages tests set while it runs, a CONNECT proxy, and small
 * waiting utilities. Everything binds to 127.0.0.1 on a random port.
 */
import { Effect, type Layer } from "effect"
import * as http from "node:http"
import * as net from "node:net"
import type { AddressInfo } from "node:net"
import { Emulator, type Reply } from "../../src/emulator/index.js"
import * as HttpTransport from "../../src/HttpTransport.js"

/** The transport with tiny retry delays, so retry tests take milliseconds. */
export const fastTransport = (options: HttpTransport.Options = {}): Layer.Layer<HttpTransport.HttpTransport> =>
  HttpTransport.layer({ retry: { baseDelay: "2 millis", maxDelay: "10 millis" }, ...options })

/** State of the site emulator: a reply per path (the default is 200 `{ ok: true }`). */
export interface SiteState {
  readonly pages: Map<string, Reply | ((request: Emulator.EmulatorRequest) => Reply)>
}

/** An emulator answering every method and path from its `pages` state. */
export const site = Emulator.define<SiteState>({
  name: "site",
  initialState: () => ({ pages: new Map() }),
  routes: [
    Emulator.route<SiteState>("*", "{path*}", (request, { state }) => {
      const page = state.pages.get(request.path)
      if (page === undefined) return { status: 200, json: { ok: true } }
      return typeof page === "function" ? page(request) : page
    }, "page")
  ]
})

/** Start the site emulator for the current scope. */
export const siteScoped = (options?: Emulator.StartOptions<SiteState>) => Emulator.scoped(site, options)

/** Wait (for real) until a condition holds, polling every few milliseconds. */
export const until = (condition: () => boolean, timeoutMs = 5_000): Promise<void> =>
  new Promise((resolve, reject) => {
    const started = Date.now()
    const poll = () => {
      if (condition()) return resolve()
      if (Date.now() - started > timeoutMs) return reject(new Error("condition not met in time"))
      setTimeout(poll, 2)
    }
    poll()
  })

/** {@link until} as an Effect (uses the real clock even under TestClock). */
export const untilEffect = (condition: () => boolean, timeoutMs?: number) => Effect.promise(() => until(condition, timeoutMs))

/** A real sleep, independent of the Effect clock. */
export const realSleep = (ms: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

/** A minimal CONNECT proxy on loopback that records every tunnel it opens. */
export interface Proxy {
  readonly url: string
  readonly tunnels: ReadonlyArray<string>
  readonly close: () => Promise<void>
}

export const startProxy = async (): Promise<Proxy> => {
  const tunnels: Array<string> = []
  const sockets = new Set<net.Socket>()
  const track = (socket: net.Socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
    socket.on("error", () => socket.destroy())
  }
  const server = http.createServer((_, res) => {
    res.writeHead(405)
    res.end()
  })
  server.on("connection", track)
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(req.url ?? "")
    const [host, port] = (req.url ?? "").split(":")
    const upstream = net.connect(Number(port), host ?? "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n")
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    track(upstream)
    upstream.on("close", () => client.destroy())
    client.on("close", () => upstream.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
      })
  }
}

/** Open TCP handles of this process (sockets and servers), for leak checks. */
export const openTcpHandles = (): number =>
  process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap" || r === "TCPServerWrap").length
