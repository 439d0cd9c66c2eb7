import { it } from "@effect/vitest"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { HealthCheck } from "../src/http.js"
import { Check } from "../src/index.js"
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

  it.effect("normalise maps the common words and rejects the rest", () =>
    Effect.sync(() => {
      expect(["ok", "UP", "Pass", "healthy", "SERVING"].map(HealthCheck.normalise)).toEqual(["pass", "pass", "pass", "pass", "pass"])
      expect(["warn", "degraded"].map(HealthCheck.normalise)).toEqual(["warn", "warn"])
      expect(["fail", "DOWN", "OUT_OF_SERVICE", "out-of-service", "unhealthy"].map(HealthCheck.normalise)).toEqual(["fail", "fail", "fail", "fail", "fail"])
      expect(HealthCheck.normalise("UNKNOWN")).toBeUndefined()
    }))
})
