import { it as effectIt } from "@effect/vitest"
import { Context, Effect, Fiber, Layer, TestClock } from "effect"
import { describe, expect, it } from "vitest"
import { Check, Gate, Outcome, Runner } from "../src/index.js"

// The hostile-gate corpus: checks and gates that misbehave in every way we know of. Each run must end with a
// report in which every item is accounted for (or the gate is refused as a configuration error): never a
// rejection, a crash or a hang. Deadlines are small but no assertion depends on the machine's speed; the
// vitest timeout is only a backstop.

const asyncCheck = (id: string, run: () => unknown) =>
  Check.fromAsync({ id, title: id, surface: "acme.api", category: "capacity", run: run as () => Promise<Outcome.Outcome> })
const effectCheck = <R = never>(id: string, run: Effect.Effect<unknown, unknown, R>) =>
  Check.make({ id, title: id, surface: "acme.api", category: "capacity", run: run as Effect.Effect<Outcome.Outcome, unknown, R> })

const gateOf = (checks: ReadonlyArray<Check.Check<any>>, extra: Partial<Gate.Input<any>> = {}) =>
  Gate.make({
    name: "hostile",
    items: checks.map((check) => ({ check, tier: "launch-critical" as const, owner: "platform" })),
    rollback: { "acme.api": { none: "fixture" } },
    ...extra
  })

const configError = (build: () => unknown): Gate.GateConfigError => {
  try {
    build()
  } catch (error) {
    expect(error).toBeInstanceOf(Gate.GateConfigError)
    return error as Gate.GateConfigError
  }
  throw new Error("expected a GateConfigError")
}

describe("hostile checks: whatever a check returns or does, the run ends with a report", () => {
  const corpus: ReadonlyArray<readonly [string, Check.Check<any>, RegExp]> = [
    ["returns undefined", asyncCheck("acme.api.undefined", async () => undefined), /expected an outcome object, got undefined/],
    ["returns a string", asyncCheck("acme.api.string", async () => "pass"), /got a string "pass"/],
    ["returns { status } without a message", asyncCheck("acme.api.no-message", async () => ({ status: "pass" })), /message: is missing/],
    [
      "returns message: 42",
      asyncCheck("acme.api.numeric-message", async () => ({ status: "pass", message: 42, evidence: {} })),
      /message: expected a string, got number 42/
    ],
    ["returns an unknown status", effectCheck("acme.api.bad-status", Effect.succeed({ status: "ok", message: "fine", evidence: {} })), /status: expected one of/],
    ["throws null", asyncCheck("acme.api.throws-null", () => {
      throw null // eslint-disable-line no-throw-literal
    }), /could not decide: null/],
    ["rejects with undefined", asyncCheck("acme.api.rejects", () => Promise.reject(undefined)), /could not decide/],
    ["dies (an Effect defect)", effectCheck("acme.api.dies", Effect.die(new RangeError("boom"))), /boom/],
    ["fails with a non-error", effectCheck("acme.api.fails-weird", Effect.fail(42)), /could not decide: 42/]
  ]

  it("every hostile outcome is an error item that says what was wrong; the report is complete and blocked", async () => {
    const report = await Runner.runPromise(gateOf(corpus.map(([, check]) => check)))
    expect(report.items).toHaveLength(corpus.length)
    corpus.forEach(([what, check, message], i) => {
      const item = report.items[i]!
      expect(item.id, what).toBe(check.id)
      expect(item.status, what).toBe("error")
      expect(item.disposition, what).toBe("blocking")
      expect(item.message, what).toMatch(message)
    })
    expect(report.verdict).toBe("blocked")
    expect(report.summary.byTier["launch-critical"].error).toBe(corpus.length)
  })

  it("a single { status: 'pass' } without a message cannot pass, and no longer rejects the run", async () => {
    const report = await Runner.runPromise(gateOf([asyncCheck("acme.api.bare", async () => ({ status: "pass" }))]))
    expect(report.items[0]!.status).toBe("error")
    expect(report.items[0]!.evidence["problems"]).toContainEqual({ field: "message", problem: "is missing" })
    expect(report.verdict).toBe("blocked")
  })

  it("a promise that never settles ends at the check timeout as error", async () => {
    const never = asyncCheck("acme.api.never", () => new Promise(() => {}))
    const report = await Runner.runPromise(gateOf([never, asyncCheck("acme.api.ok", async () => Outcome.pass("ok"))]), {
      checkTimeout: "100 millis"
    })
    expect(report.items.map((i) => i.status)).toEqual(["error", "pass"])
    expect(report.items[0]!.message).toContain("timed out after")
  })

  it("an uninterruptible check that never ends cannot hold the run past the deadline", async () => {
    const stuck = effectCheck("acme.api.stuck", Effect.uninterruptible(Effect.never))
    const report = await Runner.runPromise(gateOf([stuck]), { deadline: "150 millis" })
    expect(report.run.interrupted).toBe(true)
    expect(report.items[0]).toMatchObject({ status: "error", disposition: "blocking" })
    expect(report.items[0]!.message).toContain("did not finish")
  })
})

describe("hostile gates: refused at definition, naming the problem", () => {
  const dependent = (id: string, dependsOn: ReadonlyArray<string>) =>
    Check.fromAsync({ id, title: id, surface: "acme.api", category: "capacity", dependsOn, run: async () => Outcome.pass("ok") })

  it("a dependsOn cycle names the cycle", () => {
    const error = configError(() => gateOf([dependent("acme.api.a", ["acme.api.b"]), dependent("acme.api.b", ["acme.api.a"])]))
    expect(error.message).toContain("dependency cycle: acme.api.a → acme.api.b → acme.api.a")
    expect(error.issues[0]!.path).toBe("items[0].check.dependsOn")
  })

  it("a self-dependency names it", () => {
    const error = configError(() => gateOf([dependent("acme.api.self", ["acme.api.self"])]))
    expect(error.message).toContain("acme.api.self → acme.api.self")
  })

  it("duplicate ids are refused", () => {
    const error = configError(() => gateOf([dependent("acme.api.twice", []), dependent("acme.api.twice", [])]))
    expect(error.message).toContain(`duplicate check id "acme.api.twice"`)
  })
})

describe("hostile layers and finalizers: the deadline, the signal and the grace period bound the run", () => {
  class Client extends Context.Tag("hostile/Client")<Client, object>() {}
  const usesClient = effectCheck("acme.api.uses-client", Effect.as(Client, Outcome.pass("ok")))
  const neverBuilds = Layer.effect(Client, Effect.never)

  it("a layer that never builds: the deadline ends the run, every item is an error saying why", async () => {
    const report = await Runner.runPromise(gateOf([usesClient, asyncCheck("acme.api.other", async () => Outcome.pass("ok"))], {
      layer: neverBuilds
    }), { deadline: "150 millis" })
    expect(report.run.interrupted).toBe(true)
    expect(report.run.interruptReason).toContain("overall deadline")
    expect(report.items.map((i) => i.status)).toEqual(["error", "error"])
    expect(report.items[0]!.message).toContain("while the gate's services were being set up")
    expect(report.verdict).toBe("blocked")
  })

  it("a layer that never builds: the signal ends the run", async () => {
    const controller = new AbortController()
    const pending = Runner.runPromise(gateOf([usesClient], { layer: neverBuilds }), { signal: controller.signal })
    controller.abort("SIGTERM")
    const report = await pending
    expect(report.run.interruptReason).toBe("interrupted: SIGTERM")
    expect(report.items[0]!.status).toBe("error")
  })

  it("an uninterruptible layer that never builds is abandoned at the deadline", async () => {
    const stuck = Layer.effect(Client, Effect.uninterruptible(Effect.never))
    const report = await Runner.runPromise(gateOf([usesClient], { layer: stuck }), { deadline: "150 millis" })
    expect(report.run.interrupted).toBe(true)
    expect(report.items[0]!.status).toBe("error")
  })

  it("a finalizer that never ends is abandoned after the grace period, with a note; the results stand", async () => {
    const hangsOnClose = Layer.scoped(Client, Effect.acquireRelease(Effect.succeed({}), () => Effect.never))
    const report = await Runner.runPromise(gateOf([usesClient], { layer: hangsOnClose }), { finalizerGrace: "100 millis" })
    expect(report.items[0]!.status).toBe("pass")
    expect(report.verdict).toBe("ready")
    expect(report.run.notes).toHaveLength(1)
    expect(report.run.notes![0]).toContain("did not finish within 100ms and were abandoned")
  })

  effectIt.effect("the default grace period is 5 seconds (TestClock)", () =>
    Effect.gen(function*() {
      const hangsOnClose = Layer.scoped(Client, Effect.acquireRelease(Effect.succeed({}), () => Effect.never))
      const fiber = yield* Effect.fork(Runner.run(gateOf([usesClient], { layer: hangsOnClose })))
      yield* TestClock.adjust("4 seconds")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("2 seconds")
      const report = yield* Fiber.join(fiber)
      expect(report.run.notes![0]).toContain("within 5s")
    }))

  effectIt.effect("the deadline covers layer building (TestClock: a 30 s deadline, not a wall-clock wait)", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Runner.run(gateOf([usesClient], { layer: neverBuilds }), { deadline: "30 seconds" }))
      yield* TestClock.adjust("29 seconds")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("2 seconds")
      const report = yield* Fiber.join(fiber)
      expect(report.run.interruptReason).toBe("overall deadline of 30s exceeded")
      expect(report.items[0]!.status).toBe("error")
    }))
})
