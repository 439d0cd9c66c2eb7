import { Gate, Runner } from "@launchgate/core"
import { ConfigProvider, Effect, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { connection, FivetranEmulator, type State, webhook } from "../src/emulator/index.js"
import { Connection, layer, layerConfig, Webhook } from "../src/index.js"
import { count, NOW, run, runOne, withEmulator } from "./support/harness.js"

const withSeeded = <A>(body: (emu: FivetranEmulator.Running<State>) => Promise<A>) =>
  withEmulator((s) => void s.addConnection(connection({ id: "c", now: NOW })), body)
const connected = Connection.connected({ connectionId: "c" })
// The account list and the connection's own GET (its fallback): a fault on both leaves no read to rescue the other.
const listAndGet = /^\/v1\/connections(\/c)?$/

describe("errors become error outcomes with a remediation, never a pass", () => {
  it("401: a wrong secret", async () => {
    await withSeeded(async (emu) => {
      const result = await runOne(emu, connected, { client: { apiSecret: Redacted.make("not-the-secret") } })
      expect(result.status).toBe("error")
      expect(result.evidence["error"]).toMatchObject({ reason: "unauthenticated", status: 401, code: "AuthFailed" })
      expect(result.remediation).toMatch(/FIVETRAN_API_KEY/)
      // A rejected key is rejected everywhere: the listing's 401 decides, with no per-connection GET after it.
      expect(count(emu, "GET", "/v1/connections")).toBe(1)
      expect(count(emu, "GET", "/v1/connections/c")).toBe(0)
    })
  })

  it("403: the key's role cannot see the connection", async () => {
    await withSeeded(async (emu) => {
      emu.faults.add({
        fault: { kind: "status", status: 403, json: { code: "AccessDenied", message: "Access denied" } },
        path: listAndGet
      })
      const result = await runOne(emu, connected)
      expect(result.status).toBe("error")
      expect(result.evidence["error"]).toMatchObject({ reason: "permission-denied", status: 403, code: "AccessDenied" })
      expect(result.message).toContain(`connection "c"`)
      expect(result.remediation).toMatch(/role/)
      // The listing's 403 left the connection to its own GET, whose 403 is the check's error.
      expect(emu.log.map((e) => `${e.path} ${e.status}`)).toEqual(["/v1/connections 403", "/v1/connections/c 403"])
    })
  })

  it("404: NotFound_Connector names the missing connection", async () => {
    await withSeeded(async (emu) => {
      const result = await runOne(emu, Connection.connected({ connectionId: "gone" }))
      expect(result.status).toBe("error")
      expect(result.message).toContain(`connection "gone"`)
      expect(result.evidence["error"]).toMatchObject({ reason: "not-found", status: 404, code: "NotFound_Connector" })
    })
  })

  it("429 with Retry-After: waits as told, retries, and records the attempts", async () => {
    await withSeeded(async (emu) => {
      emu.faults.next({ kind: "rate-limit", retryAfter: 0, json: { code: "TooManyRequests", message: "slow down" } })
      const result = await runOne(emu, connected)
      expect(result.status).toBe("pass")
      expect(result.attempts).toBe(2)
      expect(emu.requests({ path: "/v1/connections" }).map((e) => e.status)).toEqual([429, 200])
      expect(count(emu, "GET", "/v1/connections/c")).toBe(0)
    })
  })

  it("503 with Retry-After (seconds): waits as told, not the backoff, and says how long in evidence", async () => {
    await withSeeded(async (emu) => {
      emu.faults.next({ kind: "rate-limit", status: 503, retryAfter: 1 })
      const started = Date.now()
      const result = await runOne(emu, connected)
      expect(result.status).toBe("pass")
      // The harness's backoff is 1 ms: only honouring Retry-After explains a full second (a lower bound).
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000)
      expect(result.evidence["retryAfterWaitedMs"]).toBe(1_000)
      expect(emu.requests({ path: "/v1/connections" }).map((e) => e.status)).toEqual([503, 200])
      expect(count(emu, "GET", "/v1/connections/c")).toBe(0)
    })
  })

  it("429 with Retry-After as an HTTP-date: waits until then and records the wait", async () => {
    await withSeeded(async (emu) => {
      emu.faults.next({ kind: "rate-limit", retryAfter: new Date(Date.now() + 2_000) })
      const result = await runOne(emu, connected)
      expect(result.status).toBe("pass")
      // An HTTP-date has whole seconds: the wait is between 0 and 2 s, never the 1 ms backoff.
      const waited = result.evidence["retryAfterWaitedMs"] as number
      expect(waited).toBeGreaterThan(0)
      expect(waited).toBeLessThanOrEqual(2_000)
    })
  })

  it("a Retry-After longer than what remains of the check timeout fails closed at once, saying so", async () => {
    await withSeeded(async (emu) => {
      emu.faults.next({ kind: "rate-limit", retryAfter: 5, json: { code: "TooManyRequests", message: "slow down" } })
      const result = await runOne(emu, connected, { client: { checkTimeout: "2 seconds" } })
      expect(result.status).toBe("error")
      expect(result.message).toMatch(/Retry-After asked to wait 5 s but only [\d.]+ s remained of the 2 s check timeout/)
      expect(result.evidence["error"]).toMatchObject({ reason: "rate-limited", status: 429, retryAfter: 5 })
      expect(result.evidence["retryAfterWaitedMs"]).toBe(0)
      // An exhausted quota is the account's: no per-connection GET is sent into it.
      expect(count(emu, "GET", "/v1/connections")).toBe(1)
      expect(count(emu, "GET", "/v1/connections/c")).toBe(0)
    })
  })

  it("a 503 whose Retry-After exceeds the remaining budget is an error naming it, never a long sleep", async () => {
    await withSeeded(async (emu) => {
      emu.faults.add({ fault: { kind: "rate-limit", status: 503, retryAfter: 60 }, path: listAndGet })
      const result = await runOne(emu, connected, { client: { checkTimeout: "5 seconds", retry: { maxRetryAfter: "2 minutes" } } })
      expect(result.status).toBe("error")
      expect(result.evidence["error"]).toMatchObject({ reason: "unavailable", status: 503, retryAfter: 60 })
      expect(result.message).toContain("check timeout")
      expect(result.message).toContain(`connection "c"`)
      expect(count(emu, "GET", "/v1/connections")).toBe(1)
      expect(count(emu, "GET", "/v1/connections/c")).toBe(1)
    })
  })

  it("429 asking for longer than the allowed wait fails at once as RateLimited", async () => {
    await withSeeded(async (emu) => {
      emu.faults.next({ kind: "rate-limit", retryAfter: 3600, json: { code: "TooManyRequests", message: "hourly quota" } })
      const started = Date.now()
      const result = await runOne(emu, connected)
      expect(Date.now() - started).toBeLessThan(5_000)
      expect(result.status).toBe("error")
      expect(result.evidence["error"]).toMatchObject({ reason: "rate-limited", status: 429, code: "TooManyRequests", retryAfter: 3600 })
      expect(result.message).toContain("Retry-After 3600s")
      expect(count(emu, "GET", "/v1/connections")).toBe(1)
      expect(count(emu, "GET", "/v1/connections/c")).toBe(0)
    })
  })

  it("the emulator's own rate limit answers 429 with Retry-After once the quota is used", async () => {
    await withSeeded(async (emu) => {
      emu.state.rateLimit = { limit: 1, windowMs: 60_000 }
      expect((await runOne(emu, connected)).status).toBe("pass")
      const second = await runOne(emu, connected)
      expect(second.status).toBe("error")
      expect(second.evidence["error"]).toMatchObject({ reason: "rate-limited", retryAfter: expect.any(Number) })
      expect((second.evidence["error"] as { retryAfter: number }).retryAfter).toBeGreaterThan(50)
      const [, limited] = emu.log
      expect(limited?.status).toBe(429)
    })
  })

  it("500 then success: retried, passes, two attempts", async () => {
    await withSeeded(async (emu) => {
      emu.faults.next({ kind: "status", status: 500 }, { times: 1 })
      const result = await runOne(emu, connected)
      expect(result.status).toBe("pass")
      expect(result.attempts).toBe(2)
    })
  })

  it("500 every time: error after the retry budget", async () => {
    await withSeeded(async (emu) => {
      emu.faults.next({ kind: "status", status: 500, json: { code: "InternalError", message: "boom" } }, { times: 10 })
      const result = await runOne(emu, connected)
      expect(result.status).toBe("error")
      expect(result.evidence["error"]).toMatchObject({ reason: "unavailable", status: 500 })
      expect(result.attempts).toBe(4)
      expect(count(emu, "GET", "/v1/connections/c")).toBe(4)
    })
  })

  it("a connection reset is retried", async () => {
    await withSeeded(async (emu) => {
      emu.faults.next({ kind: "reset" })
      const result = await runOne(emu, connected)
      expect(result.status).toBe("pass")
      expect(result.attempts).toBe(2)
    })
  })

  it("malformed JSON is a Decode error", async () => {
    await withSeeded(async (emu) => {
      emu.faults.add({ fault: { kind: "malformed-json" }, path: listAndGet })
      const result = await runOne(emu, connected)
      expect(result.status).toBe("error")
      expect(result.evidence["error"]).toMatchObject({ reason: "invalid-response", status: 200 })
      expect(result.message).toContain("not JSON")
    })
  })

  it("a body of the wrong shape is a Decode error naming the field", async () => {
    await withSeeded(async (emu) => {
      emu.faults.add({
        fault: { kind: "status", status: 200, json: { code: "Success", data: { id: "c", status: {} } } },
        path: listAndGet
      })
      const result = await runOne(emu, connected)
      expect(result.status).toBe("error")
      expect(result.message).toContain("not the documented shape")
      expect(result.message).toContain("group_id")
    })
  })

  it("a refused connection (nothing listening) is a Transport error", async () => {
    await withSeeded(async (emu) => {
      await emu.close()
      const result = await runOne(emu, connected, { client: { retry: { baseDelay: "1 millis", maxAttempts: 2 } } })
      expect(result.status).toBe("error")
      expect(result.evidence["error"]).toMatchObject({ reason: "transport" })
    })
  })
})

describe("evidence", () => {
  it("surfaces X-Rate-Limit-Remaining", async () => {
    await withSeeded(async (emu) => {
      emu.state.rateLimit = { limit: 500, windowMs: 3_600_000 }
      const result = await runOne(emu, connected)
      expect(result.evidence["rateLimitRemaining"]).toBe(499)
    })
  })

  it("never shows the API key, secret or Basic credentials in a report", async () => {
    await withSeeded(async (emu) => {
      const report = await run(emu, [connected, Connection.active({ connectionId: "gone" })])
      const text = JSON.stringify(report)
      const { apiKey, apiSecret } = emu.state.credentials
      expect(text).not.toContain(apiSecret)
      expect(text).not.toContain(apiKey)
      expect(text).not.toContain(Buffer.from(`${apiKey}:${apiSecret}`).toString("base64"))
    })
  })
})

describe("pagination", () => {
  it("follows next_cursor with the configured page size and reads each page once", async () => {
    await withEmulator((s) => {
      for (let i = 0; i < 5; i++) s.addWebhook(webhook({ id: `w${i}`, url: `https://hooks.example.com/${i}` }))
    }, async (emu) => {
      const result = await runOne(emu, Webhook.configured({ url: "https://hooks.example.com/4" }), { client: { pageSize: 2 } })
      expect(result.status).toBe("pass")
      const pages = emu.requests({ method: "GET", path: "/v1/webhooks" })
      expect(pages.map((p) => p.query["limit"])).toEqual(["2", "2", "2"])
      expect(pages[0]?.query["cursor"]).toBeUndefined()
      expect(result.attempts).toBe(3)
    })
  })
})

describe("layerConfig", () => {
  const gateWith = (l: ReturnType<typeof layerConfig>) =>
    Gate.make({
      name: "config",
      items: [{ check: connected, tier: "launch-critical", owner: "data" }],
      rollback: { "fivetran.connection": { procedure: "pause" } },
      layer: l
    })

  it("reads FIVETRAN_API_KEY / FIVETRAN_API_SECRET / FIVETRAN_BASE_URL", async () => {
    await withSeeded(async (emu) => {
      const provider = ConfigProvider.fromMap(new Map([
        ["FIVETRAN_API_KEY", emu.state.credentials.apiKey],
        ["FIVETRAN_API_SECRET", emu.state.credentials.apiSecret],
        ["FIVETRAN_BASE_URL", `${emu.url}/v1`]
      ]))
      const report = await Effect.runPromise(Runner.run(gateWith(layerConfig())).pipe(Effect.withConfigProvider(provider)))
      expect(report.items[0]?.status).toBe("pass")
    })
  })

  it("a missing key makes every check error, naming the variable", async () => {
    const provider = ConfigProvider.fromMap(new Map([["FIVETRAN_API_SECRET", "x"]]))
    const report = await Effect.runPromise(Runner.run(gateWith(layerConfig())).pipe(Effect.withConfigProvider(provider)))
    expect(report.items[0]?.status).toBe("error")
    expect(report.items[0]?.message).toContain("FIVETRAN_API_KEY is not set")
    // Core's runner lists a `config` VendorError as a run configuration error, naming the field's path.
    expect(report.items[0]?.evidence["configurationErrors"]).toEqual([
      { path: "FIVETRAN_API_KEY", message: expect.stringContaining("FIVETRAN_API_KEY is not set") }
    ])
  })

  it("with no variables set, reports every missing one at once (issue 14), not the first only", async () => {
    const provider = ConfigProvider.fromMap(new Map())
    const report = await Effect.runPromise(Runner.run(gateWith(layerConfig())).pipe(Effect.withConfigProvider(provider)))
    expect(report.items[0]?.status).toBe("error")
    expect(report.run.configurationErrors).toEqual([
      { path: "FIVETRAN_API_KEY", message: expect.stringContaining("FIVETRAN_API_KEY is not set") },
      { path: "FIVETRAN_API_SECRET", message: expect.stringContaining("FIVETRAN_API_SECRET is not set") }
    ])
  })
})

describe("layer", () => {
  it("is what Gate.make takes", async () => {
    await withSeeded(async (emu) => {
      const gate = Gate.make({
        name: "layer",
        items: [{ check: connected, tier: "launch-critical", owner: "data" }],
        rollback: { "fivetran.connection": { procedure: "pause" } },
        layer: layer(FivetranEmulator.clientOptions(emu))
      })
      expect((await Runner.runPromise(gate)).verdict).toBe("ready")
    })
  })
})
