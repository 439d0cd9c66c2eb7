/**
 * What the backlog checks need from the gate they belong to. Core's
 * `Gate.RunContext` carries only the gate's name and environment, so a check
 * takes the gate itself (lazily, since the gate lists the check) or its
 * deferrals and unsupported cases as options.
 *
 * @internal
 */
import { type Check, Deferral, type Gate } from "@launchgate/core"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { BacklogError } from "../BacklogError.js"

/** What the checks read of a gate (any gate made with `Gate.make` has it, whatever its requirements). */
export type GateLike = Pick<Gate.Gate<any>, "deferrals" | "unsupported" | "items" | "rollback">

/** The gate, or a function returning it (the gate is defined after the checks it lists). */
export type GateRef = GateLike | (() => GateLike)

/** A deferral as a gate holds it (decoded) or as written (`expires` as an ISO date). */
export type DeferralLike = Deferral.Deferral | Deferral.DeferralEncoded

/** Options every gate-aware check accepts. */
export interface GateOptions {
  /** The gate this check belongs to: its deferrals, unsupported cases and checks are read at run time. */
  readonly gate?: GateRef | undefined
  /** Deferrals to use in addition to (or instead of) the gate's. */
  readonly deferrals?: ReadonlyArray<DeferralLike> | undefined
  /** Unsupported cases to use in addition to (or instead of) the gate's. */
  readonly unsupported?: ReadonlyArray<string | Gate.Unsupported> | undefined
}

export interface Facts {
  readonly deferrals: ReadonlyArray<Deferral.Deferral>
  readonly unsupported: ReadonlyArray<Gate.Unsupported>
  readonly gate: GateLike | undefined
}

const decodeDeferral = Schema.decodeUnknownEither(Deferral.DeferralInput)

/** The gate facts a check runs with; a deferral that is not valid is a `config` error naming it. */
export const facts = (options: GateOptions): Either.Either<Facts, BacklogError> => {
  const gate = typeof options.gate === "function" ? options.gate() : options.gate
  const deferrals: Array<Deferral.Deferral> = [...(gate?.deferrals ?? [])]
  for (const [i, d] of (options.deferrals ?? []).entries()) {
    if (d.expires instanceof Date) {
      deferrals.push(d as Deferral.Deferral)
      continue
    }
    const decoded = decodeDeferral(d)
    if (Either.isLeft(decoded)) {
      return Either.left(new BacklogError({
        vendor: "launchgate",
        reason: "config",
        path: `deferrals[${i}]`,
        message: `deferrals[${i}] is not a valid deferral: ${decoded.left.message}`,
        remediation: "Write the deferral as in the gate: { check, owner, reason, risk, followUp, expires }."
      }))
    }
    deferrals.push(decoded.right)
  }
  const unsupported = [
    ...(gate?.unsupported ?? []),
    ...(options.unsupported ?? []).map((u) => (typeof u === "string" ? { case: u } : u))
  ]
  return Either.right({ deferrals, unsupported, gate })
}

/** Does an unsupported case name this reference (as a whole word: `#12` does not name `#123`)? */
export const names = (u: Gate.Unsupported, refs: ReadonlyArray<string>): boolean => {
  const text = `${u.case} ${u.reason ?? ""}`.toLowerCase()
  return refs.some((ref) => {
    const escaped = ref.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    return new RegExp(`(^|[^\\w/#-])${escaped}(?![\\w-])`).test(text)
  })
}

/** The checks a gate runs: its items' checks and its rollback verifications. */
export const gateChecks = (gate: GateLike): ReadonlyArray<Pick<Check.Check<any>, "id" | "surface" | "kind">> => [
  ...gate.items.map((i) => i.check),
  ...gate.rollback.flatMap((p) => ("verify" in p && p.verify ? [p.verify] : []))
]
