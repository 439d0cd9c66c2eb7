/**
 * Explicit deferrals: a launch-critical check that is allowed to fail for a
 * while, with an owner, a reason, the risk taken, a follow-up and an expiry.
 *
 * An expired deferral covers nothing. A deferral on a check that now passes
 * is stale (remove it).
 *
 * @since 0.1.0
 */
import { ParseResult, Schema } from "effect"
import type * as Outcome from "./Outcome.js"

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/

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
      const trimmed = text.trim()
      const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(trimmed)
      // `new Date` reads a date-time without an offset in the machine's zone: pin it to UTC.
      const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/.test(trimmed) ? trimmed : `${trimmed}Z`
      const date = new Date(dateOnly ? `${trimmed}T23:59:59.999Z` : zoned)
      // `new Date` rolls impossible days over (2026-02-30 becomes March 2nd): compare the calendar date back.
      const calendarOk = Number.isNaN(date.getTime())
        ? false
        : !/^\d{4}-\d{2}-\d{2}/.test(trimmed) || !dateOnly || date.toISOString().slice(0, 10) === trimmed.slice(0, 10)
      const [y, m, d] = trimmed.slice(0, 10).split("-").map(Number) as [number, number, number]
      const realDay = m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate()
      if (!ISO_DATE.test(trimmed) || !calendarOk || !realDay) {
        return ParseResult.fail(
          new ParseResult.Type(ast, text, `expected an ISO-8601 date, got ${JSON.stringify(text)}`)
        )
      }
      return ParseResult.succeed(date)
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
