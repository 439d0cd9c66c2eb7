import { Effect, Fiber, Layer } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { Emulator } from "../src/emulator/index.js"
import { Check, Gate, HttpTransport, Outcome, Runner } from "../src/index.js"

// The run owns its transport: whatever ends the run (the checks finishing, a check timeout, the deadline, the
// signal, or the caller interrupting the run's fiber), the scope closes, in-flight requests are aborted and no
// socket to the target stays open. The emulator's connection count is the witness.

const def = Emulator.define<Record<string, never>>({
  name: "integrity",
  initialState: () => ({}),
  routes: [Emulator.route("GET", "/ok", () => ({ json: { ok: true } }))]
})

const running: Array<Emulator.Running<Record<string, never>>> = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()))
})

const start = async () => {
  const emu = await Emulator.start(def)
  running.push(emu)
  return emu
}

const get = (id: string, url: string) =>
  Check.make({
    id,
    title: id,
    surface: "acme.api",
    category: "monitoring",
    run: Effect.flatMap(HttpTransport.HttpTransport, (t) => t.request({ url: `${url}/ok`, timeout: "10 minutes", retry: false }))
      .pipe(Effect.map((r) => Outcome.pass(`status ${r.status}`)))
  })

// One request answers (its keep-alive socket stays open until closed) and one hangs (an in-flight request).
const gateAgainst = (url: string) =>
  Gate.make({
    name: "integrity",
    items: [get("acme.api.answers", url), get("acme.api.hangs", url)].map((check) => ({
      check,
      tier: "launch-critical" as const,
      owner: "platform"
    })),
    rollback: { "acme.api": { none: "fixture" } }
  })

// Keep idle sockets for longer than any test: only closing the transport can end them.
const http = { keepAliveTimeout: "10 minutes" } as const

const bothArrived = async (emu: Emulator.Running<Record<string, never>>) => {
  while (emu.log.length < 2) await new Promise((r) => setTimeout(r, 5))
}

// The server sees a socket close a few milliseconds after the client destroys it: poll for up to 2.5 s (a
// large margin over that), which is still under the 5 s after which Node's server drops idle keep-alive sockets
// by itself, so only the run closing its transport can bring the count to zero in time.
const connectionsSettle = async (emu: Emulator.Running<Record<string, never>>): Promise<number> => {
  for (let waited = 0; emu.connections() > 0 && waited < 2_500; waited += 10) await new Promise((r) => setTimeout(r, 10))
  return emu.connections()
}

describe("the run closes its transport however it ends", () => {
  it("a caller interrupting the run's fiber still closes every socket, aborting the request in flight", async () => {
    const emu = await start()
    emu.faults.next({ kind: "hang" }, { times: 1 })
    let closed = false
    const layer = Layer.scopedDiscard(Effect.addFinalizer(() => Effect.sync(() => (closed = true))))
    const fiber = Effect.runFork(Runner.run({ ...gateAgainst(emu.url), layer }, { http }))
    await bothArrived(emu)
    expect(emu.connections()).toBeGreaterThan(0)
    await Effect.runPromise(Fiber.interrupt(fiber))
    // The run's scope (the transport, the gate layer) is closed by the time the interruption returns.
    expect(closed).toBe(true)
    expect(await connectionsSettle(emu)).toBe(0)
  })

  for (const [how, options] of [
    ["a check timeout", { checkTimeout: "1 second" }],
    ["the deadline", { deadline: "1 second" }]
  ] as const) {
    it(`ended by ${how}: no socket stays open`, async () => {
      const emu = await start()
      emu.faults.next({ kind: "hang" }, { times: 1 })
      const report = await Runner.runPromise(gateAgainst(emu.url), { ...options, http })
      expect(report.items.map((i) => i.id)).toEqual(["acme.api.answers", "acme.api.hangs"])
      // Whichever request arrived first hung; the other usually answered (on a slow machine it may time out too).
      expect(report.items.map((i) => i.status)).toContain("error")
      expect(await connectionsSettle(emu)).toBe(0)
    })
  }

  it("ended by the signal: no socket stays open", async () => {
    const emu = await start()
    emu.faults.next({ kind: "hang" }, { times: 1 })
    const controller = new AbortController()
    const pending = Runner.runPromise(gateAgainst(emu.url), { signal: controller.signal, http })
    await bothArrived(emu)
    controller.abort("SIGTERM")
    const report = await pending
    expect(report.run.interruptReason).toBe("interrupted: SIGTERM")
    expect(await connectionsSettle(emu)).toBe(0)
  })
})
