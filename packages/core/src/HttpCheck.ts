/**
 * The endpoint check: one request to a URL, with assertions on the status,
 * headers, a JSON body decoded with a `Schema`, body text, and redirects.
 *
 * Reads (GET, HEAD, OPTIONS) are passive; any other method makes the check
 * `active` (it may change something remote) unless you say otherwise.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as Check from "./Check.js"
import type * as HttpTransport from "./HttpTransport.js"
import * as Http from "./internal/http/common.js"
import * as Outcome from "./Outcome.js"

/** What the response must look like. Every assertion given must hold. */
export interface Expectation<A = unknown, I = unknown> {
  /** A status, a list of statuses, or a predicate. Default: any 2xx. */
  readonly status?: number | ReadonlyArray<number> | ((status: number) => boolean) | undefined
  /**
   * Response headers (case-insensitive names): an exact value, a `RegExp`,
   * `true` for "present" or `false` for "absent".
   */
  readonly headers?: Readonly<Record<string, string | RegExp | boolean>> | undefined
  /**
   * Decode the body as JSON with this schema. A body that is not JSON is an
   * `error` (the check cannot decide); JSON that does not match is a `fail`.
   */
  readonly json?: Schema.Schema<A, I> | undefined
  /** A rule over the decoded body: `true`, or a sentence saying what is wrong. Needs `json`. */
  readonly satisfies?: ((body: A) => boolean | string) | undefined
  /** Text the body must contain. */
  readonly bodyContains?: string | ReadonlyArray<string> | undefined
  /** A pattern the body must match. */
  readonly bodyMatches?: RegExp | undefined
  /**
   * Assert a redirect instead of following it: a 3xx status (or the ones
   * listed) whose `Location` equals or matches `location`.
   */
  readonly redirect?: {
    readonly location?: string | RegExp | undefined
    readonly status?: number | ReadonlyArray<number> | undefined
  } | undefined
}

/** Options of {@link make}. */
export interface Options<A = unknown, I = unknown> extends Http.Identity, Http.RequestOptions {
  /** Default GET. Methods other than GET, HEAD and OPTIONS make the check active by default. */
  readonly method?: HttpTransport.HttpRequest["method"]
  readonly body?: string | undefined
  /** Follow redirects and assert on the final response. Default `false` (ignored when `expect.redirect` is set). */
  readonly followRedirects?: boolean | undefined
  readonly expect?: Expectation<A, I> | undefined
}

/** One assertion's result, as evidence. */
export interface Assertion {
  readonly name: string
  readonly ok: boolean
  readonly observed: unknown
  readonly expected: unknown
  readonly detail?: string | undefined
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"])
const REDIRECT_STATUSES = [301, 302, 303, 307, 308]

const statusMatches = (expected: Expectation["status"], status: number): boolean =>
  expected === undefined
    ? status >= 200 && status < 300
    : typeof expected === "number"
    ? status === expected
    : typeof expected === "function"
    ? expected(status)
    : expected.includes(status)

const describeStatus = (expected: Expectation["status"]): unknown =>
  expected === undefined ? "2xx" : typeof expected === "function" ? "matches the status rule" : expected

const matches = (expected: string | RegExp, value: string): boolean =>
  typeof expected === "string" ? value === expected : expected.test(value)

/**
 * Judge a response against an expectation (pure: the check's run calls it
 * after the request, and tests can call it directly).
 */
export const evaluate = <A, I>(response: HttpTransport.HttpResponse, expect: Expectation<A, I> = {}): Outcome.Outcome => {
  const assertions: Array<Assertion> = []
  const evidence = Http.responseEvidence(response)

  if (expect.redirect) {
    const statuses = expect.redirect.status ?? REDIRECT_STATUSES
    const location = response.headers["location"]
    assertions.push({
      name: "redirect status",
      ok: statusMatches(statuses, response.status),
      observed: response.status,
      expected: statuses
    })
    if (expect.redirect.location !== undefined) {
      assertions.push({
        name: "redirect location",
        ok: location !== undefined && matches(expect.redirect.location, location),
        observed: location ?? null,
        expected: String(expect.redirect.location)
      })
    }
  } else {
    const ok = statusMatches(expect.status, response.status)
    if (!ok) {
      const auth = Http.authError(response)
      if (auth) return auth
    }
    assertions.push({ name: "status", ok, observed: response.status, expected: describeStatus(expect.status) })
  }

  for (const [name, rule] of Object.entries(expect.headers ?? {})) {
    const value = response.headers[name.toLowerCase()]
    const ok = rule === true
      ? value !== undefined
      : rule === false
      ? value === undefined
      : value !== undefined && matches(rule, value)
    assertions.push({
      name: `header ${name.toLowerCase()}`,
      ok,
      observed: value ?? null,
      expected: rule === true ? "present" : rule === false ? "absent" : String(rule)
    })
  }

  const contains = expect.bodyContains === undefined
    ? []
    : typeof expect.bodyContains === "string"
    ? [expect.bodyContains]
    : expect.bodyContains
  for (const text of contains) {
    assertions.push({ name: "body contains", ok: response.body.includes(text), observed: Http.excerpt(response.body), expected: text })
  }
  if (expect.bodyMatches) {
    assertions.push({
      name: "body matches",
      ok: expect.bodyMatches.test(response.body),
      observed: Http.excerpt(response.body),
      expected: String(expect.bodyMatches)
    })
  }

  if (expect.json) {
    let parsed: unknown
    try {
      parsed = JSON.parse(response.body)
    } catch {
      // A status that is already wrong decides (fail); otherwise an unparseable body leaves nothing to judge.
      if (assertions.some((x) => !x.ok)) {
        assertions.push({ name: "json", ok: false, observed: Http.excerpt(response.body), expected: "a JSON body" })
        return judged(response, expect, evidence, assertions)
      }
      return Outcome.error(`could not decide: ${response.url} did not answer JSON`, {
        observed: Http.excerpt(response.body),
        expected: "a JSON body",
        evidence: { ...evidence, contentType: response.headers["content-type"] ?? null },
        remediation:
          "The endpoint answered something that is not JSON (an error page, a proxy, a truncated body?). " +
          "Check the URL and what sits in front of the service.",
        attempts: response.attempts
      })
    }
    const decoded = Schema.decodeUnknownEither(expect.json)(parsed)
    if (Either.isLeft(decoded)) {
      assertions.push({
        name: "json schema",
        ok: false,
        observed: Http.excerpt(response.body),
        expected: "a body matching the schema",
        detail: ParseResult.TreeFormatter.formatErrorSync(decoded.left)
      })
    } else {
      assertions.push({ name: "json schema", ok: true, observed: "matches", expected: "a body matching the schema" })
      if (expect.satisfies) {
        const verdict = expect.satisfies(decoded.right)
        assertions.push({
          name: "json rule",
          ok: verdict === true,
          observed: Http.excerpt(response.body),
          expected: "the body rule holds",
          ...(typeof verdict === "string" ? { detail: verdict } : {})
        })
      }
    }
  }

  return judged(response, expect, evidence, assertions)
}

const judged = <A, I>(
  response: HttpTransport.HttpResponse,
  expect: Expectation<A, I>,
  evidence: Record<string, unknown>,
  assertions: ReadonlyArray<Assertion>
): Outcome.Outcome => {
  const failed = assertions.filter((a) => !a.ok)
  const all = { ...evidence, assertions }
  if (failed.length === 0) {
    return Outcome.pass(`${response.url} answered ${response.status}; ${assertions.length} assertion(s) hold`, {
      observed: response.status,
      evidence: all,
      attempts: response.attempts
    })
  }
  const first = failed[0]!
  const described = failed
    .map((a) => `${a.name} ${a.detail ? `(${a.detail.split("\n")[0]})` : `was ${JSON.stringify(a.observed)}`}`)
    .join("; ")
  return Outcome.fail(
    `${response.url}: ${described}`,
    {
      observed: first.observed,
      expected: first.expected,
      evidence: all,
      remediation: expect.redirect
        ? "Configure the server (or load balancer) to redirect this URL as expected, " +
          "with a permanent redirect (301/308) for http → https."
        : "The endpoint does not answer as the launch needs: compare the assertions' observed and expected values, " +
          "and fix the service or its routing.",
      attempts: response.attempts
    }
  )
}

/**
 * An endpoint check.
 *
 * @example
 * const version = HttpCheck.make({
 *   url: "https://api.acme.dev/version",
 *   expect: { status: 200, json: Schema.Struct({ version: Schema.String }), headers: { "cache-control": /no-store/ } }
 * })
 */
export const make = <A = unknown, I = unknown>(options: Options<A, I>): Check.Check<HttpTransport.HttpTransport> => {
  const method = options.method ?? "GET"
  const asserting = options.expect?.redirect !== undefined
  const slug = Http.pathSlug(options.url)
  return Http.responseCheck(
    options,
    {
      url: options.url,
      property: asserting ? `redirect-${slug}` : `${method.toLowerCase()}-${slug}`,
      title: `${method} ${Http.shownUrl(options.url)} answers as expected`,
      category: "monitoring",
      description: "The endpoint answers with the expected status, headers and body.",
      active: !SAFE_METHODS.has(method)
    },
    {
      method,
      followRedirects: asserting ? false : options.followRedirects ?? false,
      ...(options.body !== undefined ? { body: options.body } : {})
    },
    (response) => evaluate(response, options.expect)
  )
}

/**
 * Asserts that a plain-http URL redirects to https on the same host (it does
 * not follow the redirect).
 *
 * @example
 * HttpCheck.httpsRedirect({ url: "http://acme.dev/" })
 */
export const httpsRedirect = (options: Http.Identity & Http.RequestOptions): Check.Check<HttpTransport.HttpTransport> => {
  const hostname = (() => {
    try {
      return new URL(options.url).hostname
    } catch {
      return "invalid-url"
    }
  })()
  const escaped = hostname.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  return make({
    ...options,
    id: options.id ?? `http.${Http.hostOf(options.url)}.https-redirect`,
    title: options.title ?? `${Http.shownUrl(options.url)} redirects to https`,
    category: options.category ?? "security",
    expect: { redirect: { location: new RegExp(`^https://${escaped}(?::\\d+)?(?:[/?#]|$)`, "i") } }
  })
}
