/**
 * An emulator of the GitHub Issues REST API subset `@launchgate/backlog`
 * reads, built on core's emulator kit: issues list for a repository (filters
 * `state`, `labels`, `milestone`, `per_page`, `page`, with `Link`
 * pagination), issue get, labels, milestones, search issues, rate-limit
 * headers with the primary (403, `x-ratelimit-remaining: 0`) and secondary
 * (403/429 with `retry-after`) answers, and 401/404 bodies as GitHub sends
 * them (`{ message, documentation_url, status }`). Every response validates
 * against GitHub's published OpenAPI description (test/Contract.test.ts).
 *
 * @since 0.1.0
 */
import * as Redacted from "effect/Redacted"
import { Emulator, HttpFailure } from "@launchgate/core/emulator"
import type * as GitHub from "../GitHub.js"
import { type IssueRecord, type RepoRecord } from "./builders.js"

/** The emulator's state. */
export interface State {
  /** Repositories by `owner/name` (lower case). */
  readonly repos: Map<string, RepoRecord>
  /** When set, requests must carry `Authorization: Bearer <token>` (or `token <token>`); others get 401. */
  token: string | undefined
  /** The primary rate limit: `remaining` drops by one per request; at 0 requests get 403 until `reset`. */
  rateLimit: { limit: number; remaining: number; reset: number }
  /** A secondary rate limit: the next `times` requests answer `status` with `retry-after`. */
  secondary: { status: 403 | 429; retryAfter: number; times: number } | undefined
}

/** Options of {@link start}. */
export interface Options {
  readonly repos?: ReadonlyArray<RepoRecord> | undefined
  /** Require this token. Default `"ghp_emulator"`; `null` serves anonymous requests. */
  readonly token?: string | null | undefined
  readonly seed?: ((state: State) => void) | undefined
  readonly port?: number | undefined
}

export type Running = Emulator.Running<State>

const DOCS = "https://docs.github.com/rest"

const error = (status: number, message: string, docs = DOCS, headers?: Record<string, string>): never => {
  throw new HttpFailure({ status, ...(headers ? { headers } : {}), json: { message, documentation_url: docs, status: String(status) } })
}

const user = (login: string, base: string) => ({
  login,
  id: [...login].reduce((a, c) => a * 31 + c.charCodeAt(0), 7) % 1_000_000,
  node_id: `U_${login}`,
  avatar_url: `${base}/avatars/${login}`,
  gravatar_id: "",
  url: `${base}/users/${login}`,
  html_url: `https://github.com/${login}`,
  followers_url: `${base}/users/${login}/followers`,
  following_url: `${base}/users/${login}/following{/other_user}`,
  gists_url: `${base}/users/${login}/gists{/gist_id}`,
  starred_url: `${base}/users/${login}/starred{/owner}{/repo}`,
  subscriptions_url: `${base}/users/${login}/subscriptions`,
  organizations_url: `${base}/users/${login}/orgs`,
  repos_url: `${base}/users/${login}/repos`,
  events_url: `${base}/users/${login}/events{/privacy}`,
  received_events_url: `${base}/users/${login}/received_events`,
  type: "User",
  site_admin: false
})

const labelJson = (repo: RepoRecord, name: string, base: string) => {
  const l = repo.labels.find((x) => x.name === name) ?? { id: 1, name, color: "ededed", description: null }
  return {
    id: l.id,
    node_id: `LA_${l.id}`,
    url: `${base}/repos/${repo.owner}/${repo.name}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    description: l.description,
    color: l.color,
    default: false
  }
}

const milestoneJson = (repo: RepoRecord, title: string, base: string) => {
  const m = repo.milestones.find((x) => x.title === title)!
  const issues = repo.issues.filter((i) => i.milestone === title && !i.pullRequest)
  return {
    url: `${base}/repos/${repo.owner}/${repo.name}/milestones/${m.number}`,
    html_url: `https://github.com/${repo.owner}/${repo.name}/milestone/${m.number}`,
    labels_url: `${base}/repos/${repo.owner}/${repo.name}/milestones/${m.number}/labels`,
    id: 9000 + m.number,
    node_id: `MI_${m.number}`,
    number: m.number,
    state: m.state,
    title: m.title,
    description: m.description,
    creator: user(repo.owner, base),
    open_issues: issues.filter((i) => i.state === "open").length,
    closed_issues: issues.filter((i) => i.state === "closed").length,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    closed_at: m.state === "closed" ? "2026-01-01T00:00:00Z" : null,
    due_on: m.due_on
  }
}

const issueJson = (repo: RepoRecord, i: IssueRecord, base: string) => {
  const path = `${base}/repos/${repo.owner}/${repo.name}/issues/${i.number}`
  const html = `https://github.com/${repo.owner}/${repo.name}/${i.pullRequest ? "pull" : "issues"}/${i.number}`
  const assignees = i.assignees.map((a) => user(a, base))
  return {
    id: 100_000 + i.number,
    node_id: `I_${i.number}`,
    url: path,
    repository_url: `${base}/repos/${repo.owner}/${repo.name}`,
    labels_url: `${path}/labels{/name}`,
    comments_url: `${path}/comments`,
    events_url: `${path}/events`,
    html_url: html,
    number: i.number,
    state: i.state,
    state_reason: i.state_reason,
    title: i.title,
    body: i.body,
    user: user(repo.owner, base),
    labels: i.labels.map((l) => labelJson(repo, l, base)),
    assignee: assignees[0] ?? null,
    assignees,
    milestone: i.milestone === null ? null : milestoneJson(repo, i.milestone, base),
    locked: false,
    active_lock_reason: null,
    comments: 0,
    ...(i.pullRequest
      ? {
        pull_request: {
          url: `${base}/repos/${repo.owner}/${repo.name}/pulls/${i.number}`,
          html_url: html,
          diff_url: `${html}.diff`,
          patch_url: `${html}.patch`,
          merged_at: null
        }
      }
      : {}),
    closed_at: i.closed_at,
    created_at: i.created_at,
    updated_at: i.updated_at,
    author_association: "OWNER"
  }
}

const repoOf = (state: State, owner: string, name: string): RepoRecord =>
  state.repos.get(`${owner}/${name}`.toLowerCase()) ?? error(404, "Not Found", "https://docs.github.com/rest/issues/issues")

const intParam = (query: URLSearchParams, name: string, fallback: number) => {
  const raw = query.get(name)
  const n = raw === null ? fallback : Number(raw)
  if (!Number.isInteger(n) || n < 1) error(422, `Invalid value for parameter ${name}`)
  return n
}

/** One page of `all`, with GitHub's `Link` header (next, last, first, prev), keeping the other query parameters. */
const paged = <A>(all: ReadonlyArray<A>, url: string, path: string, query: URLSearchParams) => {
  const perPage = Math.min(100, intParam(query, "per_page", 30))
  const page = intParam(query, "page", 1)
  const last = Math.max(1, Math.ceil(all.length / perPage))
  const link = (p: number, rel: string) => {
    const q = new URLSearchParams(query)
    q.set("per_page", String(perPage))
    q.set("page", String(p))
    return `<${url}${path}?${q.toString()}>; rel="${rel}"`
  }
  const links = [
    ...(page > 1 ? [link(page - 1, "prev")] : []),
    ...(page < last ? [link(page + 1, "next"), link(last, "last")] : []),
    ...(page > 1 ? [link(1, "first")] : [])
  ]
  return {
    items: all.slice((page - 1) * perPage, page * perPage),
    headers: links.length > 0 ? { link: links.join(", ") } : ({} as Record<string, string>)
  }
}

const listIssues = (repo: RepoRecord, query: URLSearchParams) => {
  const state = query.get("state") ?? "open"
  if (!["open", "closed", "all"].includes(state)) error(422, "Validation Failed")
  const labels = (query.get("labels") ?? "").split(",").map((l) => l.trim()).filter((l) => l.length > 0)
  const milestone = query.get("milestone")
  let number: number | undefined
  if (milestone !== null && milestone !== "*" && milestone !== "none") {
    number = Number(milestone)
    if (!repo.milestones.some((m) => m.number === number)) error(404, "Not Found")
  }
  return repo.issues
    .filter((i) => state === "all" || i.state === state)
    .filter((i) => labels.every((l) => i.labels.includes(l)))
    .filter((i) =>
      milestone === null || (milestone === "*" ? i.milestone !== null : milestone === "none" ? i.milestone === null
        : repo.milestones.find((m) => m.number === number)?.title === i.milestone)
    )
    .sort((a, b) => b.number - a.number)
}

/** Search `q` (the subset launchgate sends: `repo:`, `is:issue`, `label:"…"`, `milestone:"…"`, free words). */
const search = (state: State, q: string) => {
  const tokens = q.match(/(?:[^\s"]+:"[^"]*"|[^\s"]+:[^\s"]+|"[^"]*"|\S+)/g) ?? []
  let repo: RepoRecord | undefined
  const filters: Array<(r: RepoRecord, i: IssueRecord) => boolean> = []
  for (const token of tokens) {
    const m = /^(\w+):"?([^"]*)"?$/.exec(token)
    const value = m?.[2] ?? ""
    if (m?.[1] === "repo") {
      const [o, n] = value.split("/") as [string, string]
      repo = state.repos.get(`${o}/${n}`.toLowerCase())
      if (!repo) error(422, "Validation Failed")
    } else if (m?.[1] === "is") {
      filters.push((_, i) => (value === "issue" ? !i.pullRequest : value === "pr" ? i.pullRequest : i.state === value))
    } else if (m?.[1] === "label") filters.push((_, i) => i.labels.includes(value))
    else if (m?.[1] === "milestone") filters.push((_, i) => i.milestone === value)
    else if (m?.[1] === "state") filters.push((_, i) => i.state === value)
    else {
      const word = token.replace(/^"|"$/g, "").toLowerCase()
      filters.push((_, i) => `${i.title}\n${i.body ?? ""}`.toLowerCase().includes(word))
    }
  }
  const repos = repo ? [repo] : [...state.repos.values()]
  return repos.flatMap((r) => r.issues.filter((i) => filters.every((f) => f(r, i))).map((i) => ({ r, i })))
}

/** The emulator definition. */
export const definition = Emulator.define<State>({
  name: "github",
  initialState: () => ({
    repos: new Map(),
    token: "ghp_emulator",
    rateLimit: { limit: 5000, remaining: 5000, reset: Math.floor(Date.now() / 1000) + 3600 },
    secondary: undefined
  }),
  before: (req, { state }) => {
    if (state.token !== undefined) {
      const auth = req.headers["authorization"] ?? ""
      const given = /^(?:bearer|token)\s+(.+)$/i.exec(auth)?.[1]
      if (given !== state.token) {
        return {
          status: 401,
          json: { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" }
        }
      }
    }
    const rl = state.rateLimit
    const now = Math.floor(Date.now() / 1000)
    if (rl.remaining <= 0 && now >= rl.reset) {
      rl.remaining = rl.limit
      rl.reset = now + 3600
    }
    const headers = (remaining: number) => rateHeaders(state, req.path, remaining)
    if (state.secondary && state.secondary.times > 0) {
      state.secondary.times--
      return {
        status: state.secondary.status,
        headers: { ...headers(rl.remaining), "retry-after": String(state.secondary.retryAfter) },
        json: {
          message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
          documentation_url:
            "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
          status: String(state.secondary.status)
        }
      }
    }
    if (rl.remaining <= 0) {
      return {
        status: 403,
        headers: headers(0),
        json: {
          message: "API rate limit exceeded for user ID 1.",
          documentation_url:
            "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit",
          status: "403"
        }
      }
    }
    rl.remaining--
    return undefined
  },
  notFound: () => ({ status: 404, json: { message: "Not Found", documentation_url: DOCS, status: "404" } }),
  routes: [
    Emulator.route<State>("GET", "/repos/{owner}/{repo}/issues", (req, { state, url }) => {
      const repo = repoOf(state, req.params["owner"]!, req.params["repo"]!)
      const page = paged(listIssues(repo, req.query), url, req.path, req.query)
      return { headers: { ...rateHeaders(state, req.path), ...page.headers }, json: page.items.map((i) => issueJson(repo, i, url)) }
    }, "issues/list-for-repo"),
    Emulator.route<State>("GET", "/repos/{owner}/{repo}/issues/{number}", (req, { state, url }) => {
      const repo = repoOf(state, req.params["owner"]!, req.params["repo"]!)
      const found = repo.issues.find((i) => String(i.number) === req.params["number"])
      if (!found) error(404, "Not Found", "https://docs.github.com/rest/issues/issues#get-an-issue")
      return { headers: rateHeaders(state, req.path), json: issueJson(repo, found!, url) }
    }, "issues/get"),
    Emulator.route<State>("GET", "/repos/{owner}/{repo}/labels", (req, { state, url }) => {
      const repo = repoOf(state, req.params["owner"]!, req.params["repo"]!)
      const page = paged(repo.labels, url, req.path, req.query)
      return { headers: { ...rateHeaders(state, req.path), ...page.headers }, json: page.items.map((l) => labelJson(repo, l.name, url)) }
    }, "issues/list-labels-for-repo"),
    Emulator.route<State>("GET", "/repos/{owner}/{repo}/milestones", (req, { state, url }) => {
      const repo = repoOf(state, req.params["owner"]!, req.params["repo"]!)
      const wanted = req.query.get("state") ?? "open"
      const all = repo.milestones.filter((m) => wanted === "all" || m.state === wanted)
      const page = paged(all, url, req.path, req.query)
      return {
        headers: { ...rateHeaders(state, req.path), ...page.headers },
        json: page.items.map((m) => milestoneJson(repo, m.title, url))
      }
    }, "issues/list-milestones"),
    Emulator.route<State>("GET", "/search/issues", (req, { state, url }) => {
      const q = req.query.get("q")
      if (!q) error(422, "Validation Failed")
      const hits = search(state, q!)
      const page = paged(hits, url, req.path, req.query)
      return {
        headers: { ...rateHeaders(state, req.path), ...page.headers },
        json: {
          total_count: hits.length,
          incomplete_results: false,
          search_type: "lexical",
          // issue-search-result-item declares `body` as an optional, non-nullable string: omit it when empty.
          items: page.items.map(({ r, i }) => {
            const { body, ...rest } = issueJson(r, i, url)
            return { ...rest, ...(body === null ? {} : { body }), score: 1 }
          })
        }
      }
    }, "search/issues-and-pull-requests")
  ]
})

/** GitHub's rate-limit headers, sent on every answer. */
const rateHeaders = (state: State, path: string, remaining = state.rateLimit.remaining): Record<string, string> => ({
  "x-ratelimit-limit": String(state.rateLimit.limit),
  "x-ratelimit-remaining": String(remaining),
  "x-ratelimit-reset": String(state.rateLimit.reset),
  "x-ratelimit-used": String(state.rateLimit.limit - remaining),
  "x-ratelimit-resource": path.startsWith("/search") ? "search" : "core"
})

/**
 * Start the emulator on 127.0.0.1 (a random port).
 *
 * @example
 * const gh = await GitHubEmulator.start({ repos: [repo("acme/api", { issues: [issue({ number: 1 })] })] })
 */
export const start = (options: Options = {}): Promise<Running> =>
  Emulator.start(definition, {
    ...(options.port !== undefined ? { port: options.port } : {}),
    seed: (state) => {
      state.token = options.token === null ? undefined : options.token ?? "ghp_emulator"
      for (const r of options.repos ?? []) state.repos.set(`${r.owner}/${r.name}`.toLowerCase(), r)
      options.seed?.(state)
    }
  })

/** Options of `GitHub.layer` pointed at a running emulator: its URL, its token, tiny retry delays. */
export const clientOptions = (
  running: Running,
  overrides: Partial<GitHub.Options> = {}
): GitHub.Options => ({
  repository: [...running.state.repos.keys()][0] ?? "acme/api",
  baseUrl: running.url,
  ...(running.state.token !== undefined ? { token: Redacted.make(running.state.token) } : {}),
  retryBaseDelay: "10 millis",
  ...overrides
})
