/**
 * What the HTTP checks share: identity defaults, secret headers, the
 * request, and turning transport trouble into an `error` outcome.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Check from "../../Check.js"
import * as HttpTransport from "../../HttpTransport.js"
import * as Outcome from "../../Outcome.js"
import * as Redaction from "../../Redaction.js"
import { scrubUrl } from "../redactUrl.js"

/** Identity fields every HTTP check accepts; each has a sensible default. */
export interface Identity {
  /** Stable id. Default `http.<host>.<property>`. */
  readonly id?: string | undefined
  readonly title?: string | undefined
  /** Default `http.<host>`. */
  readonly surface?: string | undefined
  readonly category?: Check.Category | undefined
  readonly description?: string | undefined
  readonly role?: string | undefined
  readonly dependsOn?: ReadonlyArray<string> | undefined
  /** The check's timeout (all attempts together); the runner's default applies when absent. */
  readonly timeout?: Duration.DurationInput | undefined
  readonly active?: boolean | undefined
  readonly meta?: Check.Options["meta"]
}

/** How the checks send their requests. */
export interface RequestOptions {
  readonly url: string
  /** Extra request headers. `Redacted` values are registered as secrets and unwrapped only when written. */
  readonly headers?: Readonly<Record<string, string | Redacted.Redacted<string>>> | undefined
  /** Per-attempt timeout. Default 10 seconds. */
  readonly requestTimeout?: Duration.DurationInput | undefined
  /** Retry policy for the read (default: the transport's); `false` for a single attempt. */
  readonly retry?: HttpTransport.RetryPolicy | false | undefined
}

/** The host part used in default ids and surfaces (`api.example.com`, `127.0.0.1:8080`). */
export const hostOf = (url: string): string => {
  try {
    return new URL(url).host
  } catch {
    return "invalid-url"
  }
}

/** The URL's path as an id segment: `/v1/Version` → `v1-version`, `/` → `root`. */
export const pathSlug = (url: string): string => {
  let path = "/"
  try {
    path = new URL(url).pathname
  } catch {
    // The transport reports the bad URL when the check runs.
  }
  const slug = path.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 48)
  return slug.length > 0 ? slug : "root"
}

/** Check options from user identity fields over the module's defaults. */
export const identity = (
  options: Identity,
  defaults: {
    readonly url: string
    readonly property: string
    readonly title: string
    readonly category: Check.Category
    readonly description: string
    readonly active?: boolean | undefined
    readonly timeout?: Duration.DurationInput | undefined
  }
): Check.Options => {
  const host = hostOf(defaults.url)
  const timeout = options.timeout ?? defaults.timeout
  return {
    id: options.id ?? `http.${host}.${defaults.property}`,
    title: options.title ?? defaults.title,
    surface: options.surface ?? `http.${host}`,
    category: options.category ?? defaults.category,
    description: options.description ?? defaults.description,
    active: options.active ?? defaults.active ?? false,
    ...(options.role !== undefined ? { role: options.role } : {}),
    ...(options.dependsOn !== undefined ? { dependsOn: options.dependsOn } : {}),
    ...(timeout !== undefined ? { timeout } : {}),
    ...(options.meta !== undefined ? { meta: options.meta } : {})
  }
}

/** Register secret header values so no report can print them. */
export const registerSecrets = (headers: RequestOptions["headers"]): void => {
  for (const value of Object.values(headers ?? {})) {
    if (Redacted.isRedacted(value)) Redaction.register(value)
  }
}

/** Send one read with the shared transport. */
export const send = (
  options: RequestOptions & { readonly timeout?: Duration.DurationInput | undefined },
  extra: Partial<HttpTransport.HttpRequest> = {}
): Effect.Effect<HttpTransport.HttpResponse, HttpTransport.HttpError, HttpTransport.HttpTransport> =>
  Effect.flatMap(HttpTransport.HttpTransport, (transport) =>
    transport.request({
      url: options.url,
      ...(options.headers !== undefined ? { headers: options.headers } : {}),
      ...(options.requestTimeout !== undefined ? { timeout: options.requestTimeout } : {}),
      ...(options.retry !== undefined ? { retry: options.retry } : {}),
      ...(options.timeout !== undefined ? { budget: options.timeout } : {}),
      ...extra
    }))

/** An `error` outcome for a request that produced no response. */
export const transportError = (error: HttpTransport.HttpError, what: string): Outcome.Outcome =>
  Outcome.error(`could not decide: ${what}: ${error.message}`, {
    evidence: {
      url: error.url,
      reason: error.reason,
      ...(error.code !== undefined ? { code: error.code } : {}),
      ...(error.status !== undefined ? { status: error.status } : {}),
      ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {})
    },
    remediation: error.remediation,
    attempts: error.attempts
  })

/** Facts about a response every HTTP check reports. */
export const responseEvidence = (response: HttpTransport.HttpResponse): Record<string, unknown> => ({
  url: response.url,
  status: response.status,
  durationMs: response.durationMs,
  attempts: response.attempts,
  ...(response.redirects ? { redirects: response.redirects } : {}),
  ...(response.waitedMs !== undefined ? { waitedMs: response.waitedMs } : {}),
  ...(response.retryAfter ? { retryAfter: response.retryAfter } : {})
})

/**
 * 401/403 when the check did not ask for them: the credentials are wrong or
 * missing, so the check cannot decide (an `error`, never a `fail` or `pass`).
 */
export const authError = (response: HttpTransport.HttpResponse): Outcome.Outcome | undefined =>
  response.status === 401 || response.status === 403
    ? Outcome.error(`could not decide: ${response.url} answered ${response.status} (not authorised)`, {
      observed: response.status,
      evidence: responseEvidence(response),
      remediation:
        "The request was not authorised: pass the right credentials in the check's `headers` (as a Redacted value), " +
        "or check the token's permissions.",
      attempts: response.attempts
    })
    : undefined

/** The start of a body, for evidence. */
export const excerpt = (body: string, max = 300): string => (body.length > max ? `${body.slice(0, max)}…` : body)

/** The URL as it may appear in titles and evidence. */
export const shownUrl = (url: string): string => scrubUrl(url)

/** Default: a status in 200–399 is healthy. */
export const isSuccess = (status: number): boolean => status >= 200 && status < 400

/** Milliseconds of a duration input. */
export const millis = (input: Duration.DurationInput): number => Duration.toMillis(Duration.decode(input))

/**
 * A check made of one request and a pure judgement of its response; no
 * response at all is an `error` outcome.
 */
export const responseCheck = (
  options: Identity & RequestOptions,
  defaults: Parameters<typeof identity>[1],
  request: Partial<HttpTransport.HttpRequest>,
  evaluate: (response: HttpTransport.HttpResponse) => Outcome.Outcome
): Check.Check<HttpTransport.HttpTransport> => {
  registerSecrets(options.headers)
  return Check.make({
    ...identity(options, defaults),
    run: send(options, request).pipe(
      Effect.map(evaluate),
      Effect.catchTag("HttpError", (e) => Effect.succeed(transportError(e, `${request.method ?? "GET"} ${e.url}`)))
    )
  })
}
