/**
 * One Google REST call over the shared transport: the Bearer token written at
 * the last moment, the quota project header (explicit, or the ADC file's),
 * retries of reads that wait what the server asks (`Retry-After`, RetryInfo)
 * within the check's time budget, and `google.rpc.Status` decoded into a
 * {@link GcpError} that names the missing role, resource or quota project.
 *
 * @internal
 */
import { HttpTransport, VendorError } from "@launchgate/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { codes, type GcpError, make as gcpError } from "../GcpError.js"
import { ErrorEnvelope, type RpcStatus } from "./schemas.js"

/**
 * The Google APIs the client calls: base URL, version, the read-only role that grants every read this
 * package makes on it, where that role is granted, and the host (for `gcloud services enable`).
 */
const API = {
  run: {
    base: "https://run.googleapis.com",
    version: "v2",
    role: "roles/run.viewer",
    scope: "on the project",
    host: "run.googleapis.com"
  },
  secretManager: {
    base: "https://secretmanager.googleapis.com",
    version: "v1",
    role: "roles/secretmanager.viewer",
    scope: "on the project (it grants metadata only, never payloads)",
    host: "secretmanager.googleapis.com"
  },
  monitoring: {
    base: "https://monitoring.googleapis.com",
    version: "v3",
    role: "roles/monitoring.viewer",
    scope: "on the project",
    host: "monitoring.googleapis.com"
  },
  budgets: {
    base: "https://billingbudgets.googleapis.com",
    version: "v1",
    role: "roles/billing.viewer",
    scope: "on the billing account (Billing Account Viewer; Project Viewer also reads single-project budgets)",
    host: "billingbudgets.googleapis.com"
  },
  // roles/browser holds resourcemanager.projects.get and resourcemanager.folders.get
  // (https://cloud.google.com/resource-manager/docs/access-control-proj#using_predefined_roles).
  resourceManager: {
    base: "https://cloudresourcemanager.googleapis.com",
    version: "v3",
    role: "roles/browser",
    scope: "on the project and its folders",
    host: "cloudresourcemanager.googleapis.com"
  }
} as const

export type Api = keyof typeof API

export const apis: ReadonlyArray<Api> = Object.keys(API) as Array<Api>

const table = <K extends "base" | "version" | "role">(key: K) =>
  Object.fromEntries(apis.map((a) => [a, API[a][key]])) as unknown as Record<Api, string>

export const DEFAULT_BASE_URLS: Record<Api, string> = table("base")

export const VERSIONS: Record<Api, string> = table("version")

/** The read-only role that grants every read this package makes on each API. */
export const VIEWER_ROLES: Record<Api, string> = table("role")

/** Retry knobs for reads: the shape every vendor takes, from core's policy (the transport does the retrying). */
export type RetryOptions = Pick<HttpTransport.RetryPolicy, "maxAttempts" | "baseDelay" | "maxDelay">

/**
 * The credential headers of a request: the bearer token (redacted until the
 * header is written) and the quota project the credentials name (ADC's
 * `quota_project_id`), if any.
 */
export interface AuthHeaders {
  readonly authorization: Redacted.Redacted<string>
  readonly userProject?: string | undefined
}

export interface HttpConfig {
  readonly baseUrls: Record<Api, string>
  readonly auth: Effect.Effect<AuthHeaders, GcpError>
  /** The explicit quota project; wins over the credentials' own. */
  readonly quotaProject?: string | undefined
  /** The project the checks look at (id and number), to tell a wrong quota project from a disabled API. */
  readonly project?: string | undefined
  readonly projectNumber?: string | undefined
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

/**
 * The time budget of the check a call runs in (set by `internal/check.ts`):
 * a wait the server asks for that does not fit is not slept, and the waits
 * that were slept are added up for the evidence.
 */
export interface Budget {
  /** Clock time (ms) at which the check times out. */
  readonly deadline: number
  readonly timeoutMs: number
  /** Milliseconds slept because a server asked (Retry-After, RetryInfo). */
  waitedMs: number
}

export const currentBudget: FiberRef.FiberRef<Budget | undefined> = FiberRef.unsafeMake<Budget | undefined>(undefined)

/** A wait a server asked for, and which signal asked. */
export interface ServerDelay {
  readonly ms: number
  readonly source: "Retry-After" | "RetryInfo"
}

/**
 * The wait a response asks for: the `Retry-After` header (seconds or an
 * HTTP-date, RFC 9110 §10.2.3) or a google.rpc.RetryInfo detail, the longer
 * when both are present. An HTTP-date is measured against the response's own
 * `Date` header when it has one, so neither clock skew nor a pinned clock
 * shortens it.
 */
export const serverDelay = (res: Pick<HttpTransport.HttpResponse, "headers" | "body">): ServerDelay | undefined => {
  const header = res.headers["retry-after"]
  const served = Date.parse(res.headers["date"] ?? "")
  const fromHeader = HttpTransport.parseRetryAfter(header, Number.isNaN(served) ? Date.now() : served)
  const fromBody = retryInfoDelay(res.body)
  const candidates: Array<ServerDelay> = []
  if (fromHeader !== undefined) candidates.push({ ms: Duration.toMillis(fromHeader), source: "Retry-After" })
  if (fromBody !== undefined) candidates.push({ ms: Duration.toMillis(fromBody), source: "RetryInfo" })
  return candidates.reduce<ServerDelay | undefined>((a, b) => (a === undefined || b.ms > a.ms ? b : a), undefined)
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))} s`

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
      const text = (key: string) => (typeof metadata[key] === "string" ? metadata[key] : undefined)
      return {
        reason: typeof detail["reason"] === "string" ? detail["reason"] : undefined,
        permission: text("permission"),
        /** The project charged for the call (`projects/123`): the quota project, or the OAuth client's. */
        consumer: text("consumer")
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

/** Decode a JSON value, mapping failures to an `invalid-response` error that shows no values. */
export const decode = <A, I>(
  schema: Schema.Schema<A, I>,
  json: unknown,
  context: { api: Api; url: string; resource?: string | undefined }
): Effect.Effect<A, GcpError> =>
  Schema.decodeUnknown(schema)(json, { errors: "all" }).pipe(
    Effect.mapError((error) =>
      gcpError({
        reason: "invalid-response",
        api: context.api,
        url: context.url,
        ...(context.resource !== undefined ? { resource: context.resource } : {}),
        message: `unexpected response shape from ${API[context.api].host}${
          context.resource ? ` for ${context.resource}` : ""
        }: ${describeParseError(error)}`,
        remediation: "The API answered with a body launchgate does not understand. Check the base URL points at " +
          "the Google API (not a proxy or HTML page); if Google changed the API, report it to launchgate."
      })
    )
  )

// The statuses reads retry (the transport's default set); writes retry only a 429, which was never applied.
const RETRY_READS = new Set([408, 429, 502, 503, 504])
// The transport's default `maxDelay`, which bounds any single wait.
const DEFAULT_MAX_DELAY = "10 seconds"

/** A wait the server asked for that the client declined, and why. */
interface Declined extends ServerDelay {
  readonly allowedMs: number
  readonly bound: "timeout" | "maxDelay"
}

/** The request headers: the token (still redacted), the quota project, JSON. */
const headersOf = (auth: AuthHeaders, userProject: string | undefined, hasBody: boolean) => ({
  accept: "application/json",
  "x-goog-api-client": "launchgate-gcp/0.1",
  authorization: auth.authorization,
  ...(userProject ? { "x-goog-user-project": userProject } : {}),
  ...(hasBody ? { "content-type": "application/json; charset=utf-8" } : {})
})

/**
 * The transport's retry policy for one call: reads retry 408/429/5xx, writes only a 429. A wait the
 * server asks for is honoured when it fits both `maxDelay` and the check's remaining time; one that
 * does not is neither shortened (that would ignore the server) nor slept past the deadline: it is
 * recorded in `state.declined` and the answer becomes the error. `state.asked` collects every wait.
 */
const retryPolicy = (
  method: string,
  retry: RetryOptions,
  remainingMs: () => number,
  state: { asked: Array<ServerDelay | undefined>; declined: Declined | undefined }
): HttpTransport.RetryPolicy => {
  const maxDelayMs = Duration.toMillis(Duration.decode(retry.maxDelay ?? DEFAULT_MAX_DELAY))
  return {
    ...(retry.maxAttempts !== undefined ? { maxAttempts: retry.maxAttempts } : {}),
    ...(retry.baseDelay !== undefined ? { baseDelay: retry.baseDelay } : {}),
    maxDelay: Duration.millis(maxDelayMs),
    retryOn: (r) => {
      if (!(method === "GET" ? RETRY_READS.has(r.status) : r.status === 429)) return false
      const delay = serverDelay(r)
      if (delay === undefined) return true
      const remaining = remainingMs()
      const allowedMs = Math.max(0, Math.min(maxDelayMs, remaining))
      if (delay.ms <= allowedMs) return true
      state.declined = { ...delay, allowedMs, bound: remaining < maxDelayMs ? "timeout" : "maxDelay" }
      return false
    },
    retryAfter: (r) => {
      const delay = serverDelay(r)
      state.asked.push(delay)
      return delay === undefined ? undefined : Duration.millis(delay.ms)
    },
    ...(method === "GET" ? {} : { unsafe: true })
  }
}

/** Build the caller for one client. */
export const makeCaller = (config: HttpConfig, transport: HttpTransport.Service) =>
(api: Api, path: string, options: CallOptions = {}): Effect.Effect<Response, GcpError> =>
  Effect.gen(function*() {
    const method = options.method ?? "GET"
    const url = new URL(`${config.baseUrls[api].replace(/\/+$/, "")}/${VERSIONS[api]}/${path}`)
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, v)
    const auth = yield* config.auth
    // google-auth-library adds ADC's quota_project_id only through getRequestHeaders(); an explicit one wins.
    const userProject = config.quotaProject ?? auth.userProject
    const body = options.body === undefined ? undefined : JSON.stringify(options.body)
    const clock = yield* Effect.clock
    const budget = yield* FiberRef.get(currentBudget)
    const remainingMs = () => budget === undefined ? Infinity : budget.deadline - clock.unsafeCurrentTimeMillis()
    const state = { asked: [] as Array<ServerDelay | undefined>, declined: undefined as Declined | undefined }
    const about = options.resource !== undefined ? { resource: options.resource } : {}

    const res = yield* transport.request({
      method,
      url,
      headers: headersOf(auth, userProject, body !== undefined),
      ...(body !== undefined ? { body } : {}),
      ...(config.timeout !== undefined ? { timeout: config.timeout } : {}),
      retry: retryPolicy(method, config.retry ?? {}, remainingMs, state)
    }).pipe(
      Effect.mapError((e) =>
        gcpError({
          reason: e.reason === "Timeout" ? "timeout" : "transport",
          api,
          method,
          url: e.url,
          attempts: e.attempts,
          ...(e.code !== undefined ? { code: e.code } : {}),
          ...about,
          message: `${method} ${e.url} failed after ${e.attempts} attempt(s): ${e.message}`,
          remediation: `Check network access to ${url.origin} (proxy, firewall, DNS) and that the base URL is right.`
        })
      )
    )
    // The schedule asks for a delay on every retryable answer, the last one included: only the first
    // `attempts - 1` were slept.
    const waitedMs = state.asked.slice(0, res.attempts - 1).reduce((sum, d) => sum + (d?.ms ?? 0), 0)
    if (budget !== undefined) budget.waitedMs += waitedMs

    if (res.status < 200 || res.status >= 300) {
      return yield* Effect.fail(statusError(api, method, res, options, {
        config,
        userProject,
        waitedMs,
        ...(state.declined !== undefined ? { declined: state.declined } : {}),
        ...(budget !== undefined ? { timeoutMs: budget.timeoutMs } : {})
      }))
    }
    if (res.body.trim() === "") return { json: {}, attempts: res.attempts }
    try {
      return { json: JSON.parse(res.body) as unknown, attempts: res.attempts }
    } catch {
      return yield* gcpError({
        reason: "invalid-response",
        api,
        method,
        url: res.url,
        status: res.status,
        attempts: res.attempts,
        ...about,
        message: `${method} ${res.url} answered ${res.status} with a body that is not JSON`,
        remediation: "Check the base URL points at the Google API and no proxy rewrites responses; " +
          "launchgate cannot decide from an unparseable answer."
      })
    }
  })

interface StatusContext {
  readonly config: HttpConfig
  readonly userProject: string | undefined
  readonly waitedMs: number
  readonly declined?: Declined
  readonly timeoutMs?: number
}

/** Does the ErrorInfo's consumer name a project other than the one checked? */
const foreignConsumer = (consumer: string | undefined, config: HttpConfig): boolean => {
  if (consumer === undefined) return false
  const own = [config.project, config.projectNumber].filter((p): p is string => p !== undefined)
  return !own.some((p) => consumer === `projects/${p}`)
}

const TOKEN_HELP = "Locally run `gcloud auth application-default login`; in CI use workload identity federation " +
  "or pass a fresh token (GCP_ACCESS_TOKEN / Gcp.layer({ accessToken }))."

/**
 * The error for a non-2xx answer: the reason from Google's codes (ErrorInfo reason, then the
 * `google.rpc.Code` name, then the HTTP status: {@link codes}), and a message and remediation that
 * name the role, the missing permission, the quota project or the wait the server asked for.
 */
const statusError = (
  api: Api,
  method: string,
  res: HttpTransport.HttpResponse,
  options: CallOptions,
  context: StatusContext
): GcpError => {
  const status = parseStatus(res.body)
  const info = errorInfo(status)
  const grpc = status?.status
  const code = info?.reason ?? grpc
  const what = options.resource ?? res.url
  const detail = status?.message ? `: ${status.message}` : ""
  const role = options.role ?? VIEWER_ROLES[api]
  const host = API[api].host
  const reason = VendorError.classify({ status: res.status, code }, codes)
  const base = {
    api,
    method,
    url: res.url,
    status: res.status,
    attempts: res.attempts,
    reason,
    ...(code !== undefined ? { code } : {}),
    ...(grpc !== undefined ? { grpcStatus: grpc } : {}),
    ...(options.resource !== undefined ? { resource: options.resource } : {}),
    ...(context.waitedMs > 0 ? { waitedMs: context.waitedMs } : {}),
    ...(context.declined !== undefined
      ? { retryAfterMs: context.declined.ms, retryAfter: context.declined.ms / 1000 }
      : {})
  }
  const head = `${method} ${what}: ${res.status} ${grpc ?? ""}`.trimEnd()
  if (context.declined !== undefined) {
    const d = context.declined
    const limit = d.bound === "timeout"
      ? `only ${seconds(d.allowedMs)} remain of the check's ${seconds(context.timeoutMs ?? 0)} timeout`
      : `the client's maxDelay is ${seconds(d.allowedMs)}`
    return gcpError({
      ...base,
      reason: res.status === 429 ? "rate-limited" : reason,
      message: `${head}; the server asked to wait ${seconds(d.ms)} (${d.source}) before retrying, but ${limit}: ` +
        `not retried, so this cannot be decided${detail}`,
      remediation: `${host} asked launchgate to back off for ${seconds(d.ms)}. Re-run later, or ${
        d.bound === "timeout" ? "give the check a timeout longer than that wait." : "raise retry.maxDelay in Gcp.layer({ retry })."
      }`
    })
  }
  const disabled = info?.reason === "SERVICE_DISABLED" || info?.reason === "API_DISABLED"
  // Google charges a call to a consumer project: the quota project, else the OAuth client's own (for gcloud's user
  // credentials, a Google-owned project). A consumer that is not the project checked means the quota project is wrong
  // or missing, and enabling the API on the project checked would not help.
  if (info?.reason === "USER_PROJECT_DENIED" || (disabled && foreignConsumer(info?.consumer, context.config))) {
    return quotaProjectError(api, { ...base, role }, info, context, `${method} ${what}: 403 ${grpc ?? "PERMISSION_DENIED"}${detail}`)
  }
  switch (reason) {
    case "unauthenticated":
      return gcpError({
        ...base,
        message: `${method} ${what}: ${res.status} ${grpc ?? "UNAUTHENTICATED"}${detail}`,
        remediation: `The access token is missing, expired or invalid. ${TOKEN_HELP}`
      })
    case "permission-denied": {
      const viewer = role === VIEWER_ROLES[api]
      return gcpError({
        ...base,
        role,
        ...(info?.permission !== undefined ? { permission: info.permission } : {}),
        message: `${method} ${what}: ${res.status} ${grpc ?? "PERMISSION_DENIED"}${detail}`,
        remediation: disabled
          ? `Enable ${host} on the project (gcloud services enable ${host}).`
          : `Grant ${role} ${viewer ? API[api].scope : "to the identity running this check"} to the identity running ` +
            `launchgate${info?.permission ? ` (missing permission ${info.permission})` : ""}. It is read-only${
              viewer ? "" : " for everything but this step"
            }; launchgate needs nothing broader.`
      })
    }
    case "not-found":
      return gcpError({
        ...base,
        message: `${what} was not found (${res.status}${grpc ? ` ${grpc}` : ""})${detail}`,
        remediation: `Check that ${what} exists and that the project${api === "run" ? ", region" : ""} and name in the ` +
          "gate are right."
      })
    case "rate-limited":
      return gcpError({
        ...base,
        message: `${method} ${what}: still rate limited (${res.status} ${grpc ?? "RESOURCE_EXHAUSTED"}) after ` +
          `${res.attempts} attempt(s)${
            context.waitedMs > 0 ? ` and ${seconds(context.waitedMs)} of server-requested waits` : ""
          }${detail}`,
        remediation: `Quota for ${host} is exhausted. Re-run later, lower the runner's concurrency, or raise the quota ` +
          "(a quota project can be set with quotaProject)."
      })
    default:
      return gcpError({
        ...base,
        message: `${head}${detail}${res.attempts > 1 ? ` (after ${res.attempts} attempts)` : ""}`,
        remediation: res.status >= 500
          ? `${host} kept failing; check https://status.cloud.google.com and re-run.`
          : `The request was rejected; the message above says why.`
      })
  }
}

const quotaProjectError = (
  api: Api,
  base: Omit<Parameters<typeof gcpError>[0], "message" | "remediation">,
  info: ReturnType<typeof errorInfo>,
  context: StatusContext,
  message: string
): GcpError => {
  const project = context.config.project ?? "<project-id>"
  const charged = info?.consumer !== undefined ? ` Google charged the call to ${info.consumer}` : ""
  const sent = context.userProject !== undefined
    ? ` (the quota project sent was ${context.userProject})`
    : " (no quota project was sent)"
  const setQuota = `\`gcloud auth application-default set-quota-project ${project}\``
  return gcpError({
    ...base,
    reason: "permission-denied",
    message: `${message}.${charged}${sent}`,
    remediation: info?.reason === "USER_PROJECT_DENIED"
      ? `The quota project ${context.userProject ?? ""} cannot be used by this identity: grant it ` +
        `roles/serviceusage.serviceUsageConsumer on that project, or pick another with ${setQuota} ` +
        "(or Gcp.layer({ quotaProject }) / GOOGLE_CLOUD_QUOTA_PROJECT)."
      : `${API[api].host} needs a quota project for these credentials (user credentials from ` +
        `\`gcloud auth application-default login\` have none by default). Run ${setQuota}, or set ` +
        `Gcp.layer({ quotaProject }) / GOOGLE_CLOUD_QUOTA_PROJECT. The API is not disabled on ${project}.`
  })
}
