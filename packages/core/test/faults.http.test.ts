/**
 * The HTTP/Health fault matrix: HttpCheck and HealthCheck against every fault
 * the emulator kit injects. Each cell runs through the runner (so the check's
 * short timeout applies), must end in the expected status (never `pass` where
 * it must not), and must end well inside a bound at least 10x what it needs.
 * The matrix is printed as a table in the test output.
 */
import { it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { describe, expect } from "vitest"
import type { Emulator } from "../src/emulator/index.js"
import { HealthCheck, HttpCheck } from "../src/http.js"
import { Gate, Runner } from "../src/index.js"
import { type Cell, format, type Row, satisfies } from "./helpers/faultMatrix.js"
import { type SiteState, siteScoped } from "./helpers/http.js"
import { certificate } from "./helpers/httpTls.js"

type Column = "HttpCheck" | "HealthCheck"

interface Context {
  readonly target: Emulator.Running<SiteState>
  /** Another host (127.0.0.2) answering 200 `{ "status": "ok", "ok": true }`. */
  readonly other: Emulator.Running<SiteState>
}

const PATH = "/healthz"
const always = { times: 1_000 }

// Every row: check timeout 1.5–3 s; the bound is 10x the longest a cell can legitimately take (its timeout).
const rows: ReadonlyArray<Row<Column, Context> & { readonly tls?: boolean; readonly minWaitMs?: number }> = [
  {
    fault: "503 once",
    timeoutMs: 2_000,
    withinMs: 20_000,
    arrange: ({ target }) => target.faults.next({ kind: "status", status: 503 }),
    expect: { HttpCheck: "pass", HealthCheck: "pass" }
  },
  {
    fault: "503 always",
    timeoutMs: 2_000,
    withinMs: 20_000,
    arrange: ({ target }) => target.faults.next({ kind: "status", status: 503 }, always),
    expect: { HttpCheck: "fail", HealthCheck: "fail" }
  },
  {
    fault: "429 + Retry-After 1 (seconds)",
    timeoutMs: 3_000,
    withinMs: 30_000,
    minWaitMs: 1_000,
    arrange: ({ target }) => target.faults.next({ kind: "rate-limit", retryAfter: 1 }),
    expect: { HttpCheck: "pass", HealthCheck: "pass" }
  },
  {
    fault: "429 + Retry-After 30 (seconds)",
    timeoutMs: 2_000,
    withinMs: 20_000,
    arrange: ({ target }) => target.faults.next({ kind: "rate-limit", retryAfter: 30 }, always),
    expect: { HttpCheck: "error", HealthCheck: "error" }
  },
  {
    fault: "429 + Retry-After HTTP-date +60 s",
    timeoutMs: 2_000,
    withinMs: 20_000,
    arrange: ({ target }) => target.faults.next({ kind: "rate-limit", retryAfter: new Date(Date.now() + 60_000) }, always),
    expect: { HttpCheck: "error", HealthCheck: "error" }
  },
  {
    fault: "accept, never answer (hang)",
    timeoutMs: 1_500,
    withinMs: 15_000,
    arrange: ({ target }) => target.faults.next({ kind: "hang" }, always),
    expect: { HttpCheck: "error", HealthCheck: "error" }
  },
  {
    fault: "1 byte/s body (slow-drip)",
    timeoutMs: 1_500,
    withinMs: 15_000,
    arrange: ({ target }) => target.faults.next({ kind: "slow-drip", chunkMs: 1_000, chunkBytes: 1 }, always),
    expect: { HttpCheck: "error", HealthCheck: "error" }
  },
  {
    fault: "connection reset",
    timeoutMs: 2_000,
    withinMs: 20_000,
    arrange: ({ target }) => target.faults.next({ kind: "reset" }, always),
    expect: { HttpCheck: "error", HealthCheck: "error" }
  },
  {
    fault: "truncated JSON (truncate)",
    timeoutMs: 2_000,
    withinMs: 20_000,
    arrange: ({ target }) => target.faults.next({ kind: "truncate" }, always),
    expect: { HttpCheck: "error", HealthCheck: "error" }
  },
  {
    fault: "JSON claimed, HTML served",
    timeoutMs: 2_000,
    withinMs: 20_000,
    arrange: ({ target }) => target.faults.next({ kind: "html-as-json" }, always),
    expect: { HttpCheck: "error", HealthCheck: "error" }
  },
  {
    fault: "20 MB body (huge-body)",
    timeoutMs: 3_000,
    withinMs: 30_000,
    arrange: ({ target }) => target.faults.next({ kind: "huge-body" }, always),
    expect: { HttpCheck: "error", HealthCheck: "error" }
  },
  {
    fault: "redirect to another host",
    timeoutMs: 2_000,
    withinMs: 20_000,
    arrange: ({ target, other }) => target.faults.next({ kind: "redirect", location: `${other.url}${PATH}` }, always),
    // HttpCheck does not follow by default: the 302 is not the expected 2xx. Neither judges the other host.
    expect: { HttpCheck: "fail", HealthCheck: "error" }
  },
  {
    fault: "self-signed TLS",
    timeoutMs: 2_000,
    withinMs: 20_000,
    tls: true,
    arrange: () => undefined,
    expect: { HttpCheck: "error", HealthCheck: "error" }
  }
]

const checkFor = (column: Column, url: string, timeoutMs: number) =>
  column === "HttpCheck"
    ? HttpCheck.make({ id: "matrix.http", url, timeout: `${timeoutMs} millis`, expect: { json: Schema.Struct({ ok: Schema.Boolean }) } })
    : HealthCheck.make({ id: "matrix.health", url, timeout: `${timeoutMs} millis` })

const cell = (row: (typeof rows)[number], column: Column) =>
  Effect.scoped(Effect.gen(function*() {
    const tls = row.tls ? certificate({ days: 30 }) : undefined
    const target = yield* siteScoped(tls ? { tls } : {})
    const other = yield* siteScoped({ host: "127.0.0.2" })
    for (const emu of [target, other]) emu.state.pages.set(PATH, { json: { status: "ok", ok: true } })
    row.arrange({ target, other })
    const check = checkFor(column, `${target.url}${PATH}`, row.timeoutMs)
    const started = Date.now()
    const report = yield* Runner.run(Gate.make({
      name: "fault-matrix",
      items: [{ check, tier: "launch-critical", owner: "platform" }],
      rollback: { [check.surface]: { procedure: "not applicable: a test gate" } }
    }))
    const item = report.items[0]!
    const result: Cell & { readonly otherRequests: number; readonly waitedMs: unknown } = {
      fault: row.fault,
      column,
      expected: row.expect[column],
      status: item.status,
      elapsedMs: Date.now() - started,
      withinMs: row.withinMs,
      requests: target.log.length,
      message: item.message,
      otherRequests: other.log.length,
      waitedMs: (item.evidence as Record<string, unknown>)["waitedMs"]
    }
    return result
  }))

describe("HTTP/Health fault matrix", () => {
  it.live("every fault ends in its expected status, within its bound; never a pass where it must not pass", () =>
    Effect.gen(function*() {
      const cells = []
      for (const row of rows) {
        for (const column of ["HttpCheck", "HealthCheck"] as const) cells.push(yield* cell(row, column))
      }
      console.log(`\nHTTP/Health fault matrix (observed status, requests the target saw, wall time)\n${format(cells)}\n`)
      for (const c of cells) {
        const where = `${c.fault} × ${c.column}: ${c.status} — ${c.message}`
        expect(satisfies(c.expected, c.status), where).toBe(true)
        expect(c.elapsedMs, where).toBeLessThan(c.withinMs)
        // Nothing crosses to the other host unless a check opts in.
        expect(c.otherRequests, where).toBe(0)
      }
      // Retry-After that fits the budget is waited for, and said in the evidence (a lower bound: speed-independent).
      for (const c of cells.filter((c) => c.fault.startsWith("429 + Retry-After 1 "))) {
        expect(c.waitedMs, c.column).toBeGreaterThanOrEqual(1_000)
        expect(c.requests).toBe(2)
      }
      // A health 503 is an answer: two requests at most, not a long backoff.
      expect(cells.find((c) => c.fault === "503 always" && c.column === "HealthCheck")!.requests).toBe(2)
      // A Retry-After beyond the check's time is not waited for: one request, and the message says what was asked.
      for (const c of cells.filter((c) => c.fault.startsWith("429 + Retry-After 30") || c.fault.includes("HTTP-date"))) {
        expect(c.requests).toBe(1)
        expect(c.message).toMatch(/asked to wait \d+(\.\d)? s/)
      }
    }), 180_000)
})
