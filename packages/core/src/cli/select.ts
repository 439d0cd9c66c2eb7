/**
 * `run --only PATTERN`: a subset of a gate. Patterns are check ids or globs (`*` any run of characters within
 * and across dots, `?` one character); a selected check brings the checks it depends on, so its result means
 * what it means in the whole gate.
 */
import * as Gate from "../Gate.js"
import * as Rollback from "../Rollback.js"
import { ConfigError } from "./io.js"

const matcher = (pattern: string): RegExp =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`)

/** The selected gate and a note for the report saying what ran. */
export interface Selection<R> {
  readonly gate: Gate.Gate<R>
  readonly note: string
}

/** The gate restricted to the checks matching `patterns` (and their prerequisites); a pattern matching nothing is an error. */
export const select = <R>(gate: Gate.Gate<R>, patterns: ReadonlyArray<string>): Selection<R> => {
  const all = Gate.checks(gate)
  const unmatched = patterns.filter((p) => !all.some((c) => matcher(p).test(c.id)))
  if (unmatched.length > 0) {
    throw new ConfigError(`--only ${unmatched.map((p) => `"${p}"`).join(", ")} matches no check of gate "${gate.name}"`)
  }
  const chosen = new Set(all.filter((c) => patterns.some((p) => matcher(p).test(c.id))).map((c) => c.id))
  const byId = new Map(all.map((c) => [c.id, c]))
  const prerequisites = new Set<string>()
  const pending = [...chosen]
  while (pending.length > 0) {
    for (const dep of byId.get(pending.pop()!)?.dependsOn ?? []) {
      if (chosen.has(dep) || prerequisites.has(dep)) continue
      prerequisites.add(dep)
      pending.push(dep)
    }
  }
  const kept = new Set([...chosen, ...prerequisites])
  const subset: Gate.Gate<R> = {
    ...gate,
    items: gate.items.filter((i) => kept.has(i.check.id)),
    // A plan stays (the report lists rollback plans); its verification runs only when selected.
    rollback: gate.rollback.map((plan): Rollback.RollbackPlan<R> => {
      if (Rollback.isNone(plan) || plan.verify === undefined || kept.has(plan.verify.id)) return plan
      const { verify: _left, ...rest } = plan
      return rest
    }),
    deferrals: gate.deferrals.filter((d) => kept.has(d.check))
  }
  const extra = prerequisites.size === 0 ? "" : ` plus ${prerequisites.size} prerequisite(s) (${[...prerequisites].join(", ")})`
  const note = `subset run (--only ${patterns.join(",")}): ${chosen.size} of ${all.length} checks${extra}; ` +
    "the others did not run and are not in this report"
  return { gate: subset, note }
}
