/**
 * Issue 13, goal 2: connection reads and group membership come from the
 * account's connection list (`GET /v1/connections` without `group_id`), read
 * once per run whichever check starts first. Every count below is from the
 * emulator's request log.
 */
import { Check, type Report } from "@launchgate/core"
import { describe, expect, it } from "vitest"
import { connection, type State } from "../src/emulator/index.js"
import { Connection, Group } from "../src/index.js"
import { count, NOW, run, withEmulator } from "./support/harness.js"

const details = /^\/v1\/connections\/[^/]+$/
const schemas = /^\/v1\/connections\/[^/]+\/schemas$/

const groups = { g1: ["a1", "a2", "a3", "a4", "a5"], g2: ["b1", "b2", "b3", "b4", "b5"] } as const
const ids = [...groups.g1, ...groups.g2]

/** Two groups of five; one broken, one paused, one allowing every schema change, one never synced recently. */
const world = (s: State) => {
  for (const [groupId, members] of Object.entries(groups)) {
    for (const id of members) {
      s.addConnection(connection({
        id,
        groupId,
        now: NOW,
        schemaChangeHandling: id === "b4" ? "ALLOW_ALL" : "BLOCK_ALL",
        ...(id === "a2" ? { setupState: "broken" } : {}),
        ...(id === "b3" ? { paused: true } : {}),
        ...(id === "a5" ? { succeededAt: new Date(NOW.getTime() - 3 * 86_400_000) } : {})
      }))
    }
  }
}

/** Seven connection checks over every connection, and the coverage of both groups, all started together. */
const checks = (connectionId: ReadonlyArray<string> = ids) => [
  Connection.connected({ connectionId }),
  Connection.active({ connectionId }),
  Connection.freshness({ connectionId }),
  Connection.tasks({ connectionId }),
  Connection.historicalSync({ connectionId }),
  Connection.syncFrequency({ connectionId, maxMinutes: 360 }),
  Connection.schemaChangeHandling({ connectionId }),
  Group.coverage({ groupId: "g1" }),
  // A gate's ids are unique: the second group's copy gets its own.
  Check.annotate(Group.coverage({ groupId: "g2" }), { id: "fivetran.group.coverage.g2" })
]

/** Every item's and subject's status, by check and subject: what "the same verdict" means. */
const verdicts = (report: Report.Report) =>
  report.items.map((i) => [i.id, i.status, (i.subjects ?? []).map((s) => `${s.subject}:${s.status}`)])

const listingsOfAccount = (emu: Parameters<typeof count>[0]) =>
  emu.requests({ method: "GET", path: "/v1/connections" }).filter((e) => e.query["group_id"] === undefined)

describe("the account's connection list answers every connection read (issue 13)", () => {
  it("7 connection checks over all + 2 coverage checks: 1 GET /v1/connections, 0 details GETs", async () => {
    await withEmulator(world, async (emu) => {
      const report = await run(emu, checks())
      expect(report.verdict).not.toBe("ready")
      const byId = Object.fromEntries(report.items.map((i) => [i.id, i]))
      const failing = (id: string) => byId[id]?.subjects?.filter((s) => s.status !== "pass").map((s) => s.subject)
      expect(failing("fivetran.connection.connected")).toEqual(["a2"])
      expect(failing("fivetran.connection.active")).toEqual(["b3"])
      expect(failing("fivetran.connection.freshness")).toEqual(["a2", "a5"]) // a broken connection also fails its syncs
      expect(failing("fivetran.connection.schema-change-handling")).toEqual(["b4"])
      expect(failing("fivetran.connection.historical-sync")).toEqual([])
      const coverage = report.items.filter((i) => i.id.startsWith("fivetran.group.coverage"))
      expect(coverage.map((i) => i.subjects?.map((s) => s.subject))).toEqual([[...groups.g1], [...groups.g2]])
      expect(coverage.map((i) => i.subjects?.filter((s) => s.status !== "pass").map((s) => s.subject)))
        .toEqual([["a2", "a5"], ["b3"]])
      // The members' evidence names the list they came from: the one page of the one listing.
      expect(coverage.map((i) => i.evidence["listRequests"])).toEqual([1, 1])

      const lists = emu.requests({ method: "GET", path: "/v1/connections" })
      expect(lists.map((e) => [e.query["group_id"], e.query["limit"], e.query["cursor"]]))
        .toEqual([[undefined, "1000", undefined]])
      expect(count(emu, "GET", details)).toBe(0)
      // The schema-change rule's own read, once per connection, is the only other request.
      expect(count(emu, "GET", schemas)).toBe(ids.length)
      expect(emu.log).toHaveLength(1 + ids.length)
    })
  })

  it("an id the list lacks is fetched alone: its 404 is the check's error, a newer one passes", async () => {
    await withEmulator(world, async (emu) => {
      // The listing predates "late" (created since) and never knew "gone".
      const listed = [...emu.state.connections.values()].map((c) => c.data)
      emu.state.addConnection(connection({ id: "late", groupId: "g1", now: NOW }))
      emu.faults.add({
        fault: { kind: "status", status: 200, json: { code: "Success", data: { items: listed.map(listItem) } } },
        method: "GET",
        path: "/v1/connections",
        times: 1
      })
      const connectedOf = Connection.connected({ connectionId: ["a1", "late", "gone"] })
      const report = await run(emu, [connectedOf, ...checks().slice(7)])
      const connected = report.items.find((i) => i.id === "fivetran.connection.connected")!
      expect(connected.subjects?.map((s) => [s.subject, s.status])).toEqual([
        ["a1", "pass"],
        ["late", "pass"],
        ["gone", "error"]
      ])
      const gone = connected.subjects?.[2]
      expect(gone?.message).toContain(`connection "gone"`)
      expect(gone?.evidence["error"]).toMatchObject({ reason: "not-found", status: 404, code: "NotFound_Connector" })
      expect(listingsOfAccount(emu)).toHaveLength(1)
      expect(emu.requests({ method: "GET", path: details }).map((e) => `${e.path} ${e.status}`).sort())
        .toEqual(["/v1/connections/gone 404", "/v1/connections/late 200"])
      expect(emu.log).toHaveLength(3)
    })
  })

  it("if the account listing fails, each connection gets its own GET and the verdicts are unchanged", async () => {
    const clean = await withEmulator(world, (emu) => run(emu, checks()))
    await withEmulator(world, async (emu) => {
      // 503 on all four attempts of the account listing (the first requests of the run: every read waits for it).
      emu.faults.add({
        fault: { kind: "status", status: 503, json: { code: "ServiceUnavailable", message: "try later" } },
        method: "GET",
        path: "/v1/connections",
        times: 4
      })
      const report = await run(emu, checks())
      expect(verdicts(report)).toEqual(verdicts(clean))
      expect(report.items.every((i) => i.status !== "error")).toBe(true)

      // One listing (four attempts, never repeated by the 70 reads waiting on it), then each read on its own.
      expect(listingsOfAccount(emu).map((e) => e.status)).toEqual([503, 503, 503, 503])
      const groupLists = emu.requests({ method: "GET", path: "/v1/connections" }).filter((e) => e.query["group_id"])
      expect(groupLists.map((e) => `${e.query["group_id"]} ${e.status}`).sort()).toEqual(["g1 200", "g2 200"])
      const reads = emu.requests({ method: "GET", path: details }).map((e) => e.path)
      expect(reads.sort()).toEqual(ids.map((id) => `/v1/connections/${id}`).sort())
      expect(emu.log).toHaveLength(4 + 2 + ids.length + ids.length)
    })
  })

  it("a failed listing never passes a connection the GET cannot read either (fail closed)", async () => {
    await withEmulator(world, async (emu) => {
      emu.faults.add({ fault: { kind: "status", status: 403 }, method: "GET", path: "/v1/connections", times: 1 })
      emu.faults.add({ fault: { kind: "status", status: 403 }, method: "GET", path: "/v1/connections/a1" })
      const report = await run(emu, [Connection.connected({ connectionId: ["a1", "a3"] })])
      expect(report.items[0]?.subjects?.map((s) => [s.subject, s.status])).toEqual([["a1", "error"], ["a3", "pass"]])
      expect(report.items[0]?.subjects?.[0]?.evidence["error"]).toMatchObject({ reason: "permission-denied" })
      expect(listingsOfAccount(emu)).toHaveLength(1)
      expect(emu.log).toHaveLength(3)
    })
  })

  it("a listing the key may not make (401) is every connection's error: no connection is read on its own", async () => {
    await withEmulator(world, async (emu) => {
      emu.faults.add({ fault: { kind: "status", status: 401 }, method: "GET", path: "/v1/connections", times: 1 })
      const report = await run(emu, [Connection.connected({ connectionId: ["a1", "a3", "b2"] })])
      const subjects = report.items[0]?.subjects ?? []
      expect(subjects.map((s) => [s.subject, s.status])).toEqual([["a1", "error"], ["a3", "error"], ["b2", "error"]])
      for (const s of subjects) expect(s.evidence["error"]).toMatchObject({ reason: "unauthenticated", status: 401 })
      expect(listingsOfAccount(emu)).toHaveLength(1)
      expect(count(emu, "GET", details)).toBe(0)
      expect(emu.log).toHaveLength(1)
    })
  })

  it("an account larger than one page is read page by page, once, before any read is answered", async () => {
    const clean = await withEmulator(world, (emu) => run(emu, checks()))
    await withEmulator(world, async (emu) => {
      const report = await run(emu, checks(), { client: { pageSize: 3 } })
      expect(verdicts(report)).toEqual(verdicts(clean))
      const pages = emu.requests({ method: "GET", path: "/v1/connections" })
      // 10 connections, 3 a page: 3 + 3 + 3 + 1, each cursor the previous page's next_cursor.
      expect(pages.map((e) => [e.query["group_id"], e.query["limit"]])).toEqual(Array(4).fill([undefined, "3"]))
      expect(pages[0]?.query["cursor"]).toBeUndefined()
      expect(new Set(pages.slice(1).map((e) => e.query["cursor"])).size).toBe(3)
      expect(count(emu, "GET", details)).toBe(0)
      const coverage = report.items.filter((i) => i.id.startsWith("fivetran.group.coverage"))
      expect(coverage.map((i) => i.evidence["listRequests"])).toEqual([4, 4])
      expect(emu.log).toHaveLength(4 + ids.length)
    })
  })
})

/** A connection as the emulator lists it (no `null` timestamps). */
const listItem = (data: object): Record<string, unknown> =>
  Object.fromEntries(Object.entries(data).filter(([, v]) => v !== null))
