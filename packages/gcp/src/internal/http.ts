/**
 * One Google REST call over the shared transport: the Bearer token written at
 * the last moment, the quota project header, RetryInfo-aware retries of
 * reads, and `google.rpc.Status` decoded into a {@link GcpError} that names
 * the missing role or resource.
 *
 * @internal
 */
import { HttpTransport } from "@launchgate/core"
import { Duration, Effect, Either, ParseResult, Redacted, Schema } from "effect"
import { GcpError } from "../GcpError.js"
import { ErrorEnvelope, type RpcStatus } from "./schemas.js"

export type Api = "run" | "secretManager" | "monitoring" | "budgets"

export const apis: ReadonlyArray<Api> = ["run", "secretManager", "monitoring", "budgets"]

export const DEFAULT_BASE_URLS: Record<Api, string> = {
  run: "https://run.googleapis.com",
  secretManager: "https://secretmanager.googleapis.com",
  monitoring: "https://monitoring.googleapis.com",
  budgets: "https://billingbudgets.googleapis.com"
}

export const VERSIONS: Record<Api, string> = { run: "v2", secretManager: "v1", monitoring: "v3", budgets: "v1" }

/** The read-only role that grants every read this package makes on each API. */
export const VIEWER_ROLES: Record<Api, string> = {
  run: "roles/run.viewer",
  secretManager: "roles/secretmanager.viewer",
  monitoring: "roles/monitoring.viewer",
  budgets: "roles/billing.viewer"
}

const ROLE_SCOPE: Record<Api, string> = {
  run: "on the project",
  secretManager: "on the project (it grants metadata only, never payloads)",
  monitoring: "on the project",
  budgets: "on the billing account (Billing Account Viewer; Project Viewer also reads single-project budgets)"
}

const API_HOSTS: Record<Api, string> = {
  run: "run.googleapis.com",
  secretManager: "secretmanager.googleapis.com",
  monitoring: "monitoring.googleapis.com",
  budgets: "billingbudgets.googleapis.com"
}

/** Retry knobs for reads (the transport does the retrying). */
export interface RetryOptions {
  readonly maxAttempts?: number | undefined
  readonly baseDelay?: Duration.DurationInput | undefined
  readonly maxDelay?: Duration.DurationInput | undefined
}

export interface HttpConfig {
  readonly baseUrls: Record<Api, string>
  readonly token: Effect.Effect<Redacted.Redacted<string>, GcpError>
  readonly quotaProject?: string | undefined
  readonly retry?: RetryOptions | undefined
  readonly timeout?: Duration.DurationInput | undefined
}

export interface CallOptions {
  readonly method?: "GET" | "PATCH" | undefined
  readonly query?: Readonly<Record<string, string | undefined>> | undefined
  readonly body?: unknown
  /** The resource the call is about, for error messages. */
  readonly resource?: string | undefined
  /** The role that grants this call (defaults to the API's viewer role). */
  readonly role?: string | undefined
}

/** A decoded response and how many attempts it took. */
export interface Response {
  readonly json: unknown
  readonly attempts: number
}

/** Parse a google-duration (`"1.5s"`) to milliseconds. */
export const durationMillis = (value: string): number | undefined => {
  const m = /^(-?\d+(?:\.\d+)?)s$/.exec(value.trim())
  return m ? Math.round(Number(m[1]) * 1000) : undefined
}

/** The delay a google.rpc.RetryInfo detail asks for, if the body carries one. */
export const retryInfoDelay = (body: string): Duration.Duration | undefined => {
  const status = parseStatus(body)
  for (const detail of status?.details ?? []) {
    if (typeof detail["@type"] === "string" && detail["@type"].endsWith("google.rpc.RetryInfo")) {
      const delay = detail["retryDelay"]
      const ms = typeof delay === "string" ? durationMillis(delay) : undefined
      if (ms !== undefined) return Duration.millis(Math.max(0, ms))
    }
  }
  return undefined
}

const decodeEnvelope = Schema.decodeUnknownEither(Schema.parseJson(ErrorEnvelope))

const parseStatus = (body: string): RpcStatus | undefined => {
  const decoded = decodeEnvelope(body)
  return Either.isRight(decoded) ? decoded.right.error : undefined
}

const errorInfo = (status: RpcStatus | undefined) => {
  for (const detail of status?.details ?? []) {
    if (typeof detail["@type"] === "string" && detail["@type"].endsWith("google.rpc.ErrorInfo")) {
      const metadata = (detail["metadata"] ?? {}) as Record<string, unknown>
      return {
        reason: typeof detail["reason"] === "string" ? detail["reason"] : undefined,
        permission: typeof metadata["permission"] === "string" ? metadata["permission"] : undefined
      }
    }
  }
  return undefined
}

/**
 * Describe schema issues by path and expectation only: never the actual
 * value, which could be a literal env value or another secret.
 */
export const describeParseError = (error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  return issues
    .slice(0, 5)
    .map((i) => {
      const path = i.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "")
      const message = i._tag === "Missing" ? "is missing" : i.message.replace(/,\s*actual[\s\S]*$/i, "").split("\n")[0]
      return `${path || "(body)"}: ${message}`
    })
    .join("; ") + (issues.length > 5 ? `; … (${issues.length} issues)` : "")
}

/** Decode a JSON value, mapping failures to a `Decode` error that shows no values. */
export const decode = <A, I>(
  schema: Schema.Schema<A, I>,
  json: unknown,
  context: { api: Api; url: string; resource?: string | undefined }
): Effect.Effect<A, GcpError> =>
  Schema.decodeUnknown(schema)(json, { errors: "all" }).pipe(
    Effect.mapError((error) =>
      new GcpError({
        reason: "Decode",
        api: context.api,
        url: context.url,
        ...(context.resource !== undefined ? { resource: context.resource } : {}),
        message: `unexpected response shape from ${API_HOSTS[context.api]}${
          context.resource ? ` for ${context.resource}` : ""
        }: ${describeParseError(error)}`,
        remediation:
          "The API answered with a body launchgate does not understand. Check the base URL points at the Google API (not a proxy or HTML page); if Google changed the API, report it to launchgate."
      })
    )
  )

/** Build the caller for one client. */
export const makeCaller = (config: HttpConfig, transport: HttpTransport.Service) =>
(api: Api, path: string, options: CallOptions = {}): Effect.Effect<Response, GcpError> =>
  Effect.gen(function*() {
    const method = options.method ?? "GET"
    const url = new URL(`${config.baseUrls[api].replace(/\/+$/, "")}/${VERSIONS[api]}/${path}`)
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, v)
    const urlText = url.toString()
    const token = yield* config.token
    const headers: Record<string, string> = {
      accept: "application/json",
      "x-goog-api-client": "launchgate-gcp/0.1",
      authorization: `Bearer ${Redacted.value(token)}`
    }
    if (config.quotaProject) headers["x-goog-user-project"] = config.quotaProject
    const body = options.body === undefined ? undefined : JSON.stringify(options.body)
    if (body !== undefined) headers["content-type"] = "application/json; charset=utf-8"

    const retry = config.retry ?? {}
    const res = yield* transport.request({
      method,
      url,
      headers,
      ...(body !== undefined ? { body } : {}),
      ...(config.timeout !== undefined ? { timeout: config.timeout } : {}),
      retry: {
        ...(retry.maxAttempts !== undefined ? { maxAttempts: retry.maxAttempts } : {}),
        ...(retry.baseDelay !== undefined ? { baseDelay: retry.baseDelay } : {}),
        ...(retry.maxDelay !== undefined ? { maxDelay: retry.maxDelay } : {}),
        retryAfter: (r) => retryInfoDelay(r.body),
        // A rejected write (429) was never applied, so it is safe to send again; other write failures are not retried.
        ...(method === "GET" ? {} : { unsafe: true, retryOn: (r) => r.status === 429 })
      }
    }).pipe(
      Effect.mapError((e) =>
        new GcpError({
          reason: "Transport",
          api,
          method,
          url: e.url,
          attempts: e.attempts,
          ...(options.resource !== undefined ? { resource: options.resource } : {}),
          message: `${method} ${e.url} failed after ${e.attempts} attempt(s): ${e.message}`,
          remediation: `Check network access to ${new URL(urlText).origin} (proxy, firewall, DNS) and that the base URL is right.`
        })
      )
    )

    if (res.status >= 200 && res.status < 300) {
      if (res.body.trim() === "") return { json: {}, attempts: res.attempts }
      try {
        return { json: JSON.parse(res.body) as unknown, attempts: res.attempts }
      } catch {
        return yield* new GcpError({
          reason: "Decode",
          api,
          method,
          url: res.url,
          status: res.status,
          attempts: res.attempts,
          ...(options.resource !== undefined ? { resource: options.resource } : {}),
          message: `${method} ${res.url} answered ${res.status} with a body that is not JSON`,
          remediation:
            "Check the base URL points at the Google API and no proxy rewrites responses; launchgate cannot decide from an unparseable answer."
        })
      }
    }
    return yield* statusError(api, method, res, options)
  })

const statusError = (
  api: Api,
  method: string,
  res: HttpTransport.HttpResponse,
  options: CallOptions
): Effect.Effect<never, GcpError> => {
  const status = parseStatus(res.body)
  const info = errorInfo(status)
  const grpc = status?.status
  const what = options.resource ?? res.url
  const detail = status?.message ? `: ${status.message}` : ""
  const role = options.role ?? VIEWER_ROLES[api]
  const base = {
    api,
    method,
    url: res.url,
    status: res.status,
    attempts: res.attempts,
    ...(grpc !== undefined ? { grpcStatus: grpc } : {}),
    ...(options.resource !== undefined ? { resource: options.resource } : {})
  }
  if (res.status === 401) {
    return Effect.fail(
      new GcpError({
        ...base,
        reason: "Auth",
        message: `${method} ${what}: 401 ${grpc ?? "UNAUTHENTICATED"}${detail}`,
        remediation:
          "The access token is missing, expired or invalid. Locally run `gcloud auth application-default login`; in CI use workload identity federation or pass a fresh token (GCP_ACCESS_TOKEN / Gcp.layer({ accessToken }))."
      })
    )
  }
  if (res.status === 403) {
    const disabled = info?.reason === "SERVICE_DISABLED" || info?.reason === "API_DISABLED"
    return Effect.fail(
      new GcpError({
        ...base,
        reason: "Auth",
        role,
        ...(info?.permission !== undefined ? { permission: info.permission } : {}),
        message: `${method} ${what}: 403 ${grpc ?? "PERMISSION_DENIED"}${detail}`,
        remediation: disabled
          ? `Enable ${API_HOSTS[api]} on the project (gcloud services enable ${API_HOSTS[api]}).`
          : `Grant ${role} ${role === VIEWER_ROLES[api] ? ROLE_SCOPE[api] : "to the identity running this check"} to the identity running launchgate${
            info?.permission ? ` (missing permission ${info.permission})` : ""
          }. It is read-only${role === VIEWER_ROLES[api] ? "" : " for everything but this step"}; launchgate needs nothing broader.`
      })
    )
  }
  if (res.status === 404) {
    return Effect.fail(
      new GcpError({
        ...base,
        reason: "NotFound",
        message: `${what} was not found (404${grpc ? ` ${grpc}` : ""})${detail}`,
        remediation: `Check that ${what} exists and that the project${api === "run" ? ", region" : ""} and name in the gate are right.`
      })
    )
  }
  if (res.status === 429) {
    return Effect.fail(
      new GcpError({
        ...base,
        reason: "RateLimited",
        message: `${method} ${what}: still rate limited (429 ${grpc ?? "RESOURCE_EXHAUSTED"}) after ${res.attempts} attempt(s)${detail}`,
        remediation:
          `Quota for ${API_HOSTS[api]} is exhausted. Re-run later, lower the runner's concurrency, or raise the quota (a quota project can be set with quotaProject).`
      })
    )
  }
  return Effect.fail(
    new GcpError({
      ...base,
      reason: "Status",
      message: `${method} ${what}: ${res.status}${grpc ? ` ${grpc}` : ""}${detail}${
        res.attempts > 1 ? ` (after ${res.attempts} attempts)` : ""
      }`,
      remediation: res.status >= 500
        ? `${API_HOSTS[api]} kept failing; check https://status.cloud.google.com and re-run.`
        : `The request was rejected; the message above says why.`
    })
  )
}
