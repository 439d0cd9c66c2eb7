/**
 * GitHub Issues as a {@link Backlog.Backlog}, through the official client
 * (`@octokit/rest`) whose `request.fetch` is core's `HttpTransport` (see
 * `internal/githubFetch.ts`). Reads only; the token (a fine-grained token
 * with Issues: read and Metadata: read) stays `Redacted` until the
 * `Authorization` header is written.
 *
 * Reads are shared through core's `ResourceStore`: one request per resource
 * per run, and a scope already listed answers gets of its items. Pull
 * requests, which GitHub's issues endpoints also return
 * (https://docs.github.com/en/rest/issues/issues#list-repository-issues), are
 * never items.
 *
 * @since 0.1.0
 */
import { Gate, HttpTransport, ResourceStore, VendorError } from "@launchgate/core"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Backlog from "./Backlog.js"
import { BacklogError, configError, GITHUB_ROLE, remediationFor } from "./BacklogError.js"
import { ATTEMPTS_HEADER, makeFetch, rateLimitKind, TransportFailure } from "./internal/githubFetch.js"

/** Options of {@link layer}. */
export interface Options {
  /** The repository whose issues are the backlog, `owner/repo`. */
  readonly repository: string
  /** A fine-grained token (Issues: read, Metadata: read). Public repositories can be read without one. */
  readonly token?: Redacted.Redacted<string> | undefined
  /** REST API base URL. Default `https://api.github.com`; GitHub Enterprise Server: `https://HOST/api/v3`. */
  readonly baseUrl?: string | undefined
  /**
   * Bound on one read, every attempt and rate-limit wait included. Default 20 seconds: keep it under the check's
   * timeout. A `retry-after` or `x-ratelimit-reset` further away than that is reported as `rate-limited` at once.
   */
  readonly timeout?: Duration.DurationInput | undefined
  /** Attempts per request, the first included (5xx, rate limits). Default 3. */
  readonly maxAttempts?: number | undefined
  /** First backoff. Default 500 ms, doubling with jitter. */
  readonly retryBaseDelay?: Duration.DurationInput | undefined
}

/** The default API base URL. */
export const DEFAULT_BASE_URL = "https://api.github.com"

const LabelSchema = Schema.Union(Schema.String, Schema.Struct({ name: Schema.optional(Schema.NullOr(Schema.String)) }))
const UserSchema = Schema.Struct({ login: Schema.String })

/** The fields of an issue launchgate reads (issues/get, issues/list-for-repo, search results). */
export const IssueSchema = Schema.Struct({
  number: Schema.Number,
  title: Schema.String,
  state: Schema.String,
  state_reason: Schema.optional(Schema.NullOr(Schema.String)),
  html_url: Schema.String,
  repository_url: Schema.String,
  body: Schema.optional(Schema.NullOr(Schema.String)),
  labels: Schema.Array(LabelSchema),
  assignee: Schema.optional(Schema.NullOr(UserSchema)),
  assignees: Schema.optional(Schema.NullOr(Schema.Array(UserSchema))),
  milestone: Schema.NullOr(Schema.Struct({ number: Schema.Number, title: Schema.String })),
  pull_request: Schema.optional(Schema.Unknown)
})
export type Issue = typeof IssueSchema.Type

const MilestoneSchema = Schema.Struct({ number: Schema.Number, title: Schema.String, state: Schema.String })
const LabelListSchema = Schema.Array(Schema.Struct({ name: Schema.String }))
const SearchSchema = Schema.Struct({
  total_count: Schema.Number,
  incomplete_results: Schema.Boolean,
  items: Schema.Array(IssueSchema)
})

const REPO = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/

/** `owner/repo#123` from a URL (`…/owner/repo/issues/123`), `owner/repo#123`, or `#123` in `repository`. */
export const normalizeRef = (ref: string, repository: string): string | undefined => {
  const text = ref.trim()
  const short = /^#(\d+)$/.exec(text)
  if (short) return `${repository.toLowerCase()}#${Number(short[1])}`
  const full = /^([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)#(\d+)$/.exec(text)
  if (full) return `${full[1]!.toLowerCase()}#${Number(full[2])}`
  try {
    const url = new URL(text)
    // github.com/owner/repo/issues/1 (also GHES hosts) and api …/repos/owner/repo/issues/1.
    const m = /(?:^|\/)(?:repos\/)?([^/]+)\/([^/]+)\/issues\/(\d+)\/?$/.exec(url.pathname)
    return m ? `${m[1]!.toLowerCase()}/${m[2]!.toLowerCase()}#${Number(m[3])}` : undefined
  } catch {
    return undefined
  }
}

const repoOfUrl = (repositoryUrl: string): string => {
  const parts = new URL(repositoryUrl).pathname.split("/").filter((p) => p.length > 0)
  return `${parts[parts.length - 2]}/${parts[parts.length - 1]}`.toLowerCase()
}

const FOLLOW_UP_OF = /^follow-?up of:?\s*(\S+)\s*$/im

/** An issue as a backlog item; `undefined` for a pull request. */
export const toItem = (issue: Issue, repository: string): Either.Either<Backlog.Item, string> => {
  const ref = `${repoOfUrl(issue.repository_url)}#${issue.number}`
  let status: Backlog.Status
  if (issue.state === "open") status = "open"
  else if (issue.state === "closed") {
    const reason = issue.state_reason ?? "completed"
    if (reason === "completed") status = "done"
    // A duplicate is closed without being done here: count it as not planned until a deferral names it.
    else if (reason === "not_planned" || reason === "duplicate") status = "not-planned"
    else return Either.left(`${ref}: unknown state_reason ${JSON.stringify(reason)}`)
  } else return Either.left(`${ref}: unknown state ${JSON.stringify(issue.state)}`)
  const body = issue.body ?? ""
  const followUp = FOLLOW_UP_OF.exec(body)?.[1]
  const owners = [...new Set([...(issue.assignees ?? []), ...(issue.assignee ? [issue.assignee] : [])].map((u) => u.login))]
  return Either.right({
    ref,
    title: issue.title,
    status,
    rawStatus: issue.state === "open" ? "open" : `closed/${issue.state_reason ?? "completed"}`,
    labels: issue.labels.flatMap((l) => (typeof l === "string" ? [l] : l.name ? [l.name] : [])),
    milestone: issue.milestone?.title,
    owners,
    followUpOf: followUp === undefined ? undefined : (normalizeRef(followUp, repository) ?? followUp),
    body,
    url: issue.html_url
  })
}

interface Answer {
  readonly status: number
  readonly url: string
  readonly headers: Readonly<Record<string, string | number | undefined>>
  readonly data: unknown
}

const header = (headers: Answer["headers"] | undefined, name: string): string | undefined => {
  const v = headers?.[name]
  return v === undefined ? undefined : String(v)
}

/** A failed Octokit call as a {@link BacklogError}. */
const fromOctokit = (error: unknown, method: string, url: string, resource: string): BacklogError => {
  const e = error as {
    status?: number
    cause?: unknown
    response?: { headers?: Answer["headers"]; data?: unknown }
  }
  if (e?.cause instanceof TransportFailure) {
    const http = e.cause.error
    const reason: VendorError.Reason = http.reason === "RateLimited"
      ? "rate-limited"
      : http.reason === "Timeout"
      ? "timeout"
      : http.reason === "InvalidRequest"
      ? "config"
      : "transport"
    const reset = Number(e.cause.lastHeaders?.["x-ratelimit-reset"])
    return new BacklogError({
      vendor: "github",
      reason,
      message: http.message,
      remediation: reason === "transport" && http.remediation ? http.remediation : remediationFor(reason, "github"),
      method,
      url: http.url,
      resource,
      role: GITHUB_ROLE,
      attempts: http.attempts,
      ...(http.status !== undefined ? { status: http.status } : {}),
      ...(http.code !== undefined ? { code: http.code } : {}),
      ...(http.retryAfterMs !== undefined ? { retryAfter: Math.ceil(http.retryAfterMs / 1000) } : {}),
      ...(Number.isFinite(reset) ? { rateLimitReset: reset } : {})
    })
  }
  const status = typeof e?.status === "number" ? e.status : undefined
  if (status === undefined) {
    return new BacklogError({
      vendor: "github",
      reason: "transport",
      message: `${method} ${url}: ${error instanceof Error ? error.message : String(error)}`,
      remediation: remediationFor("transport", "github"),
      method,
      url,
      resource
    })
  }
  const headers = e.response?.headers
  const data = e.response?.data as { message?: unknown; documentation_url?: unknown } | undefined
  const vendorMessage = typeof data?.message === "string" ? data.message : undefined
  const limit = rateLimitKind(status, Object.fromEntries(
    Object.entries(headers ?? {}).map(([k, v]) => [k, String(v)])
  ), vendorMessage ?? "")
  const code = limit !== undefined ? `${limit}-rate-limit` : undefined
  const reason = VendorError.classify({ status, code }, {
    codes: { "primary-rate-limit": "rate-limited", "secondary-rate-limit": "rate-limited" }
  })
  const attempts = Number(header(headers, ATTEMPTS_HEADER))
  const retryAfter = Number(header(headers, "retry-after"))
  const reset = Number(header(headers, "x-ratelimit-reset"))
  return new BacklogError({
    vendor: "github",
    reason,
    message: `${method} ${url} answered ${status}${vendorMessage ? `: ${vendorMessage}` : ""}`,
    remediation: remediationFor(reason, "github"),
    method,
    url,
    status,
    resource,
    role: GITHUB_ROLE,
    ...(code !== undefined ? { code } : {}),
    ...(Number.isFinite(attempts) ? { attempts } : {}),
    ...(Number.isFinite(retryAfter) ? { retryAfter } : {}),
    ...(Number.isFinite(reset) && limit !== undefined ? { rateLimitReset: reset } : {})
  })
}

const invalid = (method: string, url: string, resource: string, message: string) =>
  new BacklogError({
    vendor: "github",
    reason: "invalid-response",
    message: `${method} ${url}: ${message}`,
    remediation: remediationFor("invalid-response", "github"),
    method,
    url,
    resource
  })

const NEXT = /<([^>]+)>;\s*rel="next"/

/** Make the GitHub backlog over the run's transport. */
export const make = (options: Options): Effect.Effect<Backlog.Service, BacklogError, HttpTransport.HttpTransport> =>
  Effect.gen(function*() {
    const repository = options.repository.trim()
    if (!REPO.test(repository)) {
      return yield* Effect.fail(configError("github", "repository", `expected "owner/repo", got ${JSON.stringify(repository)}`))
    }
    const repo = repository.toLowerCase()
    const [owner, name] = repository.split("/") as [string, string]
    const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "")
    let origin: string
    try {
      origin = new URL(baseUrl).origin
    } catch {
      return yield* Effect.fail(configError("github", "baseUrl", `not a URL: ${JSON.stringify(baseUrl)}`))
    }
    const transport = yield* HttpTransport.HttpTransport
    // Loaded when a run builds the client, not with the package: `plan` and `docs` of a gate never pay for it.
    const { Octokit } = yield* Effect.promise(() => import("@octokit/rest"))
    const octokit = new Octokit({
      baseUrl,
      userAgent: "launchgate-backlog",
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      request: {
        fetch: makeFetch(transport, options.token, {
          maxAttempts: options.maxAttempts ?? 3,
          baseDelay: Duration.decode(options.retryBaseDelay ?? "500 millis"),
          budget: Duration.decode(options.timeout ?? "20 seconds")
        })
      }
    })

    /** One GET through Octokit; `url` is a path under baseUrl or an absolute URL on its origin. */
    const get = <A, I>(url: string, params: Record<string, string | number>, schema: Schema.Schema<A, I>, resource: string) =>
      Effect.gen(function*() {
        const shown = url.startsWith("http") ? new URL(url).pathname + new URL(url).search : url
        const answer = yield* Effect.tryPromise({
          try: (signal) => octokit.request({ method: "GET", url, ...params, request: { signal } }) as Promise<Answer>,
          catch: (error) => fromOctokit(error, "GET", shown, resource)
        })
        const decoded = Schema.decodeUnknownEither(schema)(answer.data)
        if (Either.isLeft(decoded)) {
          return yield* Effect.fail(invalid("GET", shown, resource, `not the documented shape: ${decoded.left.message}`))
        }
        const attempts = Number(header(answer.headers, ATTEMPTS_HEADER) ?? 1)
        const link = header(answer.headers, "link")
        return { value: decoded.right, retries: Math.max(0, attempts - 1), next: link ? NEXT.exec(link)?.[1] : undefined }
      })

    /** Every page of a list: the first from `path` with `params`, then each `Link: rel="next"` URL. */
    const pages = <A, I>(
      path: string,
      params: Record<string, string | number>,
      schema: Schema.Schema<ReadonlyArray<A>, I>,
      resource: string
    ) =>
      ResourceStore.paginate({
        page: (token) =>
          Effect.gen(function*() {
            if (token !== undefined && new URL(token, baseUrl).origin !== origin) {
              // The token must never follow a Link to another host.
              return yield* Effect.fail(invalid("GET", path, resource, `Link rel="next" points at another origin`))
            }
            const r = yield* get(token ?? path, token ? {} : { ...params, per_page: 100 }, schema, resource)
            return { items: r.value, next: r.next, retries: r.retries }
          }),
        stuck: (page) => invalid("GET", path, resource, `pagination did not advance after page ${page}`)
      })

    const items = (issues: ReadonlyArray<Issue>, resource: string) =>
      Effect.forEach(issues.filter((i) => i.pull_request === undefined), (issue) =>
        Either.match(toItem(issue, repo), {
          onLeft: (message) => Effect.fail(invalid("GET", resource, resource, message)),
          onRight: Effect.succeed
        }))

    const milestones = (r: string) =>
      pages(`/repos/${r}/milestones`, { state: "all" }, Schema.Array(MilestoneSchema), `${r} milestones`)

    // Milestones have their own store: the issue kind's scoped lists read them (title → number).
    const milestoneStore = yield* ResourceStore.make({ milestone: { list: (parent: string) => milestones(parent) } })

    const store = yield* ResourceStore.make({
      issue: {
        get: (key: string): Effect.Effect<ResourceStore.Fetched<Backlog.Item>, BacklogError> =>
          Effect.gen(function*() {
            const [r, n] = key.split("#") as [string, string]
            const got = yield* get(`/repos/${r}/issues/${n}`, {}, IssueSchema, key)
            if (got.value.pull_request !== undefined) {
              return yield* Effect.fail(
                new BacklogError({
                  vendor: "github",
                  reason: "not-found",
                  code: "pull-request",
                  message: `${key} is a pull request, not an issue`,
                  remediation: "Point the follow-up at an issue that tracks the work, not at a pull request.",
                  resource: key
                })
              )
            }
            const [item] = yield* items([got.value], key)
            return { value: item!, retries: got.retries, requests: 1 }
          }),
        list: (parent: string, scope: string): Effect.Effect<ResourceStore.Fetched<ReadonlyArray<Backlog.Item>>, BacklogError> =>
          Effect.gen(function*() {
            const s = (scope === "" ? {} : JSON.parse(scope)) as Backlog.Scope
            if (s.query !== undefined) {
              const q = [
                `repo:${parent}`,
                "is:issue",
                ...(s.label !== undefined ? [`label:"${s.label}"`] : []),
                ...(s.milestone !== undefined ? [`milestone:"${s.milestone}"`] : []),
                s.query
              ].join(" ")
              const all: Array<Issue> = []
              const read = yield* ResourceStore.paginate({
                page: (token) =>
                  Effect.map(
                    get(token ?? "/search/issues", token ? {} : { q, per_page: 100 }, SearchSchema, `search ${q}`),
                    (r) => {
                      all.push(...r.value.items)
                      return { items: [r.value], next: r.next, retries: r.retries }
                    }
                  ),
                stuck: (page) => invalid("GET", "/search/issues", q, `pagination did not advance after page ${page}`)
              })
              // https://docs.github.com/en/rest/search/search#timeouts-and-incomplete-results, and at most 1,000 results.
              const first = read.value[0]
              if (first?.incomplete_results === true || (first?.total_count ?? 0) > 1000) {
                return yield* Effect.fail(new BacklogError({
                  vendor: "github",
                  reason: "unavailable",
                  code: first?.incomplete_results ? "incomplete-results" : "over-1000-results",
                  message: `search ${JSON.stringify(q)} returned an incomplete result (${first?.total_count} matches)`,
                  remediation: "Narrow the query (a milestone or label scope) so GitHub search can return every match.",
                  resource: q
                }))
              }
              return { value: yield* items(all, q), retries: read.retries, requests: read.requests }
            }
            const params: Record<string, string | number> = { state: "all" }
            if (s.label !== undefined) params["labels"] = s.label
            let requests = 0
            if (s.milestone !== undefined) {
              const ms = yield* milestoneStore.list("milestone", parent)
              requests += ms.requests
              const hit = ms.value.find((m) => m.title === s.milestone)
              if (!hit) {
                return yield* Effect.fail(new BacklogError({
                  vendor: "github",
                  reason: "not-found",
                  message: `no milestone titled ${JSON.stringify(s.milestone)} in ${parent}`,
                  remediation: `Use one of the repository's milestone titles: ${ms.value.map((m) => m.title).join(", ")}`,
                  resource: `${parent} milestones`,
                  path: "scope.milestone"
                }))
              }
              params["milestone"] = hit.number
            }
            const read = yield* pages(`/repos/${parent}/issues`, params, Schema.Array(IssueSchema), `${parent} issues`)
            return { value: yield* items(read.value, parent), retries: read.retries, requests: read.requests + requests }
          }),
        keyOf: (item: Backlog.Item) => item.ref,
        parentOf: (key: string) => key.split("#")[0],
        normalize: (key: string) => key.toLowerCase()
      } satisfies ResourceStore.Kind<Backlog.Item, BacklogError>
    })

    // Scopes listed (or being listed) in this run: a get waits for them and is answered from them.
    const listed = new Set<string>()
    const scopeKey = (scope: Backlog.Scope) =>
      scope.milestone === undefined && scope.label === undefined && scope.query === undefined
        ? ""
        : JSON.stringify({ milestone: scope.milestone, label: scope.label, query: scope.query })

    const list = (scope: Backlog.Scope) =>
      Effect.suspend(() => {
        const key = scopeKey(scope)
        listed.add(key)
        return Effect.map(store.list("issue", repo, { scope: key }), (r) => r.value)
      })

    const getItem = (ref: string) =>
      Effect.gen(function*() {
        const key = normalizeRef(ref, repo)
        if (key === undefined) {
          return yield* Effect.fail(configError(
            "github",
            "ref",
            `${JSON.stringify(ref)} is not an issue reference`,
            "Write the follow-up as an issue URL, owner/repo#123 or #123."
          ))
        }
        if (key.split("#")[0] === repo) {
          for (const scope of [...listed].filter((s) => s !== "")) {
            const hit = yield* Effect.option(store.list("issue", repo, { scope }))
            const item = Option.getOrUndefined(hit)?.value.find((i) => i.ref === key)
            if (item) return item
          }
        }
        return (yield* store.get("issue", key)).value
      })

    return {
      provider: "github",
      list,
      get: getItem,
      normalizeRef: (ref: string) => normalizeRef(ref, repo)
    } satisfies Backlog.Service
  })

/**
 * The GitHub backlog as a layer (built once per run, so checks share reads).
 *
 * @example
 * GitHub.layer({ repository: "acme/api", token: Redacted.make(process.env.GITHUB_TOKEN!) })
 */
export const layer = (options: Options): Layer.Layer<Backlog.Backlog, BacklogError, Gate.Provided> =>
  Layer.effect(Backlog.Backlog, make(options))

/**
 * The GitHub backlog with the token read from `GITHUB_TOKEN` (as `Redacted`) and the repository from
 * `GITHUB_REPOSITORY` unless given.
 */
export const layerConfig = (
  options: Partial<Options> = {}
): Layer.Layer<Backlog.Backlog, BacklogError, Gate.Provided> =>
  Layer.unwrapEffect(
    Effect.gen(function*() {
      const token = options.token ?? Option.getOrUndefined(yield* Config.option(Config.redacted("GITHUB_TOKEN")))
      const repository = options.repository ?? (yield* Config.string("GITHUB_REPOSITORY"))
      return layer({ ...options, repository, ...(token !== undefined ? { token } : {}) })
    }).pipe(
      Effect.mapError((e) => configError("github", "GITHUB_REPOSITORY", `configuration: ${String(e)}`))
    )
  )

/** Keep `Redacted` in the public types so callers see how the token must arrive. */
export type Token = Redacted.Redacted<string>
