import { it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { describe, expect } from "vitest"
import { Emulator } from "../src/emulator/index.js"
import { ZeroDowntime } from "../src/http.js"
import { Check, Gate, HttpTransport, Runner } from "../src/index.js"
import { site, type SiteState } from "./helpers/http.js"

const record = (sentAt: number, doneAt: number, kind: ZeroDowntime.ProbeRecord["kind"], detail = "200"): ZeroDowntime.ProbeRecord => ({
  sentAt,
  doneAt,
  kind,
  detail
})

describe("ZeroDowntime.summarise and evaluate", () => {
  it.effect("counts failures by kind and finds the longest window without a successful response, edges included", () =>
    Effect.sync(() => {
      const records = [
        record(0, 5, "ok"),
        record(20, 24, "ok"),
        record(40, 41, "reset", "ECONNREFUSED"),
        record(60, 61, "reset", "UND_ERR_SOCKET"),
        record(80, 280, "timeout", "Timeout"),
        record(100, 103, "status", "503"),
        record(120, 126, "ok"),
        record(140, 150, "other", "EAI_AGAIN"),
        record(160, 165, "ok")
      ]
      const result = ZeroDowntime.summarise("http://u:p@127.0.0.1/h?token=abcdef", records, 0, 180, 50)
      expect(result).toMatchObject({
        total: 9,
        succeeded: 4,
        failures: { status: 1, reset: 2, timeout: 1, other: 1 },
        errorRate: 5 / 9,
        longestGapMs: 102,
        longestGap: { fromMs: 24, toMs: 126 },
        durationMs: 180,
        failuresByDetail: { ECONNREFUSED: 1, UND_ERR_SOCKET: 1, Timeout: 1, "503": 1, EAI_AGAIN: 1 }
      })
      expect(result.url).not.toContain("abcdef")
      expect(result.failureSamples[0]).toEqual({ atMs: 40, kind: "reset", detail: "ECONNREFUSED" })
      // Nothing succeeded: the whole probe is one gap.
      expect(ZeroDowntime.summarise("http://x/", [record(0, 1, "reset")], 0, 500, 20).longestGapMs).toBe(500)
      // Down at the start: the gap runs from the start to the first success.
      expect(ZeroDowntime.summarise("http://x/", [record(0, 1, "reset"), record(300, 302, "ok")], 0, 320, 20).longestGapMs).toBe(302)
    }))

  it.effect("evaluate: within the error budget passes, over it fails, a failed operation or an empty probe cannot decide", () =>
    Effect.sync(() => {
      const records = (failed: number) =>
        Array.from({ length: 100 }, (_, i) => record(i * 10, i * 10 + 2, i < failed ? "status" : "ok", i < failed ? "503" : "200"))
      const result = (failed: number) => ZeroDowntime.summarise("http://x/", records(failed), 0, 1000, 100)
      expect(ZeroDowntime.evaluate(result(0)).status).toBe("pass")
      expect(ZeroDowntime.evaluate(result(1))).toMatchObject({ status: "fail", evidence: { observed: { failed: 1 } } })
      expect(ZeroDowntime.evaluate(result(1), { errorBudget: 0.01 }).status).toBe("pass")
      expect(ZeroDowntime.evaluate(result(2), { errorBudget: 0.01 }).status).toBe("fail")
      expect(ZeroDowntime.evaluate(result(0), { maxGap: "5 millis" }).status).toBe("fail")
      expect(ZeroDowntime.evaluate({ ...result(0), during: Exit.fail("deploy rejected") })).toMatchObject({
        status: "error",
        evidence: { during: { outcome: "failure" } }
      })
      // Downtime seen is an answer even when the operation failed too.
      expect(ZeroDowntime.evaluate({ ...result(3), during: Exit.fail("deploy rejected") }).status).toBe("fail")
      expect(ZeroDowntime.evaluate(ZeroDowntime.summarise("http://x/", [], 0, 0, 20)).status).toBe("error")
    }))
})

describe("ZeroDowntime.probe against loopback servers", () => {
  // Speed-independent: counts and the order of events (the servers' logs, when the outage began and
  // ended), never how many requests a machine managed per second. Rates and timing live in bench/.
  it.live("detects a 1-second outage: failures are resets inside the outage, the longest gap covers it", () =>
    Effect.gen(function*() {
      const first = yield* Effect.promise(() => Emulator.start(site))
      let second: Emulator.Running<SiteState> | undefined
      // closed: the first server is gone; restarting: the second is about to listen.
      const outage = { closing: 0, closed: 0, restarting: 0, restarted: 0 }
      const restart = Effect.gen(function*() {
        yield* Effect.sleep("500 millis")
        outage.closing = Date.now()
        yield* Effect.promise(() => first.close())
        outage.closed = Date.now()
        yield* Effect.sleep("1 second")
        outage.restarting = Date.now()
        second = yield* Effect.promise(() => Emulator.start(site, { port: first.port }))
        outage.restarted = Date.now()
        return "restarted"
      })
      // A per-request timeout far above any loopback answer, so a slow machine shows no `timeout` failures.
      const result = yield* ZeroDowntime.probe({
        url: `${first.url}/healthz`,
        ratePerSecond: 50,
        during: restart,
        settle: "500 millis",
        requestTimeout: "20 seconds"
      }).pipe(Effect.provide(HttpTransport.layer()))
      yield* Effect.promise(() => second!.close())

      const failed = result.total - result.succeeded
      const answered = [...first.log, ...second!.log].filter((e) => e.status === 200).length
      const started = Date.parse(result.startedAt)
      // Requests were sent before, during and after the outage, and the ones during it failed.
      expect(failed).toBeGreaterThan(0)
      expect(result.succeeded).toBeGreaterThan(0)
      expect(first.log.length).toBeGreaterThan(0)
      expect(second!.log.length).toBeGreaterThan(0)
      expect(result.failures.status + result.failures.timeout + result.failures.other).toBe(0)
      expect(result.failures.reset).toBe(failed)
      // Every success was answered by a server (the servers' logs are the witness).
      expect(result.succeeded).toBeLessThanOrEqual(answered)
      // No failure was sent after the second server listened.
      for (const f of result.failureSamples) expect(started + f.atMs).toBeLessThanOrEqual(outage.restarted)
      // The longest window without a success spans the middle of the outage (500 ms of slack either side).
      const middle = (outage.closed + outage.restarting) / 2
      expect(started + result.longestGap.fromMs).toBeLessThanOrEqual(middle)
      expect(started + result.longestGap.toMs).toBeGreaterThanOrEqual(middle)
      expect(result.during).toEqual(Exit.succeed("restarted"))

      const outcome = ZeroDowntime.evaluate(result)
      expect(outcome.status).toBe("fail")
      expect(outcome.message).toMatch(/\d+ of \d+ requests failed .*\d+ reset/)
      expect(outcome.remediation).toBeDefined()
    }))

  it.live("reports zero failures against a server that swaps handlers without dropping connections", () =>
    Effect.gen(function*() {
      const emu = yield* Effect.promise(() => Emulator.start(site))
      emu.state.pages.set("/healthz", { json: { version: 1 } })
      let connectionsDuringSwap = 0
      const swap = Effect.gen(function*() {
        yield* Effect.sleep("300 millis")
        connectionsDuringSwap = emu.connections()
        emu.state.pages.set("/healthz", () => ({ json: { version: 2 } }))
        yield* Effect.sleep("300 millis")
      })
      const result = yield* ZeroDowntime.probe({
        url: `${emu.url}/healthz`,
        ratePerSecond: 50,
        during: swap,
        settle: "200 millis",
        requestTimeout: "20 seconds"
      })
        .pipe(Effect.provide(HttpTransport.layer()))
      yield* Effect.promise(() => emu.close())

      expect(result).toMatchObject({ failures: { status: 0, reset: 0, timeout: 0, other: 0 }, errorRate: 0 })
      expect(result.total).toBeGreaterThan(0)
      expect(result.succeeded).toBe(result.total)
      // One attempt per probe request: the server saw exactly what the probe sent.
      expect(emu.log).toHaveLength(result.total)
      expect(connectionsDuringSwap).toBeGreaterThan(0)
      expect(ZeroDowntime.evaluate(result).status).toBe("pass")
    }))

  it.live("never retries: each status failure and each timeout is one request, classified", () =>
    Effect.gen(function*() {
      const emu = yield* Effect.promise(() => Emulator.start(site))
      emu.faults.next({ kind: "status", status: 503 }, { times: 3 })
      // ~40 requests in a second; the three faults need only the first three.
      const statusRun = yield* ZeroDowntime.probe({ url: `${emu.url}/h`, ratePerSecond: 40, duration: "1 second", requestTimeout: "20 seconds" })
      expect(statusRun.failures).toEqual({ status: 3, reset: 0, timeout: 0, other: 0 })
      expect(statusRun.failuresByDetail).toEqual({ "503": 3 })
      expect(emu.log).toHaveLength(statusRun.total)

      emu.clearLog()
      // The two hung requests never answer; every other one has 2 s, hundreds of times what loopback needs.
      emu.faults.next({ kind: "hang" }, { times: 2 })
      const timeoutRun = yield* ZeroDowntime.probe({ url: `${emu.url}/h`, ratePerSecond: 40, duration: "300 millis", requestTimeout: "2 seconds" })
      expect(timeoutRun.failures.timeout).toBe(2)
      expect(timeoutRun.total - timeoutRun.succeeded).toBe(2)
      expect(timeoutRun.during).toBeUndefined()
      // A custom notion of success: 404 is fine for this probe.
      const notFound = yield* ZeroDowntime.probe({ url: `${emu.url}/h`, ratePerSecond: 40, duration: "100 millis", expect: (s) => s === 404 })
      expect(notFound.failures.status).toBe(notFound.total)
      yield* Effect.promise(() => emu.close())
    }).pipe(Effect.provide(HttpTransport.layer())))

  it.live("check: rollout category, active with `during`, a timeout that covers the probe, and a pass through the runner", () =>
    Effect.gen(function*() {
      const emu = yield* Effect.promise(() => Emulator.start(site))
      const passive = ZeroDowntime.check({ id: "acme.api.zero-downtime", title: "API stays up", surface: "acme.api", url: `${emu.url}/h`, duration: "300 millis", ratePerSecond: 30 })
      expect(passive).toMatchObject({ category: "rollout", active: false })
      expect(passive.timeout?.value).toEqual({ _tag: "Millis", millis: 300 + 2_000 + 5_000 })
      const active = ZeroDowntime.check({ id: "acme.api.deploy", url: emu.url, during: Effect.void })
      expect(active).toMatchObject({ active: true, surface: `http.127.0.0.1:${emu.port}`, timeout: undefined })

      const report = yield* Runner.run(Gate.make({
        name: "zero-downtime",
        items: [{ check: passive, tier: "launch-critical", owner: "platform" }],
        rollback: { "acme.api": { procedure: "roll back" } }
      }))
      expect(report.items[0]).toMatchObject({ status: "pass", category: "rollout" })
      expect(report.items[0]!.evidence).toMatchObject({ failures: { status: 0, reset: 0, timeout: 0, other: 0 } })

      const failing = ZeroDowntime.check({ id: "acme.api.zero-downtime", url: `${emu.url}/h`, duration: "200 millis", during: Effect.fail("rollout aborted") })
      const outcome = yield* Check.runSafely(failing).pipe(Effect.provide(HttpTransport.layer()))
      expect(outcome.status).toBe("error")
      yield* Effect.promise(() => emu.close())
    }))
})
