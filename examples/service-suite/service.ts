/**
 * The service under test: a tiny greeting API on `node:http`, standing in
 * for your own service. The tests start it on 127.0.0.1, port 0 (a random
 * free port), exactly as they would start yours.
 *
 * - `GET /healthz`: a health document (`{ status, checks: { db } }`), 503 when the database is down.
 * - `GET /api/greeting?name=Ada`: `{ message }`, with the security headers the app sets.
 * - `GET /legacy/greeting`: the same answer from an old route mounted before the security
 *   middleware, so without those headers. A real misconfiguration the tests catch.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/** The greeting for a name; blank names get a generic one. */
export const greet = (name: string | null | undefined): string => {
  const trimmed = name?.trim() ?? ""
  return trimmed === "" ? "Hello, stranger!" : `Hello, ${trimmed.slice(0, 64)}!`
}

/** Headers every page of the app should send (what `SecurityHeaders` checks). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "strict-transport-security": "max-age=31536000; includeSubDomains",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'"
}

/** Options of {@link startService}. */
export interface ServiceOptions {
  /** Whether the database answers (the health endpoint reports it). Default `() => true`. */
  readonly dbUp?: (() => boolean) | undefined
}

/** A running service. */
export interface RunningService {
  /** `http://127.0.0.1:PORT` */
  readonly url: string
  readonly close: () => Promise<void>
}

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify(body))
}

const handler = (options: ServiceOptions) => (req: IncomingMessage, res: ServerResponse) => {
  const url = new URL(req.url ?? "/", "http://localhost")
  if (req.method !== "GET") return send(res, 405, { error: "method not allowed" }, { allow: "GET" })
  switch (url.pathname) {
    case "/healthz": {
      const db = (options.dbUp ?? (() => true))() ? "pass" : "fail"
      return send(res, db === "pass" ? 200 : 503, { status: db, checks: { db: [{ componentType: "datastore", status: db }] } }, {
        "content-type": "application/health+json"
      })
    }
    case "/api/greeting":
      return send(res, 200, { message: greet(url.searchParams.get("name")) }, { ...SECURITY_HEADERS })
    case "/legacy/greeting":
      return send(res, 200, { message: greet(url.searchParams.get("name")) })
    default:
      return send(res, 404, { error: "not found" }, { ...SECURITY_HEADERS })
  }
}

/** Start the service on 127.0.0.1 (a random port unless given). */
export const startService = async (options: ServiceOptions & { readonly port?: number } = {}): Promise<RunningService> => {
  const server = createServer(handler(options))
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve())
  })
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        // Keep-alive sockets (the checks' transport keeps connections open) would hold close() open.
        server.closeAllConnections()
      })
  }
}
