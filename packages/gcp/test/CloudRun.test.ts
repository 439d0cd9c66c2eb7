import { Check, Redaction } from "@launchgate/core"
import { describe, expect, it } from "vitest"
import { CloudRun } from "../src/index.js"
import { cloudRunService, revisionId, secret } from "../src/emulator/index.js"
import { apiRequests, NOW, runCheck, runChecks, withEmulator } from "./support.js"

const at = { now: NOW }

describe("gcp.cloud-run.healthy", () => {
  it("passes for a settled service", () =>
    withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.healthy({ service: "api" }))
      expect(item.status).toBe("pass")
      expect(item.evidence["observed"]).toMatchObject({ reconciling: false, generation: "3", observedGeneration: "3" })
      expect(item.role).toBe("roles/run.viewer")
    }))

  it("fails with the failed condition's reason", () =>
    withEmulator({
      fixtures: [cloudRunService({ ...at, latestFailure: { reason: "REVISION_FAILED", revisionReason: "HEALTH_CHECK_CONTAINER_ERROR" } })]
    }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.healthy({ service: "api" }))
      expect(item.status).toBe("fail")
      expect(item.message).toContain("HEALTH_CHECK_CONTAINER_ERROR")
      expect(item.remediation).toContain("startup or health check")
    }))

  it("fails while reconciling, and names SECRETS_ACCESS_CHECK_FAILED", async () => {
    await withEmulator({ fixtures: [cloudRunService({ ...at, reconciling: true })] }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.healthy({ service: "api" }))
      expect(item.status).toBe("fail")
      expect(item.message).toMatch(/reconciling.*observedGeneration 2 is behind generation 3/)
    })
    await withEmulator({ fixtures: [cloudRunService({ ...at, latestFailure: { reason: "SECRETS_ACCESS_CHECK_FAILED" } })] }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.healthy({ service: "api" }))
      expect(item.message).toContain("SECRETS_ACCESS_CHECK_FAILED")
      expect(item.remediation).toContain("roles/secretmanager.secretAccessor")
    })
  })

  it("covers every service in the region as subjects", () =>
    withEmulator({
      fixtures: [cloudRunService({ ...at, name: "api" }), cloudRunService({ ...at, name: "worker", latestFailure: {} })]
    }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.healthy())
      expect(item.status).toBe("fail")
      expect(item.subjects?.map((s) => [s.subject, s.status])).toEqual([["api", "pass"], ["worker", "fail"]])
    }))

  it("is an error when the region has no services (covering nothing proves nothing)", () =>
    withEmulator({}, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.healthy())
      expect(item.status).toBe("error")
    }))
})

describe("gcp.cloud-run.latest-deploy-live", () => {
  it("passes when the latest revision serves all traffic", () =>
    withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.latestDeployLive({ service: "api" }))
      expect(item.status).toBe("pass")
      expect(item.message).toContain(revisionId("api", 3))
    }))

  it("fails when the latest deploy is not ready", () =>
    withEmulator({ fixtures: [cloudRunService({ ...at, latestFailure: {} })] }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.latestDeployLive({ service: "api" }))
      expect(item.status).toBe("fail")
      expect(item.message).toContain(`latest deploy ${revisionId("api", 3)} is not ready`)
    }))

  it("fails when traffic goes to a revision that is not Ready, or the latest serves nothing", () =>
    withEmulator({
      fixtures: [cloudRunService({ ...at, previous: "failed", traffic: [{ revision: 1, percent: 100 }, { revision: "latest", percent: 0 }] })]
    }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.latestDeployLive({ service: "api" }))
      expect(item.status).toBe("fail")
      expect(item.message).toContain(`not Ready: ${revisionId("api", 1)}`)
      expect(item.message).toContain("serves no traffic")
    }))

  it("fails when observed traffic differs from the configured split", () =>
    withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
      const svc = gcp.state.services.get("projects/demo-project/locations/us-central1/services/api")!
      svc["trafficStatuses"] = [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: revisionId("api", 2), percent: 100 }]
      const item = await runCheck(gcp, CloudRun.latestDeployLive({ service: "api" }))
      expect(item.status).toBe("fail")
      expect(item.message).toContain("does not match the configured split")
    }))
})

describe("gcp.cloud-run.probes", () => {
  it("passes with HTTP startup and liveness probes", () =>
    withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
      expect((await runCheck(gcp, CloudRun.probes({ service: "api" }))).status).toBe("pass")
    }))

  it("fails without a liveness probe, or with a TCP startup probe when HTTP is required", () =>
    withEmulator({ fixtures: [cloudRunService({ ...at, startupProbe: "tcp", livenessProbe: false })] }, async (gcp) => {
      const [loose, strict] = (await runChecks(gcp, [
        CloudRun.probes({ service: "api" }),
        Check.annotate(CloudRun.probes({ service: "api", startupKinds: ["httpGet"] }), { id: "gcp.cloud-run.probes.http" })
      ])).items
      expect(loose!.status).toBe("fail")
      expect(loose!.message).toBe("container app: no liveness probe")
      expect(strict!.message).toContain("startup probe is tcpSocket, expected httpGet")
    }))
})

describe("gcp.cloud-run.min-instances / max-instances", () => {
  it("pass with min 1 and max 10", () =>
    withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
      const report = await runChecks(gcp, [CloudRun.minInstances({ service: "api" }), CloudRun.maxInstances({ service: "api", atMost: 50 })])
      expect(report.items.map((i) => i.status)).toEqual(["pass", "pass"])
      // Both read the same service: one GET.
      expect(apiRequests(gcp)).toEqual(["GET /v2/projects/demo-project/locations/us-central1/services/api"])
    }))

  it("fail with min 0; no max set runs at the server default of 100, a warn without a stated bound", () =>
    withEmulator({ fixtures: [cloudRunService({ ...at, minInstances: 0, maxInstances: null })] }, async (gcp) => {
      const [min, max] = (await runChecks(gcp, [CloudRun.minInstances({ service: "api" }), CloudRun.maxInstances({ service: "api" })])).items
      expect(min!.status).toBe("fail")
      expect(min!.remediation).toBe("gcloud run services update api --region us-central1 --project demo-project --min-instances 1")
      expect(max!.status).toBe("warn")
      expect(max!.message).toBe("maximum instances is 100, the server default: nothing bounds scaling to what downstreams take")
      expect(max!.evidence["observed"]).toMatchObject({ revisionMaxInstanceCount: 100, effective: 100, serverDefault: 100 })
      expect(max!.remediation).toContain("maxInstances({ atMost: N })")
    }))

  it("the emulator reads back the server default the API fills in (RevisionScaling.maxInstanceCount)", () =>
    withEmulator({ fixtures: [cloudRunService({ ...at, maxInstances: null })] }, async (gcp) => {
      const base = `${gcp.url}/v2/projects/demo-project/locations/us-central1/services/api`
      const headers = { authorization: "Bearer test" }
      const service = await (await fetch(base, { headers })).json() as { template: { scaling: Record<string, number> } }
      expect(service.template.scaling["maxInstanceCount"]).toBe(100)
      const revisions = await (await fetch(`${base}/revisions`, { headers })).json() as { revisions: Array<{ scaling: Record<string, number> }> }
      expect(revisions.revisions.map((r) => r.scaling["maxInstanceCount"])).toEqual([100, 100, 100])
    }))

  it("a deploy without a maximum fails against the bound downstreams take, and passes within it", () =>
    withEmulator({
      fixtures: [cloudRunService({ ...at, maxInstances: null }), cloudRunService({ ...at, name: "small", maxInstances: 20 })]
    }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.maxInstances({ service: ["api", "small"], atMost: 40 }))
      const byName = Object.fromEntries(item.subjects!.map((s) => [s.subject, s]))
      expect(byName["api"]!.status).toBe("fail")
      expect(byName["api"]!.message).toBe("maximum instances is 100 (the server default), above the 40 downstreams take")
      expect(byName["api"]!.remediation).toBe("gcloud run services update api --region us-central1 --project demo-project --max-instances 40")
      expect(byName["small"]!.status).toBe("pass")
      expect(byName["small"]!.message).toBe("maximum instances is 20, within the 40 downstreams take")
    }))

  it("honours the service-level minimum and the max bounds", () =>
    withEmulator({ fixtures: [cloudRunService({ ...at, minInstances: 0, serviceMinInstances: 2, maxInstances: 100 })] }, async (gcp) => {
      const [min, max] = (await runChecks(gcp, [CloudRun.minInstances({ service: "api", floor: 2 }), CloudRun.maxInstances({ service: "api", atMost: 50 })])).items
      expect(min!.status).toBe("pass")
      expect(max!.status).toBe("fail")
      expect(max!.message).toBe("maximum instances is 100 (the server default), above the 50 downstreams take")
    }))
})

describe("gcp.cloud-run.rollback-target", () => {
  it("passes via the rollback tag, reading only the tagged revision, with the exact command", () =>
    withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.rollbackTarget({ service: "api" }))
      expect(item.status).toBe("pass")
      expect(item.evidence["observed"]).toMatchObject({ target: revisionId("api", 2), reachableBy: "tag", tag: "rollback" })
      expect(item.evidence["command"]).toBe(
        `gcloud run services update-traffic api --region us-central1 --project demo-project --to-revisions ${revisionId("api", 2)}=100`
      )
      expect(apiRequests(gcp)).toEqual([
        "GET /v2/projects/demo-project/locations/us-central1/services/api",
        `GET /v2/projects/demo-project/locations/us-central1/services/api/revisions/${revisionId("api", 2)}`
      ])
    }))

  it("falls back to the newest Ready revision by name when nothing is tagged", () =>
    withEmulator({ fixtures: [cloudRunService({ ...at, rollbackTag: null })] }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.rollbackTarget({ service: "api" }))
      expect(item.status).toBe("pass")
      expect(item.evidence["observed"]).toMatchObject({ target: revisionId("api", 2), reachableBy: "revision name" })
    }))

  it("fails with a single revision, or when previous revisions are retired", async () => {
    await withEmulator({ fixtures: [cloudRunService({ ...at, revisions: 1 })] }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.rollbackTarget({ service: "api" }))
      expect(item.status).toBe("fail")
      expect(item.message).toContain("no previous Ready revision")
    })
    await withEmulator({ fixtures: [cloudRunService({ ...at, previous: "retired", rollbackTag: null })] }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.rollbackTarget({ service: "api" }))
      expect(item.status).toBe("fail")
      expect(JSON.stringify(item.evidence)).toContain("it is retired")
    })
  })
})

describe("gcp.cloud-run.secret-env", () => {
  it("passes when secrets come from Secret Manager", () =>
    withEmulator({
      fixtures: [cloudRunService({ ...at, env: [{ name: "LOG_LEVEL", value: "info" }, { name: "STRIPE_API_KEY", secret: "stripe" }] })]
    }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.secretEnv({ service: "api" }))
      expect(item.status).toBe("pass")
      expect(item.message).toBe("no literal secrets in env (1 from Secret Manager)")
    }))

  it("fails on literal secret values, and the values never reach the report", () => {
    const value = "hunter2-literal-db-password-value"
    const credential = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
    return withEmulator({
      fixtures: [cloudRunService({
        ...at,
        env: [{ name: "DB_PASSWORD", value }, { name: "PAYMENTS_CONFIG", value: credential }, { name: "STRIPE_PUBLISHABLE_KEY", value: "pk_test_public_value_12345" }]
      })]
    }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.secretEnv({ service: "api", allow: ["STRIPE_PUBLISHABLE_KEY"] }))
      expect(item.status).toBe("fail")
      expect(item.message).toContain("DB_PASSWORD, PAYMENTS_CONFIG")
      expect(item.remediation).toContain("--update-secrets ENV_VAR=SECRET_ID:latest, for DB_PASSWORD, PAYMENTS_CONFIG")
      const text = JSON.stringify(item)
      expect(text).not.toContain(value)
      expect(text).not.toContain(credential)
      expect(Redaction.scrub(`leak ${value}`)).toBe("leak <redacted>")
    })
  })

  it("finds secret words anywhere in the name and credential-shaped values, but not key ids or public keys", () => {
    const literals = {
      DB_PASS: "correct-horse-battery",
      API_KEY_PROD: "prod-key-0123456789",
      SIGNING_SALT: "pepper-and-salt-42",
      dbPassword: "camel-case-password",
      DATABASE_URL: "postgres://app:s3cr3t-pw@db.internal:5432/app",
      WEBHOOK: "whsec_5f2b8c1d9e7a6b4c3d2e1f0a",
      SLACK: "xoxb-123456789012-abcdefghijkl",
      MAPS: "AIzaSyA1234567890abcdefghijklmnopqrstuv",
      GH: "ghp_0123456789abcdefghijABCDEFGHIJ012345",
      SIGNER: "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----"
    }
    const fine = {
      AWS_ACCESS_KEY_ID: "not-a-secret-id",
      STRIPE_PUBLISHABLE_KEY: "pk_test_public_value_12345",
      JWT_PUBLIC_KEY: "public-material",
      KEYBOARD_LAYOUT: "dvorak",
      PASSTHROUGH_MODE: "on",
      LOG_LEVEL: "info"
    }
    return withEmulator({
      fixtures: [cloudRunService({ ...at, env: Object.entries({ ...literals, ...fine }).map(([name, value]) => ({ name, value })) })]
    }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.secretEnv({ service: "api" }))
      expect(item.status).toBe("fail")
      const found = (item.evidence["observed"] as { literalSecretEnv: Array<{ env: string }> }).literalSecretEnv.map((l) => l.env)
      expect(found).toEqual(Object.keys(literals))
      const text = JSON.stringify(item)
      for (const value of Object.values(literals)) expect(text).not.toContain(value)
    })
  })
})

describe("gcp.cloud-run.secret-refs", () => {
  const env = [{ name: "STRIPE_API_KEY", secret: "stripe" }, { name: "DB_PASSWORD", secret: "db", version: "3" }]

  it("passes when every referenced version exists and is enabled", () =>
    withEmulator({
      fixtures: [cloudRunService({ ...at, env, secretVolumes: [{ secret: "tls-cert" }] }), secret({ ...at, name: "stripe" }), secret({ ...at, name: "db", versions: 3 }), secret({ ...at, name: "tls-cert" })]
    }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.secretRefs({ service: "api" }))
      expect(item.status).toBe("pass")
      expect(item.role).toBe("roles/run.viewer, roles/secretmanager.viewer")
      // Three secrets of one project: one list page answers them, then one version list each.
      expect(apiRequests(gcp).filter((r) => r.includes("/secrets")).sort()).toEqual([
        "GET /v1/projects/demo-project/secrets",
        "GET /v1/projects/demo-project/secrets/db/versions",
        "GET /v1/projects/demo-project/secrets/stripe/versions",
        "GET /v1/projects/demo-project/secrets/tls-cert/versions"
      ])
    }))

  it("fails for a missing secret and a disabled pinned version", () =>
    withEmulator({
      fixtures: [cloudRunService({ ...at, env }), secret({ ...at, name: "db", versionStates: ["DISABLED", "ENABLED", "ENABLED"] })]
    }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.secretRefs({ service: "api" }))
      expect(item.status).toBe("fail")
      expect(item.message).toContain("stripe:latest (secret does not exist)")
      expect(item.message).toContain("db:3 (version 3 is DISABLED)")
    }))

  it("fails unpinned references when pinning is required", () =>
    withEmulator({ fixtures: [cloudRunService({ ...at, env }), secret({ ...at, name: "stripe" }), secret({ ...at, name: "db", versions: 3, enabledVersions: 3 })] }, async (gcp) => {
      const item = await runCheck(gcp, CloudRun.secretRefs({ service: "api", allowLatest: false }))
      expect(item.status).toBe("fail")
      expect(item.message).toContain("stripe:latest (uses latest; policy requires a pinned version)")
    }))
})

describe("gcp.cloud-run.service-account / ingress", () => {
  it("pass for a dedicated service account and the expected ingress", () =>
    withEmulator({ fixtures: [cloudRunService(at)] }, async (gcp) => {
      const report = await runChecks(gcp, [CloudRun.serviceAccount({ service: "api" }), CloudRun.ingress({ service: "api", expected: "all" })])
      expect(report.items.map((i) => i.status)).toEqual(["pass", "pass"])
    }))

  it("fail for the default compute account and unexpected ingress", () =>
    withEmulator({
      fixtures: [cloudRunService({ ...at, serviceAccount: "123456789012-compute@developer.gserviceaccount.com", ingress: "INGRESS_TRAFFIC_ALL" })]
    }, async (gcp) => {
      const [sa, ingress] = (await runChecks(gcp, [
        CloudRun.serviceAccount({ service: "api" }),
        CloudRun.ingress({ service: "api", expected: ["internal", "internal-and-cloud-load-balancing"] })
      ])).items
      expect(sa!.status).toBe("fail")
      expect(sa!.message).toContain("default compute service account")
      expect(ingress!.status).toBe("fail")
      expect(ingress!.remediation).toContain("--ingress internal")
    }))

  it("an unset service account is the default compute account", () =>
    withEmulator({ fixtures: [cloudRunService({ ...at, serviceAccount: null })] }, async (gcp) => {
      expect((await runCheck(gcp, CloudRun.serviceAccount({ service: "api" }))).status).toBe("fail")
    }))
})

describe("one request per resource", () => {
  it("every read-only Cloud Run check on one service costs one service GET", () =>
    withEmulator({ fixtures: [cloudRunService({ ...at, env: [{ name: "K_SECRET", secret: "k" }] }), secret({ ...at, name: "k" })] }, async (gcp) => {
      const report = await runChecks(gcp, CloudRun.all({ service: "api" }))
      expect(report.items.map((i) => i.status).every((s) => s === "pass")).toBe(true)
      const gets = apiRequests(gcp).filter((r) => r === "GET /v2/projects/demo-project/locations/us-central1/services/api")
      expect(gets).toHaveLength(1)
      expect(new Set(apiRequests(gcp)).size).toBe(apiRequests(gcp).length)
    }))
})
