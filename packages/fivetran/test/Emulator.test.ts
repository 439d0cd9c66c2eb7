import { describe, expect, it } from "vitest"
import {
  connection,
  DEFAULT_GROUP_ID,
  type FivetranEmulator,
  seedRealisticAccount,
  type State,
  webhook
} from "../src/emulator/index.js"
import { NOW, withEmulator } from "./support/harness.js"

type Emu = FivetranEmulator.Running<State>

const auth = (emu: Emu) => ({
  authorization: `Basic ${Buffer.from(`${emu.state.credentials.apiKey}:${emu.state.credentials.apiSecret}`).toString("base64")}`
})

const get = async (emu: Emu, path: string, headers: Record<string, string> = auth(emu)) => {
  const response = await fetch(`${emu.url}${path}`, { headers })
  return { status: response.status, headers: response.headers, body: (await response.json()) as any }
}

const post = async (emu: Emu, path: string, body: string | undefined, contentType = "application/json") => {
  const response = await fetch(`${emu.url}${path}`, {
    method: "POST",
    headers: { ...auth(emu), ...(body !== undefined ? { "content-type": contentType } : {}) },
    ...(body !== undefined ? { body } : {})
  })
  return { status: response.status, body: (await response.json()) as any }
}

describe("the Fivetran emulator", () => {
  it("answers 401 without valid Basic credentials, and logs the header redacted", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "c" })), async (emu) => {
      expect((await get(emu, "/v1/connections/c", {})).status).toBe(401)
      const wrong = await get(emu, "/v1/connections/c", { authorization: `Basic ${Buffer.from("emulator_api_key:nope").toString("base64")}` })
      expect(wrong.status).toBe(401)
      expect(wrong.body).toEqual({ code: "AuthFailed", message: expect.any(String) })
      expect((await get(emu, "/v1/connections/c")).status).toBe(200)
      expect(emu.log.map((e) => e.headers["authorization"])).toEqual([undefined, "Basic <redacted>", "Basic <redacted>"])
    })
  })

  it("serves the {code, message, data} envelope with X-Rate-Limit headers", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "c" })), async (emu) => {
      const response = await get(emu, "/v1/connections/c")
      expect(response.body).toMatchObject({ code: "Success", message: expect.any(String), data: { id: "c", group_id: DEFAULT_GROUP_ID } })
      expect(response.headers.get("x-rate-limit")).toBe("20000")
      expect(response.headers.get("x-rate-limit-remaining")).toBe("19999")
    })
  })

  it("paginates with limit (default 100, 1..1000) and an opaque cursor", async () => {
    await withEmulator((s) => {
      for (let i = 0; i < 150; i++) s.addConnection(connection({ id: `c${i}` }))
    }, async (emu) => {
      const first = await get(emu, "/v1/connections")
      expect(first.body.data.items).toHaveLength(100)
      const second = await get(emu, `/v1/connections?cursor=${first.body.data.next_cursor}`)
      expect(second.body.data.items).toHaveLength(50)
      expect(second.body.data.next_cursor).toBeUndefined()
      expect(second.body.data.items[0].id).toBe("c100")
      expect((await get(emu, "/v1/connections?limit=1001")).status).toBe(400)
      expect((await get(emu, "/v1/connections?limit=0")).status).toBe(400)
      expect((await get(emu, "/v1/connections?cursor=garbage")).body.code).toBe("InvalidInput")
    })
  })

  it("answers 404 with Fivetran's error codes, and for the retired /v1/connectors paths", async () => {
    await withEmulator(undefined, async (emu) => {
      expect((await get(emu, "/v1/connections/nope")).body.code).toBe("NotFound_Connector")
      expect((await get(emu, "/v1/destinations/nope")).body.code).toBe("NotFound_Destination")
      expect((await get(emu, "/v1/groups/nope")).body.code).toBe("NotFound_Group")
      expect((await get(emu, "/v1/webhooks/nope")).body.code).toBe("NotFound_Webhook")
      expect((await get(emu, "/v1/groups/nope/connections")).status).toBe(404)
      expect((await get(emu, "/v1/connectors/anything")).status).toBe(404)
    })
  })

  it("answers 406 to an Accept it cannot serve", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "c" })), async (emu) => {
      expect((await get(emu, "/v1/connections/c", { ...auth(emu), accept: "text/html" })).status).toBe(406)
      expect((await get(emu, "/v1/connections/c", { ...auth(emu), accept: "application/json;version=2" })).status).toBe(200)
    })
  })

  it("needs a JSON body to run setup tests, as the API does", async () => {
    await withEmulator((s) => void s.addConnection(connection({ id: "c" })), async (emu) => {
      expect((await post(emu, "/v1/connections/c/test", undefined)).status).toBe(400)
      expect((await post(emu, "/v1/connections/c/test", "{}", "text/plain")).status).toBe(415)
      const ran = await post(emu, "/v1/connections/c/test", "{}")
      expect(ran.status).toBe(200)
      expect(ran.body.data.setup_tests.map((t: { status: string }) => t.status)).toEqual(["PASSED", "PASSED", "PASSED"])
    })
  })

  it("masks webhook secrets and filters connections by group", async () => {
    let ids!: ReturnType<typeof seedRealisticAccount>
    await withEmulator((s) => void (ids = seedRealisticAccount(s, { now: NOW })), async (emu) => {
      const hooks = await get(emu, "/v1/webhooks")
      expect(hooks.body.data.items.map((w: { secret?: string }) => w.secret)).toEqual(["******", undefined])
      expect(JSON.stringify(hooks.body)).not.toContain(ids.webhook.secret)
      const prod = await get(emu, `/v1/connections?group_id=${ids.groupId}`)
      expect(prod.body.data.items).toHaveLength(8)
      const staging = await get(emu, `/v1/groups/${ids.stagingGroupId}/connections`)
      expect(staging.body.data.items.map((c: { id: string }) => c.id)).toEqual(["staging_postgres"])
    })
  })

  it("is changeable while running and counts the rate limit over a rolling window", async () => {
    await withEmulator((s) => void s.addWebhook(webhook({ id: "w" })), async (emu) => {
      emu.state.addConnection(connection({ id: "late" }))
      expect((await get(emu, "/v1/connections/late")).status).toBe(200)
      emu.state.rateLimit = { limit: 1, windowMs: 60_000 }
      const limited = await get(emu, "/v1/webhooks/w")
      expect(limited.status).toBe(429)
      expect(limited.body).toEqual({ code: "TooManyRequests", message: expect.any(String) })
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(55)
      expect(limited.headers.get("x-rate-limit-remaining")).toBe("0")
    })
  })
})
