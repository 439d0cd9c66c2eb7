/**
 * The runner's worker pool and run bookkeeping, observed from outside: which items run, how often, in what
 * order, when the one timer fires, what the launch scope says when the run stopped, and what the report says
 * when the run's set-up returned nothing. Each test pins a behaviour a change to `Runner.ts` could break
 * without any other test noticing (mutation testing: packages/core/docs/testing.md). No assertion depends on
 * the machine's speed: where real time is involved, the margins are 20× or more.
 */
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { Check, type Gate, Outcome, Runner } from "../src/index.js"
import { scoped, summary } from "./helpers/launchScope.js"
import { check, gateOf, handBuilt, needing } from "./helpers/runnerGates.js"

const statuses = (report: { readonly items: ReadonlyArray<{ readonly id: string; readonly status: string }> }) =>
  Object.fromEntries(report.items.map((i) => [i.id.replace("acme.api.", ""), i.status]))

describe("Runner pool: prerequisites", () => {
  it("an item with two prerequisites waits for both, runs once, after both", async () => {
    const order: Array<string> = []
    let releaseSlow!: () => void
    const slowDone = new Promise<void>((resolve) => (releaseSlow = resolve))
    const logged = (id: string, body: Effect.Effect<void> = Effect.void, dependsOn: ReadonlyArray<string> = []) =>
      check(id, Effect.zipRight(body, Effect.sync(() => (order.push(id), Outcome.pass("ok")))), { dependsOn })
    const report = await Runner.runPromise(
      gateOf([
        logged("fast"),
        logged("slow", Effect.promise(() => slowDone)),
        logged("both", Effect.void, ["fast", "slow"])
      ]),
      {
        concurrency: 4,
        // "slow" answers only once "fast" has finished, so "both" sees one prerequisite settled and one running.
        onEvent: (event) => {
          if (event.type === "finish" && event.item.id === "acme.api.fast") releaseSlow()
        }
      }
    )
    expect(statuses(report)).toEqual({ fast: "pass", slow: "pass", both: "pass" })
    expect(order).toEqual(["fast", "slow", "both"])
  })

  it("a prerequisite named twice releases its dependent once", async () => {
    let runs = 0
    const counted = check("twice", Effect.sync(() => (runs++, Outcome.pass("ok"))), { dependsOn: ["base", "base"] })
    const report = await Runner.runPromise(gateOf([check("base"), counted]), { concurrency: 2 })
    expect(statuses(report)).toEqual({ base: "pass", twice: "pass" })
    expect(runs).toBe(1)
  })

  it("fail-fast: an item blocked before any check ran stops the run there, naming the first that blocked", async () => {
    const report = await Runner.runPromise(
      handBuilt([needing("x", ["ghost"]), needing("y", ["ghost"]), check("z")]),
      { failFast: true }
    )
    expect(report.run.interruptReason).toBe("fail-fast: acme.api.x blocked the gate")
    expect(statuses(report)).toEqual({ x: "error", y: "error", z: "skip" })
  })

  it("a cycle left waiting after a timeout is still settled as a cycle (the timed-out check no longer counts as running)", async () => {
    const report = await Runner.runPromise(
      handBuilt([check("hang", Effect.never, { timeout: "20 millis" }), needing("a", ["b"]), needing("b", ["a"])]),
      { concurrency: 1, deadline: "20 seconds" }
    )
    expect(report.run.interrupted).toBe(false)
    expect(report.items.map((i) => [i.id, i.status, i.message])).toEqual([
      ["acme.api.hang", "error", "timed out after 20ms"],
      ["acme.api.a", "skip", "not run: prerequisite acme.api.b ended error"],
      ["acme.api.b", "error", "not run: its prerequisites form a dependency cycle"]
    ])
  })
})

describe("Runner pool: the timer", () => {
  it("after one timeout the timer is re-armed for the earliest of the rest, not the last worker's", async () => {
    // "late" (1.5 s timeout) answers as soon as "middle" (60 ms timeout) has been settled. Re-armed for the
    // earliest timeout left, the timer settles "middle" at 60 ms and "late" passes; re-armed for "late"'s own
    // timeout, both would time out together at 1.5 s.
    let releaseLate!: () => void
    const lateMay = new Promise<void>((resolve) => (releaseLate = resolve))
    const report = await Runner.runPromise(
      gateOf([
        check("first", Effect.never, { timeout: "10 millis" }),
        check("middle", Effect.never, { timeout: "60 millis" }),
        check("late", Effect.as(Effect.promise(() => lateMay), Outcome.pass("answered")), { timeout: "1500 millis" })
      ]),
      {
        concurrency: 3,
        onEvent: (event) => {
          if (event.type === "finish" && event.item.id === "acme.api.middle") releaseLate()
        }
      }
    )
    expect(report.items.map((i) => [i.id, i.status, i.message])).toEqual([
      ["acme.api.first", "error", "timed out after 10ms"],
      ["acme.api.middle", "error", "timed out after 60ms"],
      ["acme.api.late", "pass", "answered"]
    ])
  })

  it("an item the run never finished is reported as unfinished, whichever position it has", async () => {
    const report = await Runner.runPromise(gateOf([check("never", Effect.never), check("quick")]), {
      deadline: "50 millis",
      concurrency: 1
    })
    expect(report.items.map((i) => [i.id, i.status, i.message])).toEqual([
      ["acme.api.never", "error", "did not finish: overall deadline of 50ms exceeded"],
      ["acme.api.quick", "error", "did not finish: overall deadline of 50ms exceeded"]
    ])
  })
})

describe("Runner: the run's set-up and the launch scope when the run stopped", () => {

  it("a setup that resolves to nothing (no layer, no teardown) is a setup like any other", async () => {
    const report = await Runner.runPromise(gateOf([check("a")], {
      setup: (async () => undefined) as unknown as Gate.SetupFunction
    }))
    expect(statuses(report)).toEqual({ a: "pass" })
    expect(report.run.notes).toBeUndefined()
  })

  it("stopped while the setup ran: even a local launch scope is not read, and the report says the run stopped", async () => {
    const report = await Runner.runPromise(
      gateOf([check("a")], { setup: () => Effect.never, launchScope: scoped(Effect.succeed(summary), { local: true }) }),
      { deadline: "50 millis" }
    )
    expect(report.launchScope?.error).toBe("not read: the run stopped (overall deadline of 50ms exceeded)")
  })

  it("stopped while checks ran: not read, and says the run stopped; after fail-fast it is still read", async () => {
    const stopped = await Runner.runPromise(
      gateOf([check("a", Effect.never)], { launchScope: scoped(Effect.never) }),
      { deadline: "50 millis", checkTimeout: "30 seconds" }
    )
    expect(stopped.launchScope?.error).toBe("not read: the run stopped (overall deadline of 50ms exceeded)")

    const failedFast = await Runner.runPromise(
      gateOf([check("broken", Effect.succeed(Outcome.fail("broken"))), check("after", Effect.never)], {
        launchScope: scoped(Effect.succeed(summary))
      }),
      { failFast: true, concurrency: 1 }
    )
    expect(failedFast.run.interruptReason).toBe("fail-fast: acme.api.broken blocked the gate")
    expect(failedFast.launchScope).toMatchObject({ source: "task files", total: 1 })
    expect(failedFast.launchScope?.error).toBeUndefined()
  })

  it("a signal during the read gives the read up with the signal's reason", async () => {
    const controller = new AbortController()
    const read = Effect.zipRight(Effect.sync(() => controller.abort("SIGTERM")), Effect.never)
    const report = await Runner.runPromise(gateOf([check("a")], { launchScope: scoped(read) }), {
      signal: controller.signal,
      checkTimeout: "30 seconds"
    })
    expect(report.launchScope?.error).toBe("not read: interrupted: SIGTERM")
  })

  it("a read that takes real time (well within its timeout) is read, not given up", async () => {
    const report = await Runner.runPromise(
      gateOf([check("a")], { launchScope: scoped(Effect.as(Effect.sleep("40 millis"), summary)) }),
      { checkTimeout: "30 seconds" }
    )
    expect(report.launchScope?.error).toBeUndefined()
    expect(report.launchScope).toMatchObject({ total: 1 })
  })

  it("a run whose services failed says so, and lists no insecure origins", async () => {
    const broken = Layer.effectDiscard(Effect.fail(new Error("socket refused"))) as Layer.Layer<never>
    const report = await Runner.runPromise(gateOf([check("a")], { layer: broken as never }))
    expect(report.items[0]!.message).toBe("the gate's services could not be set up: socket refused")
    expect(report.run.insecureOrigins).toBeUndefined()
  })
})

describe("Runner.configurationErrorsOf: what counts, and what is one error", () => {
  const causeOf = (...errors: ReadonlyArray<unknown>) =>
    Effect.runSync(Effect.cause(Effect.all(errors.map((e) => Effect.fail(e)), { concurrency: "unbounded" })))

  it("the same message under two paths is two errors", () => {
    expect(Runner.configurationErrorsOf(causeOf(
      { reason: "config", path: "STRIPE_KEY", message: "is missing" },
      { reason: "config", path: "FIVETRAN_KEY", message: "is missing" }
    ))).toEqual([
      { path: "STRIPE_KEY", message: "is missing" },
      { path: "FIVETRAN_KEY", message: "is missing" }
    ])
  })

  it("failures that are not objects are not configuration errors (undefined included), nor is a non-string message", () => {
    expect(Runner.configurationErrorsOf(causeOf(undefined))).toEqual([])
    expect(Runner.configurationErrorsOf(causeOf(new Error("boom")))).toEqual([])
    expect(Runner.configurationErrorsOf(causeOf({ reason: "config", message: { length: 3 } }))).toEqual([
      { message: "configuration is invalid" }
    ])
  })
})
