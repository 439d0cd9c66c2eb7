import { Check } from "@launchgate/core"
import { describe, expect, it } from "vitest"
import { connection, seedRealisticAccount, type State } from "../src/emulator/index.js"
import { Connection, Group } from "../src/index.js"
import { item } from "@launchgate/core/testing"
import { count, NOW, run, runOne, withEmulator } from "./support/harness.js"

const details = /^\/v1\/connections\/[^/]+$/

describe("fivetran.group.coverage", () => {
  it("passes when every connection of the group passes every rule, one result per connection", async () => {
    await withEmulator((s) => {
      for (const id of ["a", "b", "c"]) s.addConnection(connection({ id, groupId: "prod", now: NOW }))
      s.addConnection(connection({ id: "elsewhere", groupId: "staging", setupState: "broken", now: NOW }))
    }, async (emu) => {
      const result = await runOne(emu, Group.coverage({ groupId: "prod" }))
      expect(result.status).toBe("pass")
      expect(result.subjects?.map((s) => [s.subject, s.status])).toEqual([["a", "pass"], ["b", "pass"], ["c", "pass"]])
      expect(result.subjects?.[0]?.evidence).toMatchObject({
        rules: { connected: { status: "pass" }, active: { status: "pass" }, freshness: { status: "pass" }, tasks: { status: "pass" } }
      })
    })
  })

  it("fails a realistic account, naming each connection's problem", async () => {
    let ids!: ReturnType<typeof seedRealisticAccount>
    await withEmulator((s) => void (ids = seedRealisticAccount(s, { now: NOW })), async (emu) => {
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
  })

  it("a list item without details is fetched alone; if it vanished, it is an error subject, not a crash", async () => {
    await withEmulator((s) => {
      s.addConnection(connection({ id: "a", groupId: "prod", now: NOW }))
      s.addConnection(connection({ id: "b", groupId: "prod", now: NOW }))
    }, async (emu) => {
      const full = listItem(emu.state.connections.get("a")!.data)
      const { status: _status, setup_tests: _tests, ...lacking } = listItem(emu.state.connections.get("b")!.data)
      emu.faults.add({
        fault: { kind: "status", status: 200, json: { code: "Success", data: { items: [full, lacking] } } },
        method: "GET",
        path: "/v1/connections"
      })
      emu.faults.add({ fault: { kind: "status", status: 404, json: { code: "NotFound_Connector", message: "Connector with id 'b' does not exist" } }, method: "GET", path: "/v1/connections/b" })
      const result = await runOne(emu, Group.coverage({ groupId: "prod" }))
      expect(result.status).toBe("error")
      expect(result.subjects?.map((s) => s.status)).toEqual(["pass", "error"])
      expect(emu.log.map((e) => e.path)).toEqual(["/v1/connections", "/v1/connections/b"])
    })
  })

  it("fails below minConnections and leaves out excluded connections", async () => {
    await withEmulator((s) => {
      s.addConnection(connection({ id: "a", groupId: "prod", now: NOW }))
      s.addConnection(connection({ id: "legacy", groupId: "prod", setupState: "broken", now: NOW }))
    }, async (emu) => {
      const excluded = await runOne(emu, Group.coverage({ groupId: "prod", exclude: ["legacy"] }))
      expect(excluded.status).toBe("pass")
      expect(excluded.evidence["excluded"]).toEqual(["legacy"])
      expect(count(emu, "GET", "/v1/connections/legacy")).toBe(0)

      const tooFew = await runOne(emu, Group.coverage({ groupId: "prod", minConnections: 3 }))
      expect(tooFew.status).toBe("fail")
      expect(tooFew.message).toContain("fewer than the 3 expected")
    })
  })

  it("an empty or unknown group proves nothing: fail, not pass", async () => {
    await withEmulator(undefined, async (emu) => {
      expect((await runOne(emu, Group.coverage({ groupId: "nobody" }))).status).toBe("fail")
    })
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

  it("costs one request per list page; the account list answers the group's reads and every other check's", async () => {
    await withEmulator(seed200, async (emu) => {
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
      expect(lists.every((l) => l.query["group_id"] === undefined && l.query["limit"] === "50")).toBe(true)
      // Whichever check starts first, every read waits for the one account listing: no details read at all.
      expect(emu.requests({ method: "GET", path: details })).toHaveLength(0)
      expect(emu.log).toHaveLength(4)
      expect(emu.log.every((e) => e.method === "GET")).toBe(true)
    })
  })

  it("with the default page size of 1000, the list is one request", async () => {
    await withEmulator(seed200, async (emu) => {
      await run(emu, [Group.coverage({ groupId: "big" })])
      expect(count(emu, "GET", "/v1/connections")).toBe(1)
      expect(emu.log).toHaveLength(1)
    })
  })

  it("issue 13: exact requests from the emulator log, list items judged, details only where the list lacks them", async () => {
    const healthy = (s: State) => {
      for (let i = 0; i < 200; i++) {
        s.addConnection(connection({ id: `conn_${String(i).padStart(3, "0")}`, groupId: "big", now: NOW }))
      }
    }
    const coverage = Group.coverage({ groupId: "big" })
    // Run after the group check, so the counts cannot depend on which check the scheduler starts first.
    const after = [
      Check.dependsOn(Connection.connected({ connectionId: "conn_000" }), [coverage]),
      Check.dependsOn(Connection.freshness({ connectionId: ["conn_001", "conn_199"] }), [coverage])
    ]

    await withEmulator(healthy, async (maxPage) => {
      const one = await run(maxPage, [coverage, ...after])
      expect(one.items.map((i) => i.status)).toEqual(["pass", "pass", "pass"])
      expect(maxPage.log.map((e) => `${e.method} ${e.path} ${e.query["limit"]}`)).toEqual(["GET /v1/connections 1000"])
    })

    await withEmulator(healthy, async (paged) => {
      await run(paged, [coverage, ...after], { client: { pageSize: 50 } })
      expect(paged.log.map((e) => e.path)).toEqual(Array(4).fill("/v1/connections"))
    })

    // Five items without status/setup_tests: exactly five details reads, once each, shared with the later checks.
    await withEmulator(healthy, async (partial) => {
      const items = [...partial.state.connections.values()].map((c) => listItem(c.data))
      const lacking = new Set(["conn_000", "conn_001", "conn_050", "conn_100", "conn_199"])
      const served = items.map((i) => (lacking.has(String(i["id"])) ? withoutDetails(i) : i))
      partial.faults.add({
        fault: { kind: "status", status: 200, json: { code: "Success", data: { items: served } } },
        method: "GET",
        path: "/v1/connections",
        times: 1
      })
      const report = await run(partial, [coverage, ...after])
      expect(report.items.map((i) => i.status)).toEqual(["pass", "pass", "pass"])
      expect(partial.requests({ method: "GET", path: "/v1/connections" })).toHaveLength(1)
      expect(partial.requests({ method: "GET", path: details }).map((e) => e.path).sort()).toEqual(
        [...lacking].map((id) => `/v1/connections/${id}`)
      )
      expect(partial.log).toHaveLength(6)
    })
  })
})

/** A connection as the emulator lists it (no `null` timestamps). */
const listItem = (data: object): Record<string, unknown> =>
  Object.fromEntries(Object.entries(data).filter(([, v]) => v !== null))

const withoutDetails = (item: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(item).filter(([k]) => k !== "status" && k !== "setup_tests"))

it("a rule that needs the schema config adds one request per connection", async () => {
  await withEmulator((s) => {
    for (let i = 0; i < 20; i++) s.addConnection(connection({ id: `c${i}`, groupId: "g", schemaChangeHandling: "BLOCK_ALL", now: NOW }))
  }, async (emu) => {
    const result = await runOne(emu, Group.coverage({ groupId: "g", rules: [Connection.rules.connected(), Connection.rules.schemaChangeHandling()] }))
    expect(result.status).toBe("pass")
    expect(count(emu, "GET", /^\/v1\/connections\/[^/]+\/schemas$/)).toBe(20)
    expect(emu.log).toHaveLength(21)
  })
})
