import { it } from "@effect/vitest"
import { Cause, Context, Duration, Effect, Fiber, Layer, Redacted, Schedule, TestClock } from "effect"
import { describe, expect } from "vitest"
import { Check, Outcome } from "../src/index.js"

const base = { surface: "acme.api", category: "capacity" } as const

/** A check that returns the given statuses in turn (the last one repeats). */
const sequence = (id: string, statuses: ReadonlyArray<Outcome.Status | "throw">) => {
  let calls = 0
  const check = Check.make({
    ...base,
    id,
    title: id,
    run: Effect.suspend(() => {
      const status = statuses[Math.min(calls++, statuses.length - 1)]!
      return status === "throw" ? Effect.fail(new Error("connection reset")) : Effect.succeed(Outcome.fromStatus(status, status))
    })
  })
  return { check, calls: () => calls }
}

describe("Check", () => {
  it.effect("retry re-runs errors and failures-to-run, not fails, and records attempts", () =>
    Effect.gen(function*() {
      const flaky = sequence("acme.api.flaky", ["throw", "error", "pass"])
      const outcome = yield* Check.runSafely(Check.retry(flaky.check, Schedule.recurs(5)))
      expect(outcome).toMatchObject({ status: "pass", attempts: 3 })

      const failing = sequence("acme.api.failing", ["fail", "pass"])
      const fail = yield* Check.runSafely(Check.retry(failing.check, Schedule.recurs(5)))
      expect(fail).toMatchObject({ status: "fail", attempts: 1 })
      expect(failing.calls()).toBe(1)

      const broken = sequence("acme.api.broken", ["throw"])
      const error = yield* Check.runSafely(Check.retry(broken.check, Schedule.recurs(2)))
      expect(error).toMatchObject({ status: "error", attempts: 3 })
      expect(error.message).toContain("connection reset")
    }))

  it.effect("retry follows the schedule's delays (TestClock)", () =>
    Effect.gen(function*() {
      const flaky = sequence("acme.api.flaky", ["error", "error", "pass"])
      const fiber = yield* Effect.fork(Check.runSafely(Check.retry(flaky.check, Schedule.spaced("10 seconds"))))
      yield* TestClock.adjust("10 seconds")
      expect(flaky.calls()).toBe(2)
      yield* TestClock.adjust("10 seconds")
      const outcome = yield* Fiber.join(fiber)
      expect(outcome).toMatchObject({ status: "pass", attempts: 3 })
    }))

  it.effect("eventually polls until pass within the deadline", () =>
    Effect.gen(function*() {
      const converging = sequence("acme.api.converging", ["fail", "fail", "fail", "pass"])
      const fiber = yield* Effect.fork(Check.runSafely(Check.eventually(converging.check, { within: "1 minute", every: "5 seconds" })))
      yield* TestClock.adjust("15 seconds")
      expect(yield* Fiber.join(fiber)).toMatchObject({ status: "pass", attempts: 4 })
    }))

  it.effect("eventually reports the last outcome when the deadline passes", () =>
    Effect.gen(function*() {
      const never = sequence("acme.api.never", ["fail"])
      const check = Check.eventually(never.check, { within: "20 seconds", every: "5 seconds" })
      const fiber = yield* Effect.fork(Check.runSafely(check))
      yield* TestClock.adjust("1 minute")
      const outcome = yield* Fiber.join(fiber)
      expect(outcome.status).toBe("fail")
      expect(outcome.message).toContain("still not passing after 20s")
      // Polls at 0, 5, 10, 15 and 20 seconds: the last one lands on the deadline.
      expect(outcome.attempts).toBe(5)
      // The check's own timeout leaves room for the whole polling window.
      expect(Duration.toMillis(check.timeout!)).toBeGreaterThan(20_000)
    }))

  it.effect("all is the worst part; any passes when one part passes", () =>
    Effect.gen(function*() {
      const pass = sequence("acme.api.p", ["pass"]).check
      const warn = sequence("acme.api.w", ["warn"]).check
      const error = sequence("acme.api.e", ["throw"]).check
      const fail = sequence("acme.api.f", ["fail"]).check
      const all = yield* Check.runSafely(Check.all({ ...base, id: "acme.api.all", title: "all" }, [pass, warn]))
      expect(all.status).toBe("warn")
      expect(all.evidence["parts"]).toHaveLength(2)
      const allBad = yield* Check.runSafely(Check.all({ ...base, id: "acme.api.all2", title: "all" }, [pass, fail, error]))
      expect(allBad.status).toBe("error")
      expect(allBad.message).toBe("2 of 3 parts did not pass")

      expect((yield* Check.runSafely(Check.any({ ...base, id: "acme.api.any", title: "any" }, [fail, pass]))).status).toBe("pass")
      // No part passed: an error part cannot make it pass, and fail beats error when present.
      expect((yield* Check.runSafely(Check.any({ ...base, id: "acme.api.any2", title: "any" }, [error, fail]))).status).toBe("fail")
      expect((yield* Check.runSafely(Check.any({ ...base, id: "acme.api.any3", title: "any" }, [error]))).status).toBe("error")
    }))

  it.effect("provide makes a check self-contained", () =>
    Effect.gen(function*() {
      class Flag extends Context.Tag("test/Flag")<Flag, boolean>() {}
      const check = Check.make({ ...base, id: "acme.api.flag", title: "flag", run: Effect.map(Flag, (on) => (on ? Outcome.pass("on") : Outcome.fail("off"))) })
      const provided = Check.provide(check, Layer.succeed(Flag, true))
      expect((yield* Check.runSafely(provided)).status).toBe("pass")
    }))

  it.effect("fromAsync gets the clock's now and an abort signal; a throw becomes error", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(new Date("2026-03-01T00:00:00Z").getTime())
      let seen: Date | undefined
      const check = Check.fromAsync({ ...base, id: "acme.api.async", title: "async", run: async ({ now, signal }) => {
        seen = now
        expect(signal).toBeInstanceOf(AbortSignal)
        throw new Error("boom")
      } })
      const outcome = yield* Check.runSafely(check)
      expect(seen?.toISOString()).toBe("2026-03-01T00:00:00.000Z")
      expect(outcome).toMatchObject({ status: "error", message: "could not decide: boom" })
    }))

  it("annotate, dependsOn and timeout keep the run and are pipeable", () => {
    const check = sequence("acme.api.x", ["pass"]).check.pipe(
      Check.annotate({ title: "renamed", role: "roles/viewer" }),
      Check.dependsOn(["acme.api.y"]),
      Check.timeout("5 seconds")
    )
    expect(check).toMatchObject({ id: "acme.api.x", title: "renamed", role: "roles/viewer", dependsOn: ["acme.api.y"] })
    expect(Check.isCheck(check)).toBe(true)
    expect(Check.isCheck({ id: "x" })).toBe(false)
  })
})

describe("Outcome", () => {
  it("evidence is JSON: Redacted values, dates, errors, bigints and cycles become safe JSON", () => {
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic["self"] = cyclic
    const outcome = Outcome.fail("bad", {
      observed: { token: Redacted.make("sk_live_supersecretvalue"), at: new Date("2026-01-01T00:00:00Z"), n: 10n, cyclic },
      expected: Number.POSITIVE_INFINITY,
      evidence: { error: new Error("nope"), undefinedIsDropped: undefined }
    })
    expect(outcome.evidence).toEqual({
      observed: { token: "<redacted>", at: "2026-01-01T00:00:00.000Z", n: "10", cyclic: { a: 1, self: "[Circular]" } },
      expected: "Infinity",
      error: { name: "Error", message: "nope" }
    })
    expect(JSON.stringify(outcome)).not.toContain("supersecret")
  })

  it("an error keeps its own fields (a tagged error's reason and status), never its stack", () => {
    class Tagged extends Error {
      readonly _tag = "GcpError"
      readonly reason = "Auth"
      readonly status = 403
    }
    const json = Outcome.toJson(new Tagged("permission denied")) as Record<string, unknown>
    expect(json).toEqual({ name: "Error", message: "permission denied", _tag: "GcpError", reason: "Auth", status: 403 })
  })

  it("fromSubjects takes the worst status and treats zero subjects as error", () => {
    const combined = Outcome.fromSubjects(
      [
        { subject: "svc-a", ...Outcome.pass("ok") },
        { subject: "svc-b", ...Outcome.fail("min instances 0", { remediation: "set --min-instances 1" }) }
      ],
      { what: "services" }
    )
    expect(combined.status).toBe("fail")
    expect(combined.subjects).toHaveLength(2)
    expect(combined.message).toContain("1 of 2 services did not pass: svc-b (fail: min instances 0)")
    expect(combined.remediation).toBe("set --min-instances 1")
    expect(Outcome.fromSubjects([], { what: "services" }).status).toBe("error")
    expect(Outcome.fromSubjects([], { what: "services", empty: "skip" }).status).toBe("skip")
  })
})

describe("Check.validateOutcome", () => {
  it("keeps a valid outcome, with evidence made JSON-safe (subjects included)", () => {
    const valid = Check.validateOutcome("acme.api.x", {
      status: "fail",
      message: "1 of 1 services did not pass",
      evidence: { at: new Date(0), skipped: undefined },
      subjects: [{ subject: "api", status: "fail", message: "no", evidence: { n: 1n } }]
    })
    expect(valid).toEqual({
      status: "fail",
      message: "1 of 1 services did not pass",
      evidence: { at: "1970-01-01T00:00:00.000Z" },
      subjects: [{ subject: "api", status: "fail", message: "no", evidence: { n: "1" } }]
    })
  })

  it("names every bad field and what it got, including inside subjects", () => {
    const invalid = Check.validateOutcome("acme.api.x", {
      status: "fail",
      message: "m",
      evidence: {},
      subjects: [{ subject: "api", status: "broken", message: "m", evidence: {} }]
    })
    expect(invalid.status).toBe("error")
    expect(invalid.message).toContain(`subjects[0].status: expected one of "pass", "fail", "warn", "error", "skip", got a string "broken"`)
    expect(invalid.message).not.toContain("Expected undefined")
  })
})

describe("Check.errorFromCause", () => {
  it("carries the attempts a vendor or transport error counted into the outcome", () => {
    const vendor = { _tag: "AcmeError", vendor: "acme", reason: "unavailable", message: "503 after retries", remediation: "wait", attempts: 4 }
    expect(Check.errorFromCause(Cause.fail(vendor))).toMatchObject({ status: "error", attempts: 4 })
    expect(Check.errorFromCause(Cause.fail(new Error("plain"))).attempts).toBeUndefined()
    expect(Check.errorFromCause(Cause.fail({ message: "odd", attempts: "many" })).attempts).toBeUndefined()
  })

  it.effect("a run that fails with a vendor error reports its attempts", () =>
    Effect.gen(function*() {
      const check = Check.make({ id: "acme.api.x", title: "x", surface: "acme.api", category: "capacity", run: Effect.fail({ _tag: "AcmeError", message: "429", attempts: 3 }) })
      const outcome = yield* Check.runSafely(check)
      expect(outcome.attempts).toBe(3)
    }))

  it("Check.OutcomeSchema is the outcome module's schema", () => {
    expect(Check.OutcomeSchema).toBe(Outcome.OutcomeSchema)
  })
})
