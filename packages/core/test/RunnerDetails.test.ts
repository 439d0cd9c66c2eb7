/**
 * The runner's exact words and bookkeeping where a looser test would not notice a change: what an item says when
 * the run could not be set up, configuration errors pulled out of a cause, how an abort reason reads, the pinned
 * clock, the launch scope's read under the check timeout, and the signal listener's life. (Mutation testing found
 * these unasserted: packages/core/docs/testing.md.)
 */
import { ConfigError, Context, Data, type Duration, Effect, FiberRef, Layer } from "effect"
import { getEventListeners } from "node:events"
import { describe, expect, it } from "vitest"
import { Check, Gate, Outcome, Runner } from "../src/index.js"
import { scoped, summary } from "./helpers/launchScope.js"
import { check, gateOf, handBuilt, needing } from "./helpers/runnerGates.js"

/** A check that never answers, ended by its own timeout. */
const hanging = (id: string, timeout: Duration.DurationInput) =>
  Check.make({ id: `acme.api.${id}`, title: id, surface: "acme.api", category: "capacity", timeout, run: Effect.never })

class VendorConfig extends Data.TaggedError("VendorConfig")<{ readonly reason: string; readonly path?: unknown; readonly message?: unknown }> {}

describe("Runner.configurationErrorsOf: every configuration problem in a cause, once", () => {
  it("walks And/Or trees of ConfigError, joins paths with _, and skips duplicates", () => {
    const missingA = ConfigError.MissingData(["STRIPE", "KEY"], "Expected STRIPE_KEY to exist")
    const missingB = ConfigError.MissingData(["FIVETRAN_SECRET"], "Expected FIVETRAN_SECRET to exist")
    const invalid = ConfigError.InvalidData([], "not a number")
    const tree = ConfigError.Or(ConfigError.And(missingA, missingB), ConfigError.And(invalid, missingA))
    expect(Runner.configurationErrorsOf(Effect.runSync(Effect.cause(Effect.fail(tree))))).toEqual([
      { path: "STRIPE_KEY", message: "Expected STRIPE_KEY to exist" },
      { path: "FIVETRAN_SECRET", message: "Expected FIVETRAN_SECRET to exist" },
      { message: "not a number" }
    ])
  })

  it("takes vendor errors of reason config (path when a string, message or a default), failures and defects", () => {
    // Parallel failures and a defect in one cause.
    const parallel = Effect.runSync(Effect.cause(Effect.all([
      Effect.fail(new VendorConfig({ reason: "config", path: "GCP_PROJECT", message: "is missing" })),
      Effect.fail(new VendorConfig({ reason: "config", path: 42, message: "" })),
      Effect.fail(new VendorConfig({ reason: "unauthenticated", path: "X", message: "not config" })),
      Effect.fail(new VendorConfig({ reason: "config", path: "GCP_PROJECT", message: "is missing" })),
      Effect.die(new VendorConfig({ reason: "config", message: "from a defect" }))
    ], { concurrency: "unbounded" })))
    expect(Runner.configurationErrorsOf(parallel)).toEqual([
      { path: "GCP_PROJECT", message: "is missing" },
      { message: "configuration is invalid" },
      { message: "from a defect" }
    ])
    expect(Runner.configurationErrorsOf(Effect.runSync(Effect.cause(Effect.fail(null))))).toEqual([])
    expect(Runner.configurationErrorsOf(Effect.runSync(Effect.cause(Effect.fail("config"))))).toEqual([])
  })

  it("a run whose layer lacks configuration: every item says so, with the errors as evidence and the fix", async () => {
    const Needs = Layer.effect(Gate.RunContext, Effect.fail(ConfigError.MissingData(["API", "TOKEN"], "Expected API_TOKEN to exist")))
    const report = await Runner.runPromise(gateOf([check("a"), check("b")], { layer: Needs as never }))
    expect(report.run.configurationErrors).toEqual([{ path: "API_TOKEN", message: "Expected API_TOKEN to exist" }])
    for (const item of report.items) {
      expect(item.status).toBe("error")
      expect(item.evidence).toEqual({ configurationErrors: [{ path: "API_TOKEN", message: "Expected API_TOKEN to exist" }] })
      expect(item.remediation).toBe("Set every variable listed in run.configurationErrors (or fix its value), then run again.")
    }
  })
})

describe("Runner: when the run cannot be set up", () => {
  it("a setup past the deadline: the message names the setup, the remediation says what to check", async () => {
    const report = await Runner.runPromise(gateOf([check("a")], { setup: () => Effect.never }), { deadline: "50 millis" })
    const item = report.items[0]!
    expect(item.message).toBe("did not run: overall deadline of 50ms exceeded while the gate's setup was running")
    expect(item.remediation).toBe("The gate's setup did not finish: check what it starts or connects to, or raise the deadline.")
  })

  it("services past the deadline: the message names the services, the remediation the layer", async () => {
    const slow = Layer.effectDiscard(Effect.never) as Layer.Layer<never>
    const report = await Runner.runPromise(gateOf([check("a")], { layer: slow as never }), { deadline: "50 millis" })
    const item = report.items[0]!
    expect(item.message).toBe("did not run: overall deadline of 50ms exceeded while the gate's services were being set up")
    expect(item.remediation).toBe(
      "The gate's layer (its clients and their set-up) did not finish building: check that what it " +
        "connects to is reachable, or raise the deadline."
    )
  })

  it("a failing layer (not configuration): 'the gate's services could not be set up', the decide prefix dropped", async () => {
    const broken = Layer.effectDiscard(Effect.fail(new Error("socket refused"))) as Layer.Layer<never>
    const report = await Runner.runPromise(gateOf([check("a")], { layer: broken as never }))
    expect(report.items[0]!.message).toBe("the gate's services could not be set up: socket refused")
    expect(report.items[0]!.status).toBe("error")
  })
})

describe("Runner: stopping", () => {
  const stoppedBy = async (reason: unknown) => {
    const controller = new AbortController()
    const started = Runner.runPromise(gateOf([check("slow", Effect.never)]), { signal: controller.signal })
    await new Promise((resolve) => setTimeout(resolve, 20))
    controller.abort(reason)
    return (await started).run.interruptReason
  }

  it("an abort reason reads as the reason: a string, an Error's message, or plain 'interrupted'", async () => {
    expect(await stoppedBy("SIGTERM")).toBe("interrupted: SIGTERM")
    expect(await stoppedBy(new Error("deploy cancelled"))).toBe("interrupted: deploy cancelled")
    expect(await stoppedBy(undefined)).toBe("interrupted")
  })

  it("a signal aborted before the run stops it at once, and the run removes its listener when it ends", async () => {
    const aborted = new AbortController()
    aborted.abort("before")
    const report = await Runner.runPromise(gateOf([check("never", Effect.never)]), { signal: aborted.signal })
    expect(report.run.interruptReason).toBe("interrupted: before")

    const live = new AbortController()
    await Runner.runPromise(gateOf([check("a")]), { signal: live.signal })
    expect(getEventListeners(live.signal, "abort")).toHaveLength(0)
  })

  it("exitCode: 0 only when ready", async () => {
    const ready = await Runner.runPromise(gateOf([check("a")]))
    const blocked = await Runner.runPromise(gateOf([check("b", Effect.succeed(Outcome.fail("broken")))]))
    expect([Runner.exitCode(ready), Runner.exitCode(blocked)]).toEqual([0, 1])
  })

  it("an empty gate is ready at once", async () => {
    const report = await Runner.runPromise(Gate.make({ name: "empty", items: [] }))
    expect(report.verdict).toBe("ready")
    expect(report.items).toEqual([])
  })
})

describe("Runner: the pinned clock and the commit", () => {
  it("now pins the clock checks read, in milliseconds and nanoseconds alike", async () => {
    const now = new Date("2030-01-02T03:04:05.000Z")
    const seen = check("clock", Effect.gen(function*() {
      const clock = yield* Effect.clock
      const ms = clock.unsafeCurrentTimeMillis()
      const ns = clock.unsafeCurrentTimeNanos()
      return Outcome.pass("read", { evidence: { ms, nsAsMs: Number(ns / 1_000_000n) } })
    }))
    const report = await Runner.runPromise(gateOf([seen]), { now })
    const { ms, nsAsMs } = report.items[0]!.evidence as { ms: number; nsAsMs: number }
    // The clock runs on from the pinned instant: within a minute of it, on any machine.
    expect(ms - now.getTime()).toBeGreaterThanOrEqual(0)
    expect(ms - now.getTime()).toBeLessThan(60_000)
    expect(Math.abs(nsAsMs - ms)).toBeLessThan(60_000)
    const startedAt = Date.parse(report.run.startedAt)
    expect(startedAt - now.getTime()).toBeGreaterThanOrEqual(0)
    expect(startedAt - now.getTime()).toBeLessThan(60_000)
  })

  it("the run records the commit from the CI variables", async () => {
    const saved = process.env["GITHUB_SHA"]
    process.env["GITHUB_SHA"] = "abcdef1234567890abcdef1234567890abcdef12"
    try {
      const report = await Runner.runPromise(gateOf([check("a")]))
      expect(report.run.gitCommit).toBe("abcdef1234567890abcdef1234567890abcdef12")
    } finally {
      if (saved === undefined) delete process.env["GITHUB_SHA"]
      else process.env["GITHUB_SHA"] = saved
    }
  })
})

describe("Runner: checks that may not run, and checks that run out of time", () => {
  it("an active check the gate does not allow: skipped with the reason and how to allow it", async () => {
    const active = Check.make({
      id: "acme.api.drill",
      title: "drill",
      surface: "acme.api",
      category: "rollback",
      active: true,
      run: Effect.succeed(Outcome.pass("ran"))
    })
    const report = await Runner.runPromise(gateOf([active]))
    const item = report.items[0]!
    expect(item.status).toBe("skip")
    expect(item.message).toBe("not run: this check is active (it changes or triggers something remote) and the gate does not allow it")
    expect(item.remediation).toContain("for targets where that is safe.")
  })

  it("a check past its timeout: error, with the remediation and the time it was given", async () => {
    const slow = hanging("slow", "30 millis")
    const report = await Runner.runPromise(gateOf([slow, check("fast")]))
    const item = report.items[0]!
    expect(item.status).toBe("error")
    expect(item.remediation).toBe(
      "The target did not answer in time. Check that it is reachable, or raise the check's timeout (Check.timeout) if it is legitimately slow."
    )
    expect(item.durationMs).toBeGreaterThanOrEqual(30)
    expect(report.items[1]!.status).toBe("pass")
  })
})

describe("Runner: the launch scope, read after the checks", () => {

  it("past the check timeout: given up with the time it had; past the run's deadline: says so", async () => {
    const slow = await Runner.runPromise(gateOf([check("a")], { launchScope: scoped(Effect.never) }), {
      checkTimeout: "40 millis"
    })
    expect(slow.launchScope?.error).toBe("not read: timed out after 40ms")
    expect(slow.run.notes).toContain("the launch scope (task files) could not be read: not read: timed out after 40ms")

    const late = await Runner.runPromise(gateOf([check("a")], { launchScope: scoped(Effect.never) }), {
      checkTimeout: "10 seconds",
      deadline: "1 second"
    })
    // The deadline's own timer and the run's halt fire at the same instant; either words it (and on a machine
    // too busy to finish check "a" within the second, the run stopped before the read began).
    expect(late.launchScope?.error).toMatch(
      /^not read: (the run's overall deadline passed|overall deadline of 1s exceeded|the run stopped \(overall deadline of 1s exceeded\))$/
    )
  })

  it("a failing summary: its message without the decide prefix; a summary of the wrong shape names the field", async () => {
    const failing = await Runner.runPromise(gateOf([check("a")], {
      launchScope: scoped(Effect.fail(new Error("tracker unreachable")))
    }))
    expect(failing.launchScope?.error).toBe("tracker unreachable")
    const wrong = await Runner.runPromise(gateOf([check("a")], { launchScope: scoped(Effect.succeed({ total: "many" })) }))
    expect(wrong.launchScope?.error).toContain("total")
    const read = await Runner.runPromise(gateOf([check("a")], { launchScope: scoped(Effect.succeed(summary)) }))
    expect(read.launchScope).toMatchObject({ source: "task files", total: 1 })
    expect(read.launchScope?.error).toBeUndefined()
  })

  it("when the services failed: a local scope is still read; another is not, and says why", async () => {
    const broken = Layer.effectDiscard(Effect.fail(new Error("socket refused"))) as Layer.Layer<never>
    const local = await Runner.runPromise(gateOf([check("a")], {
      layer: broken as never,
      launchScope: scoped(Effect.succeed(summary), { local: true })
    }))
    expect(local.launchScope).toMatchObject({ total: 1 })
    const remote = await Runner.runPromise(gateOf([check("a")], {
      layer: broken as never,
      launchScope: scoped(Effect.succeed(summary))
    }))
    expect(remote.launchScope?.error).toBe("not read: the gate's setup or services failed")
  })

  it("a run stopped by its signal does not read it, and says so", async () => {
    const controller = new AbortController()
    controller.abort("SIGINT")
    const report = await Runner.runPromise(gateOf([check("a", Effect.never)], { launchScope: scoped(Effect.succeed(summary)) }), {
      signal: controller.signal
    })
    expect(report.launchScope?.error).toBe("not read: the run stopped (interrupted: SIGINT)")
  })
})

describe("Runner: scheduling details", () => {
  it("checks that time out at different moments in different workers are each settled at their own timeout", async () => {
    const report = await Runner.runPromise(
      gateOf([hanging("short", "30 millis"), hanging("long", "120 millis"), check("quick"), hanging("middle", "60 millis")]),
      { concurrency: 4 }
    )
    const byId = Object.fromEntries(report.items.map((i) => [i.id, i]))
    expect(report.items.map((i) => i.status)).toEqual(["error", "error", "pass", "error"])
    for (const [id, ms] of [["acme.api.short", 30], ["acme.api.middle", 60], ["acme.api.long", 120]] as const) {
      expect(byId[id]!.message).toContain(`timed out after ${ms}ms`)
      expect(byId[id]!.durationMs).toBeGreaterThanOrEqual(ms)
    }
  })

  it("a worker freed by a timeout takes the next item", async () => {
    const hang = hanging("hang", "20 millis")
    const report = await Runner.runPromise(gateOf([hang, check("next"), check("last")]), { concurrency: 1 })
    expect(report.items.map((i) => i.status)).toEqual(["error", "pass", "pass"])
  })

  it("prerequisites release their dependents in order; a failed one skips the whole chain below it", async () => {
    const started: Array<string> = []
    const logged = (id: string, outcome: Outcome.Outcome, dependsOn: ReadonlyArray<string> = []) =>
      Check.make({
        id: `acme.api.${id}`,
        title: id,
        surface: "acme.api",
        category: "capacity",
        dependsOn: dependsOn.map((d) => `acme.api.${d}`),
        run: Effect.sync(() => {
          started.push(id)
          return outcome
        })
      })
    const passing = await Runner.runPromise(gateOf([
      logged("c", Outcome.pass("ok"), ["b"]),
      logged("b", Outcome.pass("ok"), ["a"]),
      logged("d", Outcome.pass("ok"), ["a"]),
      logged("a", Outcome.pass("ok"))
    ]), { concurrency: 1 })
    expect(passing.items.map((i) => i.status)).toEqual(["pass", "pass", "pass", "pass"])
    expect(started.indexOf("a")).toBeLessThan(started.indexOf("b"))
    expect(started.indexOf("b")).toBeLessThan(started.indexOf("c"))
    expect(started.indexOf("a")).toBeLessThan(started.indexOf("d"))

    started.length = 0
    const failing = await Runner.runPromise(gateOf([
      logged("c", Outcome.pass("ok"), ["b"]),
      logged("b", Outcome.pass("ok"), ["a"]),
      logged("a", Outcome.fail("broken")),
      logged("e", Outcome.pass("ok"))
    ]), { concurrency: 2 })
    expect(started.sort()).toEqual(["a", "e"])
    expect(failing.items.map((i) => [i.id, i.status])).toEqual([
      ["acme.api.c", "skip"],
      ["acme.api.b", "skip"],
      ["acme.api.a", "fail"],
      ["acme.api.e", "pass"]
    ])
  })

  it("a setup's teardown that throws is a note, and the run still reports", async () => {
    const report = await Runner.runPromise(gateOf([check("a")], {
      setup: async () => ({
        teardown: () => {
          throw new Error("port 8080 still bound")
        }
      })
    }))
    expect(report.items[0]!.status).toBe("pass")
    expect(report.run.notes).toEqual(["the gate's teardown failed: port 8080 still bound"])
  })

  it("the gate's http options reach the transport (insecure origins are listed), and a gate without a scope has none", async () => {
    const report = await Runner.runPromise(gateOf([check("a")], { http: { insecureOrigins: ["https://staging.internal:8443"] } }))
    expect(report.run.insecureOrigins).toEqual(["https://staging.internal:8443"])
    expect("launchScope" in report).toBe(false)
    const override = await Runner.runPromise(gateOf([check("a")], { http: { insecureOrigins: ["https://a.internal"] } }), {
      http: { insecureOrigins: ["https://b.internal"] }
    })
    expect(override.run.insecureOrigins).toEqual(["https://b.internal"])
  })
})

describe("Runner: a hand-built gate that Gate.make would have refused", () => {
  // Gate.make rejects both; a gate object assembled by hand (or by another tool) reaches the runner unvalidated.
  it("a prerequisite that is not an item: that item is an error naming it, the others run", async () => {
    const report = await Runner.runPromise(handBuilt([needing("a", ["ghost"]), check("b")]))
    expect(report.items.map((i) => [i.id, i.status, i.message])).toEqual([
      ["acme.api.a", "error", "not run: prerequisite acme.api.ghost is not an item of this gate"],
      ["acme.api.b", "pass", "ok"]
    ])
    expect(report.items[0]!.evidence).toEqual({ prerequisite: "acme.api.ghost" })
  })

  it("a dependency cycle: the run ends; the cycle is an error saying so, what waits on it is skipped, the rest run", async () => {
    const report = await Runner.runPromise(handBuilt([needing("a", ["b"]), needing("b", ["a"]), check("c")]))
    expect(report.items.map((i) => [i.id, i.status, i.message])).toEqual([
      ["acme.api.a", "skip", "not run: prerequisite acme.api.b ended error"],
      ["acme.api.b", "error", "not run: its prerequisites form a dependency cycle"],
      ["acme.api.c", "pass", "ok"]
    ])
    expect(report.items[1]!.remediation).toBe("Remove one of the dependencies in the cycle (Gate.make reports it).")
    expect(report.verdict).toBe("blocked")
  })
})

describe("Runner: deadlines and durations as services and checks see them", () => {
  class SeenDeadline extends Context.Tag("test/SeenDeadline")<SeenDeadline, number | undefined>() {}
  const seeing = Check.make({
    id: "acme.api.seeing",
    title: "seeing",
    surface: "acme.api",
    category: "capacity",
    run: Effect.map(SeenDeadline, (at) => Outcome.pass("seen", { evidence: { at: at ?? null } }))
  })
  const layer = Layer.effect(SeenDeadline, FiberRef.get(Check.Deadline))

  it("the gate's services are built under the run's deadline (Check.Deadline), and under none without one", async () => {
    const started = Date.now()
    const bounded = await Runner.runPromise(gateOf([seeing], { layer }), { deadline: "10 minutes" })
    const at = bounded.items[0]!.evidence["at"] as number
    expect(at - started).toBeGreaterThan(9 * 60_000)
    expect(at - started).toBeLessThanOrEqual(10 * 60_000 + 60_000)
    const unbounded = await Runner.runPromise(gateOf([seeing], { layer }))
    expect(unbounded.items[0]!.evidence["at"]).toBeNull()
  })

  it("durations are the time each item took, not a sum of clock readings", async () => {
    const hang = hanging("hang", "20 millis")
    const report = await Runner.runPromise(gateOf([hang, check("quick")]))
    for (const item of report.items) {
      expect(item.durationMs).toBeGreaterThanOrEqual(0)
      // A minute is generous for a 20 ms timeout and an instant check on any machine; a sum of two clock readings
      // (milliseconds since 1970) is not.
      expect(item.durationMs).toBeLessThan(60_000)
    }
    expect(report.run.durationMs).toBeLessThan(60_000)
  })
})
