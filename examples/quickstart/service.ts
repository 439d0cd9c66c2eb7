/**
 * A stand-in for the service being launched: a tiny HTTP server on loopback,
 * so the quickstart runs offline. In your gate, point the checks at the real
 * service instead (a staging URL, then production).
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

const create = () => createServer((req, res) => {
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    // `connection: close`: an idle keep-alive socket would hold the process open after the run.
    res.writeHead(status, { "content-type": "application/json", "x-content-type-options": "nosniff", connection: "close", ...headers })
    res.end(JSON.stringify(body))
  }
  switch (req.url) {
    case "/healthz":
      return json(200, { status: "ok", version: "1.4.2" })
    case "/flags/notes.enabled":
      return json(200, { flag: "notes.enabled", enabled: true })
    case "/notes":
      // No strict-transport-security and no cache-control: the gate notices both.
      return json(200, [{ id: 1, text: "hello" }])
    default:
      return json(404, { error: "not found" })
  }
})

/** Start the stand-in service on a random loopback port; `close` stops it and every socket. */
export const start = async (): Promise<{ readonly url: string; readonly close: () => Promise<void> }> => {
  const server = create()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
