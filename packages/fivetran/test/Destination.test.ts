import { describe, expect, it } from "vitest"
import { destination } from "../src/emulator/index.js"
import { Destination } from "../src/index.js"
import { count, run, runOne, withEmulator } from "./support/harness.js"

describe("fivetran.destination.connected", () => {
  it("passes lower-case connected (what the live API sends) and upper-case CONNECTED (what the spec documents)", async () => {
    await withEmulator((s) => {
      s.addDestination(destination({ id: "lower", setupStatus: "connected" }))
      s.addDestination(destination({ id: "upper", setupStatus: "CONNECTED" }))
    }, async (emu) => {
      expect((await runOne(emu, Destination.connected({ destinationId: "lower" }))).status).toBe("pass")
      expect((await runOne(emu, Destination.connected({ destinationId: "upper" }))).status).toBe("pass")
    })
  })

  it("fails an incomplete or broken destination with its setup tests as evidence", async () => {
    await withEmulator((s) => {
      s.addDestination(destination({ id: "wh", setupStatus: "INCOMPLETE" }))
      s.addDestination(destination({ id: "wh2", setupStatus: "broken" }))
    }, async (emu) => {
      const result = await runOne(emu, Destination.connected({ destinationId: "wh" }))
      expect(result.status).toBe("fail")
      expect(result.message).toContain("setup status is incomplete")
      expect(result.evidence["setupTests"]).toContainEqual({
        title: "Permission Test",
        status: "FAILED",
        message: "The Fivetran role cannot create schemas in database ANALYTICS"
      })
      expect((await runOne(emu, Destination.connected({ destinationId: "wh2" }))).status).toBe("fail")
    })
  })

  it("reports an unknown setup_status as error", async () => {
    await withEmulator((s) => void s.addDestination(destination({ id: "wh", setupStatus: "MIGRATING" })), async (emu) => {
      const result = await runOne(emu, Destination.connected({ destinationId: "wh" }))
      expect(result.status).toBe("error")
      expect(result.message).toContain(`setup_status is "MIGRATING"`)
    })
  })

  it("reports a missing destination as error with NotFound_Destination", async () => {
    await withEmulator(undefined, async (emu) => {
      const result = await runOne(emu, Destination.connected({ destinationId: "nope" }))
      expect(result.status).toBe("error")
      expect(result.evidence["error"]).toMatchObject({ reason: "not-found", code: "NotFound_Destination" })
    })
  })
})

describe("fivetran.destination.region", () => {
  it("passes in an expected region and fails elsewhere; both checks share one read", async () => {
    await withEmulator((s) => void s.addDestination(destination({ id: "wh", region: "AWS_EU_CENTRAL_1" })), async (emu) => {
      const report = await run(emu, [
        Destination.connected({ destinationId: "wh" }),
        Destination.region({ destinationId: "wh", expected: ["GCP_EUROPE_WEST3", "aws_eu_central_1"] })
      ])
      expect(report.items.map((i) => i.status)).toEqual(["pass", "pass"])
      expect(count(emu, "GET", "/v1/destinations/wh")).toBe(1)
      expect(emu.requests({ path: "/v1/destinations/wh" })[0]?.headers["accept"]).toBe("application/json;version=2")

      const wrong = await runOne(emu, Destination.region({ destinationId: "wh", expected: "AWS_US_EAST_1" }))
      expect(wrong.status).toBe("fail")
      expect(wrong.evidence).toMatchObject({ observed: "AWS_EU_CENTRAL_1", expected: ["AWS_US_EAST_1"] })
    })
  })
})
