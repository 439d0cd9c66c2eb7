/**
 * `fivetran.group.*`: checks over every connection of a group (a Fivetran
 * group is a destination and its connections).
 *
 * @since 0.1.0
 */
import { Check, Outcome } from "@launchgate/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Connection from "./Connection.js"
import { FivetranClient } from "./FivetranClient.js"
import { fromError, orError } from "./internal/evidence.js"
import { combine, evaluate, now, type Rule, sumAttempts } from "./internal/rule.js"
import { yieldIfBusy } from "./internal/yieldToIo.js"

/** The surface of the group checks. */
export const surface = "fivetran.group"

/** Options of {@link coverage}. */
export interface CoverageOptions {
  /** The group (destination) id. */
  readonly groupId: string
  /**
   * The per-connection rules every connection must pass, from
   * `Connection.rules`. Default: connected, active, freshness, tasks.
   */
  readonly rules?: ReadonlyArray<Rule> | undefined
  /** Connection ids to leave out (say why in the gate item's notes). */
  readonly exclude?: ReadonlyArray<string> | undefined
  /** Fewer connections than this fails (a group that lost connections proves little). Default 1. */
  readonly minConnections?: number | undefined
}

const defaultRules = (): ReadonlyArray<Rule> => [
  Connection.rules.connected(),
  Connection.rules.active(),
  Connection.rules.freshness(),
  Connection.rules.tasks()
]

/**
 * `fivetran.group.coverage`: every connection of a group passes the chosen
 * rules, reported as one result per connection. The group's members are the
 * items of the account's connection list (`GET /v1/connections`, up to 1000
 * items a page, read once per run and shared by every check) whose `group_id`
 * is the group; the items carry what the rules judge, so the check costs no
 * request beyond that listing. A connection whose item lacks its details costs
 * one `GET /v1/connections/{id}`, a rule that needs the schema config one
 * `…/schemas` per connection. If the account listing fails (other than a 401 or
 * an exhausted quota), the group's own `GET /v1/connections?group_id=…` decides.
 * `listRequests` in the evidence is the pages of the list the members came from.
 *
 * @example
 * Group.coverage({
 *   groupId: "decent_dropsy",
 *   rules: [Connection.rules.connected(), Connection.rules.freshness({ factor: 3 })]
 * })
 */
export const coverage = (options: CoverageOptions): Check.Check<FivetranClient> => {
  const rules = options.rules ?? defaultRules()
  const exclude = new Set(options.exclude ?? [])
  const minConnections = options.minConnections ?? 1
  return Check.make({
    id: "fivetran.group.coverage",
    title: "Every Fivetran connection of the group is launch-ready",
    surface,
    category: "dependencies",
    description: `Every connection in the group passes: ${rules.map((r) => r.name).join(", ")}.`,
    role: Connection.READ_ROLE,
    run: orError(Effect.gen(function*() {
      const client = yield* FivetranClient
      const at = yield* now
      const listed = yield* client.groupConnections(options.groupId)
      const connections = listed.value.filter((c) => !exclude.has(c.id))
      const ids = connections.map((c) => c.id)
      const subjects = (yield* evaluate(client, ids, rules, at)).map((e, i) => ({
        ...Either.match(e, { onLeft: fromError, onRight: combine }),
        subject: ids[i]!
      }))
      const evidence = {
        groupId: options.groupId,
        rules: rules.map((r) => r.name),
        listed: listed.value.length,
        excluded: listed.value.filter((c) => exclude.has(c.id)).map((c) => c.id),
        listRequests: listed.meta.requests,
        ...(listed.meta.rateLimitRemaining !== undefined ? { rateLimitRemaining: listed.meta.rateLimitRemaining } : {})
      }
      // The runner builds this check's report item next: let pending I/O through first if the stretch is long.
      yield* yieldIfBusy
      const attempts = listed.meta.attempts + sumAttempts(subjects)
      if (connections.length < minConnections) {
        const message = `group ${options.groupId} has ${connections.length} connection(s) to check, ` +
          `fewer than the ${minConnections} expected`
        const expected = `>= ${minConnections}`
        const observed = connections.length
        return Outcome.fail(message, { observed, expected, evidence, attempts, remediation: remediation.tooFew })
      }
      const empty = minConnections === 0 ? { empty: "pass" as const } : {}
      return { ...Outcome.fromSubjects(subjects, { what: "connections", evidence, ...empty }), attempts }
    }))
  })
}

const remediation = {
  tooFew: "Check the group id and that the API key's user can see the group's connections; " +
    "a connection may have been deleted or moved."
} as const

/** Every group check's id. */
export const ids = ["fivetran.group.coverage"] as const
