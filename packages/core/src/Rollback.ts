/**
 * Rollback and kill-switch plans, one per surface.
 *
 * Every surface with a launch-critical item needs a plan, or an explicit
 * `{ none: "why" }`. A plan may carry a `verify` check (for example an HTTP
 * check that the kill switch's flag endpoint answers); the runner runs it as a
 * launch-critical item, because a rollback story that does not work is no
 * rollback story.
 *
 * @since 0.1.0
 */
import type { Check } from "./Check.js"

/** A rollback plan for one surface. */
export interface Plan<R = never> {
  readonly surface: string
  /** The steps (or the command) that roll this surface back. */
  readonly procedure: string
  /** How to switch the risky behaviour off without a deploy. */
  readonly killSwitch?: string | undefined
  /** Who runs it. */
  readonly owner?: string | undefined
  /** A check proving the rollback or kill switch works. */
  readonly verify?: Check<R> | undefined
}

/** An explicit statement that a surface has no rollback, and why. */
export interface None {
  readonly surface: string
  readonly none: string
}

export type RollbackPlan<R = never> = Plan<R> | None

export const isNone = <R>(plan: RollbackPlan<R>): plan is None => "none" in plan
