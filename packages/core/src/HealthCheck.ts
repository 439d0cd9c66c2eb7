/**
 * The health endpoint check. It understands the shapes health endpoints
 * really return, and reports each component it finds as evidence:
 *
 * - a plain answer: 2xx is healthy, anything else is not; a plain-text body
 *   that is a status word (`ok`, `UP`, `unhealthy` …) counts too;
 * - `{ "status": "ok" | "pass" | "UP" | … }`;
 * - the IETF health-check draft (`application/health+json`,
 *   https://datatracker.ietf.org/doc/html/draft-inadarei-api-health-check-06):
 *   `status` pass / warn / fail (aliases ok / up and error / down, §3.1) and
 *   component results under `checks` (arrays keyed `component:measurement`, §4);
 * - Spring Boot Actuator (https://docs.spring.io/spring-boot/reference/actuator/endpoints.html#actuator.endpoints.health):
 *   `status` UP / DOWN / OUT_OF_SERVICE / UNKNOWN with nested `components`
 *   (Spring Boot 1.x put them at the top level, which is read too);
 * - MicroProfile Health (https://download.eclipse.org/microprofile/microprofile-health-4.0/microprofile-health-spec-4.0.html):
 *   `status` UP / DOWN and `checks: [{ name, status, data }]`;
 * - an object of `{ status }` objects, under `checks` or at the top level.
 *
 * The worst of the HTTP status, the top-level status and every component
 * wins. A status word it does not know (Actuator's `UNKNOWN` included), a body
 * that claims to be JSON but does not parse, or a document nothing decides is
 * an `error`: an unknown answer is never a pass. A redirect to another host is
 * an `error` too unless the check opts in, so another host's "ok" never stands
 * in for this one's.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as Check from "./Check.js"
import * as HttpTransport from "./HttpTransport.js"
import * as Http from "./internal/http/common.js"
import { scrubUrl } from "./internal/redactUrl.js"
import * as Outcome from "./Outcome.js"

/** A health status, normalised. */
export type Health = "pass" | "warn" | "fail"

const WORDS: Record<string, Health> = {
  pass: "pass",
  ok: "pass",
  up: "pass",
  healthy: "pass",
  green: "pass",
  serving: "pass",
  warn: "warn",
  warning: "warn",
  degraded: "warn",
  yellow: "warn",
  fail: "fail",
  failed: "fail",
  error: "fail",
  down: "fail",
  unhealthy: "fail",
  red: "fail",
  out_of_service: "fail",
  not_serving: "fail"
}

/**
 * Normalise a status word (`"UP"`, `"ok"`, `"pass"`, `"degraded"`,
 * `"OUT_OF_SERVICE"` …); `undefined` for a word it does not know.
 */
export const normalise = (word: string): Health | undefined => WORDS[word.trim().toLowerCase().replace(/[\s-]+/g, "_")]

/** One component result of the IETF draft (`checks["db:responseTime"][i]`, draft §4). */
export const ComponentResult = Schema.Struct({
  componentId: Schema.optional(Schema.String),
  componentType: Schema.optional(Schema.String),
  observedValue: Schema.optional(Schema.Unknown),
  observedUnit: Schema.optional(Schema.String),
  status: Schema.optional(Schema.String),
  affectedEndpoints: Schema.optional(Schema.Array(Schema.String)),
  time: Schema.optional(Schema.String),
  output: Schema.optional(Schema.String)
})

interface ActuatorComponentEncoded {
  readonly status?: string | undefined
  readonly details?: { readonly [key: string]: unknown } | undefined
  readonly components?: { readonly [key: string]: ActuatorComponentEncoded } | undefined
}

/** A Spring Boot Actuator component (possibly with nested components), or any `{ status }` object. */
export const ActuatorComponent: Schema.Schema<ActuatorComponentEncoded> = Schema.Struct({
  status: Schema.optional(Schema.String),
  details: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  components: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.suspend(() => ActuatorComponent) }))
})

/** One MicroProfile Health procedure result (`checks[i]`). */
export const MicroProfileCheck = Schema.Struct({
  name: Schema.String,
  status: Schema.String,
  data: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})

/**
 * `checks`: the IETF draft's object of result arrays, an object of `{ status }`
 * objects, or MicroProfile's array of named results.
 */
export const Checks = Schema.Union(
  Schema.Array(MicroProfileCheck),
  Schema.Record({ key: Schema.String, value: Schema.Union(Schema.Array(ComponentResult), ActuatorComponent) })
)

/**
 * A health document with a top-level `status`. Only what is judged is typed
 * strictly; descriptive fields (`version` may be a number) are evidence.
 */
export const HealthDocument = Schema.Struct({
  status: Schema.String,
  version: Schema.optional(Schema.Unknown),
  releaseId: Schema.optional(Schema.Unknown),
  serviceId: Schema.optional(Schema.Unknown),
  description: Schema.optional(Schema.Unknown),
  output: Schema.optional(Schema.Unknown),
  notes: Schema.optional(Schema.Unknown),
  checks: Schema.optional(Checks),
  components: Schema.optional(Schema.Record({ key: Schema.String, value: ActuatorComponent }))
})
export type HealthDocument = typeof HealthDocument.Type

/** Options of {@link make}. */
export interface Options extends Http.Identity, Http.RequestOptions {
  /**
   * Components that must be reported (a `checks` key such as `"db"` or
   * `"db:responseTime"`, or an Actuator component such as `"db"`). A health
   * endpoint that stops reporting its database proves nothing about it.
   */
  readonly components?: ReadonlyArray<string> | undefined
  /**
   * Which redirects to follow to the health document. Default `"same-host"`: hops on the same host
   * name (http → https included); a redirect to another host is an `error` naming its `Location`.
   * `"any"` follows every hop (another host's answer is then judged), `false` none (a redirect is an
   * `error`). `true` means `"same-host"`.
   */
  readonly followRedirects?: boolean | "same-host" | "any" | undefined
}

type Shape = "plain" | "text" | "status" | "health+json" | "actuator" | "microprofile" | "components"

const componentOutcome = (subject: string, status: string | undefined, evidence: Record<string, unknown>) => {
  if (status === undefined) {
    return { subject, ...Outcome.skip("no status reported for this component", { evidence }) }
  }
  const health = normalise(status)
  if (health === undefined) {
    return {
      subject,
      ...Outcome.error(`unknown component status ${JSON.stringify(status)}`, {
        observed: status,
        expected: "pass/warn/fail (or ok/UP/DOWN …)",
        evidence,
        remediation: "The component reports a status word launchgate does not know; report pass, warn or fail."
      })
    }
  }
  const message = `${status}${typeof evidence["output"] === "string" ? `: ${evidence["output"]}` : ""}`
  return { subject, ...Outcome.fromStatus(health, message, { observed: status, evidence }) }
}

const components = (doc: HealthDocument, topLevel: Readonly<Record<string, ActuatorComponentEncoded>>) => {
  const out: Array<Outcome.SubjectOutcome> = []
  const walk = (prefix: string, entries: Readonly<Record<string, ActuatorComponentEncoded>>) => {
    for (const [name, c] of Object.entries(entries)) {
      const subject = prefix ? `${prefix}/${name}` : name
      out.push(componentOutcome(subject, c.status, c.details ? { details: c.details } : {}))
      if (c.components) walk(subject, c.components)
    }
  }
  const checks = doc.checks ?? {}
  if (Array.isArray(checks)) {
    for (const c of checks as ReadonlyArray<typeof MicroProfileCheck.Type>) {
      out.push(componentOutcome(c.name, c.status, c.data ? { data: c.data } : {}))
    }
  } else {
    for (const [key, value] of Object.entries(checks as Readonly<Record<string, unknown>>)) {
      if (Array.isArray(value)) {
        const results = value as ReadonlyArray<typeof ComponentResult.Type>
        results.forEach((r, i) => {
          const subject = results.length > 1 ? `${key}[${r.componentId ?? i}]` : key
          out.push(componentOutcome(subject, r.status, { ...r }))
        })
      } else walk("", { [key]: value as ActuatorComponentEncoded })
    }
  }
  walk("", doc.components ?? {})
  walk("", topLevel)
  return out
}

// Any body that says it is JSON: application/json and the structured-syntax suffix `+json` (RFC 6839 §3.1).
const JSON_TYPE = /^\s*application\/(?:[\w.!#$&^-]+\+)?json\s*(?:;|$)/i

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** Top-level members that are `{ status: string }` objects (Spring Boot 1.x, ad-hoc documents). */
const statusObjects = (json: Readonly<Record<string, unknown>>): Record<string, ActuatorComponentEncoded> => {
  const out: Record<string, ActuatorComponentEncoded> = {}
  for (const [key, value] of Object.entries(json)) {
    if (key === "checks" || key === "components" || !isRecord(value) || typeof value["status"] !== "string") continue
    const decoded = Schema.decodeUnknownEither(ActuatorComponent)(value)
    if (Either.isRight(decoded)) out[key] = decoded.right
  }
  return out
}

const parseDocument = (body: string): { readonly json: unknown } | undefined => {
  try {
    return { json: JSON.parse(body) }
  } catch {
    return undefined
  }
}

const cannotDecide = (
  response: HttpTransport.HttpResponse,
  message: string,
  details: { readonly expected: string; readonly remediation: string; readonly evidence: Record<string, unknown> }
): Outcome.Outcome =>
  Outcome.error(`could not decide: ${message}`, {
    observed: Http.excerpt(response.body),
    ...details,
    attempts: response.attempts
  })

/**
 * Judge a health response (pure). The HTTP status, the top-level status and
 * every component count: the worst wins, so a `pass` body on a 503 is not
 * healthy and a failing component fails the check.
 */
export const evaluate = (
  response: HttpTransport.HttpResponse,
  options: Pick<Options, "components" | "followRedirects"> = {}
): Outcome.Outcome => {
  const contentType = response.headers["content-type"] ?? ""
  const base = { ...Http.responseEvidence(response), contentType }
  const success = response.status >= 200 && response.status < 300
  const statusHealth: Health = success ? "pass" : "fail"
  if (!success) {
    const auth = Http.authError(response)
    if (auth) return auth
    const unanswered = notAnAnswer(response, options, base)
    if (unanswered) return unanswered
  }
  const claimsJson = JSON_TYPE.test(contentType)
  const claimsHealthJson = /application\/health\+json/i.test(contentType)
  const parsed = parseDocument(response.body)
  // A truncated or HTML body under a JSON content type says nothing about health; on a non-2xx the
  // status alone already says "unhealthy", so only a 2xx needs the body to decide.
  if (claimsJson && parsed === undefined && success) {
    return cannotDecide(response, `${response.url} claims ${contentType.split(";")[0]} but the body does not parse`, {
      expected: "a complete JSON health document",
      evidence: base,
      remediation:
        "The body is not the JSON its content type claims (truncated, or an error page from a proxy?): " +
        "fix the endpoint or what sits in front of it."
    })
  }
  const json = parsed?.json
  const topLevel = isRecord(json) ? statusObjects(json) : {}
  const hasStatus = isRecord(json) && typeof json["status"] === "string"

  if (!hasStatus) {
    if (Object.keys(topLevel).length > 0) {
      const subjects = components({ status: "" }, topLevel)
      return finish(statusHealth, "components", undefined, subjects, response, options, base)
    }
    if (claimsHealthJson || (claimsJson && success && !isRecord(json))) {
      return cannotDecide(response, `${response.url} sent ${contentType.split(";")[0]} without a status`, {
        expected: "a health document with a string `status`",
        evidence: base,
        remediation: "The body claims to be a health document but has no status: fix the health endpoint's serializer."
      })
    }
    const word = parsed === undefined ? normalise(response.body) : undefined
    if (word !== undefined && response.body.trim().length <= 32) {
      const worse: Health = Outcome.severity[word] >= Outcome.severity[statusHealth] ? word : statusHealth
      return finish(worse, "text", response.body.trim(), [], response, options, base)
    }
    return finish(statusHealth, "plain", undefined, [], response, options, base)
  }

  const decoded = Schema.decodeUnknownEither(HealthDocument)(json)
  if (Either.isLeft(decoded)) {
    return cannotDecide(response, `${response.url} sent a malformed health document`, {
      expected: "a health document (IETF health-check draft, Actuator or MicroProfile shape)",
      evidence: { ...base, problem: ParseResult.TreeFormatter.formatErrorSync(decoded.left) },
      remediation: "Fix the health endpoint so its body follows one documented shape."
    })
  }
  const doc = decoded.right
  const bodyHealth = normalise(doc.status)
  if (bodyHealth === undefined) {
    return Outcome.error(`could not decide: unknown health status ${JSON.stringify(doc.status)}`, {
      observed: doc.status,
      expected: "pass/warn/fail (or ok/UP/DOWN/healthy …)",
      evidence: base,
      remediation: /^unknown$/i.test(doc.status)
        ? "The service itself does not know its health (Actuator UNKNOWN): make its health indicators report UP or DOWN."
        : "The endpoint reports a status word launchgate does not know; report pass, warn or fail.",
      attempts: response.attempts
    })
  }
  const shape: Shape = claimsHealthJson
    ? "health+json"
    : Array.isArray(doc.checks)
    ? "microprofile"
    : doc.checks !== undefined
    ? "health+json"
    : doc.components !== undefined || Object.keys(topLevel).length > 0
    ? "actuator"
    : "status"
  const described = (["version", "releaseId", "serviceId", "output", "notes"] as const).flatMap((k) =>
    doc[k] === undefined ? [] : [[k, doc[k]] as const]
  )
  const evidence = { ...base, bodyStatus: doc.status, ...Object.fromEntries(described) }
  const worse: Health = Outcome.severity[bodyHealth] >= Outcome.severity[statusHealth] ? bodyHealth : statusHealth
  return finish(worse, shape, doc.status, components(doc, topLevel), response, options, evidence)
}

/**
 * A response that is no answer about health: a redirect that was not followed
 * (another host's answer must not stand in for this one's) or a 429 (the
 * endpoint refused to say).
 */
const notAnAnswer = (
  response: HttpTransport.HttpResponse,
  options: Pick<Options, "followRedirects">,
  evidence: Record<string, unknown>
): Outcome.Outcome | undefined => {
  const location = response.headers["location"]
  if (response.status >= 300 && response.status < 400 && location !== undefined) {
    const target = (() => {
      try {
        return scrubUrl(new URL(location, response.url))
      } catch {
        return Http.excerpt(location, 200)
      }
    })()
    const policy = redirectPolicy(options.followRedirects)
    return Outcome.error(`could not decide: ${response.url} redirects to ${target}`, {
      observed: { status: response.status, location: target },
      expected: policy === false ? "a health answer without a redirect" : "a health answer from the same host",
      evidence: { ...evidence, location: target, followRedirects: policy },
      remediation: policy === false
        ? "Point the check at the URL that answers, or allow redirects with `followRedirects`."
        : "The health endpoint sends the check to another host, whose answer says nothing about this service: " +
          "point the check at the final URL, or set `followRedirects: \"any\"` if that host is meant to answer.",
      attempts: response.attempts
    })
  }
  if (response.status === 429) {
    return Outcome.error(`could not decide: ${response.url} answered 429 (rate limited)`, {
      observed: response.status,
      expected: "2xx",
      evidence: { ...evidence, ...(response.headers["retry-after"] ? { retryAfterHeader: response.headers["retry-after"] } : {}) },
      remediation:
        "The health endpoint rate-limits this client: exempt health probes from rate limiting, " +
        "or raise the check's timeout so Retry-After can be honoured.",
      attempts: response.attempts
    })
  }
  return undefined
}

const redirectPolicy = (option: Options["followRedirects"]): HttpTransport.RedirectPolicy =>
  option === undefined || option === true ? "same-host" : option

/**
 * The retry policy of a health read. A 503 is the endpoint's answer
 * ("unhealthy"), not a transient to wait out: one retry after a short
 * backoff (50–100 ms), and its `Retry-After` is not waited for. Other
 * transients get one retry too, honouring `Retry-After` within the
 * check's timeout.
 */
export const retryPolicy: HttpTransport.RetryPolicy = {
  maxAttempts: 2,
  baseDelay: "100 millis",
  maxDelay: Duration.seconds(10),
  retryAfter: (response, now) =>
    response.status === 503 ? undefined : HttpTransport.parseRetryAfter(response.headers["retry-after"], now)
}

const finish = (
  health: Health,
  shape: Shape,
  bodyStatus: string | undefined,
  subjects: ReadonlyArray<Outcome.SubjectOutcome>,
  response: HttpTransport.HttpResponse,
  options: Pick<Options, "components" | "followRedirects">,
  evidence: Record<string, unknown>
): Outcome.Outcome => {
  const missing = (options.components ?? []).filter((name) =>
    !subjects.some((s) => s.subject === name || s.subject.startsWith(`${name}:`) || s.subject.startsWith(`${name}[`))
  )
  const missingSubjects: Array<Outcome.SubjectOutcome> = missing.map((name) => ({
    subject: name,
    ...Outcome.fail("required component not reported", {
      expected: "reported by the health endpoint",
      remediation: `Make the health endpoint report "${name}", so a launch review sees its state.`
    })
  }))
  const all = [...subjects, ...missingSubjects]
  const status = all.reduce<Outcome.Status>((acc, s) => Outcome.worst(acc, s.status), health)
  const notPassing = all.filter((s) => s.status !== "pass" && s.status !== "skip")
  const said = bodyStatus === undefined ? `HTTP ${response.status}` : `HTTP ${response.status}, status ${JSON.stringify(bodyStatus)}`
  const componentNote = all.length === 0
    ? ""
    : notPassing.length === 0
    ? `; ${all.length} component(s) pass`
    : `; ${notPassing.map((s) => `${s.subject} ${s.status}`).join(", ")}`
  const condition = status === "pass"
    ? "healthy"
    : status === "warn"
    ? "degraded"
    : status === "fail"
    ? "unhealthy"
    : "undecided"
  const message = `${condition} (${said}${componentNote})`
  const outcome = Outcome.fromStatus(status, message, {
    observed: bodyStatus ?? response.status,
    expected: shape === "plain" ? "2xx" : shape === "components" ? "2xx, every component pass/ok/UP" : "2xx with status pass/ok/UP",
    evidence: {
      ...evidence,
      shape,
      ...(missing.length > 0 ? { missingComponents: missing } : {}),
      ...(notPassing.length > 0 ? { notPassing: notPassing.map((s) => `${s.subject} ${s.status}`) } : {})
    },
    remediation: status === "pass"
      ? undefined
      : all.find((s) => s.status !== "pass" && s.remediation !== undefined)?.remediation ??
        "The service reports itself unhealthy: look at the failing components in the evidence and the service's logs.",
    attempts: response.attempts
  })
  return all.length > 0 ? { ...outcome, subjects: all } : outcome
}

/**
 * A health endpoint check (category `monitoring`, id `http.<host>.health`
 * unless given).
 *
 * @example
 * HealthCheck.make({ url: "https://api.acme.dev/healthz", components: ["db"] })
 */
export const make = (options: Options): Check.Check<HttpTransport.HttpTransport> =>
  Http.responseCheck(
    options,
    {
      url: options.url,
      property: "health",
      title: `${Http.shownUrl(options.url)} reports healthy`,
      category: "monitoring",
      description: "The service's health endpoint reports it (and each listed component) healthy."
    },
    {
      followRedirects: redirectPolicy(options.followRedirects),
      // `false` stays a single attempt; a given policy refines the health default.
      retry: options.retry === false ? false : { ...retryPolicy, ...options.retry }
    },
    (response) => evaluate(response, options)
  )
