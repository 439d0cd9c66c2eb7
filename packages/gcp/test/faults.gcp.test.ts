/**
 * The fault matrix of the GCP client: each fault the core emulator kit can
 * inject, against one Cloud Run read, with the status the check must end in
 * (never `pass` where the answer could not be trusted). The one time bound is a
 * liveness bound: it proves the run ends (a client that hangs does not), never
 * how fast; it is at least ten times what any row needs on a quiet machine, and
 * the runner's own check timeout sits above it so that the bound, not the
 * runner, is what catches a hang. Short per-attempt timeouts keep slow cases fast.
 */
import type { Fault } from "@launchgate/core/emulator"
import { afterAll, describe, expect, it } from "vitest"
import { CloudRun } from "../src/index.js"
import { cloudRunService, GcpEmulator } from "../src/emulator/index.js"
import { NOW, runCheck, TOKEN_VALUE, withEmulator } from "./support.js"
import { selfSignedPem } from "./tls.js"

const API = "/v2/projects/demo-project/locations/us-central1/services/api"
const ATTEMPT_TIMEOUT_MS = 300
const layer = {
  timeout: `${ATTEMPT_TIMEOUT_MS} millis`,
  retry: { maxAttempts: 2, baseDelay: "1 millis", maxDelay: "10 seconds" }
} as const
/** The liveness bound of every row (see {@link Case.needsMs} for what a row needs). */
const LIVENESS_MS = 60_000
/** Above the liveness bound: a hanging client must trip the bound, not the runner's timeout. */
const CHECK_TIMEOUT = "100 seconds"
/** Above both, for vitest. */
const TEST_TIMEOUT_MS = 120_000

interface Row {
  readonly fault: string
  readonly expected: "pass" | "error"
  readonly status?: string
  readonly ms?: number
  readonly boundMs: number
  readonly requests?: number
}
const rows: Array<Row> = []

afterAll(() => {
  // The matrix, for the reader of the test output.
  console.log("\nGCP client fault matrix (CloudRun.healthy, per-attempt timeout 300 ms, 2 attempts)")
  console.table(rows.map((r) => ({
    fault: r.fault,
    expected: r.expected,
    got: r.status,
    ms: r.ms,
    "bound ms": r.boundMs,
    requests: r.requests
  })))
})

interface Case {
  readonly name: string
  /** `once`: the next request only; `always`: every request. */
  readonly fault: Fault | ((other: string) => Fault)
  readonly times: "once" | "always"
  readonly expected: "pass" | "error"
  /** An upper estimate of what the case needs on a quiet machine (ms); {@link LIVENESS_MS} is ≥ 10× that. */
  readonly needsMs: number
  readonly message?: RegExp
  /** A lower bound on the wait between the first two requests (what the server asked for, minus margin). */
  readonly minGapMs?: number
}

const cases: ReadonlyArray<Case> = [
  { name: "503 once", fault: { kind: "status", status: 503 }, times: "once", expected: "pass", needsMs: 500 },
  {
    name: "503 always",
    fault: { kind: "status", status: 503 },
    times: "always",
    expected: "error",
    needsMs: 500,
    message: /503 UNAVAILABLE/
  },
  {
    name: "429 + Retry-After: 1 (seconds)",
    fault: { kind: "rate-limit", retryAfter: 1 },
    times: "once",
    expected: "pass",
    needsMs: 1_500,
    minGapMs: 900
  },
  {
    name: "429 + Retry-After HTTP-date (+2.5 s)",
    fault: () => ({ kind: "rate-limit", retryAfter: new Date(Date.now() + 2_500) }),
    times: "once",
    expected: "pass",
    needsMs: 3_000,
    // HTTP-dates have 1 s resolution: 2.5 s ahead is at least 1 s after the response's Date.
    minGapMs: 800
  },
  {
    name: "accept and never answer (hang)",
    fault: { kind: "hang" },
    times: "always",
    expected: "error",
    needsMs: 2 * ATTEMPT_TIMEOUT_MS + 200,
    message: /Timeout|no complete response|timed out/i
  },
  {
    name: "1 byte/s body (slow-drip)",
    fault: { kind: "slow-drip", chunkMs: 1_000, chunkBytes: 1 },
    times: "always",
    expected: "error",
    needsMs: 2 * ATTEMPT_TIMEOUT_MS + 200
  },
  { name: "connection reset", fault: { kind: "reset" }, times: "always", expected: "error", needsMs: 500 },
  { name: "truncated JSON", fault: { kind: "truncate" }, times: "always", expected: "error", needsMs: 500 },
  {
    name: "JSON claimed, HTML served",
    fault: { kind: "html-as-json" },
    times: "always",
    expected: "error",
    needsMs: 500,
    message: /not JSON/
  },
  // Either the 16 MiB body cap or the attempt timeout ends it first, depending on the machine: both are `error`.
  {
    name: "20 MB body (huge-body)",
    fault: { kind: "huge-body" },
    times: "always",
    expected: "error",
    needsMs: 1_500,
    message: /exceeds|LG_BODY_TOO_LARGE|no complete response/
  },
  {
    name: "cross-origin redirect",
    fault: (other) => ({ kind: "redirect", location: `${other}${API}` }),
    times: "always",
    expected: "error",
    needsMs: 500,
    message: /302/
  }
]

describe("GCP client × emulator faults", () => {
  for (const c of cases) {
    it(`${c.name} → ${c.expected}`, { timeout: TEST_TIMEOUT_MS }, () =>
      // A second emulator with the same service: a client that followed the redirect would pass there.
      withEmulator({ fixtures: [cloudRunService({ now: NOW })] }, (other) =>
        withEmulator({ fixtures: [cloudRunService({ now: NOW })] }, async (gcp) => {
          const fault = typeof c.fault === "function" ? c.fault(other.url) : c.fault
          if (c.times === "once") gcp.faults.next(fault)
          else gcp.faults.add({ fault })
          const started = Date.now()
          const item = await runCheck(gcp, CloudRun.healthy({ service: "api" }), { layer, checkTimeout: CHECK_TIMEOUT })
          const ms = Date.now() - started
          const boundMs = LIVENESS_MS
          const requests = gcp.requests({ path: API }).length
          rows.push({ fault: c.name, expected: c.expected, status: item.status, ms, boundMs, requests })
          expect(item.status, item.message).toBe(c.expected)
          if (c.message) expect(item.message).toMatch(c.message)
          expect(ms).toBeLessThan(boundMs)
          if (c.minGapMs !== undefined) {
            const [first, second] = gcp.requests({ path: API })
            expect(second!.time - first!.time).toBeGreaterThanOrEqual(c.minGapMs)
          }
          // Nothing reached the other origin: no redirect followed, no token carried there.
          expect(other.log).toHaveLength(0)
          expect(JSON.stringify(item)).not.toContain(TOKEN_VALUE)
        })))
  }

  it("the liveness bound is at least ten times what every row needs", () => {
    for (const c of cases) expect(LIVENESS_MS, c.name).toBeGreaterThanOrEqual(10 * c.needsMs)
  })

  it("self-signed TLS → error (the certificate is not trusted; not retried)", { timeout: TEST_TIMEOUT_MS }, async () => {
    const gcp = await GcpEmulator.start({ fixtures: [cloudRunService({ now: NOW })], tls: selfSignedPem() })
    try {
      const started = Date.now()
      const item = await runCheck(gcp, CloudRun.healthy({ service: "api" }), { layer, checkTimeout: CHECK_TIMEOUT })
      const ms = Date.now() - started
      const requests = gcp.log.length
      rows.push({ fault: "self-signed TLS", expected: "error", status: item.status, ms, boundMs: LIVENESS_MS, requests })
      expect(item.status).toBe("error")
      expect(item.message).toMatch(/self[- ]signed|certificate/i)
      expect(gcp.log).toHaveLength(0)
      expect(ms).toBeLessThan(LIVENESS_MS)
    } finally {
      await gcp.close()
    }
  })
})
