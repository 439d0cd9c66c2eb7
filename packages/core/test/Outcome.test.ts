import { describe, expect, it } from "@effect/vitest"
import { Either, ParseResult, Redacted, Schema } from "effect"
import { Outcome } from "../src/index.js"

describe("Outcome constructors", () => {
  const constructors = [
    ["pass", Outcome.pass],
    ["fail", Outcome.fail],
    ["warn", Outcome.warn],
    ["error", Outcome.error],
    ["skip", Outcome.skip]
  ] as const
  for (const [status, make] of constructors) {
    it(`${status} sets its status and message, and has empty evidence and no optional fields by default`, () => {
      expect(make("m")).toStrictEqual({ status, message: "m", evidence: {} })
    })
  }

  it("puts observed and expected first in the evidence, merges the rest and drops undefined entries", () => {
    const o = Outcome.fail("min instances is 0", {
      observed: 0,
      expected: ">= 1",
      evidence: { service: "api", region: undefined, ok: false },
      remediation: "set min instances",
      docs: "https://docs/x",
      attempts: 3
    })
    expect(o).toStrictEqual({
      status: "fail",
      message: "min instances is 0",
      evidence: { observed: 0, expected: ">= 1", service: "api", ok: false },
      remediation: "set min instances",
      docs: "https://docs/x",
      attempts: 3
    })
    expect(Object.keys(o.evidence)).toEqual(["observed", "expected", "service", "ok"])
  })

  it("keeps falsy observed/expected values (0, false, null, empty string), and leaves out undefined ones", () => {
    expect(Outcome.pass("x", { observed: false, expected: "" }).evidence).toStrictEqual({ observed: false, expected: "" })
    expect(Outcome.pass("x", { observed: null }).evidence).toStrictEqual({ observed: null })
    expect(Outcome.pass("x", { observed: undefined, expected: undefined }).evidence).toStrictEqual({})
    expect(Outcome.pass("x", { remediation: undefined, docs: undefined, attempts: undefined })).toStrictEqual({
      status: "pass",
      message: "x",
      evidence: {}
    })
  })

  it("never puts a Redacted's value in evidence, wherever it is nested", () => {
    const secret = Redacted.make("hunter2-correct-horse")
    const o = Outcome.fail("x", { observed: { key: secret, list: [secret] }, evidence: { token: secret } })
    expect(JSON.stringify(o)).not.toContain("hunter2")
    expect(o.evidence).toStrictEqual({ observed: { key: "<redacted>", list: ["<redacted>"] }, token: "<redacted>" })
  })

  it("fromStatus builds the same outcome as the named constructor", () => {
    expect(Outcome.fromStatus("warn", "w", { observed: 1 })).toStrictEqual(Outcome.warn("w", { observed: 1 }))
  })
})

describe("Outcome.fromSubjects", () => {
  const subject = (name: string, o: Outcome.Outcome) => ({ subject: name, ...o })

  it("zero subjects is an error: a check over nothing proves nothing", () => {
    const o = Outcome.fromSubjects([], { what: "connections", evidence: { group: "g1" } })
    expect(o).toStrictEqual({
      status: "error",
      message: "no connections found to check",
      evidence: { group: "g1" },
      remediation: "Check the selector: a check over zero connections proves nothing."
    })
    expect(o.subjects).toBeUndefined()
  })

  it("zero subjects takes the status `empty` names when the caller says nothing to check is fine", () => {
    const o = Outcome.fromSubjects([], { what: "services", empty: "skip" })
    expect(o.status).toBe("skip")
    expect(o.message).toBe("no services found to check")
    expect(o.evidence).toStrictEqual({})
  })

  it("nothing failing: a count message, counts in evidence and every subject kept (a skip outranks a pass)", () => {
    expect(Outcome.fromSubjects([subject("a", Outcome.pass("ok"))], { what: "services" }).status).toBe("pass")
    const o = Outcome.fromSubjects([subject("a", Outcome.pass("ok")), subject("b", Outcome.skip("n/a"))], { what: "services" })
    expect(o.status).toBe("skip")
    expect(o.message).toBe("all 2 services passed")
    expect(o.evidence).toStrictEqual({ counts: { pass: 1, skip: 1 } })
    expect(o.remediation).toBeUndefined()
    expect(o.subjects).toStrictEqual([
      { subject: "a", status: "pass", message: "ok", evidence: {} },
      { subject: "b", status: "skip", message: "n/a", evidence: {} }
    ])
  })

  it("takes the worst status, lists the subjects that did not pass, and the first remediation among them", () => {
    const o = Outcome.fromSubjects([
      subject("a", Outcome.pass("ok", { remediation: "not this one" })),
      subject("b", Outcome.warn("slow")),
      subject("c", Outcome.fail("down", { remediation: "restart c" })),
      subject("d", Outcome.error("unknown", { remediation: "grant access" }))
    ], { what: "services", evidence: { region: "eu" } })
    expect(o.status).toBe("error")
    expect(o.message).toBe("3 of 4 services did not pass: b (warn: slow); c (fail: down); d (error: unknown)")
    expect(o.remediation).toBe("restart c")
    expect(o.evidence).toStrictEqual({ counts: { pass: 1, warn: 1, fail: 1, error: 1 }, region: "eu" })
    expect(o.subjects!.map((s) => s.remediation)).toEqual(["not this one", undefined, "restart c", "grant access"])
    expect("remediation" in o.subjects![1]!).toBe(false)
  })

  it("lists at most five failing subjects, then an ellipsis", () => {
    const six = ["a", "b", "c", "d", "e", "f"].map((n) => subject(n, Outcome.fail(`${n} down`)))
    const o = Outcome.fromSubjects(six, { what: "jobs" })
    expect(o.message).toBe(
      "6 of 6 jobs did not pass: a (fail: a down); b (fail: b down); c (fail: c down); d (fail: d down); e (fail: e down); …"
    )
    const five = Outcome.fromSubjects(six.slice(0, 5), { what: "jobs" })
    expect(five.message.endsWith("e (fail: e down)")).toBe(true)
  })

  it("a warning alone makes the whole a warning", () => {
    expect(Outcome.fromSubjects([subject("a", Outcome.pass("ok")), subject("b", Outcome.warn("w"))], { what: "x" }).status)
      .toBe("warn")
  })
})

describe("Outcome.worst and severity", () => {
  it("orders error > fail > warn > skip > pass", () => {
    const order: ReadonlyArray<Outcome.Status> = ["error", "fail", "warn", "skip", "pass"]
    expect(order.map((s) => Outcome.severity[s])).toEqual([4, 3, 2, 1, 0])
    for (const [i, a] of order.entries()) {
      for (const b of order.slice(i)) {
        expect(Outcome.worst(a, b)).toBe(a)
        expect(Outcome.worst(b, a)).toBe(a)
      }
    }
  })
})

describe("Outcome.toJson", () => {
  it("turns every JavaScript value into JSON without throwing", () => {
    const fn = function named() {}
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic["self"] = cyclic
    const list: Array<unknown> = [1]
    list.push(list)
    expect(Outcome.toJson("s")).toBe("s")
    expect(Outcome.toJson(true)).toBe(true)
    expect(Outcome.toJson(1.5)).toBe(1.5)
    expect(Outcome.toJson(Number.NaN)).toBe("NaN")
    expect(Outcome.toJson(Number.POSITIVE_INFINITY)).toBe("Infinity")
    expect(Outcome.toJson(12n)).toBe("12")
    expect(Outcome.toJson(undefined)).toBe(null)
    expect(Outcome.toJson(null)).toBe(null)
    expect(Outcome.toJson(fn)).toBe(String(fn))
    expect(Outcome.toJson(Symbol("s"))).toBe("Symbol(s)")
    expect(Outcome.toJson(new Date("2026-12-02T00:00:00Z"))).toBe("2026-12-02T00:00:00.000Z")
    expect(Outcome.toJson(new Date(Number.NaN))).toBe("Invalid Date")
    expect(Outcome.toJson(new URL("https://x.dev/a?b=1"))).toBe("https://x.dev/a?b=1")
    expect(Outcome.toJson(new Map<unknown, unknown>([["k", 1], [2, new Set([3, 3, 4])]]))).toStrictEqual({ k: 1, "2": [3, 4] })
    expect(Outcome.toJson(cyclic)).toStrictEqual({ a: 1, self: "[Circular]" })
    expect(Outcome.toJson(list)).toStrictEqual([1, "[Circular]"])
    expect(Outcome.toJson({ a: undefined, b: [undefined] })).toStrictEqual({ b: [null] })
  })

  it("keeps a value seen twice (not a cycle) both times", () => {
    const shared = { x: 1 }
    const arr = [2]
    const map = new Map([["m", 3]])
    const set = new Set([4])
    const err = new Error("e")
    expect(Outcome.toJson({ a: shared, b: shared, c: arr, d: arr, e: map, f: map, g: set, h: set, i: err, j: err }))
      .toStrictEqual({
        a: { x: 1 },
        b: { x: 1 },
        c: [2],
        d: [2],
        e: { m: 3 },
        f: { m: 3 },
        g: [4],
        h: [4],
        i: { name: "Error", message: "e" },
        j: { name: "Error", message: "e" }
      })
  })

  it("keeps an error's name, message and own fields, never its stack, and survives a cycle through it", () => {
    const e = Object.assign(new TypeError("boom"), { reason: "Status", status: 503, skipped: undefined }) as TypeError & {
      self?: unknown
      message: string
    }
    e.self = e
    expect(Outcome.toJson(e)).toStrictEqual({ name: "TypeError", message: "boom", reason: "Status", status: 503, self: "[Circular]" })
    // An own `message` field does not override the error's message twice.
    expect(JSON.stringify(Outcome.toJson(e))).not.toContain("stack")
  })
})

describe("Outcome schemas", () => {
  const decode = Schema.decodeUnknownEither(Outcome.OutcomeSchema)
  const problems = (u: unknown): Array<string> => {
    const r = decode(u, { errors: "all" })
    if (Either.isRight(r)) throw new Error(`accepted ${JSON.stringify(u)}`)
    return ParseResult.ArrayFormatter.formatErrorSync(r.left).map((i) => `${i.path.join(".")}: ${i._tag === "Missing" ? "is missing" : i.message}`)
  }

  it("accepts every constructor's outcome and an outcome with subjects", () => {
    for (const o of [Outcome.pass("p", { observed: 1, remediation: "r", docs: "d", attempts: 2 }), Outcome.error("e")]) {
      expect(Either.isRight(decode(o))).toBe(true)
    }
    const withSubjects = Outcome.fromSubjects([{ subject: "a", ...Outcome.fail("f", { remediation: "r" }) }], { what: "x" })
    expect(Either.isRight(decode(withSubjects))).toBe(true)
  })

  it("rejects a missing or non-string message, and names the field", () => {
    expect(problems({ status: "pass", evidence: {} })).toContain("message: is missing")
    expect(problems({ status: "pass", message: 42, evidence: {} })).toContain("message: expected a string, got number 42")
    expect(problems({ status: "pass", message: null, evidence: {} })).toContain("message: expected a string, got null")
  })

  it("rejects an unknown status, evidence that is not an object, and wrong optional fields", () => {
    expect(problems({ status: "passed", message: "m", evidence: {} })).toContain(
      `status: expected one of "pass", "fail", "warn", "error", "skip", got a string "passed"`
    )
    expect(problems({ status: "pass", message: "m", evidence: [] })).toContain("evidence: expected an object of evidence, got an array")
    expect(problems({ status: "pass", message: "m", evidence: {}, attempts: "2" }).join("\n")).toContain(
      `attempts: expected a number, got a string "2"`
    )
    expect(problems({ status: "pass", message: "m", evidence: {}, subjects: [{ subject: "a", status: "ok", message: 1, evidence: {} }] })
      .join("\n")).toMatch(/subjects\.0\.status: expected one of[\s\S]*subjects\.0\.message: expected a string, got number 1/)
    expect(problems(undefined)).toEqual([": expected an outcome object, got undefined"])
    expect(problems({ status: "pass", message: "x".repeat(50), evidence: 1 }).join("\n")).toContain("got number 1")
  })

  it("Status and Json accept what reports hold and reject the rest", () => {
    expect(Schema.is(Outcome.Status)("skip")).toBe(true)
    expect(Schema.is(Outcome.Status)("passed")).toBe(false)
    expect(Schema.is(Outcome.Json)({ a: [1, "b", null, true, { c: [] }] })).toBe(true)
    expect(Schema.is(Outcome.Json)({ a: undefined })).toBe(false)
    expect(Schema.is(Outcome.Json)([() => 1])).toBe(false)
  })
})
