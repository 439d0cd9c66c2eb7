/**
 * The runner's scheduling (issue 13): fibre work runs in batches with the event loop's pending I/O between
 * them, so a check that judges for a long time does not hold back other checks' answers and requests. Step
 * counts, not times: the order of events is deterministic, the speed of the machine does not matter.
 */
import { it as effectIt } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { describe, expect, it, vi } from "vitest"
import { IoFirstScheduler, turnWith } from "../src/internal/ioFirstScheduler.js"
import { Outcome, Runner } from "../src/index.js"
import { check, gateOf } from "./helpers/runnerGates.js"

/** A check that takes `steps` scheduler turns (a yield each) and records, on `seen`, how far it got when an
 * event-loop callback registered at its start ran. */
const busy = (id: string, steps: number, seen: { at?: number }) =>
  check(id, Effect.gen(function*() {
    let done = 0
    setImmediate(() => {
      seen.at ??= done
    })
    for (; done < steps; done++) yield* Effect.yieldNow()
    return Outcome.pass(`${steps} steps`)
  }))

describe("the runner's scheduler", () => {
  it("lets the event loop in between batches: a busy check does not hold it for its whole run", async () => {
    const seen: { at?: number } = {}
    const report = await Runner.runPromise(gateOf([busy("busy", 3_000, seen)]))
    expect(report.items[0]).toMatchObject({ status: "pass", message: "3000 steps" })
    // Effect's own scheduler chains 2,048 microtask turns before the loop gets one: the callback would see
    // thousands of steps done. Here it runs after the first batch.
    expect(seen.at).toBeLessThanOrEqual(2)
  })

  it("outside a run (Effect's own scheduler), the same work holds the loop for thousands of turns", async () => {
    // The contrast that makes the test above mean something. Node 20 lets the callback in once Effect falls back to
    // a timer (after 2,048 turns); Node 22 and 24 run the whole loop first (the callback has not run when it ends).
    const seen: { at?: number } = {}
    await Effect.runPromise(busy("busy", 3_000, seen).run as Effect.Effect<Outcome.Outcome, unknown>)
    expect(seen.at ?? Number.POSITIVE_INFINITY).toBeGreaterThan(1_000)
  })

  it("keeps order and priority: lower priorities first, each in arrival order, and tasks queued meanwhile next turn", async () => {
    const scheduler = new IoFirstScheduler()
    const order: Array<string> = []
    await new Promise<void>((resolve) => {
      scheduler.scheduleTask(() => order.push("b0"), 1)
      scheduler.scheduleTask(() => {
        order.push("a0")
        scheduler.scheduleTask(() => {
          order.push("later")
          resolve()
        }, 0)
      }, 0)
      scheduler.scheduleTask(() => order.push("b1"), 1)
      scheduler.scheduleTask(() => order.push("a1"), 0)
      setImmediate(() => order.push("io"))
    })
    expect(order).toEqual(["a0", "a1", "b0", "b1", "io", "later"])
  })

  it("a test's fake timers (vitest fakes setImmediate by default) do not stop a run", async () => {
    vi.useFakeTimers()
    try {
      // No timer is advanced: batching is about order, not time, and must not wait for a faked clock.
      const report = await Runner.runPromise(gateOf([check("a"), check("b", undefined, { dependsOn: ["a"] })]))
      expect(report.items.map((i) => i.status)).toEqual(["pass", "pass"])
    } finally {
      vi.useRealTimers()
    }
  })

  it("when even the setImmediate it was given is fake, batches run as microtasks instead", async () => {
    vi.useFakeTimers()
    try {
      const scheduler = new IoFirstScheduler(turnWith(globalThis.setImmediate))
      const ran = await new Promise<string>((resolve) => scheduler.scheduleTask(() => resolve("ran"), 0))
      expect(ran).toBe("ran")
    } finally {
      vi.useRealTimers()
    }
  })

  effectIt.effect("under TestClock the run keeps Effect's scheduler, so TestClock.adjust drives its timeouts", () =>
    Effect.gen(function*() {
      const hang = check("hang", Effect.never, { timeout: "30 seconds" })
      const fiber = yield* Effect.fork(Runner.run(gateOf([hang])))
      yield* TestClock.adjust("31 seconds")
      const report = yield* Fiber.join(fiber)
      expect(report.items[0]).toMatchObject({ status: "error" })
      expect(report.items[0]!.message).toContain("timed out")
    }))
})
