import { Context, Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import * as Check from "../src/Check.js"
import * as Gate from "../src/Gate.js"
import { Emulator } from "../src/emulator/index.js"
import * as Outcome from "../src/Outcome.js"
import { item, runCheck, runChecks, withEmulator } from "../src/testing.js"

class Greeting extends Context.Tag("test/Greeting")<Greeting, string>() {}

const greets = Check.make({
  id: "test.greeting.polite",
  title: "greeting is polite",
  surface: "test.greeting",
  category: "monitoring",
  run: Effect.map(Greeting, (g) =>
    g.startsWith("hello") ? Outcome.pass("polite", { observed: g }) : Outcome.fail("rude", { observed: g, expected: "hello…" }))
})

const def = Emulator.define<{ hits: number }>({
  name: "t",
  initialState: () => ({ hits: 0 }),
  routes: [Emulator.route("GET", "/", (_r, { state }) => ({ json: { hits: ++state.hits } }))]
})

describe("@launchgate/core/testing", () => {
  it("runs checks against a layer and reads items back, at any tier", async () => {
    const ok = await runCheck(greets, { layer: Layer.succeed(Greeting, "hello there") })
    expect(ok.status).toBe("pass")
    const report = await runChecks([greets], { layer: Layer.succeed(Greeting, "go away"), tier: "launch-critical" })
    expect(report.verdict).toBe("blocked")
    expect(item(report, "test.greeting.polite").status).toBe("fail")
    expect(() => item(report, "nope")).toThrow(/no item "nope".*test\.greeting\.polite/)
  })

  it("passes the gate's environment to the run context", async () => {
    const env = Check.make({
      id: "test.env.seen",
      title: "sees its environment",
      surface: "test.env",
      category: "monitoring",
      run: Effect.map(Gate.RunContext, (c) =>
        c.environment === "staging" ? Outcome.pass("staging", {}) : Outcome.fail(`got ${c.environment}`, {}))
    })
    expect((await runCheck(env, { environment: "staging" })).status).toBe("pass")
    expect((await runCheck(env)).status).toBe("fail")
  })

  it("withEmulator closes the emulator even when the body throws", async () => {
    let url = ""
    await expect(
      withEmulator({ start: (o?: Emulator.StartOptions<{ hits: number }>) => Emulator.start(def, o) }, {}, async (emu) => {
        url = emu.url
        const res = await fetch(url)
        expect(await res.json()).toEqual({ hits: 1 })
        throw new Error("boom")
      })
    ).rejects.toThrow("boom")
    await expect(fetch(url)).rejects.toThrow()
  })
})
