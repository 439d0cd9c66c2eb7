/**
 * The launch scope: the open work in the tracker (a milestone, a label or a
 * search query) as part of the verdict. Before any other check means
 * anything, every open item is classified launch-critical, launch-adjacent or
 * post-launch; every launch-critical item is done or explicitly deferred; and
 * every launch-critical surface has a check or attestation in the gate.
 *
 * {@link summarize} is the pure summary for `launchgate plan`, the reports and
 * LAUNCH-READINESS.md.
 *
 * @since 0.1.0
 */
import { Check, Deferral, Gate, Outcome } from "@launchgate/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Backlog from "./Backlog.js"
import { BacklogError, GITHUB_ROLE } from "./BacklogError.js"
import { facts, gateChecks, type GateOptions, type GateRef, names } from "./internal/gate.js"

export type { DeferralLike, GateLike, GateOptions, GateRef } from "./internal/gate.js"

/** Options shared by the launch-scope checks. */
export interface ScopeOptions {
  /** The launch scope: a milestone, a label, a search query (several narrow together). */
  readonly scope: Backlog.Scope
  /** Label names (GitHub) or `tier` values (files) of each tier. Default: the tier ids. */
  readonly tierNames?: Partial<Backlog.TierNames> | undefined
}

const SURFACE = "backlog.launch-scope"

const remediation = {
  classified: (names: Backlog.TierNames) =>
    `Give every open item in the launch scope exactly one tier: the label (or \`tier\` field) ` +
    `${names["launch-critical"]}, ${names["launch-adjacent"]} or ${names["post-launch"]}.`,
  blocker:
    "Close each launch-critical item as done, or defer its check in the gate with a deferral whose followUp " +
    "names the item (or a follow-up item whose follow-up-of names it); a not-planned item needs a deferral or an " +
    "`unsupported` entry that names it.",
  matches:
    "Add a check or attestation for each listed surface to the gate, or correct the item's `surface:*` label " +
    "(`surface` field).",
  noGate: "Pass the gate to the check (`gate: () => gate`), so it can read the gate's checks."
} as const

const describeScope = (scope: Backlog.Scope): string =>
  [
    scope.milestone !== undefined ? `milestone ${JSON.stringify(scope.milestone)}` : undefined,
    scope.label !== undefined ? `label ${JSON.stringify(scope.label)}` : undefined,
    scope.query !== undefined ? `query ${JSON.stringify(scope.query)}` : undefined
  ].filter((s) => s !== undefined).join(", ") || "the whole tracker"

const emptyScope = (scope: Backlog.Scope) =>
  Outcome.error(`no items in ${describeScope(scope)}`, {
    observed: 0,
    expected: "at least one item",
    remediation: "Check the scope (milestone title, label name, query): a launch scope with no items proves nothing."
  })

const brief = (item: Backlog.Item) => ({ ...Backlog.summary(item), ...(item.url ? { url: item.url } : {}) })

/**
 * `backlog.launch-scope.classified`: every open item in the scope carries exactly one tier.
 *
 * @example
 * LaunchScope.classified({ scope: { milestone: "public launch" } })
 */
export const classified = (options: ScopeOptions): Check.Check<Backlog.Backlog> =>
  Check.make({
    id: `${SURFACE}.classified`,
    title: "Every open item in the launch scope has exactly one tier",
    surface: SURFACE,
    category: "rollout",
    role: GITHUB_ROLE,
    description: "Each open item in the launch scope is classified launch-critical, launch-adjacent or post-launch.",
    run: Effect.gen(function*() {
      const backlog = yield* Backlog.Backlog
      const items = yield* backlog.list(options.scope)
      if (items.length === 0) return emptyScope(options.scope)
      const tierNames = { ...Backlog.defaultTierNames, ...options.tierNames }
      const open = items.filter((i) => i.status === "open")
      const unclassified = open.filter((i) => Backlog.tiersOf(i, tierNames).length === 0).map(brief)
      const doubly = open.filter((i) => Backlog.tiersOf(i, tierNames).length > 1)
        .map((i) => ({ ...brief(i), tiers: Backlog.tiersOf(i, tierNames) }))
      const evidence = { scope: describeScope(options.scope), open: open.length, unclassified, doublyClassified: doubly }
      if (unclassified.length === 0 && doubly.length === 0) {
        return Outcome.pass(`all ${open.length} open items in ${describeScope(options.scope)} have exactly one tier`, {
          evidence,
          expected: "exactly one tier per open item"
        })
      }
      return Outcome.fail(
        `${unclassified.length} unclassified and ${doubly.length} doubly classified of ${open.length} open items: ${
          [...unclassified, ...doubly].slice(0, 5).map((i) => i.ref).join(", ")
        }${unclassified.length + doubly.length > 5 ? ", …" : ""}`,
        { evidence, expected: "exactly one tier per open item", remediation: remediation.classified(tierNames) }
      )
    })
  })

/** How each deferral points at items: its follow-up, and what that follow-up follows up. */
const deferralTargets = (backlog: Backlog.Service, deferrals: ReadonlyArray<Deferral.Deferral>) =>
  Effect.forEach(deferrals, (deferral) =>
    Effect.gen(function*() {
      const ref = backlog.normalizeRef(deferral.followUp)
      if (ref === undefined) return { deferral, refs: [] as Array<string> }
      const got = yield* Effect.either(backlog.get(deferral.followUp))
      if (Either.isLeft(got)) {
        // A follow-up that does not exist points at nothing (backlog.deferrals.tracked reports it); any other
        // failure means the check cannot decide.
        if (got.left.reason === "not-found") return { deferral, refs: [ref] }
        return yield* Effect.fail(got.left)
      }
      const follows = got.right.followUpOf === undefined ? undefined : backlog.normalizeRef(got.right.followUpOf)
      return { deferral, refs: [got.right.ref, ...(follows !== undefined ? [follows] : [])] }
    }), { concurrency: 4 })

/**
 * `backlog.launch-scope.no-open-blocker`: every launch-critical item in the scope is closed as done, or
 * deferred by an active deferral of the gate that points at it (its `followUp` is the item, or an item that
 * follows it up). An item closed as not planned is still scope unless a deferral or an `unsupported` entry
 * names it.
 *
 * @example
 * LaunchScope.noOpenBlocker({ scope: { milestone: "public launch" }, gate: () => gate })
 */
export const noOpenBlocker = (options: ScopeOptions & GateOptions): Check.Check<Backlog.Backlog> =>
  Check.make({
    id: `${SURFACE}.no-open-blocker`,
    title: "No open launch-critical item in the launch scope",
    surface: SURFACE,
    category: "rollout",
    role: GITHUB_ROLE,
    description: "Every launch-critical item in the launch scope is done or explicitly deferred by the gate.",
    run: Effect.gen(function*() {
      const gate = yield* facts(options)
      const backlog = yield* Backlog.Backlog
      const items = yield* backlog.list(options.scope)
      if (items.length === 0) return emptyScope(options.scope)
      const now = new Date(yield* Clock.currentTimeMillis)
      const active = gate.deferrals.filter((d) => Deferral.state(d, now) !== "expired")
      const targets = yield* deferralTargets(backlog, active)
      const critical = items.filter((i) => Backlog.tierOf(i, options.tierNames) === "launch-critical")
      const subjects = critical.map((item) => {
        const deferredBy = targets.find((t) => t.refs.includes(item.ref))?.deferral
        const unsupported = gate.unsupported.find((u) => names(u, [item.ref]))
        const evidence = { ...brief(item), owners: item.owners }
        if (item.status === "done") return { subject: item.ref, ...Outcome.pass("closed as done", { evidence }) }
        if (deferredBy) {
          return {
            subject: item.ref,
            ...Outcome.pass(`deferred: ${deferredBy.check} (follow-up ${deferredBy.followUp})`, {
              evidence: { ...evidence, deferral: { check: deferredBy.check, followUp: deferredBy.followUp, expires: deferredBy.expires } }
            })
          }
        }
        if (item.status === "not-planned" && unsupported) {
          return { subject: item.ref, ...Outcome.pass(`not planned, declared unsupported: ${unsupported.case}`, { evidence }) }
        }
        const what = item.status === "open" ? "open" : "closed as not planned, but neither deferred nor unsupported"
        return {
          subject: item.ref,
          ...Outcome.fail(`${what}: ${item.title}`, { evidence, expected: "done, or deferred", remediation: remediation.blocker })
        }
      })
      return Outcome.fromSubjects(subjects, {
        what: "launch-critical items",
        empty: "pass",
        evidence: {
          scope: describeScope(options.scope),
          blockers: subjects.filter((s) => s.status === "fail").map((s) => s.subject),
          expiredDeferrals: gate.deferrals.filter((d) => Deferral.state(d, now) === "expired").map((d) => d.check)
        }
      })
    })
  })

/** Does a gate check on `checkSurface` cover an item about `itemSurface` (same surface, or one inside it)? */
export const covers = (checkSurface: string, itemSurface: string): boolean =>
  checkSurface === itemSurface || checkSurface.startsWith(`${itemSurface}.`)

/**
 * `backlog.launch-scope.matches-gate`: every launch-critical item's surface (`surface:*` label or `surface`
 * field) has a check or attestation in the gate. Post-launch items never block; a launch-critical item
 * without a surface is a warning.
 *
 * @example
 * LaunchScope.matchesGate({ scope: { label: "launch" }, gate: () => gate })
 */
export const matchesGate = (options: ScopeOptions & { readonly gate: GateRef }): Check.Check<Backlog.Backlog> =>
  Check.make({
    id: `${SURFACE}.matches-gate`,
    title: "Every launch-critical surface in the backlog is checked by the gate",
    surface: SURFACE,
    category: "rollout",
    role: GITHUB_ROLE,
    description: "Each launch-critical item's surface has a check or attestation in the gate.",
    run: Effect.gen(function*() {
      const { gate } = yield* facts(options)
      if (gate === undefined) return Outcome.error("no gate to compare with", { remediation: remediation.noGate })
      const backlog = yield* Backlog.Backlog
      const items = yield* backlog.list(options.scope)
      if (items.length === 0) return emptyScope(options.scope)
      const surfaces = gateChecks(gate).filter((c) => c.kind === "check" || c.kind === "attestation").map((c) => c.surface)
      const critical = items.filter((i) => Backlog.tierOf(i, options.tierNames) === "launch-critical")
      const uncovered = critical.flatMap((item) =>
        Backlog.surfacesOf(item).filter((s) => !surfaces.some((g) => covers(g, s))).map((surface) => ({ ...brief(item), surface }))
      )
      const withoutSurface = critical.filter((i) => Backlog.surfacesOf(i).length === 0).map(brief)
      const evidence = {
        scope: describeScope(options.scope),
        gateSurfaces: [...new Set(surfaces)],
        uncovered,
        withoutSurface
      }
      if (uncovered.length > 0) {
        return Outcome.fail(
          `${uncovered.length} launch-critical surface(s) have no check or attestation in the gate: ${
            uncovered.slice(0, 5).map((u) => `${u.surface} (${u.ref})`).join(", ")
          }`,
          { evidence, expected: "a check or attestation per launch-critical surface", remediation: remediation.matches }
        )
      }
      if (withoutSurface.length > 0) {
        return Outcome.warn(`${withoutSurface.length} launch-critical item(s) name no surface`, {
          evidence,
          remediation: "Label each launch-critical item with `surface:<gate surface>` (or set its `surface` field)."
        })
      }
      return Outcome.pass(`all ${critical.length} launch-critical items are covered by the gate`, { evidence })
    })
  })

/** Counts of one tier. */
export interface TierCounts {
  readonly total: number
  readonly open: number
  readonly done: number
  readonly notPlanned: number
}

/** An open launch-critical item, as the summary lists it. */
export interface OpenItem {
  readonly ref: string
  readonly title: string
  readonly status: string
  readonly owners: ReadonlyArray<string>
  readonly url?: string | undefined
  /** The check id of the gate deferral whose follow-up names this item, if any. */
  readonly deferredBy?: string | undefined
}

/** The launch scope at a glance. */
export interface Summary {
  readonly total: number
  /** Per tier, and `unclassified` (no tier) and `conflicting` (several tiers). */
  readonly tiers: Readonly<Record<Gate.Tier | "unclassified" | "conflicting", TierCounts>>
  /** Launch-critical items not closed as done (open, or closed as not planned). */
  readonly openLaunchCritical: ReadonlyArray<OpenItem>
}

/**
 * Does a deferral point at an item, by the same rule as `no-open-blocker`: its follow-up is the item itself, or
 * an item (in the same listing) that follows it up.
 */
const defers = (deferral: Deferral.Deferral, item: Backlog.Item, items: ReadonlyArray<Backlog.Item>): boolean =>
  Backlog.refersTo(deferral.followUp, item) ||
  items.some((other) =>
    Backlog.refersTo(deferral.followUp, other) && other.followUpOf !== undefined && Backlog.refersTo(other.followUpOf, item)
  )

/**
 * Summarise a launch scope: counts per tier and the launch-critical items not done, each with the gate
 * deferral whose follow-up names it. Pure: pass the items a `Backlog.list` returned.
 *
 * @example
 * const summary = LaunchScope.summarize(items, gate)
 * console.log(LaunchScope.toMarkdown(summary))
 */
export const summarize = (
  items: ReadonlyArray<Backlog.Item>,
  gate?: Pick<Gate.Gate<any>, "deferrals"> | undefined,
  options: { readonly tierNames?: Partial<Backlog.TierNames> | undefined } = {}
): Summary => {
  const zero = (): { total: number; open: number; done: number; notPlanned: number } =>
    ({ total: 0, open: 0, done: 0, notPlanned: 0 })
  const tiers = {
    "launch-critical": zero(),
    "launch-adjacent": zero(),
    "post-launch": zero(),
    unclassified: zero(),
    conflicting: zero()
  }
  const openLaunchCritical: Array<OpenItem> = []
  for (const item of items) {
    const all = Backlog.tiersOf(item, options.tierNames)
    const key = all.length === 0 ? "unclassified" : all.length > 1 ? "conflicting" : all[0]!
    const counts = tiers[key]
    counts.total++
    if (item.status === "open") counts.open++
    else if (item.status === "done") counts.done++
    else counts.notPlanned++
    if (key === "launch-critical" && item.status !== "done") {
      const deferral = gate?.deferrals.find((d) => defers(d, item, items))
      openLaunchCritical.push({
        ref: item.ref,
        title: item.title,
        status: item.rawStatus,
        owners: item.owners,
        ...(item.url ? { url: item.url } : {}),
        ...(deferral ? { deferredBy: deferral.check } : {})
      })
    }
  }
  return { total: items.length, tiers, openLaunchCritical }
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ")

/** Options of {@link declare}. */
export interface DeclareOptions extends ScopeOptions {
  /** Where the scope is read from, for people (plan, reports). Default: the scope described. */
  readonly source?: string | undefined
}

/**
 * The gate's launch-scope declaration (`Gate.make({ launchScope })`) over the {@link Backlog.Backlog} service the
 * gate's layer provides: the runner reads `Backlog.list(scope)` once per run, through the same per-run reads as
 * the checks (no extra request when a check already listed the scope), and puts {@link summarize} of it, with
 * the gate's deferrals, in the report. An empty scope fails (a milestone typo must not read as "nothing open").
 * `launchgate plan` names the source and reads nothing; for task files see `Files.localScope`.
 *
 * @example
 * Gate.make({
 *   name: "api public launch",
 *   items,
 *   layer: GitHub.layerConfig({ repository: "acme/api" }),
 *   launchScope: LaunchScope.declare({ scope: { milestone: "public launch" }, source: "GitHub acme/api" })
 * })
 */
export const declare = (options: DeclareOptions): Gate.LaunchScopeDeclaration<Backlog.Backlog> => ({
  source: options.source ?? describeScope(options.scope),
  summarize: Effect.gen(function*() {
    const backlog = yield* Backlog.Backlog
    const items = yield* backlog.list(options.scope)
    if (items.length === 0) {
      return yield* Effect.fail(
        new BacklogError({
          vendor: backlog.provider === "files" ? "files" : "github",
          reason: "not-found",
          message: `no items in ${describeScope(options.scope)}`,
          remediation: "Check the scope (milestone title, label name, query): a launch scope with no items proves nothing."
        })
      )
    }
    // The runner puts the gate's deferrals in the run context, so the summary says which open items are deferred.
    const run = yield* Effect.serviceOption(Gate.RunContext)
    const declared = Option.match(run, { onNone: () => [], onSome: (c) => c.deferrals ?? [] })
    // An expired deferral covers nothing (the gate's rule), so it defers no item in the summary either.
    const now = new Date(yield* Clock.currentTimeMillis)
    const deferrals = declared.filter((d) => Deferral.state(d, now) !== "expired")
    return summarize(items, { deferrals }, { tierNames: options.tierNames })
  })
})

/** The summary as a Markdown "Launch scope" section (for LAUNCH-READINESS.md and the Markdown report). */
export const toMarkdown = (summary: Summary): string => {
  const rows = (Object.entries(summary.tiers) as Array<[string, TierCounts]>)
    .filter(([tier, c]) => c.total > 0 || (tier !== "unclassified" && tier !== "conflicting"))
    .map(([tier, c]) => `| ${tier} | ${c.total} | ${c.open} | ${c.done} | ${c.notPlanned} |`)
  const open = summary.openLaunchCritical.map((i) =>
    `- ${i.url ? `[${cell(i.ref)}](${i.url})` : cell(i.ref)} ${cell(i.title)} (${cell(i.status)}; ${
      i.owners.length > 0 ? i.owners.map(cell).join(", ") : "no owner"
    })${i.deferredBy ? ` — deferred (${cell(i.deferredBy)})` : ""}`
  )
  return [
    "## Launch scope",
    "",
    "| Tier | Items | Open | Done | Not planned |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
    open.length === 0 ? "No open launch-critical items." : "Open launch-critical items:",
    ...(open.length > 0 ? ["", ...open] : []),
    ""
  ].join("\n")
}
