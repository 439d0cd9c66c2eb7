/** Small gates for the runner's tests: checks on surface `acme.api`, launch-critical items, one rollback plan. */
import { type Duration, Effect } from "effect"
import { Check, Gate, Outcome } from "../../src/index.js"

/** A check `acme.api.<id>` (a pass by default), with prerequisites named by their short ids and a timeout. */
export const check = (
  id: string,
  run: Effect.Effect<Outcome.Outcome, unknown, any> = Effect.succeed(Outcome.pass("ok")),
  extra: { readonly dependsOn?: ReadonlyArray<string>; readonly timeout?: Duration.DurationInput } = {}
) =>
  Check.make({
    id: `acme.api.${id}`,
    title: id,
    surface: "acme.api",
    category: "capacity",
    run,
    ...(extra.dependsOn ? { dependsOn: extra.dependsOn.map((d) => `acme.api.${d}`) } : {}),
    ...(extra.timeout ? { timeout: extra.timeout } : {})
  })

/** A valid gate of `checks`, each a launch-critical item. */
export const gateOf = (checks: ReadonlyArray<Check.Check<any>>, extra: Partial<Gate.Input<any>> = {}) =>
  Gate.make({
    name: "runner-test",
    items: checks.map((c) => ({ check: c, tier: "launch-critical" as const, owner: "platform" })),
    rollback: { "acme.api": { procedure: "roll back" } },
    ...extra
  })

/** A gate object as another tool might assemble it, without Gate.make's validation (cycles, unknown ids). */
export const handBuilt = (checks: ReadonlyArray<Check.Check<any>>): Gate.Gate<never> => {
  const valid = gateOf([check("placeholder")])
  const items = checks.map((c) => ({ check: c, tier: "launch-critical" as const, owner: "platform" }))
  return { ...valid, items } as unknown as Gate.Gate<never>
}

/** A passing check with prerequisites Gate.make would refuse (for {@link handBuilt}). */
export const needing = (id: string, dependsOn: ReadonlyArray<string>): Check.Check<any> => ({
  ...check(id),
  dependsOn: dependsOn.map((d) => `acme.api.${d}`)
})
