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
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import type { Service } from "../FivetranClient.js"
import type { Read, ReadMeta } from "./http.js"
import type { FivetranError } from "../FivetranError.js"
import { fromError, withReads } from "./evidence.js"
import type { ConnectionDetails, SchemaConfig } from "./schema.js"
import { yieldIfBusy } from "./yieldToIo.js"

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

const judged = (
  details: Read<ConnectionDetails>,
  schemas: Read<SchemaConfig> | undefined,
  rules: ReadonlyArray<Rule>,
  at: Date
): Evaluated => {
  const input: RuleInput = { connection: details.value, schemaConfig: schemas?.value, now: at }
  return {
    connection: details.value,
    results: rules.map((rule) => [rule, rule.evaluate(input)] as const),
    reads: schemas ? [details.meta, schemas.meta] : [details.meta]
  }
}

/**
 * Read connections (shared reads) and apply the rules to each: one result per id, in order, a failed read
 * being that id's `Left`. The details come from one question to the client (the account list answers them
 * without a read, so a fibre, per connection: issue 13). Schema reads, when a rule needs them, start together
 * with the details (after them would add a round trip), one fibre each, so that a connection whose details
 * cannot be read stops its own schema read; when both fail, the details' error is the one reported.
 */
export const evaluate = (
  client: Service,
  ids: ReadonlyArray<string>,
  rules: ReadonlyArray<Rule>,
  at: Date
): Effect.Effect<ReadonlyArray<Either.Either<Evaluated, FivetranError>>> =>
  Effect.gen(function*() {
    if (ids.length === 0) return []
    if (!rules.some((r) => r.needsSchemas)) {
      const details = yield* client.connections(ids)
      return yield* inSlices(details, (d) => Either.map(d, (read) => judged(read, undefined, rules, at)))
    }
    const schemas = yield* Effect.forEach(ids, (id) => Effect.fork(client.connectionSchemas(id)))
    const details = yield* client.connections(ids)
    return yield* Effect.forEach(ids, (_, i): Effect.Effect<Either.Either<Evaluated, FivetranError>> => {
      const d = details[i]!
      if (Either.isLeft(d)) return Effect.as(Fiber.interrupt(schemas[i]!), Either.left(d.left))
      return Effect.map(Effect.either(Fiber.join(schemas[i]!)), Either.map((s) => judged(d.right, s, rules, at)))
    })
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
    const ids = typeof target === "string" ? [target] : target
    const outcomes = (yield* evaluate(client, ids, [rule], at)).map(Either.match({
      onLeft: fromError,
      onRight: (e) => withReads(e.results[0]![1], e.reads)
    }))
    if (typeof target === "string") return outcomes[0]!
    const subjects = outcomes.map((o, i) => ({ ...o, subject: ids[i]! }))
    // The runner builds this check's report item next: let pending I/O through first if the stretch is long.
    yield* yieldIfBusy
    return { ...Outcome.fromSubjects(subjects, { what: "connections" }), attempts: sumAttempts(subjects) }
  })

// Connections judged between two chances for pending I/O to run (see yieldToIo.ts).
const SLICE = 25

/** `items.map(f)`, in slices of {@link SLICE} with {@link yieldIfBusy} before each. */
export const inSlices = <A, B>(items: ReadonlyArray<A>, f: (item: A, index: number) => B): Effect.Effect<Array<B>> =>
  Effect.suspend(() => {
    const out: Array<B> = []
    const from = (start: number): Effect.Effect<Array<B>> =>
      Effect.zipRight(yieldIfBusy, Effect.suspend(() => {
        const end = Math.min(items.length, start + SLICE)
        for (let i = start; i < end; i++) out.push(f(items[i]!, i))
        return end >= items.length ? Effect.succeed(out) : from(end)
      }))
    return from(0)
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
