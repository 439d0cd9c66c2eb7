/**
 * A stateful emulator of the Stripe API subset launchgate reads, on the core
 * emulator kit: the account, products, prices, webhook endpoints, events,
 * customer portal configurations and tax settings, with Stripe's list
 * envelope and cursor pagination, its error envelope, authentication by key
 * shape (401), restricted-key permissions (403) and the kit's fault
 * injection (429, 5xx, malformed JSON…). The official `stripe` SDK talks to
 * it unchanged: point the SDK's `host`/`port`/`protocol` at {@link connection},
 * and launchgate's client at {@link clientOptions}.
 *
 * Live and test data are kept apart as in Stripe: a live key sees objects
 * with `livemode: true`, a test key those with `livemode: false`.
 *
 * @example
 * const stripe = await StripeEmulator.start({ seed: seedRealisticAccount() })
 * const layer = Billing.layer(StripeEmulator.clientOptions(stripe))
 *
 * @since 0.1.0
 */
import type { EmulatorRequest, Fault, Reply, Route, Running, StartOptions } from "@launchgate/core/emulator"
import { Emulator } from "@launchgate/core/emulator"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as Stripe from "../Stripe.js"
import {
  account,
  type AccountObject,
  type EventObject,
  id,
  pendingTaxSettings,
  type PortalConfigurationObject,
  type PriceObject,
  type ProductObject,
  type StripeObject,
  type TaxSettingsObject,
  type WebhookEndpointObject
} from "./objects.js"
import { STRIPE_API_VERSION } from "../internal/apiVersion.js"

/** A key the emulator accepts. A restricted key without `permissions` may read everything. */
export interface ApiKeyGrant {
  readonly key: string
  /** Permissions of a restricted key (see {@link permissions}). */
  readonly permissions?: ReadonlyArray<string> | undefined
}

/** The emulator's state: change it before or while the emulator runs. */
export interface StripeState {
  account: AccountObject
  products: Array<ProductObject>
  prices: Array<PriceObject>
  webhookEndpoints: Array<WebhookEndpointObject>
  events: Array<EventObject>
  portalConfigurations: Array<PortalConfigurationObject>
  /** Served with `livemode` set from the key's mode. */
  taxSettings: TaxSettingsObject
  /** Accepted keys. Empty: any well-formed secret or restricted key, with every permission. */
  keys: Array<ApiKeyGrant>
}

/**
 * The permission a restricted key needs per resource, named the way Stripe
 * names them in its 403 messages (`rak_<resource>_read`).
 */
export const permissions = {
  account: "rak_account_read",
  products: "rak_product_read",
  prices: "rak_plan_read",
  webhookEndpoints: "rak_webhook_read",
  events: "rak_event_read",
  portalConfigurations: "rak_billing_portal_configuration_read",
  taxSettings: "rak_tax_settings_read"
} as const

/** A fresh state: a working account, pending tax settings, nothing else. */
export const initialState = (): StripeState => ({
  account: account(),
  products: [],
  prices: [],
  webhookEndpoints: [],
  events: [],
  portalConfigurations: [],
  taxSettings: pendingTaxSettings(),
  keys: []
})

// ---------------------------------------------------------------------------
// Stripe's error envelope and response headers

/*
 * Stripe answers every request, errors and 429s included, with a `Request-Id` (`req_…`) and the
 * `Stripe-Version` the response was rendered with (the request's, else the account default).
 */
const stripeHeaders = (req: EmulatorRequest | undefined): Record<string, string> => ({
  "request-id": id("req", 14),
  "stripe-version": req?.headers["stripe-version"] ?? STRIPE_API_VERSION
})

const withStripeHeaders = (req: EmulatorRequest, r: Reply): Reply => ({
  ...r,
  headers: { ...stripeHeaders(req), ...r.headers }
})

/*
 * Headers for fault replies, which the kit builds without the request: getters, because the kit
 * spreads `fault.headers` into each reply, so every reply of a repeated fault gets a fresh request id.
 */
const faultHeaders = (): Record<string, string> =>
  Object.defineProperties({} as Record<string, string>, {
    "request-id": { enumerable: true, get: () => id("req", 14) },
    "stripe-version": { enumerable: true, get: () => STRIPE_API_VERSION }
  })

const reply = (status: number, json: unknown): Reply => ({ status, json })

/** A reply in Stripe's error envelope. */
export const errorReply = (
  status: number,
  error: { readonly type: string; readonly message: string; readonly code?: string; readonly param?: string }
): Reply => reply(status, { error: { ...error, request_log_url: null } })

const invalidParam = (param: string, message: string): Reply =>
  errorReply(400, { type: "invalid_request_error", code: "parameter_invalid", param, message })

class ParamError extends Error {
  constructor(readonly reply: Reply) {
    super("invalid parameter")
  }
}

/**
 * A 429 fault in Stripe's error envelope with Stripe's headers (for `running.faults.next(...)`).
 * `retryAfter`: seconds, or a `Date` sent as an HTTP-date.
 */
export const rateLimited = (retryAfter?: number | Date): Fault => ({
  kind: "rate-limit",
  ...(retryAfter !== undefined ? { retryAfter } : {}),
  headers: faultHeaders(),
  json: {
    error: {
      type: "rate_limit_error",
      code: "rate_limit",
      message: "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.",
      request_log_url: null
    }
  }
})

/** A server error fault in Stripe's error envelope with Stripe's headers. */
export const serverError = (status = 500): Fault => ({
  kind: "status",
  status,
  headers: faultHeaders(),
  json: {
    error: {
      type: "api_error",
      message: "An unknown error occurred while processing the request.",
      request_log_url: null
    }
  }
})

// ---------------------------------------------------------------------------
// Form/query parsing: `a[0]=x&a[1]=y`, `a[]=x`, `created[gte]=1`

type Params = { [key: string]: unknown }

const assign = (target: Params | Array<unknown>, path: ReadonlyArray<string>, value: string): void => {
  const [head, ...rest] = path as [string, ...Array<string>]
  const isArray = Array.isArray(target)
  const index = head === "" && isArray ? target.length : Number(head)
  if (rest.length === 0) {
    if (isArray) target[index] = value
    else target[head] = value
    return
  }
  const nextIsArray = rest[0] === "" || /^\d+$/.test(rest[0]!)
  let child = isArray ? target[index] : target[head]
  if (typeof child !== "object" || child === null) {
    child = nextIsArray ? [] : {}
    if (isArray) target[index] = child
    else target[head] = child
  }
  assign(child as Params | Array<unknown>, rest, value)
}

/** Parse Stripe's form encoding (query string or `application/x-www-form-urlencoded` body) into nested values. */
export const parseForm = (params: URLSearchParams): Params => {
  const out: Params = {}
  for (const [key, value] of params) {
    const match = /^([^[\]]+)((?:\[[^\]]*\])*)$/.exec(key)
    if (!match) {
      out[key] = value
      continue
    }
    const segments = [...match[2]!.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]!)
    assign(out, [match[1]!, ...segments], value)
  }
  return out
}

const paramsOf = (req: EmulatorRequest): Params =>
  req.method === "GET" || req.method === "DELETE" ? parseForm(req.query) : parseForm(new URLSearchParams(req.body))

const list = (params: Params, name: string): Array<string> | undefined => {
  const value = params[name]
  if (value === undefined) return undefined
  if (typeof value === "string") return [value]
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string")
  return Object.values(value as Params).filter((v): v is string => typeof v === "string")
}

const bool = (params: Params, name: string): boolean | undefined => {
  const value = params[name]
  if (value === undefined) return undefined
  if (value === "true") return true
  if (value === "false") return false
  throw new ParamError(invalidParam(name, `Invalid boolean: ${String(value)}`))
}

const str = (params: Params, name: string): string | undefined => {
  const value = params[name]
  if (value === undefined) return undefined
  if (typeof value === "string") return value
  throw new ParamError(invalidParam(name, `Invalid string: ${JSON.stringify(value)}`))
}

const integer = (value: unknown, param: string): number => {
  if (typeof value === "string" && /^-?\d+$/.test(value)) return Number(value)
  throw new ParamError(invalidParam(param, `Invalid integer: ${String(value)}`))
}

/** `created=123` or `created[gte]=…&created[lt]=…`. */
const createdFilter = (params: Params, name = "created"): ((created: number) => boolean) => {
  const value = params[name]
  if (value === undefined) return () => true
  if (typeof value === "string") {
    const exact = integer(value, name)
    return (c) => c === exact
  }
  const range = value as Params
  const bound = (op: string) => (range[op] === undefined ? undefined : integer(range[op], `${name}[${op}]`))
  const gt = bound("gt")
  const gte = bound("gte")
  const lt = bound("lt")
  const lte = bound("lte")
  return (c) =>
    (gt === undefined || c > gt) && (gte === undefined || c >= gte) && (lt === undefined || c < lt) &&
    (lte === undefined || c <= lte)
}

// ---------------------------------------------------------------------------
// Keys and modes

const KEY_SHAPE = /^(sk|rk)_(live|test)_[A-Za-z0-9]+$/

const bearer = (authorization: string | undefined): string | undefined => {
  if (authorization === undefined) return undefined
  const [scheme, value] = authorization.split(" ")
  if (scheme?.toLowerCase() === "bearer" && value) return value
  if (scheme?.toLowerCase() === "basic" && value) {
    return Buffer.from(value, "base64").toString("utf8").split(":")[0] || undefined
  }
  return undefined
}

const masked = (key: string): string => `${key.slice(0, key.indexOf("_", 3) + 1)}****${key.slice(-4)}`

const livemodeOf = (req: EmulatorRequest): boolean => bearer(req.headers["authorization"])?.includes("_live_") === true

// ---------------------------------------------------------------------------
// Listing

interface Listable extends StripeObject {
  readonly id: string
  readonly created: number
  readonly livemode: boolean
}

/** Stripe's list envelope over `items` (newest first), with `limit`, `starting_after`, `ending_before`. */
const listReply = <T extends Listable>(
  req: EmulatorRequest,
  params: Params,
  items: ReadonlyArray<T>,
  present: (item: T) => StripeObject = (item) => item
): Reply => {
  const live = livemodeOf(req)
  const sorted = items
    .map((item, index) => ({ item, index }))
    .filter(({ item }) => item.livemode === live)
    .sort((a, b) => b.item.created - a.item.created || b.index - a.index)
    .map(({ item }) => item)
  const limit = params["limit"] === undefined ? 10 : integer(params["limit"], "limit")
  if (limit < 1 || limit > 100) {
    throw new ParamError(invalidParam("limit", "This value must be between 1 and 100 (it currently is " + limit + ")."))
  }
  const startingAfter = str(params, "starting_after")
  const endingBefore = str(params, "ending_before")
  let window: ReadonlyArray<T>
  let hasMore: boolean
  const position = (cursor: string, param: string) => {
    const at = sorted.findIndex((item) => item.id === cursor)
    if (at < 0) {
      throw new ParamError(errorReply(400, {
        type: "invalid_request_error",
        code: "resource_missing",
        param,
        message: `No such object: '${cursor}'`
      }))
    }
    return at
  }
  if (startingAfter !== undefined) {
    const rest = sorted.slice(position(startingAfter, "starting_after") + 1)
    window = rest.slice(0, limit)
    hasMore = rest.length > limit
  } else if (endingBefore !== undefined) {
    const before = sorted.slice(0, position(endingBefore, "ending_before"))
    window = before.slice(Math.max(0, before.length - limit))
    hasMore = before.length > limit
  } else {
    window = sorted.slice(0, limit)
    hasMore = sorted.length > limit
  }
  return reply(200, { object: "list", data: window.map(present), has_more: hasMore, url: req.path })
}

const retrieve = <T extends { readonly id: string; readonly livemode: boolean }>(
  req: EmulatorRequest,
  items: ReadonlyArray<T>,
  noun: string,
  present: (item: T) => StripeObject = (item) => item as unknown as StripeObject
): Reply => {
  const wanted = req.params["id"]
  const found = items.find((item) => item.id === wanted && item.livemode === livemodeOf(req))
  return found
    ? reply(200, present(found))
    : errorReply(404, {
      type: "invalid_request_error",
      code: "resource_missing",
      param: "id",
      message: `No such ${noun}: '${wanted}'`
    })
}

const withExpandedProduct = (state: StripeState, expand: ReadonlyArray<string>, prefix: string) =>
(price: PriceObject): StripeObject => {
  if (!expand.includes(`${prefix}product`)) return price
  const product = state.products.find((p) => p.id === price.product)
  return product ? { ...price, product } : price
}

const matchesType = (pattern: string, type: string): boolean =>
  pattern.endsWith("*") ? type.startsWith(pattern.slice(0, -1)) : pattern === type

// ---------------------------------------------------------------------------
// Routes

type Handler = (req: EmulatorRequest, state: StripeState, params: Params) => Reply

const routeTable: ReadonlyArray<readonly [string, string, keyof typeof permissions, Handler]> = [
  ["GET", "/v1/account", "account", (_req, state) => reply(200, state.account)],
  ["GET", "/v1/products", "products", (req, state, params) => {
    const active = bool(params, "active")
    const ids = list(params, "ids")
    return listReply(req, params, state.products.filter((p) =>
      (active === undefined || p.active === active) && (ids === undefined || ids.includes(p.id))
    ))
  }],
  ["GET", "/v1/products/{id}", "products", (req, state) => retrieve(req, state.products, "product")],
  ["GET", "/v1/prices", "prices", (req, state, params) => {
    const active = bool(params, "active")
    const currency = str(params, "currency")?.toLowerCase()
    const type = str(params, "type")
    const product = str(params, "product")
    const lookupKeys = list(params, "lookup_keys")
    const created = createdFilter(params)
    const expand = list(params, "expand") ?? []
    return listReply(
      req,
      params,
      state.prices.filter((p) =>
        (active === undefined || p.active === active) &&
        (currency === undefined || p.currency === currency) &&
        (type === undefined || p.type === type) &&
        (product === undefined || p.product === product) &&
        (lookupKeys === undefined || (p.lookup_key !== null && lookupKeys.includes(p.lookup_key))) &&
        created(p.created)
      ),
      withExpandedProduct(state, expand, "data.")
    )
  }],
  ["GET", "/v1/prices/{id}", "prices", (req, state, params) =>
    retrieve(req, state.prices, "price", withExpandedProduct(state, list(params, "expand") ?? [], ""))],
  ["GET", "/v1/webhook_endpoints", "webhookEndpoints", (req, state, params) =>
    listReply(req, params, state.webhookEndpoints)],
  ["GET", "/v1/webhook_endpoints/{id}", "webhookEndpoints", (req, state) =>
    retrieve(req, state.webhookEndpoints, "webhook endpoint")],
  ["GET", "/v1/events", "events", (req, state, params) => {
    const delivered = bool(params, "delivery_success")
    const type = str(params, "type")
    const types = list(params, "types")
    const created = createdFilter(params)
    return listReply(req, params, state.events.filter((e) =>
      (delivered === undefined || (e.pending_webhooks === 0) === delivered) &&
      (type === undefined || matchesType(type, e.type)) &&
      (types === undefined || types.includes(e.type)) &&
      created(e.created)
    ))
  }],
  ["GET", "/v1/events/{id}", "events", (req, state) => retrieve(req, state.events, "event")],
  ["GET", "/v1/billing_portal/configurations", "portalConfigurations", (req, state, params) => {
    const active = bool(params, "active")
    const isDefault = bool(params, "is_default")
    return listReply(req, params, state.portalConfigurations.filter((c) =>
      (active === undefined || c.active === active) && (isDefault === undefined || c.is_default === isDefault)
    ))
  }],
  ["GET", "/v1/billing_portal/configurations/{id}", "portalConfigurations", (req, state) =>
    retrieve(req, state.portalConfigurations, "configuration")],
  ["GET", "/v1/tax/settings", "taxSettings", (req, state) =>
    reply(200, { ...state.taxSettings, livemode: livemodeOf(req) })]
]

const permissionByRoute = new Map<string, string>(
  routeTable.map(([method, path, resource]) => [`${method} ${path}`, permissions[resource]])
)

const routes: ReadonlyArray<Route<StripeState>> = routeTable.map(([method, path, , handler]) =>
  Emulator.route<StripeState>(method, path, (req, { state }) => {
    try {
      return withStripeHeaders(req, handler(req, state, paramsOf(req)))
    } catch (error) {
      if (error instanceof ParamError) return withStripeHeaders(req, error.reply)
      throw error
    }
  })
)

const authenticate = (
  req: EmulatorRequest,
  state: StripeState,
  route: Route<StripeState> | undefined
): Reply | undefined => {
  const key = bearer(req.headers["authorization"])
  if (key === undefined) {
    return errorReply(401, {
      type: "invalid_request_error",
      message: "You did not provide an API key. You need to provide your API key in the Authorization header, " +
        "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."
    })
  }
  if (key.startsWith("pk_")) {
    return errorReply(401, {
      type: "invalid_request_error",
      message: "This API call cannot be made with a publishable API key. Please use a secret API key."
    })
  }
  const grant = KEY_SHAPE.test(key)
    ? state.keys.length === 0 ? { key } : state.keys.find((k) => k.key === key)
    : undefined
  if (grant === undefined) {
    return errorReply(401, { type: "invalid_request_error", message: `Invalid API Key provided: ${masked(key)}` })
  }
  if (route === undefined || !key.startsWith("rk_") || grant.permissions === undefined) return undefined
  const needed = [permissionByRoute.get(route.name)]
  if ((list(paramsOf(req), "expand") ?? []).some((e) => e.endsWith("product"))) needed.push(permissions.products)
  const missing = needed.find((p): p is string => p !== undefined && !grant.permissions!.includes(p))
  if (missing === undefined) return undefined
  return errorReply(403, {
    type: "invalid_request_error",
    message: `The provided key '${masked(key)}' does not have the required permissions for this endpoint on ` +
      `account '${state.account.id}'. Having the '${missing}' permission would allow this request to continue.`
  })
}

/** The emulator definition (for `Emulator.start` / `Emulator.scoped` from the core kit). */
export const definition = Emulator.define<StripeState>({
  name: "stripe",
  initialState,
  routes,
  before: (req, { state }, route) => {
    const denied = authenticate(req, state, route)
    return denied === undefined ? undefined : withStripeHeaders(req, denied)
  },
  notFound: (req) =>
    withStripeHeaders(req, errorReply(404, {
      type: "invalid_request_error",
      message: `Unrecognized request URL (${req.method}: ${req.path}). Please see https://stripe.com/docs or we ` +
        "can help at https://support.stripe.com/."
    }))
})

/*
 * Stripe sends `Request-Id` and `Stripe-Version` on every answer, 429s and 5xx included, but the core kit
 * builds a fault's reply from the fault alone (no definition hook sees it). So the faults a test injects
 * are given Stripe's headers as they are taken: a bare `{ kind: "status", status: 503 }` looks like Stripe's.
 */
const withStripeFaultHeaders = <S>(running: Running<S>): Running<S> => {
  const take = running.faults.take.bind(running.faults)
  running.faults.take = (method, path, route) => {
    const fault = take(method, path, route)
    if (fault?.kind !== "status" && fault?.kind !== "rate-limit") return fault
    return { ...fault, headers: { ...faultHeaders(), ...fault.headers } }
  }
  return running
}

/** Start the emulator on 127.0.0.1 (a random port unless given). Close it with `close()`. */
export const start = (options?: StartOptions<StripeState>): Promise<Running<StripeState>> =>
  Emulator.start(definition, options).then(withStripeFaultHeaders)

/** Start the emulator as a scoped resource: closed with its sockets when the scope closes. */
export const scoped = (options?: StartOptions<StripeState>): Effect.Effect<Running<StripeState>, never, Scope.Scope> =>
  Effect.map(Emulator.scoped(definition, options), withStripeFaultHeaders)

/** The live restricted key {@link clientOptions} uses (any well-formed key works unless `state.keys` says so). */
export const defaultKey = "rk_live_51LaunchgateTestKey0001"

/**
 * Options for `Billing.layer` pointed at a running emulator: its `baseUrl`, a live restricted key and
 * millisecond retry delays; `overrides` win.
 */
export const clientOptions = (
  running: { readonly url: string },
  overrides: Partial<Stripe.Options> = {}
): Stripe.Options => ({
  apiKey: Redacted.make(defaultKey),
  baseUrl: running.url,
  ...overrides,
  retry: { baseDelay: "1 millis", maxDelay: "5 millis", ...overrides.retry }
})

/** `host`, `port` and `protocol` for the official Stripe SDK to reach a running emulator. */
export const connection = (running: { readonly url: string }): {
  readonly host: string
  readonly port: number
  readonly protocol: "http" | "https"
} => {
  const url = new URL(running.url)
  return {
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: Number(url.port),
    protocol: url.protocol === "https:" ? "https" : "http"
  }
}
