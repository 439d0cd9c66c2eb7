/**
 * What the runner sets up around the checks: the gate's setup and teardown, the configuration preflight, and
 * each check's deadline (read by the transport). Emulators on loopback are the witnesses; no assertion depends
 * on the machine's speed.
 */
import { it as effectIt } from "@effect/vitest"
import { Config, Context, Duration, Effect, Fiber, Layer, Option, TestClock } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { Emulator } from "../src/emulator/index.js"
import { Check, Gate, HttpTransport, Outcome, Runner, VendorError } from "../src/index.js"

const def = Emulator.define<Record<string, never>>({
  name: "world",
  initialState: () => ({}),
  routes: [Emulator.route("GET", "/ok", () => ({ json: { ok: true } }))]
})

const running: Array<Emulator.Running<Record<string, never>>> = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()))
})

const gateOf = (checks: ReadonlyArray<Check.Check<any>>, extra: Partial<Gate.Input<any>> = {}) =>
  Gate.make({
    name: "world",
    items: checks.map((check) => ({ check, tier: "launch-critical" as const, owner: "platform" })),
    rollback: { "acme.api": { none: "fixture" } },
    ...extra
  })

/** A check that GETs `/ok` on the URL the gate's setup published. */
const getOk = (id: string) =>
  Check.make({
    id,
    title: id,
    surface: "acme.api",
    category: "monitoring",
    run: Effect.gen(function*() {
      const ctx = yield* Gate.RunContext
      const transport = yield* HttpTransport.HttpTransport
      const response = yield* transport.request({ url: `${String(ctx.setup?.["url"])}/ok`, retry: false })
      return Outcome.pass(`status ${response.status}`, { observed: response.status })
    })
  })

describe("a gate's setup: its world starts when the gate runs, not when it is read", () => {
  it("Gate.make and reading the gate start nothing; a run starts the emulator, uses it and stops it", async () => {
    let started = 0
    let emulator: Emulator.Running<Record<string, never>> | undefined
    let stopped = false
    const gate = gateOf([getOk("acme.api.ok")], {
      setup: async () => {
        started++
        emulator = await Emulator.start(def)
        running.push(emulator)
        return {
          context: { url: emulator.url },
          teardown: async () => {
            await emulator!.close()
            stopped = true
          }
        }
      }
    })
    // What `plan` and `docs` do: read the definition.
    expect(Gate.runItems(gate).map((i) => i.check.id)).toEqual(["acme.api.ok"])
    expect(Gate.checks(gate)).toHaveLength(1)
    expect(started).toBe(0)

    const report = await Runner.runPromise(gate)
    expect(started).toBe(1)
    expect(report.items[0]).toMatchObject({ status: "pass", evidence: { observed: 200 } })
    expect(emulator!.log).toHaveLength(1)
    // The teardown ran within the run, after the transport closed its sockets.
    expect(stopped).toBe(true)
    expect(emulator!.connections()).toBe(0)
  })

  it("a setup written as a scoped Effect provides a layer, and its finalizers run when the run ends", async () => {
    class Greeting extends Context.Tag("test/Greeting")<Greeting, string>() {}
    const log: Array<string> = []
    const check = Check.make({ id: "acme.api.greet", title: "greet", surface: "acme.api", category: "capacity", run: Effect.map(Greeting, (g) => Outcome.pass(g)) })
    const gate = gateOf([check], {
      setup: () =>
        Effect.acquireRelease(Effect.sync(() => log.push("up")), () => Effect.sync(() => log.push("down"))).pipe(
          Effect.as({ layer: Layer.succeed(Greeting, "hello from setup") })
        )
    })
    expect(log).toEqual([])
    const report = await Runner.runPromise(gate)
    expect(report.items[0]).toMatchObject({ status: "pass", message: "hello from setup" })
    expect(log).toEqual(["up", "down"])
  })

  it("a setup that fails makes every item error with the setup's message", async () => {
    const gate = gateOf([getOk("acme.api.a"), getOk("acme.api.b")], {
      setup: async () => {
        throw new Error("port 8080 is already in use")
      }
    })
    const report = await Runner.runPromise(gate)
    expect(report.items.map((i) => i.status)).toEqual(["error", "error"])
    for (const item of report.items) expect(item.message).toBe("the gate's setup failed: port 8080 is already in use")
    expect(report.verdict).toBe("blocked")
  })

  it("a setup that outlives the deadline is stopped, and torn down when it finally returns", async () => {
    let release: () => void = () => {}
    const gate = gateOf([getOk("acme.api.a")], {
      setup: () =>
        new Promise<Gate.Setup>((resolve) => {
          release = () => resolve({ teardown: () => void (tornDown = true) })
        })
    })
    let tornDown = false
    const report = await Runner.runPromise(gate, { deadline: "50 millis" })
    expect(report.run.interrupted).toBe(true)
    expect(report.items[0]!.message).toContain("while the gate's setup was running")
    release()
    for (let i = 0; i < 100 && !tornDown; i++) await new Promise((r) => setTimeout(r, 10))
    expect(tornDown).toBe(true)
  })
})

describe("configuration preflight: every missing variable in one report", () => {
  class Alpha extends Context.Tag("test/Alpha")<Alpha, string>() {}
  class Beta extends Context.Tag("test/Beta")<Beta, string>() {}
  const uses = <T>(tag: Context.Tag<T, string>, id: string) =>
    Check.make({ id, title: id, surface: "acme.api", category: "capacity", run: Effect.map(tag, (v) => Outcome.pass(v)) })

  it("two independent layers each missing a Config variable: both are named, the verdict is blocked", async () => {
    const alpha = Layer.effect(Alpha, Config.string("LG_TEST_ALPHA_API_KEY"))
    const beta = Layer.effect(Beta, Config.all([Config.string("LG_TEST_BETA_PROJECT"), Config.string("LG_TEST_BETA_TOKEN")])
      .pipe(Effect.map((parts) => parts.join("/"))))
    const gate = gateOf([uses(Alpha, "acme.api.alpha"), uses(Beta, "acme.api.beta")], { layer: Layer.mergeAll(alpha, beta) })
    const report = await Runner.runPromise(gate)
    const paths = (report.run.configurationErrors ?? []).map((e) => e.path)
    expect(paths).toEqual(["LG_TEST_ALPHA_API_KEY", "LG_TEST_BETA_PROJECT", "LG_TEST_BETA_TOKEN"])
    expect(report.verdict).toBe("blocked")
    expect(report.reasons[0]).toContain("LG_TEST_ALPHA_API_KEY")
    for (const item of report.items) {
      expect(item.status).toBe("error")
      expect(item.message).toContain("run.configurationErrors")
      expect(item.message).toContain("LG_TEST_BETA_TOKEN")
    }
  })

  it("a vendor error with reason config (from a layer or the setup) is a configuration error naming its path", async () => {
    const layer = Layer.fail(new VendorError.VendorError({
      vendor: "acme",
      reason: "config",
      message: "ACME_REGION must be one of us, eu",
      remediation: "set ACME_REGION",
      path: "ACME_REGION"
    }))
    const report = await Runner.runPromise(gateOf([uses(Alpha, "acme.api.alpha")], { layer: layer as unknown as Layer.Layer<Alpha> }))
    expect(report.run.configurationErrors).toEqual([{ path: "ACME_REGION", message: "ACME_REGION must be one of us, eu" }])
  })

  it("a layer failing for another reason is not a configuration error", async () => {
    const layer = Layer.fail(new Error("connection refused"))
    const report = await Runner.runPromise(gateOf([uses(Alpha, "acme.api.alpha")], { layer: layer as unknown as Layer.Layer<Alpha> }))
    expect(report.run.configurationErrors).toBeUndefined()
    expect(report.items[0]!.message).toContain("connection refused")
  })
})

describe("each check's deadline", () => {
  const remainingMs = Check.make({
    id: "acme.api.remaining",
    title: "remaining",
    surface: "acme.api",
    category: "capacity",
    run: Effect.map(Check.remaining, (left) =>
      Outcome.pass("read", { observed: Option.match(left, { onNone: () => "none", onSome: Duration.toMillis }) }))
  })

  effectIt.effect("is the earlier of the check's timeout and the run's deadline (TestClock)", () =>
    Effect.gen(function*() {
      const byRun = yield* Runner.run(gateOf([Check.timeout(remainingMs, "30 seconds")]), { deadline: "10 seconds" })
      expect(byRun.items[0]!.evidence["observed"]).toBe(10_000)
      const byCheck = yield* Runner.run(gateOf([Check.timeout(remainingMs, "30 seconds")]), { deadline: "60 seconds" })
      expect(byCheck.items[0]!.evidence["observed"]).toBe(30_000)
      const byDefault = yield* Runner.run(gateOf([remainingMs]), { checkTimeout: "7 seconds" })
      expect(byDefault.items[0]!.evidence["observed"]).toBe(7_000)
    }))

  effectIt.effect("is absent outside a run", () =>
    Effect.map(Check.remaining, (left) => expect(Option.isNone(left)).toBe(true)))

  it("the transport takes the time left as its budget: a Retry-After longer than that fails at once", async () => {
    const emu = await Emulator.start(def)
    running.push(emu)
    emu.faults.next({ kind: "rate-limit", retryAfter: 5 }, { times: 1 })
    // No budget passed: only the check's deadline (2 s) can tell the transport that a 5 s wait does not fit.
    const check = Check.make({
      id: "acme.api.limited",
      title: "limited",
      surface: "acme.api",
      category: "monitoring",
      timeout: "2 seconds",
      run: Effect.flatMap(HttpTransport.HttpTransport, (t) => t.request({ url: `${emu.url}/ok` })).pipe(
        Effect.map((r) => Outcome.pass(`status ${r.status}`))
      )
    })
    const report = await Runner.runPromise(gateOf([check]))
    const item = report.items[0]!
    expect(item.status).toBe("error")
    expect(item.message).toContain("asked to wait 5 s (Retry-After)")
    expect(item.message).not.toContain("timed out")
    expect(item.evidence["error"]).toMatchObject({ reason: "RateLimited", retryAfterMs: 5_000 })
    expect(item.attempts).toBe(1)
    expect(emu.log).toHaveLength(1)
  })
})

describe("the worker pool's timeouts (TestClock)", () => {
  const never = (id: string, timeout: Duration.DurationInput) =>
    Check.make({ id, title: id, surface: "acme.api", category: "capacity", timeout, run: Effect.never })
  const quick = (id: string) =>
    Check.make({ id, title: id, surface: "acme.api", category: "capacity", run: Effect.succeed(Outcome.pass("ok")) })

  effectIt.effect("a check that hangs times out and its worker is replaced: the next checks still run", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Runner.run(gateOf([never("acme.api.hang", "30 seconds"), quick("acme.api.b"), quick("acme.api.c")]), {
        concurrency: 1
      }))
      yield* TestClock.adjust("31 seconds")
      const report = yield* Fiber.join(fiber)
      expect(report.items.map((i) => i.status)).toEqual(["error", "pass", "pass"])
      expect(report.items[0]).toMatchObject({ message: "timed out after 30s", durationMs: 30_000 })
    }))

  effectIt.effect("each check ends at its own timeout, a shorter one started later included", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Runner.run(gateOf([never("acme.api.long", "60 seconds"), never("acme.api.short", "10 seconds")]), {
        concurrency: 2
      }))
      yield* TestClock.adjust("11 seconds")
      yield* TestClock.adjust("50 seconds")
      const report = yield* Fiber.join(fiber)
      expect(report.items.map((i) => [i.id, i.status, i.durationMs])).toEqual([
        ["acme.api.long", "error", 60_000],
        ["acme.api.short", "error", 10_000]
      ])
    }))
})
