/**
 * What a check observed: a status, a message, and the evidence behind it.
 *
 * Every outcome carries what was observed and what was expected, so a report
 * is evidence on its own rather than a list of booleans.
 *
 * @since 0.1.0
 */
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

/**
 * `pass`, `fail`, `warn`, `error` (the check could not decide) or `skip`
 * (not applicable, with why). Uncertainty is `error`, never `pass`.
 */
export const Status = Schema.Literal("pass", "fail", "warn", "error", "skip")
export type Status = typeof Status.Type

/** A JSON-serialisable value: what evidence may hold. */
export type Json =
  | null
  | boolean
  | number
  | string
  | ReadonlyArray<Json>
  | { readonly [key: string]: Json }

/** Schema of a JSON value, used to validate evidence in reports. */
export const Json: Schema.Schema<Json> = Schema.suspend(() =>
  Schema.Union(
    Schema.Null,
    Schema.Boolean,
    Schema.Number,
    Schema.String,
    Schema.Array(Json),
    Schema.Record({ key: Schema.String, value: Json })
  )
)

/** Evidence: what was observed, what was expected, and any other facts. */
export type Evidence = { readonly [key: string]: Json }

/** The result of one check run, as a check returns it. */
export interface Outcome {
  readonly status: Status
  readonly message: string
  readonly evidence: Evidence
  /** How to fix it, written for the person reading the report. */
  readonly remediation?: string | undefined
  /** A link to documentation. */
  readonly docs?: string | undefined
  /** How many attempts the check made (retries, polling); the runner defaults it to 1. */
  readonly attempts?: number | undefined
  /**
   * Per-subject results when one check covers many resources (every
   * connection in a group, every service in a region). Reporters show one
   * row or test case per subject; the check's status is the worst of them.
   */
  readonly subjects?: ReadonlyArray<SubjectOutcome> | undefined
}

/** The result for one subject (a resource) of a check that covers many. */
export interface SubjectOutcome {
  /** A stable name for the resource, e.g. a connection id or a service name. */
  readonly subject: string
  readonly status: Status
  readonly message: string
  readonly evidence: Evidence
  readonly remediation?: string | undefined
}

const got = (u: unknown): string => {
  if (u === undefined) return "undefined"
  if (u === null) return "null"
  if (typeof u === "string") return `a string ${JSON.stringify(u.length > 40 ? `${u.slice(0, 37)}...` : u)}`
  if (Array.isArray(u)) return "an array"
  if (typeof u === "object") return "an object"
  return `${typeof u} ${String(u)}`
}

const Text = Schema.String.annotations({ message: (issue) => `expected a string, got ${got(issue.actual)}` })

const StatusField = Schema.declare((u): u is Status => Schema.is(Status)(u), {
  message: (issue) => `expected one of ${Status.literals.map((s) => `"${s}"`).join(", ")}, got ${got(issue.actual)}`
})

// Evidence values are made JSON-safe by `toJson`, so only the shape is checked here.
const EvidenceField = Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
  message: (issue) => `expected an object of evidence, got ${got(issue.actual)}`
})

/** Schema of a {@link SubjectOutcome} as a check returns it. */
export const SubjectOutcomeSchema = Schema.Struct({
  subject: Text,
  status: StatusField,
  message: Text,
  evidence: EvidenceField,
  remediation: Schema.optional(Text)
})

/**
 * What a check must return, checked at run time because checks written in
 * plain JavaScript (or cast) can return anything: a status, a string message
 * (missing or not a string is rejected), an evidence object, and the optional
 * fields with their types. Evidence values are not checked here; `toJson`
 * makes them JSON-safe.
 */
export const OutcomeSchema = Schema.Struct({
  status: StatusField,
  message: Text,
  evidence: EvidenceField,
  remediation: Schema.optional(Text),
  docs: Schema.optional(Text),
  attempts: Schema.optional(
    Schema.Number.annotations({ message: (issue) => `expected a number, got ${got(issue.actual)}` })
  ),
  subjects: Schema.optional(Schema.Array(SubjectOutcomeSchema))
}).annotations({ message: (issue) => `expected an outcome object, got ${got(issue.actual)}` })

/** Optional details accepted by the outcome constructors. */
export interface Details {
  readonly observed?: unknown
  readonly expected?: unknown
  /** Further evidence; merged with `observed` / `expected`. */
  readonly evidence?: Record<string, unknown> | undefined
  readonly remediation?: string | undefined
  readonly docs?: string | undefined
  readonly attempts?: number | undefined
}

const make = (status: Status, message: string, details: Details = {}): Outcome => {
  const evidence: Record<string, Json> = {}
  if (details.observed !== undefined) evidence["observed"] = toJson(details.observed)
  if (details.expected !== undefined) evidence["expected"] = toJson(details.expected)
  for (const [key, value] of Object.entries(details.evidence ?? {})) {
    if (value !== undefined) evidence[key] = toJson(value)
  }
  return {
    status,
    message,
    evidence,
    ...(details.remediation !== undefined ? { remediation: details.remediation } : {}),
    ...(details.docs !== undefined ? { docs: details.docs } : {}),
    ...(details.attempts !== undefined ? { attempts: details.attempts } : {})
  }
}

/**
 * @example
 * Outcome.pass("min instances is 2", { observed: 2, expected: ">= 1" })
 */
export const pass = (message: string, details?: Details): Outcome => make("pass", message, details)
/** The property does not hold. Include a remediation. */
export const fail = (message: string, details?: Details): Outcome => make("fail", message, details)
/** The property holds with a caveat worth reading. */
export const warn = (message: string, details?: Details): Outcome => make("warn", message, details)
/** The check could not decide (timeout, auth error, unparseable response). Never a pass. */
export const error = (message: string, details?: Details): Outcome => make("error", message, details)
/** Not applicable; the message says why. */
export const skip = (message: string, details?: Details): Outcome => make("skip", message, details)

/**
 * Combine per-subject outcomes into one: the status is the worst subject's
 * (no subjects at all is `error` unless `empty` says otherwise: a check that
 * covered nothing proved nothing).
 *
 * @example
 * Outcome.fromSubjects(connections.map((c) => ({ subject: c.id, ...checkOne(c) })), { what: "connections" })
 */
export const fromSubjects = (
  subjects: ReadonlyArray<SubjectOutcome | (Outcome & { readonly subject: string })>,
  options: { readonly what: string; readonly empty?: Status; readonly evidence?: Record<string, unknown> }
): Outcome => {
  const list: Array<SubjectOutcome> = subjects.map((s) => ({
    subject: s.subject,
    status: s.status,
    message: s.message,
    evidence: s.evidence,
    ...(s.remediation !== undefined ? { remediation: s.remediation } : {})
  }))
  if (list.length === 0) {
    const status = options.empty ?? "error"
    return make(status, `no ${options.what} found to check`, {
      evidence: options.evidence,
      remediation: `Check the selector: a check over zero ${options.what} proves nothing.`
    })
  }
  const status = list.reduce<Status>((acc, s) => worst(acc, s.status), "pass")
  const counts: Record<string, number> = {}
  for (const s of list) counts[s.status] = (counts[s.status] ?? 0) + 1
  const notPassing = list.filter((s) => s.status !== "pass" && s.status !== "skip")
  const message = notPassing.length === 0
    ? `all ${list.length} ${options.what} passed`
    : `${notPassing.length} of ${list.length} ${options.what} did not pass: ${
      notPassing.slice(0, 5).map((s) => `${s.subject} (${s.status}: ${s.message})`).join("; ")
    }${notPassing.length > 5 ? "; …" : ""}`
  const remediation = notPassing.find((s) => s.remediation !== undefined)?.remediation
  return {
    ...make(status, message, { evidence: { counts, ...(options.evidence ?? {}) }, remediation }),
    subjects: list
  }
}

/** Build an outcome from its parts. */
export const fromStatus = make

/** Status severity, worst first: used by `all`, summaries and sorting. */
export const severity: Record<Status, number> = { error: 4, fail: 3, warn: 2, skip: 1, pass: 0 }

/** The worse of two statuses (`error` > `fail` > `warn` > `skip` > `pass`). */
export const worst = (a: Status, b: Status): Status => (severity[a] >= severity[b] ? a : b)

/**
 * Convert any value to JSON for evidence. Redacted values, functions, bigints,
 * dates and cycles are turned into safe JSON rather than throwing, so evidence
 * can never crash a report or leak a secret's value.
 */
export const toJson = (value: unknown): Json => toJsonInner(value, new WeakSet())

const toJsonInner = (value: unknown, seen: WeakSet<object>): Json => {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value
    case "number":
      return Number.isFinite(value) ? value : String(value)
    case "bigint":
      return value.toString()
    case "undefined":
      return null
    case "function":
    case "symbol":
      return String(value)
    case "object": {
      if (value === null) return null
      if (Redacted.isRedacted(value)) return "<redacted>"
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString()
      if (value instanceof URL) return value.toString()
      if (value instanceof Error) {
        // Keep an error's own fields (a tagged error's reason, status, remediation); never its stack.
        if (seen.has(value)) return "[Circular]"
        seen.add(value)
        const out: Record<string, Json> = { name: value.name, message: value.message }
        for (const [k, v] of Object.entries(value)) {
          if (k !== "stack" && v !== undefined && !(k in out)) out[k] = toJsonInner(v, seen)
        }
        seen.delete(value)
        return out
      }
      if (seen.has(value)) return "[Circular]"
      seen.add(value)
      if (Array.isArray(value)) {
        const out = value.map((v) => toJsonInner(v, seen))
        seen.delete(value)
        return out
      }
      if (value instanceof Map) {
        const out: Record<string, Json> = {}
        for (const [k, v] of value) out[String(k)] = toJsonInner(v, seen)
        seen.delete(value)
        return out
      }
      if (value instanceof Set) {
        const out = [...value].map((v) => toJsonInner(v, seen))
        seen.delete(value)
        return out
      }
      const out: Record<string, Json> = {}
      // Object.keys rather than Object.entries: the same own enumerable keys in the same order, without a pair
      // array per key (evidence holds thousands of small objects per run).
      const record = value as Record<string, unknown>
      for (const k of Object.keys(record)) {
        const v = record[k]
        if (v !== undefined) out[k] = toJsonInner(v, seen)
      }
      seen.delete(value)
      return out
    }
  }
}
