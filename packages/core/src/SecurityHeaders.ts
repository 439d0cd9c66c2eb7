/**
 * The security-header check, a launch-adjacent helper: HSTS (with a minimum
 * max-age), `X-Content-Type-Options: nosniff`, framing protection
 * (`X-Frame-Options` or CSP `frame-ancestors`), and a Content-Security-Policy.
 * Each header is a subject of the outcome, with the value observed.
 *
 * @since 0.1.0
 */
import type * as Check from "./Check.js"
import type * as HttpTransport from "./HttpTransport.js"
import * as Http from "./internal/http/common.js"
import * as Outcome from "./Outcome.js"

/** How much a missing or weak header matters: `fail`, `warn`, or `off` (not checked). */
export type Level = "fail" | "warn" | "off"

/** Which headers are checked, and how strictly. */
export interface Policy {
  /** `Strict-Transport-Security` with `max-age` ≥ `hstsMinMaxAge`. Default `fail`. */
  readonly hsts?: Level | undefined
  /** `X-Content-Type-Options: nosniff`. Default `fail`. */
  readonly contentTypeOptions?: Level | undefined
  /** `X-Frame-Options: DENY|SAMEORIGIN` or CSP `frame-ancestors`. Default `fail`. */
  readonly frameOptions?: Level | undefined
  /** An enforced `Content-Security-Policy` (report-only is not enough). Default `warn`. */
  readonly csp?: Level | undefined
  /** Minimum HSTS max-age in seconds. Default 15552000 (180 days). */
  readonly hstsMinMaxAge?: number | undefined
}

/** Options of {@link make}. */
export interface Options extends Http.Identity, Http.RequestOptions, Policy {
  /** Follow redirects and check the page a browser lands on. Default `true`. */
  readonly followRedirects?: boolean | undefined
}

const withLevel = (subject: string, level: Level, ok: boolean, passMessage: string, problem: string, details: Outcome.Details) =>
  ({
    subject,
    ...(ok ? Outcome.pass(passMessage, details) : Outcome.fromStatus(level === "fail" ? "fail" : "warn", problem, details))
  }) satisfies Outcome.SubjectOutcome

/** Judge response headers against a policy (pure). `https` says whether HSTS applies. */
export const evaluate = (response: HttpTransport.HttpResponse, policy: Policy = {}): Outcome.Outcome => {
  if (response.status >= 500) {
    return Outcome.error(`could not decide: ${response.url} answered ${response.status}`, {
      observed: response.status,
      evidence: Http.responseEvidence(response),
      remediation:
        "The page answered a server error, whose headers may come from a proxy rather than the app: " +
        "check the service, then run again.",
      attempts: response.attempts
    })
  }
  const h = response.headers
  const https = response.url.startsWith("https:")
  const subjects: Array<Outcome.SubjectOutcome> = []
  const csp = h["content-security-policy"]

  const hstsLevel = policy.hsts ?? "fail"
  if (hstsLevel !== "off") {
    const value = h["strict-transport-security"]
    const min = policy.hstsMinMaxAge ?? 15_552_000
    if (!https) {
      subjects.push({
        subject: "hsts",
        ...Outcome.skip(
          "browsers ignore HSTS over plain http; check the https URL (and that http redirects to it)",
          { observed: response.url }
        )
      })
    } else {
      const maxAge = value === undefined ? undefined : Number(/max-age\s*=\s*"?(\d+)"?/i.exec(value)?.[1] ?? Number.NaN)
      const ok = maxAge !== undefined && Number.isFinite(maxAge) && maxAge >= min
      const problem = value === undefined
        ? "Strict-Transport-Security is missing"
        : `max-age ${Number.isFinite(maxAge) ? maxAge : "missing"} is under ${min} s`
      subjects.push(withLevel("hsts", hstsLevel, ok, `max-age ${maxAge} s`, problem, {
        observed: value ?? null,
        expected: `max-age >= ${min}`,
        remediation: `Send "Strict-Transport-Security: max-age=${Math.max(min, 31_536_000)}; includeSubDomains" on https responses.`
      }))
    }
  }

  const ctoLevel = policy.contentTypeOptions ?? "fail"
  if (ctoLevel !== "off") {
    const value = h["x-content-type-options"]
    const problem = value === undefined
      ? "X-Content-Type-Options is missing"
      : `X-Content-Type-Options is ${JSON.stringify(value)}`
    const ok = value?.trim().toLowerCase() === "nosniff"
    subjects.push(withLevel("content-type-options", ctoLevel, ok, "nosniff", problem, {
      observed: value ?? null,
      expected: "nosniff",
      remediation: "Send \"X-Content-Type-Options: nosniff\"."
    }))
  }

  const frameLevel = policy.frameOptions ?? "fail"
  if (frameLevel !== "off") {
    const value = h["x-frame-options"]
    const ancestors = csp !== undefined && /(^|;)\s*frame-ancestors\s/i.test(csp)
    const ok = ancestors || (value !== undefined && /^(deny|sameorigin)$/i.test(value.trim()))
    const passMessage = ancestors ? "CSP frame-ancestors is set" : `X-Frame-Options ${value}`
    const problem = value === undefined
      ? "neither X-Frame-Options nor CSP frame-ancestors is set"
      : `X-Frame-Options is ${JSON.stringify(value)}`
    subjects.push(withLevel("frame-options", frameLevel, ok, passMessage, problem, {
      observed: { "x-frame-options": value ?? null, "frame-ancestors": ancestors },
      expected: "X-Frame-Options DENY or SAMEORIGIN, or CSP frame-ancestors",
      remediation: "Send \"X-Frame-Options: DENY\" (or SAMEORIGIN), or a CSP with a frame-ancestors directive."
    }))
  }

  const cspLevel = policy.csp ?? "warn"
  if (cspLevel !== "off") {
    const reportOnly = h["content-security-policy-report-only"]
    const ok = csp !== undefined && csp.trim().length > 0
    const problem = reportOnly !== undefined
      ? "only Content-Security-Policy-Report-Only is set (not enforced)"
      : "Content-Security-Policy is missing"
    subjects.push(withLevel("csp", cspLevel, ok, "Content-Security-Policy is set", problem, {
      observed: csp ?? (reportOnly !== undefined ? { reportOnly } : null),
      expected: "an enforced Content-Security-Policy",
      remediation: "Send a Content-Security-Policy (start from \"default-src 'self'\" and loosen what the page needs)."
    }))
  }

  const status = subjects.reduce<Outcome.Status>((acc, s) => Outcome.worst(acc, s.status), "pass")
  const notPassing = subjects.filter((s) => s.status === "fail" || s.status === "warn")
  return {
    ...Outcome.fromStatus(
      status,
      notPassing.length === 0
        ? `${response.url} sends the expected security headers`
        : `${response.url}: ${notPassing.map((s) => `${s.subject} (${s.status}: ${s.message})`).join("; ")}`,
      {
        evidence: Http.responseEvidence(response),
        remediation: notPassing.find((s) => s.status === "fail")?.remediation ?? notPassing[0]?.remediation,
        attempts: response.attempts
      }
    ),
    subjects
  }
}

/**
 * A security-header check (category `security`, id `http.<host>.security-headers` unless given).
 *
 * @example
 * SecurityHeaders.make({ url: "https://app.acme.dev/", csp: "fail" })
 */
export const make = (options: Options): Check.Check<HttpTransport.HttpTransport> =>
  Http.responseCheck(
    options,
    {
      url: options.url,
      property: "security-headers",
      title: `${Http.shownUrl(options.url)} sends security headers`,
      category: "security",
      description: "The page sends HSTS, nosniff, framing protection and a Content-Security-Policy."
    },
    { followRedirects: options.followRedirects ?? true },
    (response) => evaluate(response, options)
  )
