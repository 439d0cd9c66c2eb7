/**
 * Deferrals are tracked: a gate deferral's `followUp` is a promise that the
 * work is tracked somewhere. This module checks the promise against the
 * tracker: the follow-up exists, is open, has an owner and carries a risk note.
 *
 * @since 0.1.0
 */
import { Check, type Deferral, Outcome } from "@launchgate/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Backlog from "./Backlog.js"
import { GITHUB_ROLE } from "./BacklogError.js"
import { facts, type GateOptions } from "./internal/gate.js"

/** Options of {@link tracked}. */
export interface TrackedOptions extends GateOptions {
  /** What counts as a risk note. Default: a `## Risk` heading in the body, or a `risk:*` label. */
  readonly hasRiskNote?: ((item: Backlog.Item) => boolean) | undefined
}

const remediation = {
  unparsable: "Write the followUp as an issue URL, owner/repo#123, #123 (the configured repository) or a task id.",
  missing: "Create the follow-up item in the tracker and put its reference in the deferral's followUp.",
  closed: "Reopen the follow-up item, or remove the deferral if the work is done (the check should pass now).",
  owner: "Assign the follow-up item (GitHub assignee, or the task's `owner`) to whoever answers for the deferral.",
  risk: "Add a `## Risk` section to the follow-up item's body (or a `risk:*` label) stating what could go wrong meanwhile."
} as const

const one = (backlog: Backlog.Service, deferral: Deferral.Deferral, riskNote: (item: Backlog.Item) => boolean) =>
  Effect.gen(function*() {
    const subject = deferral.check
    const base = { deferral: { check: deferral.check, followUp: deferral.followUp, owner: deferral.owner } }
    if (backlog.normalizeRef(deferral.followUp) === undefined) {
      return { subject, ...Outcome.fail(`followUp ${JSON.stringify(deferral.followUp)} names no ${backlog.provider} item`, {
        evidence: base, remediation: remediation.unparsable }) }
    }
    const got = yield* Effect.either(backlog.get(deferral.followUp))
    if (Either.isLeft(got)) {
      if (got.left.reason === "not-found") {
        return { subject, ...Outcome.fail(`follow-up ${deferral.followUp} does not exist: ${got.left.message}`, {
          evidence: { ...base, error: got.left }, remediation: remediation.missing }) }
      }
      // The tracker could not be read: this deferral cannot be judged.
      return { subject, ...Outcome.error(`could not read follow-up ${deferral.followUp}: ${got.left.message}`, {
        evidence: { ...base, error: got.left }, remediation: got.left.remediation }) }
    }
    const item = got.right
    const problems: Array<{ readonly problem: string; readonly remediation: string }> = []
    if (item.status !== "open") problems.push({ problem: `is closed (${item.rawStatus})`, remediation: remediation.closed })
    if (item.owners.length === 0) problems.push({ problem: "has no owner", remediation: remediation.owner })
    if (!riskNote(item)) problems.push({ problem: "has no risk note", remediation: remediation.risk })
    const evidence = { ...base, followUpItem: { ...Backlog.summary(item), owners: item.owners, url: item.url ?? null } }
    if (problems.length === 0) {
      return { subject, ...Outcome.pass(`tracked by ${item.ref} (open, owned by ${item.owners.join(", ")}, risk noted)`, {
        evidence }) }
    }
    return { subject, ...Outcome.fail(`follow-up ${item.ref} ${problems.map((p) => p.problem).join(", ")}`, {
      evidence: { ...evidence, problems: problems.map((p) => p.problem) },
      expected: "an open item with an owner and a risk note",
      remediation: problems.map((p) => p.remediation).join(" ")
    }) }
  })

/**
 * `backlog.deferrals.tracked`: every deferral's `followUp` resolves to an existing item in the tracker that is
 * open, has an assignee (owner) and carries a risk note. Missing, closed or ownerless follow-ups fail, naming
 * the deferral (by the check it defers). A gate without deferrals passes: there is nothing to track.
 *
 * @example
 * Deferrals.tracked({ gate: () => gate })
 */
export const tracked = (options: TrackedOptions = {}): Check.Check<Backlog.Backlog> =>
  Check.make({
    id: "backlog.deferrals.tracked",
    title: "Every deferral's follow-up is an open, owned item with a risk note",
    surface: "backlog.deferrals",
    category: "rollout",
    role: GITHUB_ROLE,
    description: "Each deferral in the gate links to an open, owned follow-up item that states the risk.",
    run: Effect.gen(function*() {
      const { deferrals } = yield* facts(options)
      if (deferrals.length === 0) {
        return Outcome.pass("the gate has no deferrals", { observed: 0, expected: "every deferral tracked" })
      }
      const backlog = yield* Backlog.Backlog
      const riskNote = options.hasRiskNote ?? Backlog.hasRiskNote
      const subjects = yield* Effect.forEach(deferrals, (d) => one(backlog, d, riskNote), { concurrency: 4 })
      return Outcome.fromSubjects(subjects, { what: "deferrals" })
    })
  })
