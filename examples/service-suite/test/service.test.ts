// A service's ordinary vitest suite, with a few launchgate checks used directly: no gate, no report, no CLI.
// Each check runs against the service on a random loopback port and must `pass`; a failure prints its evidence.
import { Check, HttpTransport, type Outcome } from "@launchgate/core"
import { HealthCheck, LatencySlo, SecurityHeaders } from "@launchgate/core/http"
import { it } from "@effect/vitest"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { greet, type RunningService, SECURITY_HEADERS, startService } from "../service.js"

let service: RunningService
let dbUp = true

beforeAll(async () => {
  service = await startService({ dbUp: () => dbUp })
})
afterAll(() => service.close())

// ---------------------------------------------------------------------------------------------------------------
// The tests the service already had.

describe("greet", () => {
  test("greets by name, trimmed", () => {
    expect(greet("  Ada ")).toBe("Hello, Ada!")
  })

  test("greets a blank or missing name generically", () => {
    expect(greet("")).toBe("Hello, stranger!")
    expect(greet(null)).toBe("Hello, stranger!")
  })
})

describe("GET /api/greeting", () => {
  test("answers JSON", async () => {
    const res = await fetch(`${service.url}/api/greeting?name=Ada`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ message: "Hello, Ada!" })
  })
})

// ---------------------------------------------------------------------------------------------------------------
// launchgate checks, one at a time. A check's run needs the HTTP transport (a keep-alive undici agent); a gate's
// runner would provide it, here we do.

/** Plain promises: run one check and get its outcome. A check never throws: failures are outcomes. */
const runCheck = (check: Check.Check<HttpTransport.HttpTransport>): Promise<Outcome.Outcome> =>
  Effect.runPromise(Check.runSafely(check).pipe(Effect.provide(HttpTransport.layer())))

/** Assert a status, with the check's message and evidence as the failure message. */
const expectStatus = (outcome: Outcome.Outcome, status: Outcome.Status) =>
  expect(outcome.status, `${outcome.status}: ${outcome.message}\n${JSON.stringify({ evidence: outcome.evidence, subjects: outcome.subjects }, null, 2)}`)
    .toBe(status)

describe("launchgate checks, the plain-promise way", () => {
  test("the health endpoint reports the service and its database healthy", async () => {
    const outcome = await runCheck(HealthCheck.make({ url: `${service.url}/healthz`, components: ["db"] }))
    expectStatus(outcome, "pass")
    expect(outcome.subjects?.map((s) => [s.subject, s.status])).toEqual([["db", "pass"]])
  })

  test("the health check fails when the database is down", async () => {
    dbUp = false
    try {
      // No retries: the service is local and its answer deterministic (the default retries a 503).
      const outcome = await runCheck(HealthCheck.make({ url: `${service.url}/healthz`, components: ["db"], retry: false }))
      expectStatus(outcome, "fail")
      expect(outcome.message).toBe('unhealthy (HTTP 503, status "fail"; db fail)')
    } finally {
      dbUp = true
    }
  })

  test("a misconfigured endpoint fails: the legacy route skips the security headers", async () => {
    const outcome = await runCheck(SecurityHeaders.make({ url: `${service.url}/legacy/greeting`, hsts: "off", csp: "fail" }))
    expectStatus(outcome, "fail")
    expect(outcome.subjects?.map((s) => [s.subject, s.status])).toEqual([
      ["content-type-options", "fail"],
      ["frame-options", "fail"],
      ["csp", "fail"]
    ])
  })
})

describe("launchgate checks, the Effect way", () => {
  // `it.live`, not `it.effect`: latency and timeouts need the real clock, and it.effect runs on TestClock.
  it.live("security headers and the latency SLO, sharing one transport", () =>
    Effect.gen(function*() {
      const url = `${service.url}/api/greeting?name=Ada`
      const [headers, latency] = yield* Effect.all([
        // HSTS only applies over https (browsers ignore it on plain http): check it on the deployed URL.
        Check.runSafely(SecurityHeaders.make({ url, hsts: "off", csp: "fail" })),
        // A liveness bound, not a benchmark: the local service answers in about a millisecond, and a loaded CI
        // machine must not fail this test. Against your deployed service, set the SLO you promise (e.g. 250 ms).
        Check.runSafely(LatencySlo.make({
          url,
          samples: 20,
          warmup: 2,
          percentile: 95,
          threshold: "5 seconds",
          requestTimeout: "20 seconds",
          maxErrors: 0
        }))
      ], { concurrency: 2 })
      expectStatus(headers, "pass")
      expect(headers.subjects?.map((s) => [s.subject, s.status])).toEqual([["content-type-options", "pass"], ["frame-options", "pass"], ["csp", "pass"]])
      expect(headers.subjects?.find((s) => s.subject === "frame-options")?.evidence["observed"]).toMatchObject({
        "x-frame-options": SECURITY_HEADERS["x-frame-options"]
      })
      expectStatus(latency, "pass")
      expect(latency.evidence).toMatchObject({ samples: 20, errors: 0, percentile: 95, thresholdMs: 5000 })
    }).pipe(Effect.provide(HttpTransport.layer())))
})
