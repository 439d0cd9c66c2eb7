/**
 * Fault matrix: a representative read-only check (`fivetran.connection.freshness`:
 * the account's `GET /v1/connections`, then `GET /v1/connections/{id}` if the
 * listing failed) against every fault the core emulator kit injects, on both
 * routes, so neither read can rescue the other. Each row has the status it must end with (never `pass` where the
 * read did not succeed) and an upper time bound at least 10x the expected
 * time, so no assertion depends on machine speed. The table is printed.
 */
import type { Report } from "@launchgate/core"
import type { Fault } from "@launchgate/core/emulator"
import { runCheck, withEmulator } from "@launchgate/core/testing"
import { afterAll, describe, expect, it } from "vitest"
import { connection, FivetranEmulator, type State } from "../src/emulator/index.js"
import { Connection, layer } from "../src/index.js"
import { NOW } from "./support/harness.js"
import { selfSigned } from "./support/tls.js"

// Short budgets keep the matrix fast; the bounds below are >= 10x these.
const ATTEMPT_TIMEOUT_MS = 1_000
const CHECK_TIMEOUT_MS = 3_000
const check = Connection.freshness({ connectionId: "c", maxAge: "1 hour" })
const seed = (s: State) => void s.addConnection(connection({ id: "c", now: NOW }))

const runAgainst = (emu: FivetranEmulator.Running<State>): Promise<Report.ItemReport> =>
  runCheck(check, {
    tier: "launch-critical",
    now: NOW,
    runner: { checkTimeout: `${CHECK_TIMEOUT_MS} millis` },
    layer: layer(FivetranEmulator.clientOptions(emu, {
      timeout: `${ATTEMPT_TIMEOUT_MS} millis`,
      checkTimeout: `${CHECK_TIMEOUT_MS} millis`,
      // A 1 MiB cap (every legitimate body here is under 2 KB) is hit within the 1 s attempt timeout even on a
      // loaded machine; streaming the default 16 MiB first was not, which made the huge-body row depend on speed.
      maxBodyBytes: 1024 * 1024,
      retry: { maxAttempts: 2, baseDelay: "1 millis" }
    }))
  })

interface Row {
  readonly fault: string
  readonly setup: (emu: FivetranEmulator.Running<State>) => Promise<void> | void
  readonly tls?: boolean
  readonly expected: "pass" | "error"
  /** Upper bound in ms, >= 10x what the row should take. */
  readonly withinMs: number
  readonly also?: (item: Report.ItemReport, emu: FivetranEmulator.Running<State>) => void
}

// The account list and the connection's own GET: `times` counts requests to either.
const FAULTED = /^\/v1\/connections(\/c)?$/
const on = (fault: Fault, times?: number) => (emu: FivetranEmulator.Running<State>) =>
  void emu.faults.add({ fault, path: FAULTED, ...(times !== undefined ? { times } : {}) })

const errorOf = (item: Report.ItemReport) => item.evidence["error"] as Record<string, unknown> | undefined

const rows: ReadonlyArray<Row> = [
  {
    fault: "503 once",
    setup: on({ kind: "status", status: 503 }, 1),
    expected: "pass",
    withinMs: 10_000,
    also: (item) => expect(item.attempts).toBe(2)
  },
  {
    fault: "503 always",
    setup: on({ kind: "status", status: 503 }),
    expected: "error",
    withinMs: 10_000,
    also: (item) => expect(errorOf(item)).toMatchObject({ reason: "unavailable", status: 503 })
  },
  {
    fault: "429 + Retry-After: 1",
    setup: on({ kind: "rate-limit", retryAfter: 1 }, 1),
    expected: "pass",
    withinMs: 10_000,
    also: (item) => expect(item.evidence["retryAfterWaitedMs"]).toBe(1_000)
  },
  {
    fault: "429 + Retry-After: HTTP-date (+2 s)",
    setup: (emu) => on({ kind: "rate-limit", retryAfter: new Date(Date.now() + 2_000) }, 1)(emu),
    expected: "pass",
    withinMs: 20_000,
    also: (item) => expect(item.evidence["retryAfterWaitedMs"]).toBeGreaterThan(0)
  },
  {
    fault: "429 + Retry-After past the check timeout",
    setup: on({ kind: "rate-limit", retryAfter: 5 }),
    expected: "error",
    withinMs: 10_000,
    also: (item) => expect(item.message).toContain("check timeout")
  },
  { fault: "accept, never answer (hang)", setup: on({ kind: "hang" }), expected: "error", withinMs: 30_000 },
  {
    fault: "1 byte/s body (slow-drip)",
    setup: on({ kind: "slow-drip", chunkMs: 1_000, chunkBytes: 1 }),
    expected: "error",
    withinMs: 30_000
  },
  {
    fault: "connection reset",
    setup: on({ kind: "reset" }),
    expected: "error",
    withinMs: 10_000,
    also: (item) => expect(errorOf(item)).toMatchObject({ reason: "transport" })
  },
  { fault: "truncated JSON", setup: on({ kind: "truncate" }), expected: "error", withinMs: 10_000 },
  {
    fault: "HTML served as JSON",
    setup: on({ kind: "html-as-json" }),
    expected: "error",
    withinMs: 10_000,
    also: (item) => expect(errorOf(item)).toMatchObject({ reason: "invalid-response" })
  },
  {
    fault: "20 MB body (huge-body)",
    setup: on({ kind: "huge-body", bytes: 20 * 1024 * 1024 }),
    expected: "error",
    withinMs: 30_000,
    also: (item, emu) => {
      expect(item.message).toContain("LG_BODY_TOO_LARGE")
      // A body over the cap is not retried: the next attempt would be just as large (the listing's failure
      // leaves the connection to its own GET, which is not retried either).
      expect(emu.requests({ path: "/v1/connections" })).toHaveLength(1)
      expect(emu.requests({ path: "/v1/connections/c" })).toHaveLength(1)
    }
  },
  {
    fault: "cross-origin redirect",
    setup: async (emu) => {
      const other = await FivetranEmulator.start({ seed })
      on({ kind: "redirect", location: `${other.url}/v1/connections/c` })(emu)
      redirectTargets.push(other)
    },
    expected: "error",
    withinMs: 10_000,
    also: (item) => {
      expect(errorOf(item)).toMatchObject({ status: 302 })
      // Not followed, so the credentials never reach the other origin.
      expect(redirectTargets.at(-1)!.log).toHaveLength(0)
    }
  },
  {
    fault: "self-signed TLS",
    setup: () => {},
    tls: true,
    expected: "error",
    withinMs: 10_000,
    also: (item, emu) => {
      expect(item.message).toMatch(/SELF_SIGNED|certificate/i)
      // TLS verification is deterministic: no retry.
      expect(item.attempts).toBe(1)
      expect(emu.log).toHaveLength(0)
    }
  }
]
// The redirect's other origin outlives its row (its log is read in `also`): closed after the matrix.
const redirectTargets: Array<FivetranEmulator.Running<State>> = []
afterAll(() => Promise.all(redirectTargets.splice(0).map((o) => o.close())))

const table: Array<Record<string, string | number>> = []
afterAll(() => {
  console.log(`\nFivetran fault matrix (${check.id}; attempt timeout ${ATTEMPT_TIMEOUT_MS} ms, check timeout ${CHECK_TIMEOUT_MS} ms)`)
  console.table(table)
})

describe("fault matrix: fivetran.connection.freshness under every injected fault", () => {
  it.each(rows)("$fault -> $expected", (row) =>
    withEmulator(FivetranEmulator, { seed, ...(row.tls ? { tls: selfSigned() } : {}) }, async (emu) => {
      await row.setup(emu)
      const started = Date.now()
      const item = await runAgainst(emu)
      const tookMs = Date.now() - started
      table.push({
        fault: row.fault,
        expected: row.expected,
        status: item.status,
        attempts: item.attempts,
        ms: tookMs,
        boundMs: row.withinMs,
        message: item.message.slice(0, 90)
      })
      expect(item.status).toBe(row.expected)
      expect(tookMs).toBeLessThan(row.withinMs)
      row.also?.(item, emu)
    }), 60_000)
})
