import type { Effect } from "effect"
import type { Gate } from "../../src/index.js"

/** A launch-scope summary of the shape `LaunchScope` reads: one open launch-critical item. */
export const summary = {
  total: 1,
  tiers: {
    "launch-critical": { total: 1, open: 1, done: 0, notPlanned: 0 },
    "launch-adjacent": { total: 0, open: 0, done: 0, notPlanned: 0 },
    "post-launch": { total: 0, open: 0, done: 0, notPlanned: 0 },
    unclassified: { total: 0, open: 0, done: 0, notPlanned: 0 },
    conflicting: { total: 0, open: 0, done: 0, notPlanned: 0 }
  },
  openLaunchCritical: []
}

/** A launch-scope declaration whose read is `summarize` (any effect: one that hangs, fails, or answers late). */
export const scoped = (summarize: Effect.Effect<unknown, unknown, any>, extra: Record<string, unknown> = {}) =>
  ({ source: "task files", summarize, ...extra }) as unknown as Gate.LaunchScopeDeclaration
