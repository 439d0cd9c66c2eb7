/**
 * Google REST conventions the emulator follows: `google.rpc.Status` error
 * bodies, opaque page tokens, and the `pageSize` cap.
 *
 * @internal
 */
import type { EmulatorRequest, Reply } from "@launchgate/core/emulator"
import { HttpFailure } from "@launchgate/core/emulator"

/** A JSON object resource as the emulator stores it. */
export type Resource = Record<string, any>

const CODES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE"
}

/** A `google.rpc.Status` error reply. */
export const googleError = (
  code: number,
  message: string,
  options: { status?: string; details?: ReadonlyArray<Resource>; headers?: Record<string, string> } = {}
): Reply => ({
  status: code,
  ...(options.headers ? { headers: options.headers } : {}),
  json: {
    error: {
      code,
      message,
      status: options.status ?? CODES[code] ?? "UNKNOWN",
      ...(options.details ? { details: options.details } : {})
    }
  }
})

/** Throw a `google.rpc.Status` error from a handler. */
export const fail = (code: number, message: string, options?: Parameters<typeof googleError>[2]): never => {
  throw new HttpFailure(googleError(code, message, options))
}

/** A RetryInfo detail asking the client to wait. */
export const retryInfo = (seconds: number): Resource => ({
  "@type": "type.googleapis.com/google.rpc.RetryInfo",
  retryDelay: `${seconds}s`
})

/** An ErrorInfo detail: why, which domain says so, and facts (permission, consumer, quota metric …). */
export const errorInfo = (reason: string, domain: string, metadata: Record<string, string>): Resource => ({
  "@type": "type.googleapis.com/google.rpc.ErrorInfo",
  reason,
  domain,
  metadata
})

/**
 * A 429 `RESOURCE_EXHAUSTED` body (for fault injection) as Google serves it:
 * an ErrorInfo `RATE_LIMIT_EXCEEDED` naming the quota metric and limit
 * (https://cloud.google.com/apis/design/errors#error_info), and RetryInfo.
 */
export const rateLimited = (retryAfterSeconds = 0, service = "run.googleapis.com"): Resource =>
  googleError(
    429,
    "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute' " +
      `of service '${service}' for consumer 'project_number:123456789012'.`,
    {
      details: [
        errorInfo("RATE_LIMIT_EXCEEDED", "googleapis.com", {
          quota_metric: `${service}/read_requests`,
          quota_limit: "ReadRequestsPerMinutePerProject",
          quota_limit_value: "1000",
          quota_location: "global",
          consumer: "projects/123456789012",
          service
        }),
        retryInfo(retryAfterSeconds)
      ]
    }
  ).json as Resource

/** A 503 `UNAVAILABLE` body (for fault injection), with RetryInfo. */
export const unavailable = (retryAfterSeconds = 0): Resource =>
  googleError(503, "The service is currently unavailable.", { details: [retryInfo(retryAfterSeconds)] }).json as Resource

/**
 * One page of a list, Google style: `pageSize` capped by the emulator's
 * maximum, an opaque `pageToken`, `nextPageToken` when more remain.
 */
export const page = (
  items: ReadonlyArray<Resource>,
  request: EmulatorRequest,
  field: string,
  maxPageSize: number,
  // Applied to the served page only: rendering (a deep copy and more) every item of a long list for each page
  // made the emulator's own work part of a bench's latency (issue 13).
  render: (item: Resource) => Resource = (item) => item
): Reply => {
  const asked = Number(request.query.get("pageSize") ?? "0")
  if (!Number.isInteger(asked) || asked < 0) fail(400, "pageSize must be a non-negative integer")
  const size = Math.min(asked === 0 ? maxPageSize : asked, maxPageSize)
  const token = request.query.get("pageToken") ?? ""
  let offset = 0
  if (token !== "") {
    const decoded = /^o:(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"))
    if (!decoded) fail(400, "Invalid page token.")
    offset = Number(decoded![1])
  }
  const slice = items.slice(offset, offset + size).map(render)
  const next = offset + size < items.length ? Buffer.from(`o:${offset + size}`).toString("base64url") : undefined
  return { json: { ...(slice.length > 0 ? { [field]: slice } : {}), ...(next ? { nextPageToken: next } : {}) } }
}

/**
 * A deep copy (resources are handed out, never shared with the state). Resources are JSON (strings, numbers,
 * booleans, null, arrays, plain objects), so a walk over those is enough, and several times cheaper than
 * `structuredClone`, which was the emulator's largest cost per request.
 */
export const copy = <A>(value: A): A => copyJson(value) as A

const copyJson = (value: unknown): unknown => {
  if (value === null || typeof value !== "object") return value
  if (Array.isArray(value)) return value.map(copyJson)
  // Anything else than a plain object (a Date a fixture put there, say) keeps structuredClone's copy.
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return structuredClone(value)
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) out[key] = copyJson((value as Record<string, unknown>)[key])
  return out
}

/** A short, stable hash for generated names. */
export const hash = (text: string, length = 5): string => {
  let h = 2166136261
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0
  return h.toString(36).padStart(length, "0").slice(-length)
}
