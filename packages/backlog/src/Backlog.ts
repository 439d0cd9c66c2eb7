/**
 * The provider-neutral view of the team's tracker: items (issues or task
 * files) with a normalised status, labels, owners, tier and surface, and the
 * `Backlog` service every check reads through. Providers: `GitHub.layer`
 * (GitHub Issues) and `Files.layer` (one Markdown file per task).
 *
 * @since 0.1.0
 */
import type { Gate } from "@launchgate/core"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { BacklogError } from "./BacklogError.js"

/**
 * Where an item stands: `open` (still to do), `done` (closed as completed), or
 * `not-planned` (closed without doing it: GitHub `state_reason: not_planned` or
 * `duplicate`, a `wont_do` task). Not-planned work is still launch scope unless
 * the gate defers it or declares it unsupported.
 */
export type Status = "open" | "done" | "not-planned"

/** One tracked piece of work. */
export interface Item {
  /** The canonical reference: `owner/repo#123` for GitHub, the task id for files. */
  readonly ref: string
  readonly title: string
  readonly status: Status
  /** The tracker's own words for the status (`open`, `closed/not_planned`, `in_progress`, …). */
  readonly rawStatus: string
  readonly labels: ReadonlyArray<string>
  readonly milestone?: string | undefined
  /** Assignees (GitHub logins) or the task's owner. */
  readonly owners: ReadonlyArray<string>
  /** The task file's `tier` field (files only; GitHub items carry tiers as labels). */
  readonly tier?: string | undefined
  /** The task file's `surface` field (files only; GitHub items use `surface:*` labels). */
  readonly surface?: string | undefined
  readonly priority?: string | undefined
  /** The item this one follows up (file `follow_up_of`, or a `Follow-up of: <ref>` line in an issue body). */
  readonly followUpOf?: string | undefined
  readonly body: string
  /** A link for people (the html_url, the file path). */
  readonly url?: string | undefined
}

/**
 * A launch scope: the items of a milestone, carrying a label, or matching a
 * search query (GitHub search syntax; for files, words all found in the title
 * or body). Several filters narrow together.
 */
export interface Scope {
  readonly milestone?: string | undefined
  readonly label?: string | undefined
  readonly query?: string | undefined
}

/** The tracker. */
export interface Service {
  /** `github` or `files`. */
  readonly provider: string
  /** Every item (open and closed) in a scope; pull requests are never items. */
  readonly list: (scope: Scope) => Effect.Effect<ReadonlyArray<Item>, BacklogError>
  /**
   * One item by reference (an issue URL, `owner/repo#123`, `#123` in the configured repository, or a task id).
   * Fails with reason `not-found` when there is no such item.
   */
  readonly get: (ref: string) => Effect.Effect<Item, BacklogError>
  /** The canonical form of a reference, or `undefined` when it cannot name an item of this tracker. */
  readonly normalizeRef: (ref: string) => string | undefined
}

/** The tracker service tag. */
export class Backlog extends Context.Tag("@launchgate/backlog/Backlog")<Backlog, Service>() {}

/** Label names (GitHub) or `tier` values (files) that mean each tier. */
export interface TierNames {
  readonly "launch-critical": string
  readonly "launch-adjacent": string
  readonly "post-launch": string
}

/** The default tier names: the tier ids themselves. */
export const defaultTierNames: TierNames = {
  "launch-critical": "launch-critical",
  "launch-adjacent": "launch-adjacent",
  "post-launch": "post-launch"
}

/** Every tier an item carries: tier labels and the file's `tier` field (none, one, or — a mistake — several). */
export const tiersOf = (item: Item, names: Partial<TierNames> = {}): ReadonlyArray<Gate.Tier> => {
  const all = { ...defaultTierNames, ...names }
  const tiers = (Object.keys(all) as Array<Gate.Tier>).filter((tier) =>
    item.labels.includes(all[tier]) || item.tier === all[tier]
  )
  return tiers
}

/** The one tier of an item, or `undefined` when it has none or several. */
export const tierOf = (item: Item, names?: Partial<TierNames>): Gate.Tier | undefined => {
  const tiers = tiersOf(item, names)
  return tiers.length === 1 ? tiers[0] : undefined
}

/** The surfaces an item is about: `surface:*` labels and the file's `surface` field. */
export const surfacesOf = (item: Item): ReadonlyArray<string> => [
  ...new Set([
    ...item.labels.filter((l) => l.startsWith("surface:")).map((l) => l.slice("surface:".length).trim()),
    ...(item.surface !== undefined ? [item.surface] : [])
  ].filter((s) => s.length > 0))
]

/** Does the item carry a risk note: a `## Risk` heading in its body, or a `risk:*` label? */
export const hasRiskNote = (item: Item): boolean =>
  /^#{1,6}\s*risks?\b/im.test(item.body) || item.labels.some((l) => /^risk:/i.test(l))

/** A short description of an item for evidence. */
export const summary = (item: Item): { readonly ref: string; readonly title: string; readonly status: string } => ({
  ref: item.ref,
  title: item.title,
  status: item.rawStatus
})

/**
 * Does a reference as written (a follow-up: `#12`, `owner/repo#12`, an issue URL, a task id or file) name this
 * item? Pure, for code without a `Backlog` service at hand (summaries).
 */
export const refersTo = (ref: string, item: Item): boolean => {
  const text = ref.trim().toLowerCase()
  if (text === item.ref.toLowerCase() || (item.url !== undefined && text === item.url.toLowerCase())) return true
  const m = /^(.+\/.+)#(\d+)$/.exec(item.ref.toLowerCase())
  if (!m) return false
  const [, repo, n] = m
  return text === `#${n}` || text.replace(/\/+$/, "").endsWith(`/${repo}/issues/${n}`)
}
