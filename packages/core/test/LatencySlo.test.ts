import { it } from "@effect/vitest"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { LatencySlo } from "../src/http.js"
import { Check } from "../src/index.js"
import { fastTransport, siteScoped } from "./helpers/http.js"

const ok = (durationMs: number): LatencySlo.Sample => ({ ok: true, status: 200, durationMs })

describe("LatencySlo", () => {
  it.effect("percentiles are nearest-rank over the successful samples", () =>
    Effect.sync(() => {
      const values = Array.from({ length: 100 }, (_, i) => i + 1)
      expect(LatencySlo.percentile(values, 50)).toBe(50)
      expect(LatencySlo.percentile(values, 95)).toBe(95)
      expect(LatencySlo.percentile(values, 99)).toBe(99)
      expect(LatencySlo.percentile([7], 99)).toBe(7)
      expect(LatencySlo.percentile([], 50)).toBeUndefined()
      const summary = LatencySlo.summarise([ok(10), ok(30), ok(20), { ok: false, error: "status 503" }, { ok: false, error: "Timeout" }])
      expect(summary).toMatchObject({ samples: 5, errors: 2, p50: 20, p99: 30, min: 10, max: 30, mean: 20, errorKinds: { "status 503": 1, Timeout: 1 } })
    }))

  it.effect("evaluate: pass under the threshold, warn near it, fail over it or on too many errors, error with no success", () =>
    Effect.sync(() => {
      const samples = [...Array.from({ length: 19 }, () => ok(10)), ok(90)]
      expect(LatencySlo.evaluate(samples, { threshold: "100 millis" }).status).toBe("pass")
      expect(LatencySlo.evaluate(samples, { threshold: "100 millis", percentile: 99, warnThreshold: "50 millis" }).status).toBe("warn")
      expect(LatencySlo.evaluate(samples, { threshold: "80 millis", percentile: 99 })).toMatchObject({ status: "fail", evidence: { observed: 90 } })
      // p95 of 20 samples is the 19th: 10 ms.
      expect(LatencySlo.evaluate(samples, { threshold: "80 millis", percentile: 95 }).status).toBe("pass")
      // The threshold is exclusive: "under" means under.
      expect(LatencySlo.evaluate([ok(100)], { threshold: "100 millis" }).status).toBe("fail")
      const withErrors = [...samples, { ok: false, error: "ECONNRESET" } as const]
      expect(LatencySlo.evaluate(withErrors, { threshold: "1 second" }).status).toBe("fail")
      expect(LatencySlo.evaluate(withErrors, { threshold: "1 second", maxErrors: 1 }).status).toBe("pass")
      expect(LatencySlo.evaluate([{ ok: false, error: "Timeout" }], { threshold: "1 second", maxErrors: 5 }).status).toBe("error")
    }))

  it.scopedLive("measures a real endpoint: passes when fast, fails when the emulator adds latency", () =>
    Effect.gen(function*() {
      const emu = yield* siteScoped()
      // Speed-independent: the pass needs a threshold no machine misses on loopback (30 s), and the fail
      // comes from latency the emulator injects (300 ms against a 100 ms threshold), which a slower
      // machine only makes larger. Measuring real speed belongs in bench/.
      const check = LatencySlo.make({ url: `${emu.url}/search`, samples: 12, concurrency: 3, threshold: "30 seconds", requestTimeout: "30 seconds" })
      expect(check).toMatchObject({ id: `http.127.0.0.1:${emu.port}.latency-p95`, category: "capacity" })
      const fast = yield* Check.runSafely(check)
      expect(fast.status).toBe("pass")
      expect(fast.evidence).toMatchObject({ samples: 12, errors: 0, percentile: 95, thresholdMs: 30_000 })
      expect(emu.requests({ path: "/search" })).toHaveLength(12)

      emu.clearLog()
      emu.faults.add({ fault: { kind: "latency", ms: 300 }, path: "/search" })
      const slow = yield* Check.runSafely(LatencySlo.make({ url: `${emu.url}/search`, samples: 6, concurrency: 3, warmup: 2, threshold: "100 millis", percentile: 50 }))
      expect(slow.status).toBe("fail")
      expect(slow.evidence["p50"]).toBeGreaterThanOrEqual(290)
      expect(emu.requests({ path: "/search" })).toHaveLength(8)
    }).pipe(Effect.provide(fastTransport())))

  it.scopedLive("counts failed requests as errors and never retries a sample", () =>
    Effect.gen(function*() {
      const emu = yield* siteScoped()
      emu.faults.next({ kind: "status", status: 503 }, { times: 2 })
      const outcome = yield* Check.runSafely(LatencySlo.make({ url: `${emu.url}/s`, samples: 10, concurrency: 1, threshold: "30 seconds" }))
      expect(outcome).toMatchObject({ status: "fail", evidence: { errors: 2, errorKinds: { "status 503": 2 } } })
      // Ten samples, ten requests: the 503s were not retried.
      expect(emu.requests({ path: "/s" })).toHaveLength(10)

      // One request hangs (never answers); the others have 2 s each, far more than loopback needs.
      emu.faults.next({ kind: "hang" }, { times: 1 })
      const timedOut = yield* Check.runSafely(LatencySlo.make({ url: `${emu.url}/t`, samples: 4, concurrency: 1, threshold: "30 seconds", requestTimeout: "2 seconds", maxErrors: 1 }))
      expect(timedOut).toMatchObject({ status: "pass", evidence: { errors: 1, errorKinds: { Timeout: 1 } } })
    }).pipe(Effect.provide(fastTransport())))
})
