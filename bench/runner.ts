// Runner overhead: how long the runner itself takes for gates of many trivial checks,
// and how concurrency changes a gate of I/O-bound checks.
import { Check, Gate, Outcome, Runner } from "@launchgate/core"

const trivial = (n: number) =>
  Gate.make({
    name: `bench-${n}`,
    items: Array.from({ length: n }, (_, i) => ({
      check: Check.fromAsync({ id: `bench.x.c${i}`, title: `c${i}`, surface: "bench.x", category: "capacity", run: () => Outcome.pass("ok", { observed: i }) }),
      tier: "launch-adjacent" as const,
      owner: "bench"
    }))
  })

const io = (n: number, ms: number) =>
  Gate.make({
    name: `io-${n}`,
    items: Array.from({ length: n }, (_, i) => ({
      check: Check.fromAsync({ id: `bench.io.c${i}`, title: `c${i}`, surface: "bench.io", category: "capacity", run: () => new Promise((r) => setTimeout(() => r(Outcome.pass("ok")), ms)) }),
      tier: "launch-adjacent" as const,
      owner: "bench"
    }))
  })

export const main = async () => {
  for (const n of [10, 100, 1000]) {
    const gate = trivial(n)
    await Runner.runPromise(gate) // warm-up
    const runs = 5
    const start = performance.now()
    for (let i = 0; i < runs; i++) await Runner.runPromise(gate)
    const ms = (performance.now() - start) / runs
    console.log(`runner overhead: ${n} trivial checks in ${ms.toFixed(1)} ms (${((ms * 1000) / n).toFixed(0)} µs per check)`)
  }
  for (const concurrency of [1, 8, 32]) {
    const start = performance.now()
    await Runner.runPromise(io(64, 20), { concurrency })
    console.log(`64 checks of 20 ms I/O at concurrency ${concurrency}: ${(performance.now() - start).toFixed(0)} ms`)
  }
}
