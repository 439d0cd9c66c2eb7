import { it as effectIt } from "@effect/vitest"
import { Context, Duration, Effect, Fiber, Layer, TestClock } from "effect"
import { describe, expect, it } from "vitest"
import { Check, Gate, Outcome, Runner } from "../src/index.js"

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const timed = (id: string, ms: number, status: Outcome.Status = "pass", log?: Array<string>) =>
  Check.fromAsync({
    id,
    title: id,
    surface: "acme.api",
    category: "capacity",
    run: async ({ signal }) => {
      log?.push(`start ${id}`)
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, ms)
        signal.addEventListener("abort", () => {
          clearTimeout(t)
          log?.push(`abort ${id}`)
          reject(new Error("aborted"))
        })
      })
      log?.push(`end ${id}`)
      return Outcome.fromStatus(status, `${id} ${status}`)
    }
  })

const gateOf = (checks: ReadonlyArray<Check.Check<any>>, extra: Partial<Gate.Input<any>> = {}) =>
  Gate.make({
    name: "runner",
    items: checks.map((check) => ({ check, tier: "launch-critical" as const, owner: "platform" })),
    rollback: { "acme.api": { procedure: "roll back" } },
    ...extra
  })

describe("Runner", () => {
  it("bounds concurrency", async () => {
    let running = 0
    let peak = 0
    const checks = Array.from({ length: 12 }, (_, i) =>
      Check.fromAsync({
        id: `acme.api.c${i}`,
        title: `c${i}`,
        surface: "acme.api",
        category: "capacity",
        run: async () => {
          running++
          peak = Math.max(peak, running)
          await sleep(20)
          running--
          return Outcome.pass("ok")
        }
      }))
    const report = await Runner.runPromise(gateOf(checks), { concurrency: 3 })
    expect(peak).toBe(3)
    expect(report.items.every((i) => i.status === "pass")).toBe(true)

    // The default: 64 at once. Each check holds its worker until 64 run together (or 10 s pass, which only a
    // runner allowing fewer would need), so the peak does not depend on the machine's speed.
    let runningNow = 0
    let peakNow = 0
    let release: () => void = () => {}
    const all64 = new Promise<void>((resolve) => (release = resolve))
    const safety = setTimeout(release, 10_000)
    const many = Array.from({ length: 80 }, (_, i) =>
      Check.fromAsync({
        id: `acme.api.d${i}`,
        title: `d${i}`,
        surface: "acme.api",
        category: "capacity",
        run: async () => {
          runningNow++
          peakNow = Math.max(peakNow, runningNow)
          if (runningNow === 64) release()
          await all64
          runningNow--
          return Outcome.pass("ok")
        }
      }))
    const defaults = await Runner.runPromise(gateOf(many))
    clearTimeout(safety)
    expect(peakNow).toBe(64) // the default
    expect(defaults.items.every((i) => i.status === "pass")).toBe(true)
  })

  it("keeps the gate's order whatever finishes first", async () => {
    const log: Array<string> = []
    // The first item finishes only after the second has (no timing race: it waits for it).
    let fastDone: () => void = () => {}
    const fastFinished = new Promise<void>((resolve) => (fastDone = resolve))
    const make = (id: string, run: () => Promise<void>) =>
      Check.fromAsync({ id, title: id, surface: "acme.api", category: "capacity", run: async () => {
        await run()
        log.push(`end ${id}`)
        return Outcome.pass(id)
      } })
    const slow = make("acme.api.slow", () => fastFinished)
    const fast = make("acme.api.fast", async () => void setTimeout(fastDone, 1))
    const report = await Runner.runPromise(gateOf([slow, fast]))
    expect(log).toEqual(["end acme.api.fast", "end acme.api.slow"])
    expect(report.items.map((i) => i.id)).toEqual(["acme.api.slow", "acme.api.fast"])
  })

  it("times out a check that hangs, as error, and aborts its signal", async () => {
    const log: Array<string> = []
    const report = await Runner.runPromise(gateOf([timed("acme.api.hang", 10_000, "pass", log), timed("acme.api.ok", 1)]), {
      checkTimeout: "50 millis"
    })
    expect(report.items[0]).toMatchObject({ status: "error", disposition: "blocking", evidence: { timeoutMs: 50 } })
    expect(report.items[0]!.message).toContain("timed out after")
    expect(log).toContain("abort acme.api.hang")
    expect(report.items[1]!.status).toBe("pass")
    expect(report.verdict).toBe("blocked")
  })

  it("a check's own timeout wins over the runner's default", async () => {
    const check = Check.timeout(timed("acme.api.slowish", 80), "1 second")
    const report = await Runner.runPromise(gateOf([check]), { checkTimeout: "20 millis" })
    expect(report.items[0]!.status).toBe("pass")
  })

  it("turns throws, defects, failures and garbage into error, never pass", async () => {
    const throws = Check.fromAsync({ id: "acme.api.throws", title: "t", surface: "acme.api", category: "capacity", run: () => {
      throw new TypeError("cannot read properties of undefined")
    } })
    const dies = Check.make({ id: "acme.api.dies", title: "d", surface: "acme.api", category: "capacity", run: Effect.die("defect") })
    const fails = Check.make({ id: "acme.api.fails", title: "f", surface: "acme.api", category: "capacity", run: Effect.fail({ _tag: "AuthError", message: "401 from upstream", remediation: "grant roles/viewer" }) })
    const garbage = Check.fromAsync({ id: "acme.api.garbage", title: "g", surface: "acme.api", category: "capacity", run: async () => ({ ok: true }) as unknown as Outcome.Outcome })
    const report = await Runner.runPromise(gateOf([throws, dies, fails, garbage]))
    expect(report.items.map((i) => i.status)).toEqual(["error", "error", "error", "error"])
    expect(report.items[0]!.message).toContain("cannot read properties of undefined")
    expect(report.items[2]!.remediation).toBe("grant roles/viewer")
    expect(report.items[2]!.evidence).toMatchObject({ error: { tag: "AuthError" } })
    expect(report.items[3]!.message).toContain("not a valid outcome")
    expect(report.verdict).toBe("blocked")
  })

  it("interrupting (AbortSignal) cancels checks in flight and still produces a report marked interrupted", async () => {
    const log: Array<string> = []
    const controller = new AbortController()
    const pending = Runner.runPromise(gateOf([timed("acme.api.quick", 1, "pass", log), timed("acme.api.long", 5_000, "pass", log)]), {
      signal: controller.signal
    })
    // Abort once the quick check is done and the long one is running (no fixed sleep: machines differ in speed).
    while (!(log.includes("end acme.api.quick") && log.includes("start acme.api.long"))) await sleep(5)
    controller.abort("SIGINT")
    const report = await pending
    expect(report.run.interrupted).toBe(true)
    expect(report.run.interruptReason).toBe("interrupted: SIGINT")
    expect(report.items[0]!.status).toBe("pass")
    expect(report.items[1]).toMatchObject({ status: "error", disposition: "blocking" })
    expect(report.items[1]!.message).toContain("did not finish")
    expect(log).toContain("abort acme.api.long")
    expect(report.verdict).toBe("blocked")
    expect(report.reasons[0]).toBe("run interrupted: SIGINT")
  })

  it("an overall deadline ends the run with unfinished checks as error", async () => {
    const report = await Runner.runPromise(gateOf([timed("acme.api.long", 5_000)]), { deadline: "60 millis" })
    expect(report.run.interrupted).toBe(true)
    expect(report.run.interruptReason).toContain("overall deadline")
    expect(report.items[0]!.status).toBe("error")
  })

  it("fail-fast stops at the first blocking result and skips the rest", async () => {
    const report = await Runner.runPromise(
      gateOf([timed("acme.api.bad", 1, "fail"), timed("acme.api.slow", 2_000)]),
      { failFast: true }
    )
    expect(report.items[0]!.disposition).toBe("blocking")
    expect(report.items[1]!.status).toBe("skip")
    expect(report.items[1]!.message).toContain("fail-fast")
    expect(report.run.interrupted).toBe(false)
    expect(report.verdict).toBe("blocked")
  })

  it("skips a dependent, with the reason, when its prerequisite did not pass; runs it after a pass", async () => {
    const log: Array<string> = []
    const base = timed("acme.api.base", 30, "fail", log)
    const ok = timed("acme.api.ok", 1, "pass", log)
    const dependent = Check.dependsOn(timed("acme.api.dependent", 1, "pass", log), [base])
    const afterOk = Check.dependsOn(timed("acme.api.after-ok", 1, "pass", log), [ok])
    const report = await Runner.runPromise(gateOf([dependent, base, afterOk, ok]))
    expect(report.items[0]).toMatchObject({ id: "acme.api.dependent", status: "skip", evidence: { prerequisite: "acme.api.base", prerequisiteStatus: "fail" } })
    expect(log).not.toContain("start acme.api.dependent")
    expect(report.items[2]!.status).toBe("pass")
    expect(log.indexOf("start acme.api.after-ok")).toBeGreaterThan(log.indexOf("end acme.api.ok"))
  })

  it("a prerequisite that warns is met: its failing launch-critical dependent still runs and blocks", async () => {
    const log: Array<string> = []
    const base = timed("acme.api.base", 1, "warn", log)
    const dependent = Check.dependsOn(timed("acme.api.dependent", 1, "fail", log), [base])
    const report = await Runner.runPromise(gateOf([base, dependent]))
    expect(log).toContain("end acme.api.dependent")
    expect(report.items[0]).toMatchObject({ id: "acme.api.base", status: "warn", disposition: "warning" })
    expect(report.items[1]).toMatchObject({ id: "acme.api.dependent", status: "fail", disposition: "blocking" })
    expect(report.verdict).toBe("blocked")
  })

  it("an active check allowed only by the run's allowActive list of ids runs, fails and blocks", async () => {
    let triggered = 0
    const drill = Check.fromAsync({ id: "acme.api.drill", title: "drill", surface: "acme.api", category: "rollback", active: true, run: async () => {
      triggered++
      return Outcome.fail("rollback drill failed", { observed: "500", expected: "200" })
    } })
    const other = Check.fromAsync({ id: "acme.api.other-drill", title: "other", surface: "acme.api", category: "rollback", active: true, run: async () => {
      triggered++
      return Outcome.pass("drilled")
    } })
    // Neither the gate nor the item allows it: only the run-level list does, and only for the first id.
    const report = await Runner.runPromise(gateOf([drill, other]), { allowActive: ["acme.api.drill"] })
    expect(triggered).toBe(1)
    expect(report.items[0]).toMatchObject({ id: "acme.api.drill", status: "fail", disposition: "blocking" })
    expect(report.items[1]).toMatchObject({ id: "acme.api.other-drill", status: "skip" })
    expect(report.verdict).toBe("blocked")
  })

  it("skips active checks unless the gate (or the run) allows them", async () => {
    let triggered = 0
    const active = Check.fromAsync({ id: "acme.api.drill", title: "drill", surface: "acme.api", category: "rollback", active: true, run: async () => {
      triggered++
      return Outcome.pass("drilled")
    } })
    const report = await Runner.runPromise(gateOf([active]))
    expect(report.items[0]!.status).toBe("skip")
    expect(report.items[0]!.remediation).toContain("allowActive")
    expect(triggered).toBe(0)

    expect((await Runner.runPromise(gateOf([active], { allowActive: ["acme.api.drill"] }))).items[0]!.status).toBe("pass")
    expect((await Runner.runPromise(gateOf([active]), { allowActive: true })).items[0]!.status).toBe("pass")
    const perItem = Gate.make({ name: "g", items: [{ check: active, tier: "launch-adjacent", owner: "p", allowActive: true }] })
    expect((await Runner.runPromise(perItem)).items[0]!.status).toBe("pass")
    expect(triggered).toBe(3)
  })

  it("runs rollback verification checks as launch-critical items", async () => {
    const verify = timed("acme.flags.checkout-off", 1, "fail")
    const gate = Gate.make({
      name: "g",
      items: [{ check: timed("acme.api.ok", 1), tier: "launch-critical", owner: "p" }],
      rollback: { "acme.api": { procedure: "flip the flag", killSwitch: "checkout flag", owner: "billing", verify } }
    })
    const report = await Runner.runPromise(gate)
    expect(report.items[1]).toMatchObject({ id: "acme.flags.checkout-off", tier: "launch-critical", owner: "billing", rollbackOf: "acme.api", disposition: "blocking" })
    expect(report.rollback[0]).toMatchObject({ surface: "acme.api", verify: "acme.flags.checkout-off", killSwitch: "checkout flag" })
    expect(report.verdict).toBe("blocked")
  })

  it("provides the gate's layer once per run, shared by every check", async () => {
    class Counter extends Context.Tag("test/Counter")<Counter, { readonly id: number }>() {}
    let built = 0
    const layer = Layer.sync(Counter, () => ({ id: ++built }))
    const seen: Array<number> = []
    const uses = (id: string) =>
      Check.make({ id, title: id, surface: "acme.api", category: "capacity", run: Effect.map(Counter, (c) => {
        seen.push(c.id)
        return Outcome.pass("ok")
      }) })
    const gate = Gate.make({ name: "g", items: [uses("acme.api.a"), uses("acme.api.b"), uses("acme.api.c")].map((check) => ({ check, tier: "post-launch" as const, owner: "p" })), layer })
    await Runner.runPromise(gate)
    expect(built).toBe(1)
    expect(seen).toEqual([1, 1, 1])
    await Runner.runPromise(gate)
    expect(built).toBe(2)
  })

  it("a layer that cannot be built makes every item error (fail closed)", async () => {
    class Client extends Context.Tag("test/Client")<Client, object>() {}
    const layer = Layer.fail({ _tag: "ConfigError", message: "FIVETRAN_API_KEY is missing" })
    const check = Check.make({ id: "acme.api.a", title: "a", surface: "acme.api", category: "capacity", run: Effect.as(Client, Outcome.pass("ok")) })
    const report = await Runner.runPromise(gateOf([check], { layer: layer as unknown as Layer.Layer<Client> }))
    expect(report.items[0]!.status).toBe("error")
    expect(report.items[0]!.message).toContain("FIVETRAN_API_KEY is missing")
    expect(report.verdict).toBe("blocked")
  })

  it("a layer that dies (a defect, e.g. a throw on bad options) also makes every item error", async () => {
    class Client extends Context.Tag("test/Client2")<Client, object>() {}
    const layer = Layer.effect(Client, Effect.sync(() => {
      throw new Error("insecureOrigins[1]: expected an origin URL")
    }))
    const check = Check.make({ id: "acme.api.a", title: "a", surface: "acme.api", category: "capacity", run: Effect.as(Client, Outcome.pass("ok")) })
    const report = await Runner.runPromise(gateOf([check], { layer }))
    expect(report.items[0]!.status).toBe("error")
    expect(report.items[0]!.message).toContain("insecureOrigins[1]")
  })

  it("provides the run context (gate name and environment) to checks", async () => {
    const check = Check.make({ id: "acme.api.env", title: "env", surface: "acme.api", category: "capacity", run: Effect.map(Gate.RunContext, (ctx) => Outcome.pass(`${ctx.gate} in ${ctx.environment}`)) })
    const report = await Runner.runPromise(gateOf([check], { environment: "staging" }))
    expect(report.items[0]!.message).toBe("runner in staging")
  })

  it("reports progress events and run metadata", async () => {
    const events: Array<Runner.Event["type"]> = []
    const report = await Runner.runPromise(gateOf([timed("acme.api.a", 1), timed("acme.api.b", 1)]), {
      onEvent: (e) => events.push(e.type),
      now: new Date("2026-01-01T00:00:00Z")
    })
    expect(events.filter((e) => e === "start")).toHaveLength(2)
    expect(events.filter((e) => e === "finish")).toHaveLength(2)
    expect(report.run.startedAt.startsWith("2026-01-01T00:00:0")).toBe(true)
    expect(report.run.launchgateVersion).toMatch(/^\d+\.\d+\.\d+/)
    expect(report.run.nodeVersion).toBe(process.version)
    expect(Runner.exitCode(report)).toBe(0)
  })
})

describe("Runner with Effect's TestClock", () => {
  effectIt.effect("time comes from Effect's Clock: a pinned clock decides deferral expiry", () =>
    Effect.gen(function*() {
      const failing = Check.make({ id: "acme.api.x", title: "x", surface: "acme.api", category: "capacity", run: Effect.succeed(Outcome.fail("no")) })
      const gate = gateOf([failing], {
        deferrals: [{ check: "acme.api.x", owner: "o", reason: "r", risk: "r", followUp: "T-1", expires: "1970-01-10" }]
      })
      const early = yield* Runner.run(gate)
      expect(early.verdict).toBe("ready")
      yield* TestClock.adjust(Duration.days(10))
      const late = yield* Runner.run(gate)
      expect(late.verdict).toBe("blocked")
      expect(late.deferrals[0]!.state).toBe("expired")
    }))

  effectIt.effect("a timeout is virtual time under TestClock", () =>
    Effect.gen(function*() {
      const hang = Check.make({ id: "acme.api.hang", title: "h", surface: "acme.api", category: "capacity", run: Effect.never })
      const fiber = yield* Effect.fork(Runner.run(gateOf([hang]), { checkTimeout: "30 seconds" }))
      yield* TestClock.adjust("31 seconds")
      const report = yield* Fiber.join(fiber)
      expect(report.items[0]!.status).toBe("error")
      expect(report.items[0]!.message).toContain("timed out after 30s")
    }))
})
