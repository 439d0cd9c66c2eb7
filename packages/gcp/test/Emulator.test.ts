/**
 * The emulator against Google's published API shapes: every resource it
 * serves validates against the schema of the matching discovery document in
 * `../shared/reference/gcp/` (read from there, never copied into the
 * project), plus the behaviours the checks rely on.
 */
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { cloudRunService, GcpEmulator, seedRealisticProject, uptimeCheck } from "../src/emulator/index.js"
import { NOW, TOKEN_VALUE, withEmulator } from "./support.js"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
// LAUNCHGATE_GCP_REFERENCE points elsewhere (the test of the missing-reference rule uses it).
const referenceDir = process.env["LAUNCHGATE_GCP_REFERENCE"] ?? path.resolve(repoRoot, "../shared/reference/gcp")
const haveReference = existsSync(path.join(referenceDir, "run-v2.discovery.json"))
// In CI a missing reference must fail the run, not skip it quietly (a green run would vouch for nothing).
const inCi = process.env["CI"] === "true"
const missingReference = `${referenceDir} not found (needs run-v2, secretmanager-v1, monitoring-v3 and billingbudgets-v1 discovery documents; check out shared/ beside the repo)`

type Schema = {
  $ref?: string
  type?: string
  description?: string
  format?: string
  enum?: ReadonlyArray<string>
  items?: Schema
  properties?: Record<string, Schema>
  additionalProperties?: Schema
}
type Doc = { schemas: Record<string, Schema> }

const load = (file: string): Doc => JSON.parse(readFileSync(path.join(referenceDir, file), "utf8")) as Doc

/**
 * Fields Google added after these discovery documents (listed in
 * SOURCES.md); the emulator may serve them.
 */
const DRIFT: Record<string, ReadonlyArray<string>> = {
  GoogleCloudRunV2Service: ["urls", "invokerIamDisabled", "iapEnabled", "multiRegionSettings", "buildConfig", "functionalType"],
  GoogleCloudRunV2ServiceScaling: ["maxInstanceCount", "scalingMode", "manualInstanceCount"],
  GoogleCloudRunV2Container: ["readinessProbe", "baseImageUri", "buildInfo", "sourceCode"],
  UptimeCheckConfig: ["disabled", "logCheckFailures"],
  GoogleCloudBillingBudgetsV1Budget: ["spendCap"],
  // The HTTP mapping of google.rpc.Status adds the code's name.
  GoogleRpcStatus: ["status"],
  Status: ["status"]
}

/**
 * Field behaviours the discovery documents state only in prose. Input-only
 * fields ("Input only." in the description, `INPUT_ONLY` in the protos) are
 * accepted on writes and never served. Server defaults ("the server default
 * value of N", "defaults to N") are filled in by the server, so a response
 * without them is not what Google serves. Both are derived from the
 * descriptions; the table adds what the mid-2024 documents do not say yet.
 */
const FIELD_BEHAVIOUR: Record<string, Record<string, { readonly inputOnly?: true; readonly serverDefault?: string }>> = {
  // Cloud Run v2 vendor_settings.proto (RevisionScaling.max_instance_count): "When unspecified, the field is set to the
  // server default value of 100" — @google-cloud/run 3.3.0 build/protos/google/cloud/run/v2/vendor_settings.proto and
  // https://cloud.google.com/run/docs/configuring/max-instances. The 2024 discovery text lacks the sentence.
  GoogleCloudRunV2RevisionScaling: { maxInstanceCount: { serverDefault: "100" } }
}

const isInputOnly = (property: Schema, schemaName: string | undefined, field: string): boolean =>
  /^(Optional\.\s+)?Input only\b/i.test(property.description ?? "") ||
  (schemaName !== undefined && FIELD_BEHAVIOUR[schemaName]?.[field]?.inputOnly === true)

/** Fields of a schema the server fills with a documented default, and that default. */
const serverDefaults = (schema: Schema, schemaName: string | undefined): Array<[string, string]> => {
  const out = new Map<string, string>()
  for (const [field, property] of Object.entries(schema.properties ?? {})) {
    // Only the phrasing that promises the server stores the value; "defaults to X if unspecified" often describes
    // behaviour without an echoed field, so it is listed in FIELD_BEHAVIOUR case by case instead.
    const m = /the field is set to the server default value of (\S+?)\.?(\s|$)/i.exec(property.description ?? "")
    if (m) out.set(field, m[1]!)
  }
  for (const [field, b] of Object.entries(schemaName ? FIELD_BEHAVIOUR[schemaName] ?? {} : {})) {
    if (b.serverDefault !== undefined) out.set(field, b.serverDefault)
  }
  return [...out]
}

const validate = (doc: Doc, schema: Schema, value: unknown, where: string, name?: string): Array<string> => {
  if (schema.$ref !== undefined) {
    const target = doc.schemas[schema.$ref]
    if (!target) return [`${where}: unknown schema ${schema.$ref}`]
    return validate(doc, target, value, where, schema.$ref)
  }
  const errors: Array<string> = []
  switch (schema.type) {
    case "any":
      return errors
    case "string": {
      if (typeof value !== "string") return [`${where}: expected a string, got ${JSON.stringify(value)}`]
      if (schema.enum && !schema.enum.includes(value)) errors.push(`${where}: ${value} is not one of ${schema.enum.join(", ")}`)
      if ((schema.format === "int64" || schema.format === "uint64") && !/^-?\d+$/.test(value)) errors.push(`${where}: not an int64 string`)
      if (schema.format === "google-datetime" && Number.isNaN(Date.parse(value))) errors.push(`${where}: not a timestamp`)
      if (schema.format === "google-duration" && !/^-?\d+(\.\d+)?s$/.test(value)) errors.push(`${where}: not a duration`)
      return errors
    }
    case "integer":
      return Number.isInteger(value) ? errors : [`${where}: expected an integer, got ${JSON.stringify(value)}`]
    case "number":
      return typeof value === "number" ? errors : [`${where}: expected a number`]
    case "boolean":
      return typeof value === "boolean" ? errors : [`${where}: expected a boolean`]
    case "array":
      if (!Array.isArray(value)) return [`${where}: expected an array`]
      return value.flatMap((v, i) => validate(doc, schema.items!, v, `${where}[${i}]`))
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${where}: expected an object`]
      for (const [field, expected] of serverDefaults(schema, name)) {
        if (!(field in value)) errors.push(`${where}.${field}: the server fills its default (${expected}); missing`)
      }
      for (const [k, v] of Object.entries(value)) {
        if (k === "@type") continue
        const property = schema.properties?.[k]
        if (property && isInputOnly(property, name, k)) errors.push(`${where}.${k}: input only in ${name}; never in a response`)
        else if (property) errors.push(...validate(doc, property, v, `${where}.${k}`))
        else if (schema.additionalProperties) errors.push(...validate(doc, schema.additionalProperties, v, `${where}.${k}`))
        else if (schema.properties && !(name && DRIFT[name]?.includes(k))) errors.push(`${where}.${k}: not in ${name ?? "the schema"}`)
      }
      return errors
    }
    default:
      return errors
  }
}

const docs = haveReference
  ? {
    run: load("run-v2.discovery.json"),
    secretManager: load("secretmanager-v1.discovery.json"),
    monitoring: load("monitoring-v3.discovery.json"),
    budgets: load("billingbudgets-v1.discovery.json")
  }
  : undefined

const get = async (base: string, p: string, init: RequestInit = {}) => {
  const res = await fetch(`${base}${p}`, { ...init, headers: { authorization: `Bearer ${TOKEN_VALUE}`, ...(init.headers ?? {}) } })
  return { status: res.status, json: (await res.json()) as any }
}

const P = "/v2/projects/demo-project/locations/us-central1"

describe("contract: the emulator serves Google's published shapes", () => {
  if (!haveReference) {
    if (inCi) {
      it("the vendor reference is present (CI=true: a missing reference fails the run)", () => {
        expect.fail(`CI=true but the GCP contract test cannot run: ${missingReference}`)
      })
    } else {
      console.warn(`[contract] skipped: ${missingReference}`)
    }
  }
  it.skipIf(!haveReference)(
    `every resource validates against the discovery documents (${haveReference ? referenceDir : `skipped: ${missingReference}`})`,
    () =>
      withEmulator({
        settings: { maxPageSize: 500 },
        seed: (s) => {
          seedRealisticProject(s, { now: NOW, problems: ["rotation-overdue", "unverified-channel"] })
          GcpEmulator.add(
            s,
            cloudRunService({ now: NOW, name: "broken", latestFailure: { reason: "REVISION_FAILED", revisionReason: "HEALTH_CHECK_CONTAINER_ERROR" }, previous: "retired" }),
            uptimeCheck({ id: "broken-run", service: "broken", resourceType: "cloud_run_revision" })
          )
        }
      }, async (gcp) => {
        const d = docs!
        const checks: Array<[Doc, string, string]> = [
          [d.run, `${P}/services`, "GoogleCloudRunV2ListServicesResponse"],
          [d.run, `${P}/services/api`, "GoogleCloudRunV2Service"],
          [d.run, `${P}/services/broken`, "GoogleCloudRunV2Service"],
          [d.run, `${P}/services/api/revisions`, "GoogleCloudRunV2ListRevisionsResponse"],
          [d.run, `${P}/services/broken/revisions`, "GoogleCloudRunV2ListRevisionsResponse"],
          [d.secretManager, "/v1/projects/demo-project/secrets", "ListSecretsResponse"],
          [d.secretManager, "/v1/projects/demo-project/secrets/db-password", "Secret"],
          [d.secretManager, "/v1/projects/demo-project/secrets/db-password/versions", "ListSecretVersionsResponse"],
          [d.secretManager, "/v1/projects/123456789012/secrets/db-password/versions/latest", "SecretVersion"],
          [d.monitoring, "/v3/projects/demo-project/uptimeCheckConfigs", "ListUptimeCheckConfigsResponse"],
          [d.monitoring, "/v3/projects/demo-project/alertPolicies", "ListAlertPoliciesResponse"],
          [d.monitoring, "/v3/projects/demo-project/notificationChannels", "ListNotificationChannelsResponse"],
          [d.budgets, "/v1/billingAccounts/012345-6789AB-CDEF01/budgets", "GoogleCloudBillingBudgetsV1ListBudgetsResponse"]
        ]
        for (const [doc, p, schema] of checks) {
          const res = await get(gcp.url, p)
          expect(res.status, p).toBe(200)
          expect(validate(doc, { $ref: schema }, res.json, p), p).toEqual([])
        }
        const revision = (await get(gcp.url, `${P}/services/api/revisions`)).json.revisions[0].name as string
        expect(validate(d.run, { $ref: "GoogleCloudRunV2Revision" }, (await get(gcp.url, `/v2/${revision}`)).json, revision)).toEqual([])

        // A traffic update returns an operation; operations.get serves it until and after it is done.
        const service = (await get(gcp.url, `${P}/services/api`)).json
        const patched = await get(gcp.url, `${P}/services/api?updateMask=traffic`, {
          method: "PATCH",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ traffic: [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }], etag: service.etag })
        })
        expect(patched.status).toBe(200)
        expect(validate(d.run, { $ref: "GoogleLongrunningOperation" }, patched.json, "PATCH")).toEqual([])
        expect(validate(d.run, { $ref: "GoogleCloudRunV2Service" }, (({ "@type": _, ...rest }) => rest)(patched.json.metadata), "metadata")).toEqual([])
        await new Promise((r) => setTimeout(r, 40))
        const done = await get(gcp.url, `/v2/${patched.json.name}`)
        expect(done.json.done).toBe(true)
        expect(validate(d.run, { $ref: "GoogleLongrunningOperation" }, done.json, "operation")).toEqual([])

        // Errors are google.rpc.Status.
        const missing = await get(gcp.url, `${P}/services/nope`)
        expect(missing.status).toBe(404)
        expect(validate(d.run, { $ref: "GoogleRpcStatus" }, missing.json.error, "error")).toEqual([])
        expect(missing.json.error.status).toBe("NOT_FOUND")
      })
  )
})

describe("the contract validator catches what Google would never serve", () => {
  it.skipIf(!haveReference)("an input-only field in a response, and a server default left unfilled", () => {
    const d = docs!
    const secret = {
      name: "projects/123456789012/secrets/s",
      createTime: "2026-01-01T00:00:00Z",
      replication: { automatic: {} },
      rotation: { nextRotationTime: "2026-04-01T00:00:00Z", rotationPeriod: "2592000s" }
    }
    expect(validate(d.secretManager, { $ref: "Secret" }, secret, "secret")).toEqual([
      "secret.rotation.rotationPeriod: input only in Rotation; never in a response"
    ])
    expect(validate(d.run, { $ref: "GoogleCloudRunV2RevisionScaling" }, { minInstanceCount: 1 }, "scaling")).toEqual([
      "scaling.maxInstanceCount: the server fills its default (100); missing"
    ])
    expect(validate(d.run, { $ref: "GoogleCloudRunV2RevisionScaling" }, { minInstanceCount: 1, maxInstanceCount: 100 }, "s")).toEqual([])
  })

  // Runs this file again in a child vitest with the reference pointed at a missing directory.
  const rerun = (ci: boolean) =>
    spawnSync(process.execPath, [path.join(repoRoot, "node_modules/vitest/vitest.mjs"), "run", fileURLToPath(import.meta.url), "-t", "contract:"], {
      cwd: repoRoot,
      encoding: "utf8",
      env: { ...process.env, CI: ci ? "true" : "false", LAUNCHGATE_GCP_REFERENCE: path.join(repoRoot, "no-such-reference-dir") },
      timeout: 120_000
    })
  it.skipIf(process.env["LAUNCHGATE_GCP_REFERENCE"] !== undefined)(
    "a missing reference fails the run under CI=true, naming the path, and skips with a message otherwise",
    () => {
      const ci = rerun(true)
      expect(ci.status, ci.stdout + ci.stderr).not.toBe(0)
      expect(ci.stdout + ci.stderr).toContain(`${path.join(repoRoot, "no-such-reference-dir")} not found`)
      const local = rerun(false)
      expect(local.status, local.stdout + local.stderr).toBe(0)
      expect(local.stdout + local.stderr).toContain("[contract] skipped:")
    },
    240_000
  )
})

describe("emulator behaviours", () => {
  const infoOf = (json: any) => json.error.details.find((d: any) => d["@type"] === "type.googleapis.com/google.rpc.ErrorInfo")

  it("401 carries an ErrorInfo: CREDENTIALS_MISSING without a token, ACCESS_TOKEN_EXPIRED for a rejected one", () =>
    withEmulator({ settings: { tokens: ["the-only-token"] } }, async (gcp) => {
      const none = await fetch(`${gcp.url}${P}/services`)
      const noneJson = (await none.json()) as any
      expect(none.status).toBe(401)
      expect(infoOf(noneJson)).toMatchObject({ reason: "CREDENTIALS_MISSING", domain: "googleapis.com", metadata: { service: "run.googleapis.com" } })
      const bad = await get(gcp.url, `${P}/services`)
      expect(bad.status).toBe(401)
      expect(infoOf(bad.json)).toMatchObject({ reason: "ACCESS_TOKEN_EXPIRED", domain: "googleapis.com" })
    }))

  it("403 names the permission and the resource, in the message and the ErrorInfo", () =>
    withEmulator({ fixtures: [cloudRunService({ now: NOW })], settings: { deny: new Set(["run" as const]) } }, async (gcp) => {
      const res = await get(gcp.url, `${P}/services/api`)
      expect(res.status).toBe(403)
      const resource = "projects/demo-project/locations/us-central1/services/api"
      expect(res.json.error.message).toBe(`Permission 'run.services.get' denied on resource '${resource}' (or it may not exist).`)
      expect(infoOf(res.json)).toMatchObject({ reason: "IAM_PERMISSION_DENIED", metadata: { permission: "run.services.get", resource } })
    }))

  it("429 carries an ErrorInfo RATE_LIMIT_EXCEEDED with the quota metric and limit", () => {
    const info = infoOf(GcpEmulator.rateLimited(3, "monitoring.googleapis.com"))
    expect(info).toMatchObject({
      reason: "RATE_LIMIT_EXCEEDED",
      domain: "googleapis.com",
      metadata: { quota_metric: "monitoring.googleapis.com/read_requests", quota_limit: "ReadRequestsPerMinutePerProject", service: "monitoring.googleapis.com" }
    })
  })

  it("a core-kit fault without a body still answers a google.rpc.Status", () =>
    withEmulator({ fixtures: [cloudRunService({ now: NOW })] }, async (gcp) => {
      gcp.faults.next({ kind: "status", status: 503 })
      gcp.faults.next({ kind: "rate-limit", retryAfter: 2 })
      gcp.faults.next({ kind: "status", status: 500 })
      const unavailable = await get(gcp.url, `${P}/services/api`)
      expect(unavailable.json.error).toMatchObject({ code: 503, status: "UNAVAILABLE" })
      const limited = await get(gcp.url, `${P}/services/api`)
      expect(limited.json.error).toMatchObject({ code: 429, status: "RESOURCE_EXHAUSTED" })
      expect(infoOf(limited.json).reason).toBe("RATE_LIMIT_EXCEEDED")
      const internal = await get(gcp.url, `${P}/services/api`)
      expect(internal.json.error).toMatchObject({ code: 500, status: "INTERNAL" })
      if (docs) {
        for (const r of [unavailable, limited, internal]) expect(validate(docs.run, { $ref: "GoogleRpcStatus" }, r.json.error, "error")).toEqual([])
      }
    }))

  it(":access is always 403, and the log witnesses the attempt", () =>
    withEmulator({ seed: (s) => seedRealisticProject(s, { now: NOW }) }, async (gcp) => {
      const res = await get(gcp.url, "/v1/projects/demo-project/secrets/db-password/versions/latest:access")
      expect(res.status).toBe(403)
      expect(res.json.error.status).toBe("PERMISSION_DENIED")
      expect(gcp.requests({ route: "access" })).toHaveLength(1)
    }))

  it("paginates with opaque tokens and rejects bad ones", () =>
    withEmulator({ fixtures: Array.from({ length: 5 }, (_, i) => cloudRunService({ now: NOW, name: `s${i}` })), settings: { maxPageSize: 2 } }, async (gcp) => {
      const first = await get(gcp.url, `${P}/services?pageSize=100`)
      expect(first.json.services).toHaveLength(2)
      const second = await get(gcp.url, `${P}/services?pageToken=${first.json.nextPageToken}`)
      expect(second.json.services.map((s: { name: string }) => s.name.split("/").pop())).toEqual(["s2", "s3"])
      expect((await get(gcp.url, `${P}/services?pageToken=garbage`)).status).toBe(400)
    }))

  it("rejects a traffic update with a stale etag or a bad split", () =>
    withEmulator({ fixtures: [cloudRunService({ now: NOW })] }, async (gcp) => {
      const patch = (body: unknown) =>
        get(gcp.url, `${P}/services/api?updateMask=traffic`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
      expect((await patch({ traffic: [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }], etag: '"stale"' })).status).toBe(409)
      expect((await patch({ traffic: [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 90 }] })).status).toBe(400)
      expect((await patch({ traffic: [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "nope", percent: 100 }] })).status).toBe(400)
    }))

  it("seedRealisticProject describes what it planted", () =>
    withEmulator({}, async (gcp) => {
      const seeded = seedRealisticProject(gcp.state, { now: NOW, problems: ["min-instances-zero"] })
      expect(seeded).toMatchObject({ project: "demo-project", services: ["api", "worker"], problems: ["min-instances-zero"] })
      expect(gcp.state.services.size).toBe(2)
      expect(gcp.state.secrets.size).toBe(3)
    }))
})
