import { describe, expect, it } from "vitest"
import { connection, seedRealisticAccount, type State } from "../src/emulator/index.js"
import { Connection, Group } from "../src/index.js"
import { closeAfterEach, count, emulator, item, NOW, run, runOne } from "./support/harness.js"

closeAfterEach()

const details = /^\/v1\/connections\/[^/]+$/

describe("fivetran.group.coverage", () => {
  it("passes when every connection of the group passes every rule, one result per connection", async () => {
    const emu = await emulator((s) => {
      for (const id of ["a", "b", "c"]) s.addConnection(connection({ id, groupId: "prod", now: NOW }))
      s.addConnection(connection({ id: "elsewhere", groupId: "staging", setupState: "broken", now: NOW }))
    })
    const result = await runOne(emu, Group.coverage({ groupId: "prod" }))
    expect(result.status).toBe("pass")
    expect(result.subjects?.map((s) => [s.subject, s.status])).toEqual([["a", "pass"], ["b", "pass"], ["c", "pass"]])
    expect(result.subjects?.[0]?.evidence).toMatchObject({
      rules: { connected: { status: "pass" }, active: { status: "pass" }, freshness: { status: "pass" }, tasks: { status: "pass" } }
    })
  })

  it("fails a realistic account, naming each connection's problem", async () => {
    let ids!: ReturnType<typeof seedRealisticAccount>
    const emu = await emulator((s) => void (ids = seedRealisticAccount(s, { now: NOW })))
    const result = await runOne(emu, Group.coverage({
      groupId: ids.groupId,
      rules: [
        Connection.rules.connected(),
        Connection.rules.active(),
        Connection.rules.freshness(),
        Connection.rules.historicalSync(),
        Connection.rules.tasks(),
        Connection.rules.schemaChangeHandling()
      ]
    }))
    expect(result.status).toBe("fail")
    const bySubject = Object.fromEntries((result.subjects ?? []).map((s) => [s.subject, s]))
    expect(Object.keys(bySubject).sort()).toEqual([...ids.connections].sort())
    for (const healthy of ids.healthy) expect(bySubject[healthy]?.status).toBe("pass")
    expect(bySubject[ids.problems.broken]?.message).toMatch(/connected fail .*tasks fail/)
    expect(bySubject[ids.problems.stale]?.message).toMatch(/freshness fail \(.*last sync failed/)
    expect(bySubject[ids.problems.paused]?.message).toMatch(/active fail \(.*paused; schedule_type is manual/)
    expect(bySubject[ids.problems.historicalSync]?.message).toMatch(/historical-sync fail/)
    expect(bySubject[ids.problems.allowAll]?.message).toMatch(/tasks warn .*schema-change-handling fail/)
    expect(result.message).toMatch(/^5 of 8 connections did not pass/)
  })

  it("a connection that vanishes between list and details is an error subject, not a crash", async () => {
    const emu = await emulator((s) => {
      s.addConnection(connection({ id: "a", groupId: "prod", now: NOW }))
      s.addConnection(connection({ id: "b", groupId: "prod", now: NOW }))
    })
    emu.faults.add({ fault: { kind: "status", status: 404, json: { code: "NotFound_Connector", message: "Connector with id 'b' does not exist" } }, method: "GET", path: "/v1/connections/b" })
    const result = await runOne(emu, Group.coverage({ groupId: "prod" }))
    expect(result.status).toBe("error")
    expect(result.subjects?.map((s) => s.status)).toEqual(["pass", "error"])
  })

  it("fails below minConnections and leaves out excluded connections", async () => {
    const emu = await emulator((s) => {
      s.addConnection(connection({ id: "a", groupId: "prod", now: NOW }))
      s.addConnection(connection({ id: "legacy", groupId: "prod", setupState: "broken", now: NOW }))
    })
    const excluded = await runOne(emu, Group.coverage({ groupId: "prod", exclude: ["legacy"] }))
    expect(excluded.status).toBe("pass")
    expect(excluded.evidence["excluded"]).toEqual(["legacy"])
    expect(count(emu, "GET", "/v1/connections/legacy")).toBe(0)

    const tooFew = await runOne(emu, Group.coverage({ groupId: "prod", minConnections: 3 }))
    expect(tooFew.status).toBe("fail")
    expect(tooFew.message).toContain("fewer than the 3 expected")
  })

  it("an empty or unknown group proves nothing: fail, not pass", async () => {
    const emu = await emulator()
    expect((await runOne(emu, Group.coverage({ groupId: "nobody" }))).status).toBe("fail")
  })
})

describe("200 connections", () => {
  const seed200 = (s: State) => {
    for (let i = 0; i < 200; i++) {
      s.addConnection(connection({
        id: `conn_${String(i).padStart(3, "0")}`,
        groupId: "big",
        schema: `source_${i}`,
        setupState: i % 50 === 7 ? "broken" : "connected",
        now: NOW
      }))
    }
  }

  it("costs one request per list page plus one details request per connection, shared with other checks", async () => {
    const emu = await emulator(seed200)
    const report = await run(emu, [
      Group.coverage({ groupId: "big" }),
      Connection.connected({ connectionId: "conn_000" }),
      Connection.freshness({ connectionId: ["conn_001", "conn_002"] })
    ], { client: { pageSize: 50 } })

    const coverage = item(report, "fivetran.group.coverage")
    expect(coverage.subjects).toHaveLength(200)
    expect(coverage.subjects?.filter((s) => s.status === "fail").map((s) => s.subject)).toEqual([
      "conn_007",
      "conn_057",
      "conn_107",
      "conn_157"
    ])
    expect(coverage.status).toBe("fail")

    const lists = emu.requests({ method: "GET", path: "/v1/connections" })
    expect(lists).toHaveLength(4) // 200 / 50
    expect(lists.every((l) => l.query["group_id"] === "big" && l.query["limit"] === "50")).toBe(true)
    const reads = emu.requests({ method: "GET", path: details })
    expect(reads).toHaveLength(200)
    expect(new Set(reads.map((r) => r.path)).size).toBe(200)
    expect(emu.log).toHaveLength(204)
    expect(emu.log.every((e) => e.method === "GET")).toBe(true)
  })

  it("with the default page size of 1000, the list is one request", async () => {
    const emu = await emulator(seed200)
    await run(emu, [Group.coverage({ groupId: "big" })])
    expect(count(emu, "GET", "/v1/connections")).toBe(1)
    expect(emu.log).toHaveLength(201)
  })

})

it("a rule that needs the schema config adds one request per connection", async () => {
  const emu = await emulator((s) => {
    for (let i = 0; i < 20; i++) s.addConnection(connection({ id: `c${i}`, groupId: "g", schemaChangeHandling: "BLOCK_ALL", now: NOW }))
  })
  const result = await runOne(emu, Group.coverage({ groupId: "g", rules: [Connection.rules.connected(), Connection.rules.schemaChangeHandling()] }))
  expect(result.status).toBe("pass")
  expect(count(emu, "GET", /^\/v1\/connections\/[^/]+\/schemas$/)).toBe(20)
  expect(emu.log).toHaveLength(41)
})
