/**
 * The health endpoint check. It understands the common shapes of a health
 * response and reports each component it finds as evidence:
 *
 * - a plain answer: 2xx is healthy, anything else is not;
 * - `{ "status": "ok" | "pass" | "UP" | … }`;
 * - the IETF health-check draft (`application/health+json`): `status`
 *   `pass` / `warn` / `fail` and per-component results under `checks`;
 * - Spring Boot Actuator: `status` with nested `components`.
 *
 * A status word it does not know, or a body that claims to be a health
 * document but is malformed, is an `error`: an unknown answer is never a pass.
 *
 * @since 0.1.0
 */
import { Either, ParseResult, Schema } from "effect"
import type * as Check from "./Check.js"
import type * as HttpTransport from "./HttpTransport.js"
import * as Http from "./internal/http/common.js"
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

/** One component result of the IETF draft (`checks["db:responseTime"][i]`). */
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

/** A Spring Boot Actuator component (possibly with nested components). */
export const ActuatorComponent: Schema.Schema<ActuatorComponentEncoded> = Schema.Struct({
  status: Schema.optional(Schema.String),
  details: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  components: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.suspend(() => ActuatorComponent) }))
})

/** A health document with a top-level `status`. */
export const HealthDocument = Schema.Struct({
  status: Schema.String,
  version: Schema.optional(Schema.String),
  releaseId: Schema.optional(Schema.String),
  serviceId: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  output: Schema.optional(Schema.String),
  notes: Schema.optional(Schema.Array(Schema.String)),
  checks: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Array(ComponentResult) })),
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
  /** Follow redirects to the health document. Default `true`. */
  readonly followRedirects?: boolean | undefined
}

type Shape = "plain" | "status" | "health+json" | "actuator"

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

const components = (doc: HealthDocument) => {
  const out: Array<Outcome.SubjectOutcome> = []
  for (const [key, results] of Object.entries(doc.checks ?? {})) {
    results.forEach((r, i) => {
      const subject = results.length > 1 ? `${key}[${r.componentId ?? i}]` : key
      out.push(componentOutcome(subject, r.status, { ...r }))
    })
  }
  const walk = (prefix: string, entries: Readonly<Record<string, ActuatorComponentEncoded>>) => {
    for (const [name, c] of Object.entries(entries)) {
      const subject = prefix ? `${prefix}/${name}` : name
      out.push(componentOutcome(subject, c.status, c.details ? { details: c.details } : {}))
      if (c.components) walk(subject, c.components)
    }
  }
  walk("", doc.components ?? {})
  return out
}

const parseDocument = (body: string): { readonly json: unknown } | undefined => {
  try {
    return { json: JSON.parse(body) }
  } catch {
    return undefined
  }
}

/**
 * Judge a health response (pure). The HTTP status and the body both count:
 * the worse of the two wins, so a `pass` body on a 503 is not healthy.
 */
export const evaluate = (response: HttpTransport.HttpResponse, options: Pick<Options, "components"> = {}): Outcome.Outcome => {
  const base = Http.responseEvidence(response)
  const contentType = response.headers["content-type"] ?? ""
  const statusHealth: Health = response.status >= 200 && response.status < 300 ? "pass" : "fail"
  if (statusHealth === "fail") {
    const auth = Http.authError(response)
    if (auth) return auth
  }
  const parsed = parseDocument(response.body)
  const claimsHealthJson = /application\/health\+json/i.test(contentType)
  const hasStatus = parsed !== undefined && typeof parsed.json === "object" && parsed.json !== null &&
    typeof (parsed.json as { status?: unknown }).status === "string"

  if (!hasStatus) {
    if (claimsHealthJson) {
      return Outcome.error(`could not decide: ${response.url} sent application/health+json without a status`, {
        observed: Http.excerpt(response.body),
        expected: "a health document with a string `status`",
        evidence: { ...base, contentType },
        remediation: "The body claims to be a health document but has no status: fix the health endpoint's serializer.",
        attempts: response.attempts
      })
    }
    return finish(statusHealth, "plain", undefined, [], response, options, { ...base, contentType })
  }

  const decoded = Schema.decodeUnknownEither(HealthDocument)(parsed.json)
  if (Either.isLeft(decoded)) {
    return Outcome.error(`could not decide: ${response.url} sent a malformed health document`, {
      observed: Http.excerpt(response.body),
      expected: "a health document (IETF health-check draft or Actuator shape)",
      evidence: { ...base, contentType, problem: ParseResult.TreeFormatter.formatErrorSync(decoded.left) },
      remediation: "Fix the health endpoint so its body follows one documented shape.",
      attempts: response.attempts
    })
  }
  const doc = decoded.right
  const bodyHealth = normalise(doc.status)
  if (bodyHealth === undefined) {
    return Outcome.error(`could not decide: unknown health status ${JSON.stringify(doc.status)}`, {
      observed: doc.status,
      expected: "pass/warn/fail (or ok/UP/DOWN/healthy …)",
      evidence: { ...base, contentType },
      remediation: "The endpoint reports a status word launchgate does not know; report pass, warn or fail.",
      attempts: response.attempts
    })
  }
  const shape: Shape = doc.checks !== undefined || claimsHealthJson
    ? "health+json"
    : doc.components !== undefined
    ? "actuator"
    : "status"
  const evidence = {
    ...base,
    contentType,
    bodyStatus: doc.status,
    ...(doc.version !== undefined ? { version: doc.version } : {}),
    ...(doc.releaseId !== undefined ? { releaseId: doc.releaseId } : {}),
    ...(doc.serviceId !== undefined ? { serviceId: doc.serviceId } : {}),
    ...(doc.output !== undefined ? { output: doc.output } : {}),
    ...(doc.notes !== undefined ? { notes: doc.notes } : {})
  }
  const worse: Health = Outcome.severity[bodyHealth] >= Outcome.severity[statusHealth] ? bodyHealth : statusHealth
  return finish(worse, shape, doc.status, components(doc), response, options, evidence)
}

const finish = (
  health: Health,
  shape: Shape,
  bodyStatus: string | undefined,
  subjects: ReadonlyArray<Outcome.SubjectOutcome>,
  response: HttpTransport.HttpResponse,
  options: Pick<Options, "components">,
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
  const message = `${status === "pass" ? "healthy" : status === "warn" ? "degraded" : status === "fail" ? "unhealthy" : "undecided"} (${said}${componentNote})`
  const outcome = Outcome.fromStatus(status, message, {
    observed: bodyStatus ?? response.status,
    expected: shape === "plain" ? "2xx" : "2xx with status pass/ok/UP",
    evidence: { ...evidence, shape, ...(missing.length > 0 ? { missingComponents: missing } : {}) },
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
    { followRedirects: options.followRedirects ?? true },
    (response) => evaluate(response, options)
  )
