/**
 * Fault matrix: the Stripe client (through a representative read-only check,
 * `billing.account.charges-enabled`, one GET /v1/account) against every fault
 * kind of the core emulator kit, through the gate's own transport. Each row
 * states the outcome it must end in (never `pass` where the read cannot be
 * trusted) and a time bound at least 10x what the row needs (short read
 * timeouts keep the rows fast). Assertions on time are upper bounds with that
 * margin, or lower bounds a slower machine can only exceed.
 */
import { describe, expect, it } from "@effect/vitest"
import type { Fault, Running } from "@launchgate/core/emulator"
import { runCheck } from "@launchgate/core/testing"
import * as http from "node:http"
import * as net from "node:net"
import { Duration } from "effect"
import * as Account from "../src/Account.js"
import type * as Stripe from "../src/Stripe.js"
import { seedRealisticAccount, StripeEmulator, type StripeState } from "../src/emulator/index.js"
import { selfSigned } from "./helpers/tls.js"
import { errorOf, NOW, on } from "./support.js"

const BUDGET_MS = 2_000
const layer: Partial<Stripe.Options> = { readTimeout: Duration.millis(BUDGET_MS), retry: { maxAttempts: 3 } }
const check = Account.chargesEnabled()

interface Row {
  readonly name: string
  readonly fault: (other: Running<StripeState>) => Fault
  readonly times?: number
  readonly expected: "pass" | "error"
  /** Evidence the outcome must carry. */
  readonly evidence?: Record<string, unknown>
  /** Requests the emulator must have seen (retries included). */
  readonly requests: number
  /** Generous upper bound (>= 10x the time the row needs). */
  readonly boundMs: number
  readonly layer?: Partial<Stripe.Options>
}

const rows: ReadonlyArray<Row> = [
  { name: "503 once", fault: () => StripeEmulator.serverError(503), times: 1, expected: "pass", requests: 2, boundMs: 20_000 },
  {
    name: "503 always",
    fault: () => StripeEmulator.serverError(503),
    expected: "error",
    evidence: { reason: "unavailable", status: 503, attempts: 3 },
    requests: 3,
    boundMs: 20_000
  },
  {
    name: "429 + Retry-After 1 s",
    fault: () => StripeEmulator.rateLimited(1),
    times: 1,
    expected: "pass",
    requests: 2,
    boundMs: 30_000,
    layer: { readTimeout: "10 seconds" }
  },
  {
    name: "429 + Retry-After HTTP-date",
    fault: () => StripeEmulator.rateLimited(new Date(Date.now() + 2_000)),
    times: 1,
    expected: "pass",
    requests: 2,
    boundMs: 30_000,
    layer: { readTimeout: "10 seconds" }
  },
  {
    name: "429 + Retry-After beyond the timeout",
    fault: () => StripeEmulator.rateLimited(60),
    expected: "error",
    evidence: { reason: "rate-limited", status: 429, retryAfter: 60 },
    requests: 1,
    boundMs: 20_000
  },
  {
    name: "accept, never answer (hang)",
    fault: () => ({ kind: "hang" }),
    expected: "error",
    evidence: { reason: "timeout" },
    requests: 1,
    boundMs: 10 * BUDGET_MS
  },
  {
    // `timeout` bounds one attempt (as in every package), `readTimeout` the whole read: the hung attempt is retried.
    name: "hang once, per-attempt timeout",
    fault: () => ({ kind: "hang" }),
    times: 1,
    expected: "pass",
    requests: 2,
    boundMs: 60_000,
    layer: { timeout: "2 seconds", readTimeout: "30 seconds" }
  },
  {
    name: "1 byte/s body (slow-drip)",
    fault: () => ({ kind: "slow-drip", chunkMs: 1_000, chunkBytes: 1 }),
    expected: "error",
    evidence: { reason: "timeout" },
    requests: 1,
    boundMs: 10 * BUDGET_MS
  },
  {
    name: "reset",
    fault: () => ({ kind: "reset" }),
    expected: "error",
    evidence: { reason: "transport", attempts: 3 },
    requests: 3,
    boundMs: 20_000
  },
  {
    name: "truncated JSON",
    fault: () => ({ kind: "truncate" }),
    expected: "error",
    evidence: { reason: "transport", attempts: 3 },
    requests: 3,
    boundMs: 20_000
  },
  {
    name: "HTML served as JSON",
    fault: () => ({ kind: "html-as-json" }),
    expected: "error",
    evidence: { reason: "invalid-response" },
    requests: 1,
    boundMs: 20_000
  },
  {
    name: "20 MB body (cap 16 MiB)",
    fault: () => ({ kind: "huge-body" }),
    expected: "error",
    evidence: { reason: "transport", code: "LG_BODY_TOO_LARGE", attempts: 1 },
    requests: 1,
    boundMs: 30_000
  },
  {
    name: "cross-origin redirect",
    fault: (other) => ({ kind: "redirect", location: `${other.url}/v1/account` }),
    expected: "error",
    // Not followed: the SDK gets the 302's empty body, which is not a Stripe object.
    evidence: { reason: "invalid-response" },
    requests: 1,
    boundMs: 20_000
  }
]

const table: Array<Record<string, unknown>> = []

describe("Stripe client fault matrix (billing.account.charges-enabled)", () => {
  for (const row of rows) {
    it(`${row.name} → ${row.expected}`, async () => {
      const stripe = await StripeEmulator.start({ seed: seedRealisticAccount({ now: NOW }) })
      const other = await StripeEmulator.start({ seed: seedRealisticAccount({ now: NOW }) })
      try {
        stripe.faults.add({ fault: row.fault(other), route: "GET /v1/account", times: row.times })
        const started = performance.now()
        const options = on(stripe, { layer: { ...layer, ...(row.layer ?? {}) }, checkTimeout: "60 seconds" })
        const item = await runCheck(check, options)
        const ms = Math.round(performance.now() - started)
        const served = stripe.requests({ path: "/v1/account" })
        table.push({
          fault: row.name,
          expected: row.expected,
          status: item.status,
          reason: errorOf(item)["reason"] ?? "",
          code: errorOf(item)["code"] ?? "",
          attempts: errorOf(item)["attempts"] ?? served.length,
          requests: served.length,
          ms
        })
        expect(item.status, item.message).toBe(row.expected)
        if (row.evidence) expect(errorOf(item)).toMatchObject(row.evidence)
        expect(served).toHaveLength(row.requests)
        // A redirect is reported, never followed (credentials must not reach another origin).
        expect(other.log).toHaveLength(0)
        expect(ms).toBeLessThan(row.boundMs)
        if (row.name.startsWith("429 + Retry-After 1")) {
          // Waited at least what Stripe asked (a lower bound: a slower machine only waits longer).
          expect(served[1]!.time - served[0]!.time).toBeGreaterThanOrEqual(990)
        }
        if (row.name === "429 + Retry-After beyond the timeout") {
          expect(item.message).toMatch(/asked to wait 60000 ms .* only \d+ ms of the read's timeout remained/)
        }
      } finally {
        await Promise.all([stripe.close(), other.close()])
      }
    }, 120_000)
  }

  it("self-signed TLS: error without retry; trusted through the gate's `ca`, it passes", async () => {
    const pem = selfSigned()
    const stripe = await StripeEmulator.start({ seed: seedRealisticAccount({ now: NOW }), tls: pem })
    try {
      const started = performance.now()
      const untrusted = await runCheck(check, on(stripe, { layer }))
      const ms = Math.round(performance.now() - started)
      table.push({
        fault: "self-signed TLS",
        expected: "error",
        status: untrusted.status,
        reason: errorOf(untrusted)["reason"],
        code: errorOf(untrusted)["code"],
        attempts: errorOf(untrusted)["attempts"],
        requests: stripe.log.length,
        ms
      })
      expect(untrusted.status).toBe("error")
      expect(errorOf(untrusted)).toMatchObject({ reason: "transport", attempts: 1 })
      expect(String(errorOf(untrusted)["code"])).toMatch(/CERT|SELF_SIGNED/)
      expect(untrusted.remediation).toContain("ca")
      expect(ms).toBeLessThan(20_000)

      const trusted = await runCheck(check, on(stripe, { layer, http: { ca: pem.cert } }))
      expect(trusted.status, trusted.message).toBe("pass")
      expect(stripe.requests({ path: "/v1/account" })).toHaveLength(1)
    } finally {
      await stripe.close()
    }
  }, 60_000)

  it("goes through the gate's proxy (CONNECT on loopback)", async () => {
    const stripe = await StripeEmulator.start({ seed: seedRealisticAccount({ now: NOW }) })
    const seen: Array<string> = []
    const sockets = new Set<net.Socket>()
    // A tiny proxy: CONNECT tunnels, and absolute-form plain requests forwarded as-is.
    const proxy = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`)
      const upstream = http.request(req.url!, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
      })
      req.pipe(upstream)
    })
    proxy.on("connect", (req: http.IncomingMessage, client: net.Socket) => {
      seen.push(`CONNECT ${req.url}`)
      const [host, port] = req.url!.split(":")
      const target = net.connect(Number(port), host!, () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n")
        target.pipe(client)
        client.pipe(target)
      })
      target.on("error", () => client.destroy())
      client.on("error", () => target.destroy())
    })
    proxy.on("connection", (s: net.Socket) => {
      sockets.add(s)
      s.on("close", () => sockets.delete(s))
    })
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve))
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`
    try {
      const item = await runCheck(check, on(stripe, { layer, http: { proxy: proxyUrl } }))
      expect(item.status, item.message).toBe("pass")
      const target = new URL(stripe.url).host
      expect(seen.some((s) => s.includes(target))).toBe(true)
      expect(stripe.requests({ path: "/v1/account" })).toHaveLength(1)
    } finally {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => proxy.close(() => resolve()))
      await stripe.close()
    }
  }, 60_000)

  it("prints the matrix", () => {
    console.log("\nStripe fault matrix (read timeout %d ms, 2 retries):", BUDGET_MS)
    console.table(table)
    expect(table.length).toBeGreaterThan(0)
  })
})
