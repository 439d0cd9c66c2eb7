/**
 * Attestations: gate items for what no API can prove (a rollback rehearsal,
 * an on-call rota, a reviewed support runbook, a legal sign-off).
 *
 * An attestation names who attested, when, and a link to the evidence, and
 * stays valid for a number of days. It passes while fresh and fails when
 * missing, stale or dated in the future. Reports show it as attested, not
 * checked: the check's `kind` is `"attestation"` and its `meta` carries
 * `attestedBy`, `on`, `evidence`, `validForDays` and `expiresOn`.
 *
 * "Now" comes from Effect's `Clock`, so `Runner.runPromise(gate, { now })`
 * and `TestClock` pin it.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Check from "./Check.js"
import * as Deferral from "./Deferral.js"
import * as Outcome from "./Outcome.js"

/** Options of {@link make}. */
export interface Options {
  /** Stable dotted id, e.g. `acme.launch.rollback-rehearsal`. */
  readonly id: string
  readonly title: string
  /** Default `launch.process`. */
  readonly surface?: string | undefined
  /** Default `rollout` (launch process). */
  readonly category?: Check.Category | undefined
  /** Who attests (a person, with their team if useful). */
  readonly attestedBy?: string | undefined
  /** ISO-8601 date (`2026-03-01`) or date-time of the attestation. */
  readonly on?: string | undefined
  /** A link to the evidence (a ticket, a recording, a signed document). */
  readonly evidence?: string | undefined
  /** How many days the attestation stays valid after `on`. */
  readonly validForDays: number
  /** What a pass proves, in one sentence. */
  readonly description?: string | undefined
}

/** Default surface of attestations. */
export const DEFAULT_SURFACE = "launch.process"

const DAY = 86_400_000

/**
 * Parse the attestation date. A date without a time means the start of that
 * day (UTC): validity is counted from the earliest instant the date can mean,
 * so an attestation never lasts longer than it says.
 */
const parseOn = (id: string, on: string): Date => {
  const decoded = Schema.decodeUnknownEither(Deferral.IsoDate)(on)
  const [year, month, day] = on.trim().slice(0, 10).split("-").map(Number) as [number, number, number]
  // `new Date` rolls 2026-02-30 over to March; a date that does not exist is a typo.
  const real = new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day
  if (Either.isLeft(decoded) || !real) {
    throw new Error(
      `Attestation "${id}": on is not an ISO-8601 date, got ${JSON.stringify(on)}. ` +
        `Write the day of the attestation as "2026-03-01" (or a date-time such as "2026-03-01T14:00:00Z").`
    )
  }
  const trimmed = on.trim()
  return /^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? new Date(`${trimmed}T00:00:00.000Z`) : decoded.right
}

const present = (value: string | undefined): value is string => value !== undefined && value.trim().length > 0

/**
 * An attestation item: passes while fresh, fails when missing (no
 * `attestedBy`, `on` or `evidence`), stale (older than `validForDays`) or
 * dated in the future.
 *
 * Throws at construction when `on` is not a date or `validForDays` is not a
 * positive number: those are mistakes in the gate definition, not facts
 * about the launch.
 *
 * @example
 * const rehearsal = Attestation.make({
 *   id: "acme.launch.rollback-rehearsal",
 *   title: "Rollback rehearsed on staging",
 *   attestedBy: "Dana (SRE)",
 *   on: "2026-03-01",
 *   evidence: "https://tickets.acme.dev/OPS-812",
 *   validForDays: 30
 * })
 */
export const make = (options: Options): Check.Check => {
  const { id } = options
  if (typeof options.validForDays !== "number" || !Number.isFinite(options.validForDays) || options.validForDays <= 0) {
    throw new Error(
      `Attestation "${id}": validForDays must be a positive number of days, got ${JSON.stringify(options.validForDays)}. ` +
        `Say how long the attestation stays true, e.g. validForDays: 30.`
    )
  }
  const on = present(options.on) ? parseOn(id, options.on) : undefined
  const expiresOn = on ? new Date(on.getTime() + options.validForDays * DAY) : undefined
  const meta: Record<string, Outcome.Json> = { validForDays: options.validForDays }
  if (present(options.attestedBy)) meta["attestedBy"] = options.attestedBy
  if (on) meta["on"] = options.on!.trim()
  if (present(options.evidence)) meta["evidence"] = options.evidence
  if (expiresOn) meta["expiresOn"] = expiresOn.toISOString()

  return Check.make({
    id,
    title: options.title,
    surface: options.surface ?? DEFAULT_SURFACE,
    category: options.category ?? "rollout",
    kind: "attestation",
    description: options.description,
    meta,
    run: Effect.map(Clock.currentTimeMillis, (millis) => evaluate(options, on, expiresOn, new Date(millis)))
  })
}

const evaluate = (options: Options, on: Date | undefined, expiresOn: Date | undefined, now: Date): Outcome.Outcome => {
  const missing = [
    ...(present(options.attestedBy) ? [] : ["attestedBy"]),
    ...(on ? [] : ["on"]),
    ...(present(options.evidence) ? [] : ["evidence"])
  ]
  const facts = {
    attestedBy: options.attestedBy ?? null,
    on: on?.toISOString() ?? null,
    evidence: options.evidence ?? null,
    validForDays: options.validForDays,
    ...(expiresOn ? { expiresOn: expiresOn.toISOString() } : {}),
    now: now.toISOString()
  }
  if (missing.length > 0 || !on || !expiresOn) {
    return Outcome.fail(`not attested: missing ${missing.join(", ")}`, {
      evidence: { ...facts, missing },
      remediation:
        `Have the responsible person attest it: set ${missing.join(", ")} on "${options.id}" ` +
        `(who attested, the ISO date, and a link to the evidence).`
    })
  }
  const ageDays = Math.floor((now.getTime() - on.getTime()) / DAY)
  const who = `${options.attestedBy} on ${options.on!.trim()}`
  if (on.getTime() > now.getTime()) {
    return Outcome.fail(`attestation by ${who} is dated in the future`, {
      evidence: { ...facts, ageDays },
      remediation: `Correct the date of "${options.id}": an attestation records something that already happened.`
    })
  }
  if (now.getTime() >= expiresOn.getTime()) {
    return Outcome.fail(
      `attestation by ${who} is stale: ${ageDays} days old, valid for ${options.validForDays} (expired ${
        expiresOn.toISOString().slice(0, 10)
      })`,
      {
        evidence: { ...facts, ageDays },
        remediation: `Repeat what "${options.id}" attests (${options.title}) and record the new date and evidence.`
      }
    )
  }
  const daysLeft = Math.floor((expiresOn.getTime() - now.getTime()) / DAY)
  return Outcome.pass(
    `attested by ${who} (${ageDays} days ago; valid until ${expiresOn.toISOString().slice(0, 10)}, ${daysLeft} days left)`,
    { evidence: { ...facts, ageDays, daysLeft } }
  )
}

/**
 * The attestation facts of a check (from its `meta`), or `undefined` when it
 * is not an attestation. Used by `launchgate plan` to list expiring ones.
 */
export const details = (
  check: Check.Check<any>
):
  | {
    readonly attestedBy?: string | undefined
    readonly on?: string | undefined
    readonly evidence?: string | undefined
    readonly validForDays: number
    readonly expiresOn?: Date | undefined
  }
  | undefined => {
  if (check.kind !== "attestation" || !check.meta) return undefined
  const meta = check.meta
  const str = (key: string) => (typeof meta[key] === "string" ? (meta[key] as string) : undefined)
  const expires = str("expiresOn")
  return {
    attestedBy: str("attestedBy"),
    on: str("on"),
    evidence: str("evidence"),
    validForDays: typeof meta["validForDays"] === "number" ? meta["validForDays"] : 0,
    expiresOn: expires ? new Date(expires) : undefined
  }
}
