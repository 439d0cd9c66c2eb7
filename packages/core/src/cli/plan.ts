/**
 * `launchgate plan <gate-file>`: what the gate would check, by whom, with
 * which deferrals and attestations, without running anything (no network).
 * With `--strict` it exits 1 when a deferral or an attestation has lapsed or
 * lapses within `--within` days, so CI nags before a launch is blocked.
 */
import * as EffectContext from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Attestation from "../Attestation.js"
import * as Deferral from "../Deferral.js"
import * as Gate from "../Gate.js"
import * as Format from "../internal/reporters/format.js"
import type * as Report from "../Report.js"
import * as Rollback from "../Rollback.js"
import * as Runner from "../Runner.js"
import * as Args from "./args.js"
import { planOptions, DEFAULT_WITHIN } from "./commands.js"
import type { Context } from "./command.js"
import type { Io } from "./io.js"
import { loadGate } from "./load.js"

const DAY = 86_400_000

/** How long `plan` and `docs` wait for a local launch scope (a folder of task files) before giving up. */
const LOCAL_READ_TIMEOUT = Duration.seconds(30)

/**
 * The gate's launch scope when its declaration is `local` (task files: no setup, no network), read now;
 * `undefined` otherwise (it is read at run time). Never throws.
 */
export const localLaunchScope = <R>(gate: Gate.Gate<R>, now?: Date): Promise<Report.LaunchScope | undefined> => {
  const declaration = gate.launchScope
  if (declaration === undefined || declaration.local !== true) return Promise.resolve(undefined)
  const runContext = { gate: gate.name, environment: gate.environment, deferrals: gate.deferrals }
  const read = (program: Effect.Effect<Report.LaunchScope>) =>
    Effect.runPromise(now ? Effect.withClock(program, Runner.pinnedClock(now)) : program)
  return read(
    Runner.readLaunchScope(declaration).pipe(
      Effect.provide(EffectContext.make(Gate.RunContext, runContext)),
      Effect.timeoutTo({
        duration: LOCAL_READ_TIMEOUT,
        onSuccess: (scope): Report.LaunchScope => scope,
        onTimeout: (): Report.LaunchScope => ({
          source: declaration.source,
          readAt: new Date().toISOString(),
          error: `not read within ${Duration.format(LOCAL_READ_TIMEOUT)}`
        })
      })
    ) as Effect.Effect<Report.LaunchScope>
  )
}

/** The plan's "Launch scope" lines. */
const launchScopeLines = (gate: Gate.Gate<unknown>, scope: Report.LaunchScope | undefined): Array<string> => {
  const declaration = gate.launchScope
  if (declaration === undefined) return []
  if (scope === undefined) return ["", "Launch scope:", `  read at run time from ${declaration.source}`]
  const open = scope.openLaunchCritical ?? []
  return [
    "",
    "Launch scope:",
    `  ${Format.launchScopeLine(scope)}`,
    ...(scope.error === undefined
      ? table(Format.launchScopeTiers(scope).map(([tier, c]) =>
        [tier, `${c.total} items`, `${c.open} open`, `${c.done} done`, `${c.notPlanned} not planned`]
      ), "    ")
      : []),
    ...(open.length > 0 ? ["  Open launch-critical items:"] : []),
    ...table(open.map((i) => [
      i.ref,
      i.title,
      `(${i.status})`,
      `owner: ${Format.ownersPhrase(i)}`,
      Format.deferredPhrase(i)
    ]), "    ")
  ]
}

/** Rows as aligned columns. */
const table = (rows: ReadonlyArray<ReadonlyArray<string>>, indent = "  "): Array<string> => {
  const widths: Array<number> = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  return rows.map((row) => `${indent}${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ")}`.trimEnd())
}

const inDays = (days: number): string =>
  days < 0 ? `${-days} day${days === -1 ? "" : "s"} ago` : days === 0 ? "today" : `in ${days} day${days === 1 ? "" : "s"}`

interface Lapse {
  readonly id: string
  readonly what: string
}

export const execute = async (args: ReadonlyArray<string>, io: Io, context: Context): Promise<number> => {
  const { values, positionals } = Args.parse(args, planOptions)
  const file = Args.gateFile(positionals)
  const within = Args.number("within", values.within, { min: 0, what: "a number of days >= 0" }) ?? DEFAULT_WITHIN
  const now = Args.instant("now", values.now) ?? new Date()
  const { gate } = await loadGate(file, io.cwd, values.env, context)

  const out: Array<string> = []
  const lapses: Array<Lapse> = []
  out.push(`Gate: ${gate.name}${gate.environment !== undefined ? ` (environment: ${gate.environment})` : ""}`)
  if (gate.description !== undefined) out.push(gate.description)
  out.push(`Policy: launch-adjacent failures ${gate.policy.launchAdjacent === "block" ? "block" : "warn"}`)
  out.push(`As of ${now.toISOString()}, flagging what expires within ${within} days`)

  const items = Gate.runItems(gate)
  const deferredIds = new Set(gate.deferrals.map((d) => d.check))
  out.push("", `Checks (${items.length}):`)
  for (const tier of Gate.tiers) {
    const inTier = items.filter((i) => i.tier === tier)
    if (inTier.length === 0) continue
    out.push(`  ${tier} (${inTier.length})`)
    out.push(...table(
      inTier.map((item) => {
        const flags = [
          item.check.kind !== "check" ? item.check.kind : "",
          item.check.active ? (Gate.activeAllowed(gate, item) ? "active, allowed" : "active, not allowed") : "",
          item.rollbackOf !== undefined ? `verifies rollback of ${item.rollbackOf}` : "",
          deferredIds.has(item.check.id) ? "deferred" : "",
          item.check.dependsOn.length > 0 ? `after ${item.check.dependsOn.join(", ")}` : ""
        ].filter((f) => f !== "")
        return [
          item.check.id,
          item.check.title,
          `owner: ${item.owner}`,
          `surface: ${item.check.surface}`,
          flags.length > 0 ? `(${flags.join("; ")})` : ""
        ]
      }),
      "    "
    ))
  }

  out.push("", `Rollback plans (${gate.rollback.length}):`)
  if (gate.rollback.length === 0) out.push("  none")
  out.push(...table(gate.rollback.map((plan) =>
    Rollback.isNone(plan)
      ? [plan.surface, `no rollback: ${plan.none}`]
      : [
        plan.surface,
        [
          plan.procedure,
          plan.killSwitch !== undefined ? `kill switch: ${plan.killSwitch}` : "",
          plan.owner !== undefined ? `owner: ${plan.owner}` : "",
          plan.verify !== undefined ? `verified by ${plan.verify.id}` : ""
        ].filter((s) => s !== "").join("; ")
      ]
  )))

  out.push("", `Deferrals (${gate.deferrals.length}):`)
  if (gate.deferrals.length === 0) out.push("  none")
  out.push(...table(gate.deferrals.map((d) => {
    const expired = Deferral.state(d, now) === "expired"
    const soon = !expired && Deferral.expiresWithin(d, now, within)
    const days = Deferral.daysLeft(d, now)
    if (expired) lapses.push({ id: d.check, what: `deferral expired ${d.expires.toISOString().slice(0, 10)}` })
    else if (soon) lapses.push({ id: d.check, what: `deferral expires ${d.expires.toISOString().slice(0, 10)} (${inDays(days)})` })
    return [
      expired ? "EXPIRED " : soon ? "EXPIRING" : "active  ",
      d.check,
      `owner: ${d.owner}`,
      `expires ${d.expires.toISOString().slice(0, 10)} (${expired ? "expired" : inDays(days)})`,
      `follow-up: ${d.followUp}`,
      `reason: ${d.reason}`
    ]
  })))

  const attestations = items.flatMap((item) => {
    const details = Attestation.details(item.check)
    return details ? [{ item, details }] : []
  })
  if (attestations.length > 0) {
    out.push("", `Attestations (${attestations.length}):`)
    out.push(...table(attestations.map(({ details, item }) => {
      const id = item.check.id
      const expires = details.expiresOn
      const missing = details.attestedBy === undefined || details.on === undefined || details.evidence === undefined
      const left = expires ? expires.getTime() - now.getTime() : 0
      const future = expires !== undefined && expires.getTime() - details.validForDays * DAY > now.getTime()
      const state = missing || !expires
        ? "missing"
        : future
        ? "future"
        : left <= 0
        ? "stale"
        : left <= within * DAY
        ? "expiring"
        : "fresh"
      const date = expires?.toISOString().slice(0, 10)
      if (state === "missing") lapses.push({ id, what: "attestation missing" })
      if (state === "future") lapses.push({ id, what: `attestation dated in the future (${details.on})` })
      if (state === "stale") lapses.push({ id, what: `attestation went stale ${date}` })
      if (state === "expiring") lapses.push({ id, what: `attestation goes stale ${date} (${inDays(Math.floor(left / DAY))})` })
      return [
        state === "fresh" ? "fresh   " : state.toUpperCase().padEnd(8),
        id,
        details.attestedBy !== undefined ? `attested by ${details.attestedBy}` : "not attested",
        details.on !== undefined ? `on ${details.on}` : "",
        date !== undefined ? `valid until ${date}` : `valid for ${details.validForDays} days`,
        details.evidence ?? ""
      ]
    })))
  }

  out.push("", `Not supported (${gate.unsupported.length}):`)
  if (gate.unsupported.length === 0) out.push("  nothing declared")
  for (const u of gate.unsupported) out.push(`  - ${u.case}${u.reason !== undefined ? ` (${u.reason})` : ""}`)
  out.push(...launchScopeLines(gate as Gate.Gate<unknown>, await localLaunchScope(gate, now)))

  out.push("")
  if (lapses.length === 0) {
    out.push(`Nothing expired or expiring within ${within} days.`)
  } else {
    out.push(`Expired or expiring within ${within} days (${lapses.length}):`)
    for (const lapse of lapses) out.push(`  - ${lapse.id}: ${lapse.what}`)
  }
  io.stdout.write(`${out.join("\n")}\n`)

  if (values.strict && lapses.length > 0) {
    io.stderr.write(`launchgate plan --strict: ${lapses.length} deferral(s) or attestation(s) expired or expiring within ${within} days\n`)
    return 1
  }
  return 0
}
