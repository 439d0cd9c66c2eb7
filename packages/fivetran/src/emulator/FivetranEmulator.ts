/**
 * A Fivetran REST API v1 emulator on the core emulator kit: groups,
 * connections (list, details, schema config, setup tests), destinations and
 * webhooks (list, details, test delivery), in Fivetran's envelopes and field
 * names, with cursor pagination, HTTP Basic auth (401), error codes
 * (`NotFound_Connector`, …), `X-Rate-Limit-Remaining` on every answer and
 * 429 + `Retry-After` once the configured rate is exceeded.
 *
 * @example
 * const running = await FivetranEmulator.start({ seed: (s) => void seedRealisticAccount(s) })
 * const layer = Fivetran.layer(FivetranEmulator.clientOptions(running))
 *
 * @since 0.1.0
 */
import { Emulator, HttpFailure } from "@launchgate/core/emulator"
import type { EmulatorRequest, Reply, Running as EmulatorRunning, StartOptions } from "@launchgate/core/emulator"
import type * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { randomUUID } from "node:crypto"
import * as WebhookSignature from "../WebhookSignature.js"
import type { ConnectionData, ConnectionSeed, DestinationData, State, WebhookSeed } from "./State.js"
import { State as StateClass } from "./State.js"

/** A running Fivetran emulator. (An alias, not a type re-export: the bundled .d.ts must stay valid under strict consumers.) */
export type Running<S = State> = EmulatorRunning<S>

const fail = (status: number, code: string, message: string) => new HttpFailure({ status, json: { code, message } })

const ok = (data: unknown, message?: string): Reply => ({
  json: { code: "Success", ...(message !== undefined ? { message } : {}), data }
})

const pruned = (state: State, now: number): Array<number> => {
  const times = state.requestTimes
  while (times.length > 0 && times[0]! <= now - state.rateLimit.windowMs) times.shift()
  return times
}

const rateHeaders = (state: State): Record<string, string> => ({
  "x-rate-limit": String(state.rateLimit.limit),
  "x-rate-limit-remaining": String(Math.max(0, state.rateLimit.limit - pruned(state, Date.now()).length))
})

/** A route whose answers (errors included) carry the rate-limit headers. */
const route = (method: string, path: string, handler: Emulator.Handler<State>) =>
  Emulator.route<State>(method, path, async (request, context) => {
    let reply: Reply
    try {
      reply = await handler(request, context)
    } catch (error) {
      if (!(error instanceof HttpFailure)) throw error
      reply = error.reply
    }
    return { ...reply, headers: { ...rateHeaders(context.state), ...reply.headers } }
  })

// Cursors are opaque to clients; Fivetran's look like base64 of {"skip":N}.
const encodeCursor = (skip: number) => Buffer.from(JSON.stringify({ skip })).toString("base64url")
const decodeCursor = (cursor: string): number => {
  try {
    const skip = (JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { skip?: unknown }).skip
    if (typeof skip === "number" && Number.isInteger(skip) && skip >= 0) return skip
  } catch {
    // fall through
  }
  throw fail(400, "InvalidInput", `Invalid cursor value: ${cursor}`)
}

/** One page: `limit` 1..1000 (default 100), `cursor` from the previous `next_cursor`. */
const paginate = <A>(items: ReadonlyArray<A>, request: EmulatorRequest) => {
  const rawLimit = request.query.get("limit")
  const limit = rawLimit === null ? 100 : Number(rawLimit)
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw fail(400, "InvalidInput", "Parameter 'limit' must be a number in the range 1..1000")
  }
  const cursor = request.query.get("cursor")
  const skip = cursor === null || cursor === "" ? 0 : decodeCursor(cursor)
  const page = items.slice(skip, skip + limit)
  return {
    items: page,
    ...(skip + limit < items.length ? { next_cursor: encodeCursor(skip + limit) } : {})
  }
}

const findConnection = (state: State, id: string | undefined): ConnectionSeed => {
  const seed = id === undefined ? undefined : state.connections.get(id)
  if (!seed) throw fail(404, "NotFound_Connector", `Connector with id '${id}' does not exist`)
  return seed
}

/**
 * A connection as a list item. The list schema (`ConnectorResponse`) does not
 * document `null` timestamps the way the details schema does, so they are
 * left out rather than sent as `null`.
 */
const connectionItem = (data: ConnectionData) =>
  Object.fromEntries(Object.entries(data).filter(([, v]) => v !== null))

/** A destination as a list item (`DestinationResponse`: no setup tests, no config). */
const destinationItem = ({ setup_tests: _tests, config: _config, ...rest }: DestinationData) => rest

const webhookJson = (seed: WebhookSeed) => ({
  ...seed.data,
  ...(seed.secret !== undefined ? { secret: "******" } : {})
})

const requireJsonBody = (request: EmulatorRequest): Record<string, unknown> => {
  if (request.body.trim() === "") throw fail(400, "InvalidInput", "Request body is required")
  if (!(request.headers["content-type"] ?? "").toLowerCase().includes("application/json")) {
    throw fail(415, "UnsupportedMediaType", "Content-Type must be application/json")
  }
  let body: unknown
  try {
    body = JSON.parse(request.body)
  } catch {
    throw fail(400, "InvalidInput", "Request body is not valid JSON")
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw fail(400, "InvalidInput", "Request body must be an object")
  }
  return body as Record<string, unknown>
}

const isFailed = (status: string) => status === "FAILED" || status === "JOB_FAILED"

/** Deliver a test event the way Fivetran does: a signed POST to the webhook URL. */
const deliverTest = async (seed: WebhookSeed, event: string) => {
  if (seed.testResult) return seed.testResult
  const body = JSON.stringify({
    event,
    created: new Date().toISOString(),
    connector_type: "test",
    connector_id: "_connector_1",
    connector_name: "_connector_1",
    sync_id: randomUUID(),
    destination_group_id: "_group_1",
    data: { status: "SUCCESSFUL" }
  })
  try {
    const response = await fetch(seed.data.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        // Lower-case hex, as the receiver check sends: the case Fivetran uses is unverified (README).
        ...(seed.secret !== undefined ? { [WebhookSignature.HEADER]: WebhookSignature.sign(body, seed.secret) } : {})
      },
      body,
      signal: AbortSignal.timeout(5_000)
    })
    await response.arrayBuffer()
    return {
      succeed: response.ok,
      status: response.status,
      message: response.ok ? "Success" : `Webhook endpoint answered ${response.status}`
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return { succeed: false, status: 0, message: `Could not deliver to ${seed.data.url}: ${reason}` }
  }
}

const routes = [
  route("GET", "/v1/groups", (req, { state }) =>
    ok(paginate([...state.groups.values()], req), "Groups retrieved successfully")),
  route("GET", "/v1/groups/{groupId}", (req, { state }) => {
    const group = state.groups.get(req.params["groupId"]!)
    if (!group) throw fail(404, "NotFound_Group", `Group with id '${req.params["groupId"]}' does not exist`)
    return ok(group, "Group details retrieved successfully")
  }),
  route("GET", "/v1/groups/{groupId}/connections", (req, { state }) => {
    const groupId = req.params["groupId"]!
    if (!state.groups.has(groupId)) throw fail(404, "NotFound_Group", `Group with id '${groupId}' does not exist`)
    const schema = req.query.get("schema")
    const items = [...state.connections.values()].map((c) => c.data)
      .filter((c) => c.group_id === groupId && (schema === null || c.schema === schema))
    return ok(paginate(items.map(connectionItem), req), "Group connections retrieved successfully")
  }),
  route("GET", "/v1/connections", (req, { state }) => {
    const groupId = req.query.get("group_id")
    const schema = req.query.get("schema")
    const items = [...state.connections.values()].map((c) => c.data)
      .filter((c) => (groupId === null || c.group_id === groupId) && (schema === null || c.schema === schema))
    return ok(paginate(items.map(connectionItem), req), "Connections list retrieved successfully")
  }),
  route("GET", "/v1/connections/{connectionId}", (req, { state }) =>
    ok(findConnection(state, req.params["connectionId"]).data, "Connection details retrieved successfully")),
  route("GET", "/v1/connections/{connectionId}/schemas", (req, { state }) =>
    ok(findConnection(state, req.params["connectionId"]).schemaConfig, "Schema configuration retrieved successfully")),
  route("POST", "/v1/connections/{connectionId}/test", (req, { state }) => {
    const seed = findConnection(state, req.params["connectionId"])
    requireJsonBody(req)
    const results = (seed.setupTestsOnRun ?? seed.data.setup_tests).map((t) => ({ ...t }))
    seed.data.setup_tests = results
    if (results.some((t) => isFailed(t.status))) seed.data.status.setup_state = "broken"
    else if (results.length > 0) seed.data.status.setup_state = "connected"
    return ok(seed.data, "Setup tests have been completed")
  }),
  route("GET", "/v1/destinations", (req, { state }) =>
    ok(paginate([...state.destinations.values()].map(destinationItem), req), "Destinations retrieved successfully")),
  route("GET", "/v1/destinations/{destinationId}", (req, { state }) => {
    const destination = state.destinations.get(req.params["destinationId"]!)
    if (!destination) {
      throw fail(404, "NotFound_Destination", `Destination with id '${req.params["destinationId"]}' does not exist`)
    }
    return ok(destination, "Destination details retrieved successfully")
  }),
  route("GET", "/v1/webhooks", (req, { state }) =>
    ok(paginate([...state.webhooks.values()].map(webhookJson), req), "Webhooks retrieved successfully")),
  route("GET", "/v1/webhooks/{webhookId}", (req, { state }) => {
    const seed = state.webhooks.get(req.params["webhookId"]!)
    if (!seed) throw fail(404, "NotFound_Webhook", `Webhook with id '${req.params["webhookId"]}' does not exist`)
    return ok(webhookJson(seed), "Webhook details retrieved successfully")
  }),
  route("POST", "/v1/webhooks/{webhookId}/test", async (req, { state }) => {
    const seed = state.webhooks.get(req.params["webhookId"]!)
    if (!seed) throw fail(404, "NotFound_Webhook", `Webhook with id '${req.params["webhookId"]}' does not exist`)
    const event = requireJsonBody(req)["event"]
    if (typeof event !== "string" || event === "") throw fail(400, "InvalidInput", "Field 'event' is required")
    return ok(await deliverTest(seed, event), "Webhook test completed successfully")
  })
]

const authorized = (request: EmulatorRequest, state: State): boolean => {
  const header = request.headers["authorization"] ?? ""
  const match = /^Basic\s+(.+)$/i.exec(header.trim())
  if (!match) return false
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8")
  return decoded === `${state.credentials.apiKey}:${state.credentials.apiSecret}`
}

const acceptable = (accept: string | undefined): boolean =>
  accept === undefined || accept.split(",").some((part) => {
    const type = part.split(";")[0]!.trim().toLowerCase()
    return type === "application/json" || type === "application/*" || type === "*/*"
  })

/** The emulator definition (for `Emulator.start` / `Emulator.scoped` from the core kit). */
export const definition: Emulator.Definition<State> = Emulator.define<State>({
  name: "fivetran",
  initialState: () => new StateClass(),
  routes,
  before: (request, { state }) => {
    if (!authorized(request, state)) {
      return {
        status: 401,
        headers: { "www-authenticate": 'Basic realm="Fivetran API"' },
        json: { code: "AuthFailed", message: "Authentication failed: missing or invalid API key and secret" }
      }
    }
    if (!acceptable(request.headers["accept"])) {
      const message = "Use Accept: application/json or application/json;version=2"
      return { status: 406, json: { code: "NotAcceptable", message } }
    }
    const now = Date.now()
    const times = pruned(state, now)
    if (times.length >= state.rateLimit.limit) {
      const retryAfter = Math.max(1, Math.ceil(((times[0] ?? now) + state.rateLimit.windowMs - now) / 1000))
      return {
        status: 429,
        headers: {
          "retry-after": String(retryAfter),
          "x-rate-limit": String(state.rateLimit.limit),
          "x-rate-limit-remaining": "0"
        },
        json: {
          code: "TooManyRequests",
          message: `No more than ${state.rateLimit.limit} requests are allowed per rolling window`
        }
      }
    }
    times.push(now)
    return undefined
  },
  // Unknown paths, the retired /v1/connectors… paths included, are 404 as on the live API.
  notFound: (request) => ({
    status: 404,
    json: { code: "NotFound", message: `No resource at ${request.method} ${request.path}` }
  })
})

/** Start the emulator on 127.0.0.1 (a random port unless given). Close it with `close()`. */
export const start = (options: StartOptions<State> = {}): Promise<Running<State>> => Emulator.start(definition, options)

/** Start the emulator for the life of a scope. */
export const scoped = (options: StartOptions<State> = {}): Effect.Effect<Running<State>, never, Scope.Scope> =>
  Emulator.scoped(definition, options)

/**
 * Client options pointing at a running emulator with its valid credentials,
 * for `Fivetran.layer(...)`. Extra options (page size, retry) pass through.
 */
export const clientOptions = <const O extends object = {}>(running: Running<State>, extra?: O) => ({
  apiKey: Redacted.make(running.state.credentials.apiKey),
  apiSecret: Redacted.make(running.state.credentials.apiSecret),
  baseUrl: `${running.url}/v1`,
  ...(extra ?? ({} as O))
})

