/**
 * Explicit deferrals: a launch-critical check that is allowed to fail for a
 * while, with an owner, a reason, the risk taken, a follow-up and an expiry.
 *
 * An expired deferral covers nothing. A deferral on a check that now passes
 * is stale (remove it).
 *
 * @since 0.1.0
 */
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as Outcome from "./Outcome.js"

// Date, then optionally a time (after `T` or a space) and an offset: `2026-12-31`, `2026-12-31T18:00`,
// `2026-12-31 18:00:00.250+01:00`.
const ISO_DATE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/

/** The days of a month (`month` 1–12), leap years included. */
const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate()

/**
 * An ISO-8601 date (`2026-12-31`) or date-time (`2026-12-31T18:00:00Z`,
 * `2026-12-31T18:00:00+01:00`), decoded to a `Date`. A date without a time is
 * valid through the end of that day (UTC): "expires 2026-12-31" still covers
 * the 31st, until `2026-12-31T23:59:59.999Z`. A date-time without an offset
 * is UTC too (never the machine's zone, so the expiry is the same on every
 * runner).
 */
export const IsoDate = Schema.transformOrFail(
  Schema.String.annotations({
    message: (issue) => `expected an ISO-8601 date, got ${JSON.stringify(issue.actual)}`
  }),
  Schema.DateFromSelf,
  {
    strict: true,
    decode: (text, _, ast) => {
      const invalid = ParseResult.fail(new ParseResult.Type(ast, text, `expected an ISO-8601 date, got ${JSON.stringify(text)}`))
      const match = ISO_DATE.exec(text.trim())
      if (match === null) return invalid
      const [, day, time, offset] = match as unknown as [string, string, string | undefined, string | undefined]
      // Always an explicit zone: `new Date` would read a date-time without one in the machine's zone.
      const date = new Date(time === undefined ? `${day}T23:59:59.999Z` : `${day}T${time}${offset ?? "Z"}`)
      // `new Date` refuses hours, minutes, seconds, months and days out of range (NaN) but rolls a day the month
      // lacks over (2026-02-30 becomes March 2nd): that day is checked against the month.
      const [y, m, d] = day.split("-").map(Number) as [number, number, number]
      return Number.isNaN(date.getTime()) || d > daysIn(y, m) ? invalid : ParseResult.succeed(date)
    },
    encode: (date) => ParseResult.succeed(date.toISOString())
  }
).annotations({ identifier: "IsoDate" })

// A blank owner or reason is as good as none: whitespace-only text is rejected like an empty string.
const NonEmpty = (what: string) =>
  Schema.String.annotations({ message: (issue) => `expected ${what}, got ${JSON.stringify(issue.actual)}` }).pipe(
    Schema.filter((s) => s.trim().length > 0, {
      message: (issue) => `expected ${what}, got ${issue.actual === "" ? "an empty string" : "only whitespace"}`
    })
  )

/** A deferral as written in a gate definition. */
export const DeferralInput = Schema.Struct({
  /** The id of the deferred check. */
  check: NonEmpty("a check id"),
  /** Who answers for the deferred work. */
  owner: NonEmpty("an owner (a person or team)"),
  /** Why it is deferred. */
  reason: NonEmpty("a reason"),
  /** What could go wrong meanwhile, and how bad it would be. */
  risk: NonEmpty("a description of the risk"),
  /** The ticket or link where the follow-up is tracked. */
  followUp: NonEmpty("a follow-up (ticket or link)"),
  /** When the deferral stops covering the check. */
  expires: IsoDate,
  /** Who approved taking the risk. */
  approvedBy: Schema.optional(NonEmpty("an approver"))
})
export type Deferral = typeof DeferralInput.Type
export type DeferralEncoded = typeof DeferralInput.Encoded

/** How a deferral stands at a moment, given the check's latest status. */
export type State = "active" | "expired" | "stale"

const DAY = 86_400_000

/**
 * The state of a deferral at `now`. A deferral expires *at* its instant: at
 * `expires - 1 ms` it is active, at `expires` it is expired. Expired wins
 * over stale: an expired deferral never covers anything, whatever the check
 * says.
 */
export const state = (deferral: Deferral, now: Date, status?: Outcome.Status): State => {
  if (deferral.expires.getTime() <= now.getTime()) return "expired"
  if (status === "pass") return "stale"
  return "active"
}

/** Whole days left before the deferral expires (negative once expired). */
export const daysLeft = (deferral: Deferral, now: Date): number =>
  Math.floor((deferral.expires.getTime() - now.getTime()) / DAY)

/** True when the deferral expires within `days` days of `now` (or already has). */
export const expiresWithin = (deferral: Deferral, now: Date, days: number): boolean =>
  deferral.expires.getTime() - now.getTime() <= days * DAY
