import { afterEach, describe, expect, it } from "@effect/vitest"
import { Either, ParseResult, Schema } from "effect"
import { Deferral } from "../src/index.js"

const decodeDate = Schema.decodeUnknownEither(Deferral.IsoDate)
const decode = Schema.decodeUnknownEither(Deferral.DeferralInput)

const iso = (text: string): string => {
  const decoded = decodeDate(text)
  if (Either.isLeft(decoded)) throw new Error(ParseResult.TreeFormatter.formatErrorSync(decoded.left))
  return decoded.right.toISOString()
}
const rejection = (text: unknown): string => {
  const decoded = decodeDate(text)
  if (Either.isRight(decoded)) throw new Error(`accepted ${JSON.stringify(text)} as ${decoded.right.toISOString()}`)
  return ParseResult.TreeFormatter.formatErrorSync(decoded.left)
}

const valid = {
  check: "acme.api.latency",
  owner: "team-sre",
  reason: "load test next sprint",
  risk: "slow checkout under peak load",
  followUp: "ACME-42",
  expires: "2026-12-31"
}
const deferral = (expires: string): Deferral.Deferral => {
  const decoded = decode({ ...valid, expires })
  if (Either.isLeft(decoded)) throw new Error(ParseResult.TreeFormatter.formatErrorSync(decoded.left))
  return decoded.right
}
const messageOf = (input: unknown): string => {
  const decoded = decode(input)
  if (Either.isRight(decoded)) throw new Error(`accepted ${JSON.stringify(input)}`)
  return ParseResult.TreeFormatter.formatErrorSync(decoded.left)
}

describe("Deferral.IsoDate", () => {
  const zone = process.env["TZ"]
  afterEach(() => {
    if (zone === undefined) delete process.env["TZ"]
    else process.env["TZ"] = zone
  })

  it("reads a date as the end of that day in UTC, and encodes back to an ISO instant", () => {
    expect(iso("2026-12-31")).toBe("2026-12-31T23:59:59.999Z")
    expect(iso("  2024-02-29 ")).toBe("2024-02-29T23:59:59.999Z")
    expect(Schema.encodeSync(Deferral.IsoDate)(new Date("2026-12-31T18:00:00Z"))).toBe("2026-12-31T18:00:00.000Z")
  })

  it("reads date-times with Z, with an offset (with and without colon), and with a space", () => {
    expect(iso("2026-12-31T18:00:00Z")).toBe("2026-12-31T18:00:00.000Z")
    expect(iso("2026-12-31T18:00:00.250Z")).toBe("2026-12-31T18:00:00.250Z")
    expect(iso("2026-12-31T18:00:00+01:00")).toBe("2026-12-31T17:00:00.000Z")
    expect(iso("2026-12-31T18:00-0230")).toBe("2026-12-31T20:30:00.000Z")
    expect(iso("2026-12-31 18:00Z")).toBe("2026-12-31T18:00:00.000Z")
  })

  it("reads a date-time without an offset as UTC, whatever the machine's zone", () => {
    process.env["TZ"] = "America/New_York"
    expect(iso("2026-12-31T18:00")).toBe("2026-12-31T18:00:00.000Z")
    process.env["TZ"] = "Asia/Tokyo"
    expect(iso("2026-12-31T18:00:00")).toBe("2026-12-31T18:00:00.000Z")
  })

  it("rejects text that is not ISO-8601 even when Date would parse it (the pattern check)", () => {
    // Each of these is a real day that `new Date` reads; only the pattern refuses them.
    for (const text of ["2026-12-31T18:00:00.1234567890Z", "2026-12-31T18:00:00+01", "2026-12-31T18", "2026-12-31Tx"]) {
      expect(rejection(text)).toContain(`expected an ISO-8601 date, got ${JSON.stringify(text)}`)
    }
    expect(rejection("Dec 31 2026")).toContain("expected an ISO-8601 date")
    expect(rejection("")).toContain("expected an ISO-8601 date")
  })

  it("rejects a well-formed date-time that is no instant (the calendar check)", () => {
    // Pattern and day are fine; the time is not.
    for (const text of ["2026-12-31T25:00Z", "2026-12-31T18:60:00Z", "2026-12-31T18:00:61+01:00"]) {
      expect(rejection(text)).toContain(JSON.stringify(text))
    }
  })

  it("rejects a day the month does not have, which Date would roll over (the real-day check)", () => {
    // `new Date("2026-02-30T10:00:00Z")` is March 2nd: pattern and calendar accept it, only the day check does not.
    for (const text of ["2026-02-30T10:00:00Z", "2026-04-31T00:00Z", "2026-02-29T12:00:00Z", "2026-02-30", "2026-02-29"]) {
      expect(rejection(text)).toContain(JSON.stringify(text))
    }
    expect(iso("2024-02-29T12:00:00Z")).toBe("2024-02-29T12:00:00.000Z")
    expect(iso("2026-01-31T00:00Z")).toBe("2026-01-31T00:00:00.000Z")
  })

  it("is named IsoDate (how generated docs and JSON Schema refer to it)", () => {
    expect(String(Deferral.IsoDate)).toBe("IsoDate")
  })

  it("rejects months and days out of range, and non-strings, naming what it got", () => {
    for (const text of ["2026-13-01", "2026-00-10", "2026-12-00", "2026-12-32"]) expect(rejection(text)).toContain(text)
    expect(rejection(20261231)).toContain("expected an ISO-8601 date, got 20261231")
  })
})

describe("Deferral.DeferralInput", () => {
  it("decodes a complete deferral, with and without an approver", () => {
    expect(deferral("2026-12-31").expires.toISOString()).toBe("2026-12-31T23:59:59.999Z")
    const approved = decode({ ...valid, approvedBy: "cto" })
    expect(Either.isRight(approved) && approved.right.approvedBy).toBe("cto")
  })

  const fields = [
    ["check", "a check id"],
    ["owner", "an owner (a person or team)"],
    ["reason", "a reason"],
    ["risk", "a description of the risk"],
    ["followUp", "a follow-up (ticket or link)"]
  ] as const
  for (const [field, what] of fields) {
    it(`rejects a missing, empty or whitespace-only ${field}`, () => {
      expect(messageOf({ ...valid, [field]: "" })).toContain(`expected ${what}, got an empty string`)
      expect(messageOf({ ...valid, [field]: " \t\n " })).toContain(`expected ${what}, got only whitespace`)
      expect(messageOf({ ...valid, [field]: 42 })).toContain(`expected ${what}, got 42`)
      const { [field]: _left, ...without } = valid
      expect(messageOf(without)).toContain(field)
      // A value with text around spaces is fine.
      expect(Either.isRight(decode({ ...valid, [field]: "  x  " }))).toBe(true)
    })
  }

  it("rejects a blank approver when one is given", () => {
    expect(messageOf({ ...valid, approvedBy: "  " })).toContain("expected an approver, got only whitespace")
    expect(messageOf({ ...valid, approvedBy: "" })).toContain("expected an approver, got an empty string")
  })
})

describe("Deferral.state, daysLeft and expiresWithin", () => {
  const expires = "2026-06-01T12:00:00Z"
  const at = (ms: number) => new Date(Date.parse(expires) + ms)
  const DAY = 86_400_000

  it("is active until the instant of expiry and expired from that instant on", () => {
    const d = deferral(expires)
    expect(Deferral.state(d, at(-1))).toBe("active")
    expect(Deferral.state(d, at(0))).toBe("expired")
    expect(Deferral.state(d, at(1))).toBe("expired")
    expect(Deferral.state(d, at(-1), "fail")).toBe("active")
    expect(Deferral.state(d, at(-1), "error")).toBe("active")
  })

  it("takes the offset into account (18:00+02:00 is 16:00Z)", () => {
    const d = deferral("2026-06-01T18:00:00+02:00")
    expect(Deferral.state(d, new Date("2026-06-01T15:59:59.999Z"))).toBe("active")
    expect(Deferral.state(d, new Date("2026-06-01T16:00:00.000Z"))).toBe("expired")
  })

  it("a date-only expiry covers its whole day (UTC) and ends at its last millisecond", () => {
    const d = deferral("2026-06-01")
    expect(Deferral.state(d, new Date("2026-06-01T23:59:59.998Z"))).toBe("active")
    expect(Deferral.state(d, new Date("2026-06-01T23:59:59.999Z"))).toBe("expired")
  })

  it("is stale when the check passes, unless it has expired (expired wins)", () => {
    const d = deferral(expires)
    expect(Deferral.state(d, at(-1), "pass")).toBe("stale")
    expect(Deferral.state(d, at(0), "pass")).toBe("expired")
  })

  it("counts whole days left, negative once expired", () => {
    const d = deferral(expires)
    expect(Deferral.daysLeft(d, at(-2 * DAY))).toBe(2)
    expect(Deferral.daysLeft(d, at(-2 * DAY + 1))).toBe(1)
    expect(Deferral.daysLeft(d, at(-1))).toBe(0)
    expect(Deferral.daysLeft(d, at(0))).toBe(0)
    expect(Deferral.daysLeft(d, at(1))).toBe(-1)
    expect(Deferral.daysLeft(d, at(3 * DAY))).toBe(-3)
  })

  it("expires within N days: true at exactly N days left, false a millisecond earlier", () => {
    const d = deferral(expires)
    expect(Deferral.expiresWithin(d, at(-7 * DAY), 7)).toBe(true)
    expect(Deferral.expiresWithin(d, at(-7 * DAY - 1), 7)).toBe(false)
    expect(Deferral.expiresWithin(d, at(DAY), 7)).toBe(true)
    expect(Deferral.expiresWithin(d, at(-1), 0)).toBe(false)
    expect(Deferral.expiresWithin(d, at(0), 0)).toBe(true)
  })
})
