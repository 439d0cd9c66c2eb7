/**
 * Long synchronous stretches (judging hundreds of connections) give pending I/O a turn between slices, and
 * the slicing changes nothing about the results.
 */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { inSlices } from "../src/internal/rule.js"
import { SLICE_MS, yieldIfBusy } from "../src/internal/yieldToIo.js"

/** Run on the CPU for at least `ms` (no timer involved: the stretch is at least this long, however slow the machine). */
const spin = (ms: number) => {
  const start = performance.now()
  while (performance.now() - start < ms) { /* busy */ }
}

describe("yieldIfBusy", () => {
  it("lets pending I/O (a setImmediate callback) run once the stretch has been busy", async () => {
    const order: Array<string> = []
    await Effect.runPromise(Effect.gen(function*() {
      yield* yieldIfBusy
      setImmediate(() => order.push("io"))
      spin(2 * SLICE_MS)
      order.push("busy")
      yield* yieldIfBusy
      order.push("after")
    }))
    expect(order).toEqual(["busy", "io", "after"])
  })
})

describe("inSlices", () => {
  it("maps every item once, with its index, in order, whatever the number of slices", async () => {
    for (const n of [0, 1, 24, 25, 26, 60, 201]) {
      const items = Array.from({ length: n }, (_, i) => `c${i}`)
      const calls: Array<number> = []
      const out = await Effect.runPromise(inSlices(items, (item, i) => {
        calls.push(i)
        return `${item}:${i}`
      }))
      expect(out).toEqual(items.map((item, i) => `${item}:${i}`))
      expect(calls).toEqual(items.map((_, i) => i))
    }
  })

  it("a throwing judgement is a defect of the check (never a pass)", async () => {
    const exit = await Effect.runPromiseExit(inSlices([1, 2, 3], (x) => {
      if (x === 2) throw new Error("boom")
      return x
    }))
    expect(exit._tag).toBe("Failure")
  })
})
