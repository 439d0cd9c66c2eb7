/**
 * Builders for the GitHub Issues emulator's state: repositories, issues,
 * pull requests, labels and milestones, with every field GitHub's OpenAPI
 * description requires filled in the way GitHub fills it.
 *
 * @since 0.1.0
 */

/** A user as GitHub sends it (`simple-user`). */
export interface User {
  readonly login: string
  readonly id: number
}

/** An issue (or, with `pullRequest`, a pull request) as the emulator stores it. */
export interface IssueRecord {
  number: number
  title: string
  body: string | null
  state: "open" | "closed"
  state_reason: "completed" | "reopened" | "not_planned" | "duplicate" | null
  labels: Array<string>
  assignees: Array<string>
  /** A milestone title of the same repository. */
  milestone: string | null
  pullRequest: boolean
  created_at: string
  updated_at: string
  closed_at: string | null
}

export interface LabelRecord {
  id: number
  name: string
  color: string
  description: string | null
}

export interface MilestoneRecord {
  number: number
  title: string
  state: "open" | "closed"
  description: string | null
  due_on: string | null
}

export interface RepoRecord {
  readonly owner: string
  readonly name: string
  issues: Array<IssueRecord>
  labels: Array<LabelRecord>
  milestones: Array<MilestoneRecord>
}

const T0 = "2026-01-05T09:00:00Z"

/** Options of {@link issue}. */
export interface IssueInput {
  readonly number?: number | undefined
  readonly title?: string | undefined
  readonly body?: string | null | undefined
  /** `open` (default), `done` (closed, completed), `not_planned`, `duplicate`. */
  readonly state?: "open" | "done" | "not_planned" | "duplicate" | undefined
  readonly labels?: ReadonlyArray<string> | undefined
  readonly assignees?: ReadonlyArray<string> | undefined
  readonly milestone?: string | undefined
  /** A pull request (GitHub's issues endpoints return these too). */
  readonly pullRequest?: boolean | undefined
}

let counter = 0

/**
 * An issue record.
 *
 * @example
 * issue({ number: 12, title: "Stripe live mode", labels: ["launch-critical"], assignees: ["ana"] })
 */
export const issue = (input: IssueInput = {}): IssueRecord => {
  const state = input.state ?? "open"
  const number = input.number ?? ++counter + 1000
  return {
    number,
    title: input.title ?? `Issue ${number}`,
    body: input.body === undefined ? null : input.body,
    state: state === "open" ? "open" : "closed",
    state_reason: state === "open" ? null : state === "done" ? "completed" : state,
    labels: [...(input.labels ?? [])],
    assignees: [...(input.assignees ?? [])],
    milestone: input.milestone ?? null,
    pullRequest: input.pullRequest ?? false,
    created_at: T0,
    updated_at: T0,
    closed_at: state === "open" ? null : T0
  }
}

/** Options of {@link repo}. */
export interface RepoInput {
  readonly issues?: ReadonlyArray<IssueRecord> | undefined
  /** Label names; labels used by issues are created too. */
  readonly labels?: ReadonlyArray<string> | undefined
  /** Milestone titles; milestones used by issues are created too. */
  readonly milestones?: ReadonlyArray<string> | undefined
}

/**
 * A repository record, `owner/name`, with its issues, labels and milestones.
 *
 * @example
 * repo("acme/api", { issues: [issue({ number: 1, labels: ["launch-critical"], milestone: "v1" })] })
 */
export const repo = (fullName: string, input: RepoInput = {}): RepoRecord => {
  const [owner, name] = fullName.split("/") as [string, string]
  const issues = [...(input.issues ?? [])]
  const labelNames = [...new Set([...(input.labels ?? []), ...issues.flatMap((i) => i.labels)])]
  const milestoneTitles = [...new Set([
    ...(input.milestones ?? []),
    ...issues.flatMap((i) => (i.milestone === null ? [] : [i.milestone]))
  ])]
  return {
    owner,
    name,
    issues,
    labels: labelNames.map((n, i) => ({ id: 5000 + i, name: n, color: "ededed", description: null })),
    milestones: milestoneTitles.map((t, i) => ({ number: i + 1, title: t, state: "open", description: null, due_on: null }))
  }
}
