/**
 * The emulator's state: Google API resources as JSON, keyed by their full
 * name with the project id, plus the knobs tests turn.
 *
 * @internal
 */
import type { Resource } from "./google.js"

/** The four emulated APIs. */
export type Api = "run" | "secretManager" | "monitoring" | "budgets" | "resourceManager"

/** Knobs. */
export interface Settings {
  /** Largest page a list returns. Default 20, so lists paginate. */
  maxPageSize: number
  /** How long a traffic update takes to show in `trafficStatuses`. Default 20 ms. */
  reconcileDelayMs: number
  /** Accepted bearer tokens; `undefined` accepts any non-empty token. */
  tokens: ReadonlyArray<string> | undefined
  /** APIs that answer 403 PERMISSION_DENIED (a missing role). */
  deny: Set<Api>
  /**
   * Make traffic updates fail from the `after + 1`-th PATCH on: with an HTTP
   * error (`http`, default 503) or with a failed operation (`operation`).
   */
  failTrafficUpdates: { after: number; mode: "http" | "operation"; status?: number } | undefined
  /** PATCHes received so far. */
  trafficUpdates: number
  /** Give services a URL on the emulator that answers like the service. Default true. */
  serveUrls: boolean
  /** Requests the service URLs have answered (drives the weighted round robin). */
  served: number
  /**
   * The emulator's clock (ms since the epoch): Secret Manager advances `nextRotationTime` by it on reads.
   * Default the wall clock; tests pin it to the run's `now`.
   */
  now: () => number
}

/** A traffic change waiting for its reconcile delay. */
export interface Pending {
  readonly applyAt: number
  readonly operation: string
  readonly previousTraffic: ReadonlyArray<Resource>
  readonly error?: string | undefined
}

/** The emulator state. Mutate it freely while the emulator runs. */
export interface State {
  /** Project id → project number (Secret Manager answers with numbers; budgets filter by them). */
  readonly projects: Map<string, string>
  readonly services: Map<string, Resource>
  readonly revisions: Map<string, Resource>
  readonly operations: Map<string, { done: boolean; service: string; error?: Resource | undefined }>
  readonly pending: Map<string, Pending>
  readonly secrets: Map<string, Resource>
  readonly versions: Map<string, Resource>
  readonly uptimeChecks: Map<string, Resource>
  /** Uptime checks that target a Cloud Run service: host and path come from its URL. */
  readonly uptimeTargets: Map<string, { readonly service: string; readonly path: string }>
  readonly alertPolicies: Map<string, Resource>
  readonly channels: Map<string, Resource>
  readonly budgets: Map<string, Resource>
  /** How each revision answers on the service URL (default 200). */
  readonly serving: Map<string, { status: number }>
  /**
   * Resource Manager v3 hierarchy: project id → parent (`folders/F` or `organizations/O`), and
   * folder id → parent. Projects without an entry have no parent.
   */
  readonly projectParents: Map<string, string>
  readonly folders: Map<string, { readonly parent: string; readonly displayName: string }>
  settings: Settings
}

export const DEFAULT_PROJECT = "demo-project"
export const DEFAULT_PROJECT_NUMBER = "123456789012"
export const DEFAULT_REGION = "us-central1"
export const DEFAULT_BILLING_ACCOUNT = "012345-6789AB-CDEF01"

/** An empty project (`demo-project`, number 123456789012). */
export const initialState = (): State => ({
  projects: new Map([[DEFAULT_PROJECT, DEFAULT_PROJECT_NUMBER]]),
  services: new Map(),
  revisions: new Map(),
  operations: new Map(),
  pending: new Map(),
  secrets: new Map(),
  versions: new Map(),
  uptimeChecks: new Map(),
  uptimeTargets: new Map(),
  alertPolicies: new Map(),
  channels: new Map(),
  budgets: new Map(),
  serving: new Map(),
  projectParents: new Map(),
  folders: new Map(),
  settings: {
    maxPageSize: 20,
    reconcileDelayMs: 20,
    tokens: undefined,
    deny: new Set(),
    failTrafficUpdates: undefined,
    trafficUpdates: 0,
    serveUrls: true,
    served: 0,
    now: () => Date.now()
  }
})

/** The project id for a path segment that may be an id or a number. */
export const projectId = (state: State, segment: string): string => {
  for (const [id, number] of state.projects) if (number === segment) return id
  return segment
}

/** The project number for an id (a stable made-up one for unknown projects). */
export const projectNumber = (state: State, id: string): string => {
  const known = state.projects.get(id)
  if (known) return known
  let n = 0
  for (const ch of id) n = (n * 31 + ch.charCodeAt(0)) % 1_000_000_000
  const number = String(100_000_000_000 + n)
  state.projects.set(id, number)
  return number
}
