import { Gate, Runner } from "@launchgate/core"
import { describe, expect, it } from "vitest"
import { connection, FivetranEmulator, setupTest } from "../src/emulator/index.js"
import { Connection, layer } from "../src/index.js"
import { item } from "@launchgate/core/testing"
import { count, NOW, run, runOne, withEmulator } from "./support/harness.js"

const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000)

describe("fivetran.connection.connected", () => {
  it("passes when setup_state is connected", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "app_db", now: NOW })), async (emu) => {
      const result = await runOne(emu, Connection.connected({ connectionId: "app_db" }))
      expect(result.status).toBe("pass")
      expect(result.evidence).toMatchObject({ observed: "connected", expected: "connected" })
    })
  })

  it("fails a broken connection with the failing setup tests and tasks as evidence", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "crm", service: "salesforce", setupState: "broken", now: NOW })), async (emu) => {
      const result = await runOne(emu, Connection.connected({ connectionId: "crm" }))
      expect(result.status).toBe("fail")
      expect(result.message).toContain("Validate Login FAILED")
      expect(result.evidence["setupTests"]).toEqual([
        { title: "Validate Login", status: "FAILED", message: "Invalid credentials: the password was rejected by the source" }
      ])
      expect(result.evidence["tasks"]).toMatchObject([{ code: "reconnect", message: "Reconnect" }])
      expect(result.remediation).toMatch(/reconnect/i)
    })
  })

  it("fails an incomplete connection", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "new_src", setupState: "incomplete", now: NOW })), async (emu) => {
      const result = await runOne(emu, Connection.connected({ connectionId: "new_src" }))
      expect(result.status).toBe("fail")
      expect(result.remediation).toMatch(/Finish setting up/)
    })
  })

  it("reports an unknown setup_state as error naming the value, never a pass", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "odd", setupState: "reconnecting", now: NOW })), async (emu) => {
      const result = await runOne(emu, Connection.connected({ connectionId: "odd" }))
      expect(result.status).toBe("error")
      expect(result.message).toContain(`status.setup_state is "reconnecting"`)
      expect(result.evidence).toMatchObject({ observed: "reconnecting" })
      expect(result.disposition).toBe("blocking")
    })
  })

  it("gives one result per connection when given several ids", async () => {
    await withEmulator((s) => {
      s.addConnection(connection({ id: "a", now: NOW }))
      s.addConnection(connection({ id: "b", setupState: "broken", now: NOW }))
    }, async (emu) => {
      const result = await runOne(emu, Connection.connected({ connectionId: ["a", "b"] }))
      expect(result.status).toBe("fail")
      expect(result.subjects?.map((s) => [s.subject, s.status])).toEqual([["a", "pass"], ["b", "fail"]])
    })
  })
})

describe("fivetran.connection.active", () => {
  it("passes an unpaused auto-scheduled production connection", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "c", now: NOW })), async (emu) => {
      expect((await runOne(emu, Connection.active({ connectionId: "c" }))).status).toBe("pass")
    })
  })

  it("fails paused, manual and pause-after-trial connections, naming each problem", async () => {
    await withEmulator((s) => {
      s.addConnection(connection({ id: "paused", paused: true, now: NOW }))
      s.addConnection(connection({ id: "manual", scheduleType: "manual", now: NOW }))
      s.addConnection(connection({ id: "trial", pauseAfterTrial: true, now: NOW }))
    }, async (emu) => {
      const result = await runOne(emu, Connection.active({ connectionId: ["paused", "manual", "trial"] }))
      expect(result.status).toBe("fail")
      expect(result.subjects?.map((s) => s.message)).toEqual([
        expect.stringContaining("paused"),
        expect.stringContaining("schedule_type is manual, expected auto"),
        expect.stringContaining("pause_after_trial is true")
      ])
    })
  })

  it("allows pause_after_trial outside production and a manual schedule when asked", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "t", pauseAfterTrial: true, scheduleType: "manual", now: NOW })), async (emu) => {
      const result = await runOne(emu, Connection.active({ connectionId: "t", production: false, scheduleType: "manual" }))
      expect(result.status).toBe("pass")
    })
  })
})

describe("fivetran.connection.freshness", () => {
  it("passes when the last success is within sync_frequency × 2 (derived SLA)", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "c", syncFrequency: 60, succeededAt: minutesAgo(90), now: NOW })), async (emu) => {
      const result = await runOne(emu, Connection.freshness({ connectionId: "c" }))
      expect(result.status).toBe("pass")
      expect(result.evidence).toMatchObject({
        observed: { ageMinutes: 90 },
        expected: { maxAgeMinutes: 120, source: "sync_frequency (60 min) × 2" }
      })
    })
  })

  it("fails when the data is older than the SLA", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "c", syncFrequency: 60, succeededAt: minutesAgo(150), now: NOW })), async (emu) => {
      const result = await runOne(emu, Connection.freshness({ connectionId: "c" }))
      expect(result.status).toBe("fail")
      expect(result.message).toContain("150 min old")
      expect(result.remediation).toMatch(/sync history/)
    })
  })

  it("judges against the run's clock, not the wall clock", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "c", syncFrequency: 60, succeededAt: minutesAgo(30), now: NOW })), async (emu) => {
      const check = Connection.freshness({ connectionId: "c" })
      expect((await runOne(emu, check, { now: NOW })).status).toBe("pass")
      expect((await runOne(emu, check, { now: new Date(NOW.getTime() + 5 * 3_600_000) })).status).toBe("fail")
    })
  })

  it("uses a given SLA over the derived one", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "c", syncFrequency: 1440, succeededAt: minutesAgo(180), now: NOW })), async (emu) => {
      const result = await runOne(emu, Connection.freshness({ connectionId: "c", maxAge: "2 hours" }))
      expect(result.status).toBe("fail")
      expect(result.evidence).toMatchObject({ expected: { maxAgeMinutes: 120, source: "given SLA" } })
    })
  })

  it("fails when a sync failed after the last success", async () => {
    await withEmulator((s) =>
      void s.addConnection(connection({ id: "c", syncFrequency: 360, succeededAt: minutesAgo(60), failedAt: minutesAgo(5), now: NOW }))
    , async (emu) => {
      const result = await runOne(emu, Connection.freshness({ connectionId: "c" }))
      expect(result.status).toBe("fail")
      expect(result.message).toContain("last sync failed")
    })
  })

  it("fails a connection that never synced successfully", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "c", succeededAt: null, now: NOW })), async (emu) => {
      expect((await runOne(emu, Connection.freshness({ connectionId: "c" }))).message).toContain("never completed")
    })
  })

  it("warns when Fivetran reports update_state delayed within the SLA", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "c", updateState: "delayed", succeededAt: minutesAgo(10), now: NOW })), async (emu) => {
      const result = await runOne(emu, Connection.freshness({ connectionId: "c" }))
      expect(result.status).toBe("warn")
      expect(result.disposition).toBe("warning")
    })
  })
})

describe("fivetran.connection.historical-sync", () => {
  it("passes once the historical sync finished and fails while it runs", async () => {
    await withEmulator((s) => {
      s.addConnection(connection({ id: "done", now: NOW }))
      s.addConnection(connection({ id: "running", isHistoricalSync: true, syncState: "syncing", now: NOW }))
    }, async (emu) => {
      const report = await run(emu, [Connection.historicalSync({ connectionId: ["done", "running"] })])
      const result = item(report, "fivetran.connection.historical-sync")
      expect(result.subjects?.map((s) => s.status)).toEqual(["pass", "fail"])
      expect(result.remediation).toMatch(/defer/)
    })
  })

  it("can be deferred without deferring freshness", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "c", isHistoricalSync: true, now: NOW })), async (emu) => {
      const gate = Gate.make({
        name: "deferral",
        items: [
          { check: Connection.historicalSync({ connectionId: "c" }), tier: "launch-critical", owner: "data" },
          { check: Connection.freshness({ connectionId: "c" }), tier: "launch-critical", owner: "data" }
        ],
        deferrals: [{
          check: "fivetran.connection.historical-sync",
          owner: "data",
          reason: "backfill of 4 years of events takes a week",
          risk: "dashboards show partial history",
          followUp: "DATA-101",
          expires: "2026-09-10"
        }],
        rollback: { "fivetran.connection": { procedure: "pause the connection" } },
        layer: layer(FivetranEmulator.clientOptions(emu))
      })
      const report = await Runner.runPromise(gate, { now: NOW })
      expect(item(report, "fivetran.connection.historical-sync").disposition).toBe("deferred")
      expect(item(report, "fivetran.connection.freshness").status).toBe("pass")
      expect(report.verdict).toBe("ready")
    })
  })
})

describe("fivetran.connection.tasks", () => {
  it("passes with no tasks, warns with warnings, fails with tasks", async () => {
    await withEmulator((s) => {
      s.addConnection(connection({ id: "clean", now: NOW }))
      s.addConnection(connection({ id: "warned", warnings: [{ code: "resync_table_warning", message: "Resync Table Warning" }], now: NOW }))
      s.addConnection(connection({ id: "tasked", tasks: [{ code: "reconnect", message: "Reconnect" }], now: NOW }))
    }, async (emu) => {
      const result = await runOne(emu, Connection.tasks({ connectionId: ["clean", "warned", "tasked"] }))
      expect(result.subjects?.map((s) => s.status)).toEqual(["pass", "warn", "fail"])
      expect(result.subjects?.[1]?.evidence["warnings"]).toEqual([{ code: "resync_table_warning", message: "Resync Table Warning" }])
      expect(result.subjects?.[2]?.message).toContain("1 blocking task(s): Reconnect")
    })
  })
})

describe("fivetran.connection.sync-frequency", () => {
  it("passes within the maximum and with a required data_delay_sensitivity", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "c", syncFrequency: 15, dataDelaySensitivity: "HIGH", now: NOW })), async (emu) => {
      const result = await runOne(emu, Connection.syncFrequency({ connectionId: "c", maxMinutes: 60, dataDelaySensitivity: ["HIGH"] }))
      expect(result.status).toBe("pass")
    })
  })

  it("fails a slower schedule and the wrong sensitivity", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "c", syncFrequency: 1440, dataDelaySensitivity: "LOW", now: NOW })), async (emu) => {
      const result = await runOne(emu, Connection.syncFrequency({ connectionId: "c", maxMinutes: 60, dataDelaySensitivity: ["HIGH", "NORMAL"] }))
      expect(result.status).toBe("fail")
      expect(result.message).toContain("syncs every 1440 min, more than the 60 min allowed")
      expect(result.message).toContain("data_delay_sensitivity is LOW")
    })
  })

  it("reports an unknown data_delay_sensitivity as error", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "c", dataDelaySensitivity: "ADAPTIVE", now: NOW })), async (emu) => {
      const result = await runOne(emu, Connection.syncFrequency({ connectionId: "c", maxMinutes: 360 }))
      expect(result.status).toBe("error")
      expect(result.message).toContain(`"ADAPTIVE"`)
    })
  })
})

describe("fivetran.connection.schema-change-handling", () => {
  it("passes BLOCK_ALL and fails ALLOW_ALL by default", async () => {
    await withEmulator((s) => {
      s.addConnection(connection({ id: "fixed", schemaChangeHandling: "BLOCK_ALL", now: NOW }))
      s.addConnection(connection({ id: "open", schemaChangeHandling: "ALLOW_ALL", now: NOW }))
    }, async (emu) => {
      const result = await runOne(emu, Connection.schemaChangeHandling({ connectionId: ["fixed", "open"] }))
      expect(result.subjects?.map((s) => s.status)).toEqual(["pass", "fail"])
      expect(result.subjects?.[1]?.remediation).toMatch(/schema_change_handling/)
      expect(count(emu, "GET", "/v1/connections/open/schemas")).toBe(1)
    })
  })

  it("accepts a custom list of policies", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "c", schemaChangeHandling: "ALLOW_ALL", now: NOW })), async (emu) => {
      expect((await runOne(emu, Connection.schemaChangeHandling({ connectionId: "c", allowed: ["ALLOW_ALL"] }))).status).toBe("pass")
    })
  })
})

describe("fivetran.connection.setup-tests (active)", () => {
  it("is skipped unless the gate allows active checks, and then sends nothing", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "c", now: NOW })), async (emu) => {
      const result = await runOne(emu, Connection.setupTests({ connectionId: "c" }))
      expect(result.status).toBe("skip")
      expect(emu.log).toHaveLength(0)
    })
  })

  it("passes when every setup test passes", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "c", now: NOW })), async (emu) => {
      const result = await runOne(emu, Connection.setupTests({ connectionId: "c" }), { allowActive: true })
      expect(result.status).toBe("pass")
      const [post] = emu.requests({ method: "POST", path: "/v1/connections/c/test" })
      expect(post?.body).toBe("{}")
      expect(post?.headers["accept"]).toBe("application/json;version=2")
    })
  })

  it("fails on FAILED and JOB_FAILED tests and warns on WARNING", async () => {
    await withEmulator((s) => {
      s.addConnection(connection({ id: "failed", setupTestsOnRun: [setupTest("Validate Login", "FAILED", "bad password")], now: NOW }))
      s.addConnection(connection({ id: "job", setupTestsOnRun: [setupTest("Connecting to source", "JOB_FAILED")], now: NOW }))
      s.addConnection(connection({ id: "warned", setupTestsOnRun: [setupTest("Validate Login", "PASSED"), setupTest("Replication slot", "WARNING")], now: NOW }))
    }, async (emu) => {
      const failed = await runOne(emu, Connection.setupTests({ connectionId: "failed" }), { allowActive: true })
      expect(failed.status).toBe("fail")
      expect(failed.message).toContain("Validate Login (bad password)")
      expect(emu.state.connection("failed").status.setup_state).toBe("broken")
      expect((await runOne(emu, Connection.setupTests({ connectionId: "job" }), { allowActive: true })).status).toBe("fail")
      expect((await runOne(emu, Connection.setupTests({ connectionId: "warned" }), { allowActive: true })).status).toBe("warn")
    })
  })
})

describe("shared reads", () => {
  it("reads a connection once per run however many checks look at it, with the version=2 Accept header", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "c", schemaChangeHandling: "BLOCK_ALL", now: NOW })), async (emu) => {
      const report = await run(emu, [
        Connection.connected({ connectionId: "c" }),
        Connection.active({ connectionId: "c" }),
        Connection.freshness({ connectionId: "c" }),
        Connection.historicalSync({ connectionId: "c" }),
        Connection.tasks({ connectionId: "c" }),
        Connection.syncFrequency({ connectionId: "c", maxMinutes: 360 }),
        Connection.schemaChangeHandling({ connectionId: "c" })
      ])
      expect(report.items.map((i) => i.status)).toEqual(Array(7).fill("pass"))
      // The account's connection list answers every details read: one listing, no GET of the connection.
      expect(count(emu, "GET", "/v1/connections")).toBe(1)
      expect(count(emu, "GET", "/v1/connections/c")).toBe(0)
      expect(count(emu, "GET", "/v1/connections/c/schemas")).toBe(1)
      expect(emu.log).toHaveLength(2)
      const [list] = emu.requests({ method: "GET", path: "/v1/connections" })
      expect(list?.query["group_id"]).toBeUndefined()
      expect(list?.headers["accept"]).toBe("application/json;version=2")
      expect(list?.headers["authorization"]).toBe("Basic <redacted>")
      // Only the current /v1/connections paths; the retired /v1/connectors paths are never used.
      expect(emu.log.every((e) => !e.path.startsWith("/v1/connectors"))).toBe(true)
    })
  })

  it("reads again in the next run (the cache lives for one run)", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "c", now: NOW })), async (emu) => {
      const check = Connection.connected({ connectionId: "c" })
      await runOne(emu, check)
      emu.state.connection("c").status.setup_state = "broken"
      expect((await runOne(emu, check)).status).toBe("fail")
      expect(count(emu, "GET", "/v1/connections")).toBe(2)
      expect(emu.log).toHaveLength(2)
    })
  })
})
