import { Agent, request } from "undici"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Emulator } from "../src/emulator/index.js"

// The fault kinds the vendor fault matrices are built on: each one must reach the client as the
// misbehaviour it names, not as a normal answer.
const def = Emulator.define<Record<string, never>>({
  name: "faults",
  initialState: () => ({}),
  routes: [Emulator.route("GET", "/ok", () => ({ json: { status: "ok" } }))]
})

let emu: Emulator.Running<Record<string, never>>
const agent = new Agent()
beforeAll(async () => {
  emu = await Emulator.start(def)
})
afterAll(async () => {
  await agent.close()
  await emu.close()
})

describe("emulator fault kinds", () => {
  it("html-as-json claims JSON and serves HTML", async () => {
    emu.faults.next({ kind: "html-as-json" })
    const res = await request(`${emu.url}/ok`, { dispatcher: agent })
    expect(res.headers["content-type"]).toContain("application/json")
    const text = await res.body.text()
    expect(text.startsWith("<!DOCTYPE html>")).toBe(true)
    expect(() => JSON.parse(text)).toThrow()
  })

  it("huge-body sends the promised number of bytes", async () => {
    emu.faults.next({ kind: "huge-body", bytes: 300_000 })
    const res = await request(`${emu.url}/ok`, { dispatcher: agent })
    const text = await res.body.text()
    expect(text.length).toBe(300_000)
    expect(JSON.parse(text)).toHaveProperty("filler")
  })

  it("redirect answers with the location", async () => {
    emu.faults.next({ kind: "redirect", location: "http://other.invalid/ok" })
    const res = await request(`${emu.url}/ok`, { dispatcher: agent })
    await res.body.dump()
    expect(res.statusCode).toBe(302)
    expect(res.headers["location"]).toBe("http://other.invalid/ok")
  })

  it("hang never answers, and close() still ends the socket", async () => {
    const local = await Emulator.start(def)
    local.faults.next({ kind: "hang" })
    const pending = request(`${local.url}/ok`, { dispatcher: agent }).then(
      () => "answered",
      () => "failed"
    )
    // Wait until the request reached the server (no fixed sleep: the machine may be slow).
    while (local.log.length === 0) await new Promise((r) => setTimeout(r, 10))
    let settled = false
    void pending.then(() => (settled = true))
    await new Promise((r) => setTimeout(r, 50))
    expect(settled).toBe(false)
    await local.close()
    expect(await pending).toBe("failed")
    expect(local.connections()).toBe(0)
  })
})
