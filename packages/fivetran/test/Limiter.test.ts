/**
 * The in-flight limiter behind every Fivetran request: at most N at once, first come first served, and a
 * permit handed on lets its new holder go first (issue 13).
 */
import { it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import { describe, expect } from "vitest"
import * as Limiter from "../src/internal/limiter.js"

describe("the Fivetran in-flight limiter", () => {
  it.effect("serves waiters in arrival order and never holds more than its permits", () =>
    Effect.gen(function*() {
      const limiter = Limiter.make(2)
      const gates = yield* Effect.forEach([0, 1, 2, 3, 4], () => Deferred.make<void>())
      const started: Array<number> = []
      let inFlight = 0
      let most = 0
      const fibers = yield* Effect.forEach(gates, (gate, i) =>
        Effect.fork(limiter.withPermit(Effect.gen(function*() {
          started.push(i)
          most = Math.max(most, ++inFlight)
          yield* Deferred.await(gate)
          inFlight--
        }))))
      yield* Effect.yieldNow()
      expect(started).toEqual([0, 1])
      expect(limiter.waiting()).toBe(3)
      // Finish them out of order: the queue still goes 2, 3, 4.
      for (const i of [1, 0, 3, 2, 4]) {
        yield* Deferred.succeed(gates[i]!, undefined)
        yield* Effect.yieldNow()
        yield* Effect.yieldNow()
      }
      yield* Fiber.joinAll(fibers)
      expect(started).toEqual([0, 1, 2, 3, 4])
      expect(most).toBe(2)
      expect(limiter.free()).toBe(2)
    }))

  it.effect("a permit handed on: the waiter starts before the releasing fibre goes on", () =>
    Effect.gen(function*() {
      const limiter = Limiter.make(1)
      const order: Array<string> = []
      const release = yield* Deferred.make<void>()
      const first = yield* Effect.fork(
        limiter.withPermit(Deferred.await(release)).pipe(Effect.tap(() => Effect.sync(() => order.push("first goes on"))))
      )
      yield* Effect.yieldNow()
      const second = yield* Effect.fork(limiter.withPermit(Effect.sync(() => order.push("second sends"))))
      yield* Effect.yieldNow()
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(first)
      yield* Fiber.join(second)
      expect(order).toEqual(["second sends", "first goes on"])
    }))

  it.effect("with nobody waiting, a release frees the permit and the holder goes on at once", () =>
    Effect.gen(function*() {
      const limiter = Limiter.make(1)
      yield* limiter.withPermit(Effect.void)
      expect(limiter.free()).toBe(1)
      // An interrupted waiter leaves the line; a failing holder still releases.
      const failed = yield* Effect.either(limiter.withPermit(Effect.fail("boom")))
      expect(failed._tag).toBe("Left")
      expect(limiter.free()).toBe(1)
    }))
})
