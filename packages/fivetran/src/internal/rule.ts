/**
 * Per-connection rules: pure judgements over one connection's details (and,
 * for rules that need it, its schema config). A connection check applies one
 * rule to one or more connections; the group check applies several rules to
 * every connection of a group. Either way the reads are the shared ones, so
 * a connection is fetched once per run however many rules look at it.
 *
 * @internal
 */
import { Outcome } from "@launchgate/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type { Service } from "../FivetranClient.js"
import type { ReadMeta } from "./http.js"
import type { FivetranError } from "../FivetranError.js"
import { orError, withReads } from "./evidence.js"
import type { ConnectionDetails, SchemaConfig } from "./schema.js"

/** What a rule sees. */
export interface RuleInput {
  readonly connection: ConnectionDetails
  /** Present when the rule declared `needsSchemas`. */
  readonly schemaConfig: SchemaConfig | undefined
  /** The run's now (the runner's clock, so tests can pin it). */
  readonly now: Date
}

/** A per-connection rule. Build them with the `Connection.rules` constructors. */
export interface Rule {
  /** The property judged, as in the check id `fivetran.connection.<name>`. */
  readonly name: string
  /** Also reads `GET /v1/connections/{id}/schemas` (one more request per connection). */
  readonly needsSchemas: boolean
  readonly evaluate: (input: RuleInput) => Outcome.Outcome
}

/** How a connection is named in messages: `stripe (decent_dropsy)`. */
export const label = (c: Pick<ConnectionDetails, "id" | "schema">): string => `${c.schema} (${c.id})`

/** The run's now, from Effect's clock. */
export const now: Effect.Effect<Date> = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms))

interface Evaluated {
  readonly connection: ConnectionDetails
  readonly results: ReadonlyArray<readonly [Rule, Outcome.Outcome]>
  readonly reads: ReadonlyArray<ReadMeta>
}

/** Read one connection (shared reads) and apply the rules. */
export const evaluate = (
  client: Service,
  connectionId: string,
  rules: ReadonlyArray<Rule>,
  at: Date
): Effect.Effect<Evaluated, FivetranError> =>
  Effect.gen(function*() {
    const needsSchemas = rules.some((r) => r.needsSchemas)
    // Both reads at once only when both are needed: a concurrent `Effect.all` forks a fibre per read, and a
    // 200-connection check would fork 400 of them for reads the shared list already answered.
    const [details, schemas] = needsSchemas
      ? yield* Effect.all([client.connection(connectionId), client.connectionSchemas(connectionId)], { concurrency: 2 })
      : [yield* client.connection(connectionId), undefined] as const
    const input: RuleInput = { connection: details.value, schemaConfig: schemas?.value, now: at }
    return {
      connection: details.value,
      results: rules.map((rule) => [rule, rule.evaluate(input)] as const),
      reads: schemas ? [details.meta, schemas.meta] : [details.meta]
    }
  })

/**
 * Apply one rule to one connection (a plain outcome) or to several (one
 * subject per connection).
 */
export const runRule = (
  client: Service,
  target: string | ReadonlyArray<string>,
  rule: Rule
): Effect.Effect<Outcome.Outcome> =>
  Effect.gen(function*() {
    const at = yield* now
    const judged = (e: Evaluated) => withReads(e.results[0]![1], e.reads)
    const one = (id: string) => orError(Effect.map(evaluate(client, id, [rule], at), judged))
    if (typeof target === "string") return yield* one(target)
    const subjects = yield* Effect.forEach(target, (id) => Effect.map(one(id), (o) => ({ ...o, subject: id })), {
      concurrency: "unbounded"
    })
    return { ...Outcome.fromSubjects(subjects, { what: "connections" }), attempts: sumAttempts(subjects) }
  })

export const sumAttempts = (outcomes: ReadonlyArray<Outcome.Outcome>): number =>
  Math.max(1, outcomes.reduce((n, o) => n + (o.attempts ?? 1), 0))

/** Several rules' outcomes for one connection, as one subject. */
export const combine = (evaluated: Evaluated): Outcome.Outcome => {
  const { connection, results } = evaluated
  const status = results.reduce<Outcome.Status>((acc, [, o]) => Outcome.worst(acc, o.status), "pass")
  const notPassing = results.filter(([, o]) => o.status !== "pass" && o.status !== "skip")
  const message = notPassing.length === 0
    ? `${connection.schema}: all ${results.length} rules passed`
    : `${connection.schema}: ${notPassing.map(([r, o]) => `${r.name} ${o.status} (${o.message})`).join("; ")}`
  const remediation = notPassing.find(([, o]) => o.remediation !== undefined)?.[1].remediation
  return withReads(
    Outcome.fromStatus(status, message, {
      evidence: {
        connection: { id: connection.id, schema: connection.schema, service: connection.service },
        rules: Object.fromEntries(
          results.map(([r, o]) => [r.name, { status: o.status, message: o.message, evidence: o.evidence }])
        )
      },
      remediation
    }),
    evaluated.reads
  )
}
