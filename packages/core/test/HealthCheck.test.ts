import { it } from "@effect/vitest"
import { Chunk, Duration, Effect, Schedule } from "effect"
import { describe, expect } from "vitest"
import { HealthCheck } from "../src/http.js"
import { Check, HttpTransport } from "../src/index.js"
import { fastTransport, siteScoped } from "./helpers/http.js"

const healthJson = (body: unknown, status = 200) => ({
  status,
  headers: { "content-type": "application/health+json" },
  body: JSON.stringify(body)
})

describe("HealthCheck", () => {
  it.scopedLive("understands plain 200s, status words, the IETF draft and Actuator, and reports components", () =>
    Effect.gen(function*() {
      const emu = yield* siteScoped()
      const check = (path: string, options: Partial<HealthCheck.Options> = {}) =>
        Check.runSafely(HealthCheck.make({ url: `${emu.url}${path}`, ...options }))

      emu.state.pages.set("/plain", { body: "OK" })
      expect(yield* check("/plain")).toMatchObject({ status: "pass", evidence: { shape: "text" } })

      for (const word of ["ok", "pass", "UP", "healthy"]) {
        emu.state.pages.set("/word", { json: { status: word } })
        expect(yield* check("/word")).toMatchObject({ status: "pass", evidence: { shape: "status", bodyStatus: word } })
      }

      emu.state.pages.set("/ietf", healthJson({
        status: "pass",
        version: "1",
        releaseId: "1.2.3",
        checks: {
          "db:responseTime": [{ componentId: "primary", componentType: "datastore", observedValue: 12, observedUnit: "ms", status: "pass" }],
          "cache:connections": [{ status: "pass", observedValue: 3 }]
        }
      }))
      const ietf = yield* check("/ietf", { components: ["db", "cache"] })
      expect(ietf).toMatchObject({ status: "pass", evidence: { shape: "health+json", releaseId: "1.2.3" } })
      expect(ietf.subjects?.map((s) => [s.subject, s.status])).toEqual([["db:responseTime", "pass"], ["cache:connections", "pass"]])
      expect(ietf.subjects?.[0]?.evidence).toMatchObject({ observedValue: 12, observedUnit: "ms", componentId: "primary" })

      emu.state.pages.set("/actuator", {
        json: { status: "UP", components: { db: { status: "UP", details: { database: "PostgreSQL" } }, disk: { status: "UP" } } }
      })
      const actuator = yield* check("/actuator", { components: ["db"] })
      expect(actuator).toMatchObject({ status: "pass", evidence: { shape: "actuator" } })
      expect(actuator.subjects?.map((s) => s.subject)).toEqual(["db", "disk"])
      expect(HealthCheck.make({ url: `${emu.url}/x` })).toMatchObject({ id: `http.127.0.0.1:${emu.port}.health`, category: "monitoring" })
    }).pipe(Effect.provide(fastTransport())))

  it.scopedLive("fails on unhealthy bodies, unhealthy components, missing components and unhealthy statuses", () =>
    Effect.gen(function*() {
      const emu = yield* siteScoped()
      const check = (path: string, options: Partial<HealthCheck.Options> = {}) =>
        Check.runSafely(HealthCheck.make({ url: `${emu.url}${path}`, retry: false, ...options }))

      emu.state.pages.set("/down", { json: { status: "DOWN" } })
      expect((yield* check("/down")).status).toBe("fail")

      emu.state.pages.set("/plain-503", { status: 503, body: "maintenance" })
      expect((yield* check("/plain-503")).status).toBe("fail")

      // A `pass` body on a 503 is not healthy: the worse of the two wins.
      emu.state.pages.set("/inconsistent", healthJson({ status: "pass" }, 503))
      expect((yield* check("/inconsistent")).status).toBe("fail")

      emu.state.pages.set("/component", healthJson({
        status: "warn",
        checks: { "db:responseTime": [{ status: "fail", output: "connection refused" }], "queue:depth": [{ status: "warn" }] }
      }))
      const component = yield* check("/component")
      expect(component.status).toBe("fail")
      expect(component.message).toContain("db:responseTime fail")
      expect(component.subjects?.find((s) => s.subject === "db:responseTime")?.message).toContain("connection refused")

      emu.state.pages.set("/degraded", healthJson({ status: "warn", checks: { "queue:depth": [{ status: "warn" }] } }))
      expect((yield* check("/degraded")).status).toBe("warn")

      emu.state.pages.set("/no-db", { json: { status: "UP", components: { disk: { status: "UP" } } } })
      const missing = yield* check("/no-db", { components: ["db"] })
      expect(missing).toMatchObject({ status: "fail", evidence: { missingComponents: ["db"] } })

      emu.state.pages.set("/nested", { json: { status: "UP", components: { db: { status: "UP", components: { replica: { status: "OUT_OF_SERVICE" } } } } } })
      const nested = yield* check("/nested")
      expect(nested.status).toBe("fail")
      expect(nested.subjects?.map((s) => [s.subject, s.status])).toEqual([["db", "pass"], ["db/replica", "fail"]])
    }).pipe(Effect.provide(fastTransport())))

  it.scopedLive("cannot decide (error) on unknown status words, malformed documents, auth failures and dead endpoints", () =>
    Effect.gen(function*() {
      const emu = yield* siteScoped()
      const check = (path: string) => Check.runSafely(HealthCheck.make({ url: `${emu.url}${path}`, retry: false }))

      emu.state.pages.set("/banana", { json: { status: "banana" } })
      const unknown = yield* check("/banana")
      expect(unknown).toMatchObject({ status: "error", evidence: { observed: "banana" } })

      emu.state.pages.set("/component-banana", healthJson({ status: "pass", checks: { db: [{ status: "mostly" }] } }))
      expect((yield* check("/component-banana")).status).toBe("error")

      emu.state.pages.set("/malformed", healthJson({ status: "pass", checks: { db: "fine" } }))
      expect((yield* check("/malformed")).status).toBe("error")

      emu.state.pages.set("/no-status", healthJson({ healthy: true }))
      expect((yield* check("/no-status")).status).toBe("error")

      emu.state.pages.set("/auth", { status: 401 })
      expect((yield* check("/auth")).status).toBe("error")

      emu.faults.next({ kind: "reset" })
      expect((yield* check("/reset")).status).toBe("error")
    }).pipe(Effect.provide(fastTransport())))

  it.scopedLive("a body that claims JSON and does not parse is an error, whatever the JSON type (issue 10 item 1)", () =>
    Effect.gen(function*() {
      const emu = yield* siteScoped()
      const check = (path: string) => Check.runSafely(HealthCheck.make({ url: `${emu.url}${path}`, retry: false }))
      for (const type of ["application/json", "application/json; charset=utf-8", "application/vnd.acme+json"]) {
        emu.state.pages.set("/cut", { headers: { "content-type": type }, body: '{"status":"ok","checks":{"db":{"sta' })
        const cut = yield* check("/cut")
        expect(cut.status).toBe("error")
        expect(cut.message).toContain("does not parse")
      }
      emu.faults.next({ kind: "malformed-json" })
      expect((yield* check("/kit-malformed")).status).toBe("error")
      emu.faults.next({ kind: "html-as-json" })
      expect((yield* check("/kit-html")).status).toBe("error")
      // On a 503 the status already answers: unhealthy, whatever the body.
      emu.state.pages.set("/cut-503", { status: 503, headers: { "content-type": "application/json" }, body: '{"sta' })
      expect((yield* check("/cut-503")).status).toBe("fail")
    }).pipe(Effect.provide(fastTransport())))

  it.scopedLive("follows redirects on the same host only by default; another host is an error naming the Location (item 2)", () =>
    Effect.gen(function*() {
      const here = yield* siteScoped()
      // 127.0.0.2 is another host on the same loopback interface.
      const there = yield* siteScoped({ host: "127.0.0.2" })
      there.state.pages.set("/healthz", { json: { status: "ok" } })
      here.state.pages.set("/moved", { status: 302, headers: { location: `${there.url}/healthz?token=s3cr3t` } })
      here.state.pages.set("/local", { status: 301, headers: { location: "/healthz" } })
      here.state.pages.set("/healthz", { json: { status: "UP" } })
      const check = (path: string, options: Partial<HealthCheck.Options> = {}) =>
        Check.runSafely(HealthCheck.make({ url: `${here.url}${path}`, ...options }))

      const moved = yield* check("/moved")
      expect(moved.status).toBe("error")
      expect(moved.message).toContain(`${there.url}/healthz`)
      expect(moved.message).not.toContain("s3cr3t")
      expect(moved.evidence).toMatchObject({ status: 302, followRedirects: "same-host" })
      expect(there.log).toHaveLength(0)
      expect((yield* check("/moved", { followRedirects: true })).status).toBe("error")
      expect((yield* check("/moved", { followRedirects: false })).status).toBe("error")

      const opted = yield* check("/moved", { followRedirects: "any" })
      expect(opted).toMatchObject({ status: "pass", evidence: { url: expect.stringContaining(there.url) } })
      expect(there.log).toHaveLength(1)

      const local = yield* check("/local")
      expect(local).toMatchObject({ status: "pass", evidence: { bodyStatus: "UP", redirects: [{ status: 301 }] } })
    }).pipe(Effect.provide(fastTransport())))

  it.scopedLive("judges the shapes services really return: top-level status plus components (issue 11 case 8)", () =>
    Effect.gen(function*() {
      const emu = yield* siteScoped()
      const check = (path: string, options: Partial<HealthCheck.Options> = {}) =>
        Check.runSafely(HealthCheck.make({ url: `${emu.url}${path}`, retry: false, ...options }))
      const page = (path: string, json: unknown, type?: string) =>
        emu.state.pages.set(path, type === undefined ? { json } : { headers: { "content-type": type }, body: JSON.stringify(json) })

      // The issue's body: an object of `{ status }` objects under `checks`, a version string.
      page("/issue", { status: "ok", version: "1.4.2", checks: { database: { status: "ok" } } })
      const issue = yield* check("/issue", { components: ["database"] })
      expect(issue).toMatchObject({ status: "pass", evidence: { version: "1.4.2" } })
      expect(issue.subjects?.map((s) => [s.subject, s.status])).toEqual([["database", "pass"]])

      page("/issue-down", { status: "ok", version: 3, checks: { database: { status: "down" }, cache: { status: "ok" } } })
      const down = yield* check("/issue-down")
      expect(down).toMatchObject({ status: "fail", evidence: { notPassing: ["database fail"] } })
      expect(down.message).toContain("database")

      // MicroProfile Health 4.0: `checks` is an array of named procedures.
      page("/mp", { status: "UP", checks: [{ name: "db", status: "UP", data: { pool: 10 } }, { name: "disk", status: "UP" }] })
      const mp = yield* check("/mp", { components: ["db"] })
      expect(mp).toMatchObject({ status: "pass", evidence: { shape: "microprofile" } })
      expect(mp.subjects?.map((s) => s.subject)).toEqual(["db", "disk"])
      page("/mp-down", { status: "DOWN", checks: [{ name: "db", status: "DOWN" }] })
      expect((yield* check("/mp-down")).status).toBe("fail")

      // Spring Boot 1.x: components at the top level.
      page("/boot1", { status: "UP", diskSpace: { status: "UP", total: 1 }, db: { status: "DOWN", error: "refused" } })
      const boot1 = yield* check("/boot1")
      expect(boot1.status).toBe("fail")
      expect(boot1.subjects?.map((s) => [s.subject, s.status])).toEqual([["diskSpace", "pass"], ["db", "fail"]])

      // No top-level status, only components: the components decide.
      page("/objects", { database: { status: "ok" }, queue: { status: "ok" } })
      expect(yield* check("/objects")).toMatchObject({ status: "pass", evidence: { shape: "components" } })
      page("/objects-down", { database: { status: "ok" }, queue: { status: "fail" } })
      expect((yield* check("/objects-down")).status).toBe("fail")

      // IETF with the Node/Java aliases.
      page("/ietf-alias", { status: "up", checks: { "db:responseTime": [{ status: "error" }] } }, "application/health+json")
      expect((yield* check("/ietf-alias")).status).toBe("fail")

      // Plain text that is a status word.
      emu.state.pages.set("/text-ok", { headers: { "content-type": "text/plain" }, body: "ok\n" })
      expect((yield* check("/text-ok")).status).toBe("pass")
      emu.state.pages.set("/text-down", { headers: { "content-type": "text/plain" }, body: "unhealthy" })
      expect((yield* check("/text-down")).status).toBe("fail")

      // Nothing decides: unknown words (Actuator's UNKNOWN included) fail closed.
      page("/unknown", { status: "UNKNOWN", components: { db: { status: "UP" } } })
      expect((yield* check("/unknown")).status).toBe("error")
      page("/unknown-component", { status: "ok", checks: { database: { status: "sleepy" } } })
      expect((yield* check("/unknown-component")).status).toBe("error")
      page("/json-string", "fine", "application/json")
      expect((yield* check("/json-string")).status).toBe("error")
    }).pipe(Effect.provide(fastTransport())))

  it.scopedLive("a health 503 is an answer: one retry after a short backoff, its Retry-After not waited for (item 4)", () =>
    Effect.gen(function*() {
      const emu = yield* siteScoped()
      emu.faults.add({ fault: { kind: "rate-limit", status: 503, retryAfter: 120 }, path: "/h" })
      const outcome = yield* Check.runSafely(HealthCheck.make({ url: `${emu.url}/h` }))
      expect(outcome).toMatchObject({ status: "fail", evidence: { status: 503, attempts: 2 } })
      expect(emu.requests({ path: "/h" })).toHaveLength(2)
      // The waits the schedule would take (TestClock-free: Schedule.run), 50–100 ms, never the 120 s asked for.
      const waits = yield* Schedule.run(
        Schedule.delays(HttpTransport.retrySchedule(HealthCheck.retryPolicy)),
        0,
        [{ status: 503, headers: { "retry-after": "120" }, body: "", url: "u", attempts: 1, durationMs: 1 }]
      )
      const first = Duration.toMillis(Chunk.unsafeGet(waits, 0))
      expect(first).toBeGreaterThanOrEqual(50)
      expect(first).toBeLessThanOrEqual(100)
    }).pipe(Effect.provide(fastTransport())))

  it.effect("normalise maps the common words and rejects the rest", () =>
    Effect.sync(() => {
      expect(["ok", "UP", "Pass", "healthy", "SERVING"].map(HealthCheck.normalise)).toEqual(["pass", "pass", "pass", "pass", "pass"])
      expect(["warn", "degraded"].map(HealthCheck.normalise)).toEqual(["warn", "warn"])
      expect(["fail", "DOWN", "OUT_OF_SERVICE", "out-of-service", "unhealthy"].map(HealthCheck.normalise)).toEqual(["fail", "fail", "fail", "fail", "fail"])
      expect(HealthCheck.normalise("UNKNOWN")).toBeUndefined()
    }))
})
