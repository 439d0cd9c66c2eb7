import { Gate, HttpTransport, Redaction, Runner } from "@launchgate/core"
import { it as effectIt } from "@effect/vitest"
import { Cause, Config, ConfigError, ConfigProvider, Effect, Exit, Layer, Redacted } from "effect"
import { GoogleAuth } from "google-auth-library"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { assert, describe, expect, it } from "vitest"
import { Budget, CloudRun, Gcp, GcpError, Monitoring, SecretManager } from "../src/index.js"
import { budget, cloudRunService, GcpEmulator, secret } from "../src/emulator/index.js"
import { apiRequests, NOW, runCheck, runChecks, TOKEN_VALUE, withEmulator } from "./support.js"

const at = { now: NOW }
const API = "/v2/projects/demo-project/locations/us-central1/services/api"

describe("credentials", () => {
  it("401: a rejected token is an error with the credentials remediation", () =>
    withEmulator({ fixtures: [cloudRunService(at)], settings: { tokens: ["some-other-token"] } }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.healthy({ service: "api" }))
      expect(item.status).toBe("error")
      expect(item.message).toContain("401 UNAUTHENTICATED")
      expect(item.remediation).toContain("gcloud auth application-default login")
      expect(item.evidence["error"]).toMatchObject({ reason: "unauthenticated", status: 401 })
    }))

  it("the emulator answers 401 without a bearer token", () =>
    withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
      const res = await fetch(`${gcp.url}${API}`)
      expect(res.status).toBe(401)
      expect(((await res.json()) as { error: { status: string } }).error.status).toBe("UNAUTHENTICATED")
    }))

  it("the token is sent as a Bearer header, never logged, registered for redaction, plus the quota project", () =>
    withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
      const report = await runChecks(gcp, [CloudRun.healthy({ service: "api" })], { layer: { quotaProject: "billing-project" } })
      const entry = gcp.requests({ path: API })[0]!
      expect(entry.headers["authorization"]).toBe("Bearer <redacted>")
      expect(entry.headers["x-goog-user-project"]).toBe("billing-project")
      expect(JSON.stringify(gcp.log)).not.toContain(TOKEN_VALUE)
      expect(JSON.stringify(report)).not.toContain(TOKEN_VALUE)
      expect(Redaction.scrub(`token ${TOKEN_VALUE}`)).not.toContain(TOKEN_VALUE)
    }))

  it("without a token, Application Default Credentials are used, and their absence is an Auth error", () =>
    withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
      const saved = process.env["GOOGLE_APPLICATION_CREDENTIALS"]
      process.env["GOOGLE_APPLICATION_CREDENTIALS"] = "/nonexistent/launchgate-adc.json"
      try {
        const item = await runCheck(gcp, CloudRun.healthy({ service: "api" }), { layer: { accessToken: undefined } })
        expect(item.status).toBe("error")
        expect(item.message).toContain("could not get Application Default Credentials")
        expect(item.remediation).toContain("gcloud auth application-default login")
        expect(gcp.requests({ path: API })).toHaveLength(0)
      } finally {
        if (saved === undefined) delete process.env["GOOGLE_APPLICATION_CREDENTIALS"]
        else process.env["GOOGLE_APPLICATION_CREDENTIALS"] = saved
      }
    }))

  const denied = [
    ["run", CloudRun.healthy({ service: "api" }), "roles/run.viewer", "run.services.get"],
    ["secretManager", SecretManager.rotation(), "roles/secretmanager.viewer", "secretmanager.secrets.list"],
    ["monitoring", Monitoring.uptimeCheck({ url: "https://api.example.com/" }), "roles/monitoring.viewer", "monitoring.uptimeCheckConfigs.list"],
    ["budgets", Budget.projectBudget(), "roles/billing.viewer", "billing.budgets.list"]
  ] as const
  for (const [api, check, role, permission] of denied) {
    it(`403 from ${api} names the read-only role ${role}`, () =>
      withEmulator({ fixtures: [cloudRunService(at)], settings: { deny: new Set([api]) } }, async (gcp) => {
        const item = await runCheck(gcp, check)
        expect(item.status).toBe("error")
        expect(item.remediation).toContain(`Grant ${role}`)
        expect(item.remediation).toContain(`missing permission ${permission}`)
        expect(item.evidence["error"]).toMatchObject({ reason: "permission-denied", status: 403, role, permission })
      }))
  }
})

describe("errors", () => {
  it("404 names the resource", () =>
    withEmulator({}, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.healthy({ service: "missing" }))
      expect(item.status).toBe("error")
      expect(item.message).toContain("projects/demo-project/locations/us-central1/services/missing was not found (404 NOT_FOUND)")
      expect(item.remediation).toContain("Check that projects/demo-project/locations/us-central1/services/missing exists")
    }))

  it("429 RESOURCE_EXHAUSTED then success: retried, and attempts recorded", () =>
    withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
      gcp.faults.next({ kind: "rate-limit", retryAfter: 0, json: GcpEmulator.rateLimited(0) }, { times: 1 })
      const item = await runCheck(gcp, CloudRun.healthy({ service: "api" }))
      expect(item.status).toBe("pass")
      expect(item.attempts).toBe(2)
      expect(gcp.requests({ path: API }).map((e) => e.status)).toEqual([429, 200])
    }))

  it("503 then success honours google.rpc.RetryInfo", () =>
    withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
      gcp.faults.next({ kind: "status", status: 503, json: { error: { ...GcpEmulator.unavailable(0.2).error, details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "0.2s" }] } } }, { times: 1 })
      const item = await runCheck(gcp, CloudRun.healthy({ service: "api" }), { layer: { retry: { baseDelay: "1 millis", maxDelay: "2 seconds" } } })
      expect(item.status).toBe("pass")
      const [first, second] = gcp.requests({ path: API })
      expect([first!.status, second!.status]).toEqual([503, 200])
      // The base delay is 1 ms: only RetryInfo explains a wait of about 200 ms.
      expect(second!.time - first!.time).toBeGreaterThanOrEqual(180)
    }))

  it("429 that never stops is a RateLimited error after the retries run out", () =>
    withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
      gcp.faults.next({ kind: "rate-limit", retryAfter: 0, json: GcpEmulator.rateLimited(0) }, { times: 10 })
      const item = await runCheck(gcp, CloudRun.healthy({ service: "api" }))
      expect(item.status).toBe("error")
      expect(item.evidence["error"]).toMatchObject({ reason: "rate-limited", status: 429, attempts: 4 })
      expect(gcp.requests({ path: API })).toHaveLength(4)
    }))

  it("malformed JSON is an error, not retried", () =>
    withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
      gcp.faults.next({ kind: "malformed-json" }, { times: 1 })
      const item = await runCheck(gcp, CloudRun.healthy({ service: "api" }))
      expect(item.status).toBe("error")
      expect(item.message).toContain("body that is not JSON")
      expect(gcp.requests({ path: API })).toHaveLength(1)
    }))

  it("an unknown enum value is an error naming the value, not a pass", () =>
    withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
      gcp.state.services.get(API.slice(4))!["terminalCondition"]["state"] = "CONDITION_SUSPENDED"
      const item = await runCheck(gcp, CloudRun.healthy({ service: "api" }))
      expect(item.status).toBe("error")
      expect(item.message).toBe('unknown value "CONDITION_SUSPENDED" for condition.state: cannot decide')
    }))

  it("a body of the wrong shape is a Decode error that shows paths, never values", () =>
    withEmulator({ fixtures: [cloudRunService({ ...at, env: [{ name: "DB_PASSWORD", value: "x" }] })] }, async (gcp) => {
      const svc = gcp.state.services.get(API.slice(4))!
      svc["generation"] = 3 // int64 must arrive as a string
      svc["template"]["containers"][0]["env"][0]["value"] = 987654321987
      const item = await runCheck(gcp, CloudRun.healthy({ service: "api" }))
      expect(item.status).toBe("error")
      expect(item.message).toContain("generation")
      expect(item.message).toContain("template.containers[0].env[0].value")
      expect(JSON.stringify(item)).not.toContain("987654321987")
    }))

  it("a connection failure is a Transport error", async () => {
    const gcp = await GcpEmulator.start()
    const url = gcp.url
    await gcp.close()
    const item = await runCheck({ url }, CloudRun.healthy({ service: "api" }))
    expect(item.status).toBe("error")
    expect(item.evidence["error"]).toMatchObject({ reason: "transport" })
  })
})

describe("server-requested waits (Retry-After, RetryInfo)", () => {
  // Waits may be long: only the client's cap and the check's budget bound them, not the test layer's 20 ms.
  const patient = { retry: { baseDelay: "1 millis", maxDelay: "10 seconds" } } as const
  // A 429 with ErrorInfo only, so nothing but the header can explain the wait.
  const quotaBody = () => ({ error: { ...GcpEmulator.rateLimited(0).error, details: GcpEmulator.rateLimited(0).error.details.slice(0, 1) } })

  it("Retry-After in seconds is honoured, and the evidence says how long it waited", () =>
    withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
      gcp.faults.next({ kind: "rate-limit", retryAfter: 1, json: quotaBody() })
      const item = await runCheck(gcp, CloudRun.healthy({ service: "api" }), { layer: patient })
      expect(item.status).toBe("pass")
      const [first, second] = gcp.requests({ path: API })
      expect([first!.status, second!.status]).toEqual([429, 200])
      // Lower bound only (the base delay is 1 ms): the server asked for 1 s.
      expect(second!.time - first!.time).toBeGreaterThanOrEqual(900)
      expect(item.evidence["retryWaitMs"]).toBe(1000)
    }))

  it("Retry-After as an HTTP-date is honoured (measured against the response's Date, not the run's pinned clock)", () =>
    withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
      // HTTP-dates have 1 s resolution: 2.5 s ahead is at least 1 s after the Date header.
      gcp.faults.next({ kind: "rate-limit", retryAfter: new Date(Date.now() + 2_500), json: quotaBody() })
      const item = await runCheck(gcp, CloudRun.healthy({ service: "api" }), { layer: patient })
      expect(item.status).toBe("pass")
      const [first, second] = gcp.requests({ path: API })
      expect(second!.time - first!.time).toBeGreaterThanOrEqual(800)
      expect(item.evidence["retryWaitMs"]).toBeGreaterThanOrEqual(1000)
    }))

  it("a wait longer than the check's remaining time is not slept: error at once, saying so", () =>
    withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
      gcp.faults.next({ kind: "rate-limit", retryAfter: 120, json: quotaBody() }, { times: 5 })
      const started = Date.now()
      const item = await runCheck(gcp, CloudRun.healthy({ service: "api" }), { layer: { retry: { maxDelay: "5 minutes" } } })
      expect(item.status).toBe("error")
      expect(item.message).toContain("the server asked to wait 120 s (Retry-After)")
      expect(item.message).toContain("of the check's 30 s timeout")
      expect(item.evidence["error"]).toMatchObject({ reason: "rate-limited", status: 429, retryAfterMs: 120_000 })
      expect(gcp.requests({ path: API })).toHaveLength(1)
      // Far below the 120 s asked (and the 30 s timeout): it did not sleep.
      expect(Date.now() - started).toBeLessThan(20_000)
    }))

  it("the budget is the runner's Check.Deadline: a wait beyond the gate's check timeout is declined at once", () =>
    withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
      // 20 s fits the 30 s the client used to assume, not the 10 s this gate gives each check.
      gcp.faults.next({ kind: "rate-limit", retryAfter: 20, json: quotaBody() }, { times: 5 })
      const layer = { retry: { maxDelay: "5 minutes" } } as const
      const item = await runCheck(gcp, CloudRun.healthy({ service: "api" }), { layer, checkTimeout: "10 seconds" })
      expect(item.status).toBe("error")
      expect(item.message).toContain("the server asked to wait 20 s (Retry-After)")
      expect(item.message).toContain("of the check's 10 s timeout")
      expect(item.evidence["error"]).toMatchObject({ reason: "rate-limited", status: 429, retryAfterMs: 20_000 })
      expect(gcp.requests({ path: API })).toHaveLength(1)
    }))

  it("a wait longer than retry.maxDelay is declined, not shortened", () =>
    withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
      gcp.faults.next({ kind: "rate-limit", retryAfter: 5, json: quotaBody() }, { times: 5 })
      const item = await runCheck(gcp, CloudRun.healthy({ service: "api" }))
      expect(item.status).toBe("error")
      expect(item.message).toContain("the client's maxDelay is")
      expect(item.remediation).toContain("retry.maxDelay")
      expect(gcp.requests({ path: API })).toHaveLength(1)
    }))
})

describe("Application Default Credentials and the quota project", () => {
  const withAdc = async <A>(quotaProject: string | undefined, body: (file: string) => Promise<A>): Promise<A> => {
    const dir = mkdtempSync(path.join(tmpdir(), "launchgate-adc-"))
    const file = path.join(dir, "application_default_credentials.json")
    // The shape `gcloud auth application-default login` writes.
    writeFileSync(file, JSON.stringify({
      type: "authorized_user",
      client_id: "764086051850-emulated.apps.googleusercontent.com",
      client_secret: "emulated-client-secret",
      refresh_token: "1//emulated-refresh-token",
      ...(quotaProject !== undefined ? { quota_project_id: quotaProject } : {})
    }))
    try {
      return await body(file)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  const adc = (gcp: { url: string }, keyFilename: string) =>
    new GoogleAuth({
      keyFilename,
      scopes: ["https://www.googleapis.com/auth/cloud-platform"],
      clientOptions: { endpoints: { oauth2TokenUrl: `${gcp.url}/token` } }
    })
  const BUDGETS = "/v1/billingAccounts/012345-6789AB-CDEF01/budgets"

  // The GoogleAuth launchgate creates sends its token requests through the run's transport: when the token endpoint
  // hangs, the run still ends (the check's timeout, not the library's), and closing the run closes the socket.
  const withAdcEnv = async <A>(file: string, body: () => Promise<A>): Promise<A> => {
    const saved = process.env["GOOGLE_APPLICATION_CREDENTIALS"]
    process.env["GOOGLE_APPLICATION_CREDENTIALS"] = file
    try {
      return await body()
    } finally {
      if (saved === undefined) delete process.env["GOOGLE_APPLICATION_CREDENTIALS"]
      else process.env["GOOGLE_APPLICATION_CREDENTIALS"] = saved
    }
  }
  it("a token endpoint that hangs: the per-attempt timeout ends the run, and no socket to it stays open", { timeout: 120_000 }, () =>
    withAdc("demo-project", (file) =>
      withAdcEnv(file, () =>
        withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
          gcp.faults.add({ method: "POST", path: "/token", fault: { kind: "hang" } })
          const layer = { accessToken: undefined, tokenUrl: `${gcp.url}/token`, timeout: "300 millis" } as const
          const item = await runCheck(gcp, CloudRun.healthy({ service: "api" }), { layer })
          expect(item.status).toBe("error")
          expect(item.message).toContain("could not get Application Default Credentials")
          // Liveness only: the server sees the socket close soon after the attempt is abandoned.
          await expect.poll(() => gcp.connections(), { timeout: 10_000, interval: 20 }).toBe(0)
          // The token request reached the emulator (logged once its connection ended); nothing reached the API.
          expect(gcp.requests({ path: "/token" }).length).toBeGreaterThanOrEqual(1)
          expect(gcp.requests({ path: API })).toHaveLength(0)
        }))))

  it("a token endpoint that hangs: ending the run closes the token socket (it belongs to the run's transport)", {
    timeout: 120_000
  }, () =>
    withAdc("demo-project", (file) =>
      withAdcEnv(file, () =>
        withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
          gcp.faults.add({ method: "POST", path: "/token", fault: { kind: "hang" } })
          // A per-attempt timeout far beyond the wait below: only closing the run can end the socket in time.
          const layer = { accessToken: undefined, tokenUrl: `${gcp.url}/token`, timeout: "10 minutes" } as const
          const controller = new AbortController()
          const run = runCheck(gcp, CloudRun.healthy({ service: "api" }), { layer, signal: controller.signal })
          // Interrupt the run once the token request is in flight (an event, not a time).
          await expect.poll(() => gcp.connections(), { timeout: 60_000, interval: 20 }).toBeGreaterThanOrEqual(1)
          controller.abort()
          const item = await run
          expect(item.status).not.toBe("pass")
          await expect.poll(() => gcp.connections(), { timeout: 10_000, interval: 20 }).toBe(0)
          expect(gcp.requests({ path: "/token" }).length).toBeGreaterThanOrEqual(1)
          expect(gcp.requests({ path: API })).toHaveLength(0)
        }))))

  it("the ADC file's quota_project_id is sent as x-goog-user-project, so budgets are readable", () =>
    withAdc("demo-project", (file) =>
      withEmulator({ fixtures: [budget({ now: NOW })] }, async (gcp) => {
        const item = await runCheck(gcp, Budget.projectBudget(), { layer: { accessToken: undefined, auth: adc(gcp, file) } })
        expect(gcp.requests({ path: "/token" })).toHaveLength(1)
        const [entry] = gcp.requests({ path: BUDGETS })
        expect(entry!.headers["x-goog-user-project"]).toBe("demo-project")
        expect(entry!.headers["authorization"]).toBe("Bearer <redacted>")
        expect(item.evidence["error"]).toBeUndefined()
        expect(["pass", "fail", "warn"]).toContain(item.status)
      })))

  it("user credentials without a quota project: the remediation is set-quota-project, not enabling the API", () =>
    withAdc(undefined, (file) =>
      withEmulator({ fixtures: [budget({ now: NOW })] }, async (gcp) => {
        const item = await runCheck(gcp, Budget.projectBudget(), { layer: { accessToken: undefined, auth: adc(gcp, file) } })
        expect(item.status).toBe("error")
        expect(item.message).toContain(`Google charged the call to ${GcpEmulator.GCLOUD_CLIENT_PROJECT}`)
        expect(item.remediation).toContain("gcloud auth application-default set-quota-project demo-project")
        expect(item.remediation).not.toContain("gcloud services enable")
        expect(gcp.requests({ path: BUDGETS })[0]!.headers["x-goog-user-project"]).toBeUndefined()
      })))

  it("an explicit quotaProject wins over the ADC file's", () =>
    withAdc("adc-quota", (file) =>
      withEmulator({ fixtures: [budget({ now: NOW })] }, async (gcp) => {
        await runCheck(gcp, Budget.projectBudget(), { layer: { accessToken: undefined, auth: adc(gcp, file), quotaProject: "explicit" } })
        expect(gcp.requests({ path: BUDGETS })[0]!.headers["x-goog-user-project"]).toBe("explicit")
      })))

  it("USER_PROJECT_DENIED names the quota project, and SERVICE_DISABLED on the checked project still says enable", () =>
    withEmulator({ fixtures: [budget({ now: NOW })] }, async (gcp) => {
      const info = (reason: string, consumer: string) => ({
        error: {
          code: 403,
          message: "denied",
          status: "PERMISSION_DENIED",
          details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason, domain: "googleapis.com", metadata: { consumer, service: "billingbudgets.googleapis.com" } }]
        }
      })
      gcp.faults.next({ kind: "status", status: 403, json: info("USER_PROJECT_DENIED", "projects/other-quota") })
      const denied = await runCheck(gcp, Budget.projectBudget(), { layer: { quotaProject: "other-quota" } })
      expect(denied.remediation).toContain("set-quota-project")
      expect(denied.message).toContain("the quota project sent was other-quota")
      gcp.faults.next({ kind: "status", status: 403, json: info("SERVICE_DISABLED", "projects/123456789012") })
      const disabled = await runCheck(gcp, Budget.projectBudget())
      expect(disabled.remediation).toContain("gcloud services enable billingbudgets.googleapis.com")
    }))
})

describe("pagination and shared reads", () => {
  it("follows nextPageToken across three pages", () =>
    withEmulator({
      fixtures: Array.from({ length: 45 }, (_, i) => cloudRunService({ ...at, name: `svc-${String(i).padStart(2, "0")}` }))
    }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.minInstances())
      expect(item.status).toBe("pass")
      expect(item.subjects).toHaveLength(45)
      const pages = gcp.requests({ path: "/v2/projects/demo-project/locations/us-central1/services" })
      expect(pages).toHaveLength(3)
      expect(pages.map((p) => p.query["pageToken"] !== undefined)).toEqual([false, true, true])
    }))

  it("a list fetched in the run answers later gets of its members, even while in flight", () =>
    withEmulator({ fixtures: [cloudRunService({ ...at, name: "api" }), cloudRunService({ ...at, name: "worker" })] }, async (gcp) => {
      const report = await runChecks(gcp, [CloudRun.healthy(), CloudRun.minInstances({ service: "api" }), CloudRun.probes({ service: ["api", "worker"] })])
      expect(report.items.map((i) => i.status)).toEqual(["pass", "pass", "pass"])
      expect(apiRequests(gcp)).toEqual(["GET /v2/projects/demo-project/locations/us-central1/services"])
    }))

  it("each run has its own cache", () =>
    withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
      await runCheck(gcp, CloudRun.healthy({ service: "api" }))
      await runCheck(gcp, CloudRun.healthy({ service: "api" }))
      expect(gcp.requests({ path: API })).toHaveLength(2)
    }))

  effectIt.scoped("the client lists and reads through the Effect API", () =>
    Effect.gen(function*() {
      const gcp = yield* GcpEmulator.scoped({
        fixtures: Array.from({ length: 3 }, (_, i) => secret({ ...at, name: `s${i}` })),
        settings: { maxPageSize: 1 }
      })
      const client = yield* Gcp.make({ project: "demo-project", accessToken: Redacted.make("t0ken-value"), baseUrls: gcp.url })
      const listed = yield* client.list("secret", "projects/demo-project")
      // Secret Manager answers with the project number.
      expect(listed.value.map((s) => s.name)).toEqual(["projects/123456789012/secrets/s0", "projects/123456789012/secrets/s1", "projects/123456789012/secrets/s2"])
      expect(listed.requests).toBe(3)
      const got = yield* client.get("secret", "projects/demo-project/secrets/s1")
      expect(got.requests).toBe(0)
      expect(gcp.requests({ path: "/v1/projects/demo-project/secrets/s1" })).toHaveLength(0)
    }).pipe(Effect.provide(HttpTransport.layer())))
})

describe("configuration", () => {
  it("layerConfig reads GOOGLE_CLOUD_PROJECT, GOOGLE_CLOUD_REGION, GCP_ACCESS_TOKEN and GCP_BASE_URL", () =>
    withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
      const gate = Gate.make({
        name: "config",
        items: [{ check: CloudRun.healthy({ service: "api" }), tier: "post-launch", owner: "platform" }],
        layer: Gcp.layerConfig()
      })
      const provider = ConfigProvider.fromMap(new Map([
        ["GOOGLE_CLOUD_PROJECT", "demo-project"],
        ["GOOGLE_CLOUD_REGION", "us-central1"],
        ["GCP_ACCESS_TOKEN", "config-token-value-123"],
        ["GCP_BASE_URL", gcp.url]
      ]))
      const report = await Effect.runPromise(Runner.run(gate).pipe(Effect.withConfigProvider(provider)))
      expect(report.items[0]!.status).toBe("pass")
      expect(JSON.stringify(report)).not.toContain("config-token-value-123")
    }))

  it("a missing project fails the layer: every item is an error naming the key", async () => {
    const gate = Gate.make({
      name: "config",
      items: [{ check: CloudRun.healthy({ service: "api" }), tier: "post-launch", owner: "platform" }],
      layer: Gcp.layerConfig()
    })
    const report = await Effect.runPromise(Runner.run(gate).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))))
    expect(report.items[0]!.status).toBe("error")
    expect(report.items[0]!.message).toContain("GOOGLE_CLOUD_PROJECT")
  })

  it("layerConfig with no variables names every missing one in one error, and keeps the ConfigError", async () => {
    const options = {
      project: Config.string("GOOGLE_CLOUD_PROJECT"),
      region: Config.string("GOOGLE_CLOUD_REGION"),
      billingAccount: Config.string("GCP_BILLING_ACCOUNT")
    }
    const exit = await Effect.runPromiseExit(
      Layer.build(Gcp.layerConfig(options)).pipe(
        Effect.scoped,
        Effect.provide(HttpTransport.layer()),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
      )
    )
    assert(Exit.isFailure(exit))
    const failures = [...Cause.failures(exit.cause)]
    const gcpError = failures.find((f): f is GcpError => f._tag === "GcpError")!
    expect(gcpError).toMatchObject({ reason: "config", path: "GOOGLE_CLOUD_PROJECT, GOOGLE_CLOUD_REGION, GCP_BILLING_ACCOUNT" })
    for (const key of ["GOOGLE_CLOUD_PROJECT", "GOOGLE_CLOUD_REGION", "GCP_BILLING_ACCOUNT"]) {
      expect(gcpError.message).toContain(`${key} is missing`)
    }
    expect(failures.some((f) => ConfigError.isConfigError(f))).toBe(true)
  })

  it("a missing region is a Config error naming the field", () =>
    withEmulator({}, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.healthy(), { layer: { region: undefined } })
      expect(item.status).toBe("error")
      expect(item.evidence["error"]).toMatchObject({ reason: "config", path: "region" })
    }))

  it("a bad base URL is rejected when the layer is built", () =>
    withEmulator({}, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.healthy(), { layer: { baseUrls: { run: "not a url" } } })
      expect(item.status).toBe("error")
      expect(item.message).toContain("baseUrls.run")
    }))
})
