/**
 * A launch gate: checks with tiers and owners, explicit deferrals, rollback
 * plans per surface, and the cases it does not support. Declarative and
 * validated: a bad definition is a {@link GateConfigError} naming the path of
 * every bad field, and nothing runs.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Layer from "effect/Layer"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Check from "./Check.js"
import * as Deferral from "./Deferral.js"
import type { LaunchScopeSummary } from "./Report.js"
import { type HttpTransport, type Options as HttpTransportOptions, OptionsSchema as HttpOptionsSchema } from "./HttpTransport.js"
import * as Rollback from "./Rollback.js"

/** Launch tiers, most important first. */
export const Tier = Schema.Literal("launch-critical", "launch-adjacent", "post-launch")
export type Tier = typeof Tier.Type
export const tiers: ReadonlyArray<Tier> = Tier.literals

/**
 * What the core runner provides to every gate layer and check: the shared
 * HTTP transport and the run's context (gate name, environment).
 */
export type Provided = HttpTransport | RunContext

/** The gate being run, for checks that behave differently per environment. */
export class RunContext extends Context.Tag("@launchgate/core/RunContext")<RunContext, {
  readonly gate: string
  readonly environment?: string | undefined
  /** What the gate's {@link Setup} returned as `context` (emulator URLs and the like), when it returned one. */
  readonly setup?: Readonly<Record<string, unknown>> | undefined
  /** The gate's deferrals, so a {@link LaunchScopeDeclaration} can say which open items are deferred. */
  readonly deferrals?: ReadonlyArray<Deferral.Deferral> | undefined
}>() {}

/**
 * Where the gate's launch scope (the open work in the team's tracker) is read
 * from, for the "Launch scope" section of reports, `launchgate plan` and
 * LAUNCH-READINESS.md. Packages build it (`LaunchScope.declare` in
 * `@launchgate/backlog`); core only runs it.
 *
 * The runner evaluates `summarize` once per run with the run's services (the
 * same per-run reads as the checks) under the run's deadline; a failure is a
 * note and the report's `launchScope.error`, never a crash. `plan` and `docs`
 * evaluate it only when `local` is true: it then reads local files only and
 * needs nothing from the gate's setup or layer (only {@link RunContext}).
 */
export interface LaunchScopeDeclaration<R = any> {
  /** Where the scope comes from, for people (`GitHub acme/api, milestone "v1"`, `task files in backlog/`). */
  readonly source: string
  /** Counts per tier and the open launch-critical items. */
  readonly summarize: Effect.Effect<LaunchScopeSummary, unknown, R>
  /** Reads local files only and provides its own services, so `plan` and `docs` may evaluate it. */
  readonly local?: boolean | undefined
}

/**
 * The world a gate runs against, made by its {@link Input.setup} once per run
 * (`Runner.run`, `describeGate`, `launchgate run`) and never when a gate is
 * only read (`launchgate plan`, `launchgate docs`, importing the gate file).
 */
export interface Setup<ROut = any> {
  /** Services for the checks, built on top of what the runner provides (before the gate's own `layer`). */
  readonly layer?: Layer.Layer<ROut, unknown, Provided> | undefined
  /** Undo the setup (stop emulators …); runs with the run's finalizers, bounded by its finalizer grace. */
  readonly teardown?: (() => Promise<void> | void) | undefined
  /** Facts the checks may read from {@link RunContext} (`setup`), e.g. the URLs of started emulators. */
  readonly context?: Readonly<Record<string, unknown>> | undefined
}

/**
 * A gate's set-up: a function returning a {@link Setup}, as a promise or as a
 * scoped Effect (its scope is the run's, so its finalizers run when the run ends).
 */
export type SetupFunction<ROut = any> = () =>
  | Promise<Setup<ROut>>
  | Setup<ROut>
  | Effect.Effect<Setup<ROut>, unknown, Scope.Scope>

/** One gate item: a check with a tier and an owner. */
export interface Item<R = never> {
  readonly check: Check.Check<R>
  readonly tier: Tier
  /** The person or team who answers for this check. */
  readonly owner: string
  /** Let this active check run (it changes or triggers something remote). */
  readonly allowActive?: boolean | undefined
  /** Free-form notes shown in the launch-readiness document. */
  readonly notes?: string | undefined
}

/** A statement of something the launch explicitly does not support. */
export interface Unsupported {
  readonly case: string
  readonly reason?: string | undefined
}

/** Policy knobs. */
export interface Policy {
  /** `warn` (default): launch-adjacent failures are warnings. `block`: they block. */
  readonly launchAdjacent: "warn" | "block"
}

/** A validated gate. */
export interface Gate<R = never> {
  readonly name: string
  readonly description?: string | undefined
  /** The target environment (`staging`, `production`, …). */
  readonly environment?: string | undefined
  readonly items: ReadonlyArray<Item<R>>
  readonly deferrals: ReadonlyArray<Deferral.Deferral>
  readonly rollback: ReadonlyArray<Rollback.RollbackPlan<R>>
  readonly unsupported: ReadonlyArray<Unsupported>
  readonly policy: Policy
  /** Gate-level permission for active checks: `true` for all, or a list of check ids. */
  readonly allowActive: boolean | ReadonlyArray<string>
  /**
   * Options of the run's HTTP transport (custom CA, proxy, origins whose TLS is not
   * verified — reports list those). The runner's own `http` option wins field by field.
   */
  readonly http?: HttpTransportOptions | undefined
  /**
   * What the checks need (clients for each vendor), built once per run so
   * checks share connections and reads.
   */
  readonly layer?: Layer.Layer<Exclude<R, Provided>, unknown, Provided> | undefined
  /** Starts the gate's world once per run (see {@link Setup}); never called by reading the gate. */
  readonly setup?: SetupFunction | undefined
  /** Where the launch scope is read from (see {@link LaunchScopeDeclaration}). */
  readonly launchScope?: LaunchScopeDeclaration | undefined
}

/** A rollback plan as written in a gate definition (keyed by surface). */
export type RollbackInput<R> =
  | {
    readonly procedure: string
    readonly killSwitch?: string | undefined
    readonly owner?: string | undefined
    readonly verify?: Check.Check<R> | undefined
  }
  | { readonly none: string }

/** A gate definition, as users write it. */
export interface Input<R = never> {
  readonly name: string
  readonly description?: string | undefined
  readonly environment?: string | undefined
  readonly items: ReadonlyArray<Item<R>>
  readonly deferrals?: ReadonlyArray<Deferral.DeferralEncoded> | undefined
  /** Rollback plans keyed by surface (`"gcp.cloud-run": { procedure, killSwitch, verify }` or `{ none: "why" }`). */
  readonly rollback?: Readonly<Record<string, RollbackInput<R>>> | undefined
  readonly unsupported?: ReadonlyArray<string | Unsupported> | undefined
  readonly policy?: Partial<Policy> | undefined
  readonly allowActive?: boolean | ReadonlyArray<string> | undefined
  readonly http?: HttpTransportOptions | undefined
  readonly layer?: Layer.Layer<Exclude<R, Provided>, unknown, Provided> | undefined
  /**
   * Start what the gate runs against (emulators, fixtures) when the gate runs, not when its file is
   * imported: `plan` and `docs` read the gate and start nothing. See {@link Setup}.
   *
   * @example
   * setup: async () => {
   *   const emulator = await Emulator.start(acme)
   *   return { layer: AcmeClient.layer({ baseUrl: emulator.url }), teardown: () => emulator.close() }
   * }
   */
  readonly setup?: SetupFunction | undefined
  /**
   * The open work in the team's tracker, shown in reports, `plan` and LAUNCH-READINESS.md.
   *
   * @example
   * launchScope: LaunchScope.declare({ scope: { milestone: "public launch" }, source: "GitHub acme/api" })
   */
  readonly launchScope?: LaunchScopeDeclaration | undefined
}

/** What the checks of a list of items need, as a union: items may mix packages (GCP, Fivetran, Stripe …). */
export type Requirements<Items> = Items extends ReadonlyArray<Item<infer R>> ? R : never

/**
 * A gate definition whose requirements are inferred from its items, so a gate
 * can mix checks of several packages and the `layer` is checked against all
 * of them.
 */
export interface Definition<Items extends ReadonlyArray<Item<any>>> extends Omit<Input<never>, "items" | "rollback" | "layer"> {
  readonly items: Items
  readonly rollback?: Readonly<Record<string, RollbackInput<any>>> | undefined
  readonly layer?: Layer.Layer<Exclude<Requirements<Items>, Provided>, unknown, Provided> | undefined
}

/** One problem in a gate definition. */
export interface ConfigIssue {
  /** Where, e.g. `deferrals[2].expires`. */
  readonly path: string
  /** What was expected and what was found. */
  readonly message: string
}

/** The gate definition is invalid. Nothing runs. */
export class GateConfigError extends Data.TaggedError("GateConfigError")<{
  readonly gate: string
  readonly issues: ReadonlyArray<ConfigIssue>
}> {
  override get message(): string {
    return `gate ${JSON.stringify(this.gate)} is not valid:\n${this.issues.map((i) => `  - ${i.path}: ${i.message}`).join("\n")}`
  }
}

const CheckSchema = Schema.declare((u): u is Check.Check<unknown> => Check.isCheck(u), {
  message: (issue) =>
    `expected a check (made with Check.make, Check.fromAsync or a package's check constructor), got ${describe(issue.actual)}`
})

const text = (what: string) =>
  Schema.String.pipe(Schema.filter((s) => s.trim().length > 0, { message: () => `expected ${what}, got an empty string` }))
    .annotations({ message: (issue) => `expected ${what}, got ${describe(issue.actual)}` })

const literalOf = <const L extends ReadonlyArray<string>>(literals: L) =>
  Schema.declare((u): u is L[number] => typeof u === "string" && literals.includes(u), {
    message: (issue) => `expected one of ${literals.map((t) => `"${t}"`).join(", ")}, got ${describe(issue.actual)}`
  })

const TierSchema = literalOf(Tier.literals)

const ItemSchema = Schema.Struct({
  check: CheckSchema,
  tier: TierSchema,
  owner: text("an owner (a person or team)"),
  allowActive: Schema.optional(Schema.Boolean),
  notes: Schema.optional(Schema.String)
})

const RollbackSchema = Schema.Union(
  Schema.Struct({
    procedure: text("a rollback procedure"),
    killSwitch: Schema.optional(text("a kill switch description")),
    owner: Schema.optional(text("an owner")),
    verify: Schema.optional(CheckSchema)
  }),
  Schema.Struct({ none: text("the reason this surface has no rollback") })
).annotations({
  message: (issue) =>
    `expected { procedure, killSwitch?, owner?, verify? } or { none: "why" }, got ${describe(issue.actual)}`
})

const UnsupportedSchema = Schema.Union(
  text("a description of the unsupported case"),
  Schema.Struct({ case: text("a description of the unsupported case"), reason: Schema.optional(Schema.String) })
)

const InputSchema = Schema.Struct({
  name: text("a gate name"),
  description: Schema.optional(Schema.String),
  environment: Schema.optional(text("an environment name")),
  items: Schema.Array(ItemSchema),
  deferrals: Schema.optional(Schema.Array(Deferral.DeferralInput)),
  rollback: Schema.optional(Schema.Record({ key: Schema.String, value: RollbackSchema })),
  unsupported: Schema.optional(Schema.Array(UnsupportedSchema)),
  policy: Schema.optional(Schema.Struct({
    launchAdjacent: Schema.optional(literalOf(["warn", "block"] as const))
  })),
  allowActive: Schema.optional(Schema.Union(Schema.Boolean, Schema.Array(Schema.String))),
  // The transport's own options schema: whatever HttpTransport.Options accepts, a gate accepts.
  http: Schema.optional(HttpOptionsSchema),
  layer: Schema.optional(Schema.Unknown),
  setup: Schema.optional(Schema.declare((u): u is SetupFunction => typeof u === "function", {
    message: (issue) => `expected a function returning the gate's setup, got ${describe(issue.actual)}`
  })),
  launchScope: Schema.optional(Schema.Struct({
    source: text("where the launch scope is read from"),
    summarize: Schema.declare((u): u is Effect.Effect<LaunchScopeSummary, unknown, unknown> => Effect.isEffect(u), {
      message: (issue) => `expected an Effect returning the launch-scope summary, got ${describe(issue.actual)}`
    }),
    local: Schema.optional(Schema.Boolean)
  }))
})

const describe = (u: unknown): string => {
  if (u === undefined) return "nothing"
  if (typeof u === "string") return JSON.stringify(u)
  if (typeof u === "function") return "a function"
  try {
    const json = JSON.stringify(u)
    return json === undefined ? String(u) : json.length > 80 ? `${json.slice(0, 77)}...` : json
  } catch {
    return String(u)
  }
}

/** Format a schema path as `items[2].tier`. */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (acc, key) =>
      typeof key === "number"
        ? `${acc}[${key}]`
        : /^[A-Za-z_$][\w$]*$/.test(String(key))
        ? acc === "" ? String(key) : `${acc}.${String(key)}`
        : `${acc}[${JSON.stringify(String(key))}]`,
    ""
  )

const schemaIssues = (error: ParseResult.ParseError): Array<ConfigIssue> => {
  const all = ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
    path: formatPath(issue.path) || "(gate)",
    message: issue._tag === "Missing" ? "is required" : issue.message
  }))
  // An optional field that is present but wrong also fails the "is undefined" branch of its
  // union; that line says nothing the deeper issues do not, so drop it.
  return all.filter((issue) =>
    !(issue.message.startsWith("Expected undefined") &&
      all.some((other) => other !== issue && other.path.startsWith(issue.path) && !other.message.startsWith("Expected undefined")))
  )
}

/**
 * Validate a gate definition. Returns every problem at once, each with the
 * path of the bad field.
 */
export const validate = <R>(input: Input<R>): Either.Either<Gate<R>, GateConfigError> => {
  const gateName = typeof (input as { name?: unknown })?.name === "string" ? input.name : "(unnamed)"
  const decoded = Schema.decodeUnknownEither(InputSchema)(input, { errors: "all", onExcessProperty: "error" })
  if (Either.isLeft(decoded)) {
    return Either.left(new GateConfigError({ gate: gateName, issues: schemaIssues(decoded.left) }))
  }
  const value = decoded.right
  const issues: Array<ConfigIssue> = []

  const items = value.items as ReadonlyArray<Item<R>>
  const ids = new Map<string, number>()
  items.forEach((item, i) => {
    const previous = ids.get(item.check.id)
    if (previous !== undefined) {
      issues.push({
        path: `items[${i}].check`,
        message: `duplicate check id "${item.check.id}" (also items[${previous}]); ids must be unique within a gate`
      })
    } else ids.set(item.check.id, i)
  })

  const rollback: Array<Rollback.RollbackPlan<R>> = Object.entries(value.rollback ?? {}).map(([surface, plan]) =>
    "none" in plan ? { surface, none: plan.none } : { ...(plan as Omit<Rollback.Plan<R>, "surface">), surface }
  )
  // Verification checks of rollback plans run as launch-critical items, so they are known ids too.
  const knownIds = new Set(ids.keys())
  for (const plan of rollback) {
    if (!Rollback.isNone(plan) && plan.verify) {
      if (knownIds.has(plan.verify.id)) {
        issues.push({
          path: `rollback[${JSON.stringify(plan.surface)}].verify`,
          message: `check "${plan.verify.id}" is already a gate item; give the verification its own check`
        })
      }
      knownIds.add(plan.verify.id)
    }
  }

  items.forEach((item, i) => {
    for (const dep of item.check.dependsOn) {
      if (!knownIds.has(dep)) {
        issues.push({
          path: `items[${i}].check.dependsOn`,
          message: `depends on "${dep}", which is not an item of this gate; add it as an item or remove the dependency`
        })
      }
    }
  })

  const verifications = rollback.flatMap((p) => (!Rollback.isNone(p) && p.verify ? [{ check: p.verify }] : []))
  for (const cycle of dependencyCycles([...items, ...verifications])) {
    const first = items.findIndex((item) => item.check.id === cycle[0])
    const plan = rollback.find((p) => !Rollback.isNone(p) && p.verify?.id === cycle[0])
    issues.push({
      path: first >= 0
        ? `items[${first}].check.dependsOn`
        : `rollback[${JSON.stringify(plan?.surface)}].verify.dependsOn`,
      message: cycle.length === 2
        ? `"${cycle[0]}" depends on itself (${cycle.join(" → ")}); remove it from its own dependsOn`
        : `dependency cycle: ${cycle.join(" → ")}; no check in it could ever start. Remove one of these dependencies`
    })
  }

  const deferrals = (value.deferrals ?? []) as ReadonlyArray<Deferral.Deferral>
  const deferred = new Map<string, number>()
  deferrals.forEach((d, i) => {
    if (!knownIds.has(d.check)) {
      issues.push({
        path: `deferrals[${i}].check`,
        message: `names "${d.check}", which is not a check of this gate; ` +
          `known ids: ${[...knownIds].slice(0, 10).join(", ")}${knownIds.size > 10 ? ", …" : ""}`
      })
    }
    const previous = deferred.get(d.check)
    if (previous !== undefined) {
      issues.push({ path: `deferrals[${i}].check`, message: `"${d.check}" is already deferred by deferrals[${previous}]` })
    } else deferred.set(d.check, i)
  })

  const planned = new Set(rollback.map((p) => p.surface))
  const missing = new Map<string, number>()
  items.forEach((item, i) => {
    // Attestations and documents are evidence about process, not surfaces that roll back.
    if (item.tier !== "launch-critical" || item.check.kind !== "check") return
    if (!planned.has(item.check.surface) && !missing.has(item.check.surface)) missing.set(item.check.surface, i)
  })
  for (const [surface, i] of missing) {
    issues.push({
      path: `rollback[${JSON.stringify(surface)}]`,
      message:
        `surface "${surface}" has launch-critical items (first: items[${i}] "${items[i]!.check.id}") ` +
        `but no rollback plan; add { procedure, killSwitch?, verify? } or { none: "why" }`
    })
  }

  if (Array.isArray(value.allowActive)) {
    value.allowActive.forEach((id, i) => {
      if (!knownIds.has(id)) issues.push({ path: `allowActive[${i}]`, message: `names "${id}", which is not a check of this gate` })
    })
  }

  if (issues.length > 0) return Either.left(new GateConfigError({ gate: gateName, issues }))

  return Either.right({
    name: value.name,
    description: value.description,
    environment: value.environment,
    items,
    deferrals,
    rollback,
    unsupported: (value.unsupported ?? []).map((u) => (typeof u === "string" ? { case: u } : u)),
    policy: { launchAdjacent: value.policy?.launchAdjacent ?? "warn" },
    allowActive: value.allowActive ?? false,
    ...(input.http !== undefined ? { http: input.http } : {}),
    layer: input.layer,
    ...(input.setup !== undefined ? { setup: input.setup } : {}),
    ...(input.launchScope !== undefined ? { launchScope: input.launchScope } : {})
  })
}

/**
 * Every dependency cycle among the checks, each as the ids along it with the
 * first repeated at the end (`a → b → a`; a self-dependency is `a → a`). A
 * cycle would leave the runner waiting forever, so the gate rejects it.
 * Unknown ids are ignored here (reported separately).
 */
const dependencyCycles = (
  nodes: ReadonlyArray<{ readonly check: Pick<Check.Check<unknown>, "id" | "dependsOn"> }>
): Array<Array<string>> => {
  const edges = new Map(nodes.map((n) => [n.check.id, n.check.dependsOn] as const))
  const state = new Map<string, "visiting" | "done">()
  const cycles: Array<Array<string>> = []
  const path: Array<string> = []
  // Iterative depth-first search, so a long dependency chain cannot overflow the stack.
  for (const start of edges.keys()) {
    if (state.has(start)) continue
    const stack: Array<{ id: string; next: number }> = [{ id: start, next: 0 }]
    state.set(start, "visiting")
    path.push(start)
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!
      const deps = edges.get(top.id) ?? []
      if (top.next >= deps.length) {
        state.set(top.id, "done")
        stack.pop()
        path.pop()
        continue
      }
      const dep = deps[top.next++]!
      if (!edges.has(dep)) continue
      const seen = state.get(dep)
      if (seen === "visiting") cycles.push([...path.slice(path.indexOf(dep)), dep])
      else if (seen === undefined) {
        state.set(dep, "visiting")
        path.push(dep)
        stack.push({ id: dep, next: 0 })
      }
    }
  }
  return cycles
}

/**
 * Define a gate. Throws {@link GateConfigError} (listing every bad field by
 * path) when the definition is invalid; use {@link validate} for an `Either`.
 *
 * @example
 * export default Gate.make({
 *   name: "api public launch",
 *   items: [{ check: healthy, tier: "launch-critical", owner: "platform" }],
 *   rollback: { "acme.api": { procedure: "gcloud run services update-traffic api --to-revisions PREV=100" } },
 *   deferrals: [],
 *   unsupported: ["multi-region active-active"]
 * })
 */
export const make = <const Items extends ReadonlyArray<Item<any>>>(input: Definition<Items>): Gate<Requirements<Items>> => {
  const result = validate(input as Input<Requirements<Items>>)
  if (Either.isLeft(result)) throw result.left
  return result.right
}

/** Is this value a validated gate (as returned by {@link make})? */
export const isGate = (u: unknown): u is Gate<unknown> =>
  typeof u === "object" && u !== null && "items" in u && "policy" in u && "allowActive" in u &&
  Array.isArray((u as Gate<unknown>).items)

/** Every check the gate runs: its items, then rollback verifications. */
export const checks = <R>(gate: Gate<R>): ReadonlyArray<Check.Check<R>> => [
  ...gate.items.map((i) => i.check),
  ...gate.rollback.flatMap((p) => (!Rollback.isNone(p) && p.verify ? [p.verify] : []))
]

/**
 * Items as the runner sees them: gate items, then one launch-critical item per
 * rollback verification (owned by the plan's owner).
 */
export const runItems = <R>(gate: Gate<R>): ReadonlyArray<Item<R> & { readonly rollbackOf?: string }> => [
  ...gate.items,
  ...gate.rollback.flatMap((p) =>
    !Rollback.isNone(p) && p.verify
      ? [{ check: p.verify, tier: "launch-critical" as const, owner: p.owner ?? "rollback owner", rollbackOf: p.surface }]
      : []
  )
]

/** Is this active check allowed to run in this gate? */
export const activeAllowed = <R>(gate: Gate<R>, item: Item<R>): boolean =>
  !item.check.active || item.allowActive === true || gate.allowActive === true ||
  (Array.isArray(gate.allowActive) && gate.allowActive.includes(item.check.id))
