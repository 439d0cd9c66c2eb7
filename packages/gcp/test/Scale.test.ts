/**
 * A project with 50 Cloud Run services and 100 secrets, checked by every
 * read-only check: one request per list page, plus only the reads that lists
 * cannot answer (one tagged revision per service, one version list per
 * secret). The emulator's log is the witness.
 */
import { describe, expect, it } from "vitest"
import { Budget, CloudRun, Monitoring, SecretManager } from "../src/index.js"
import {
  alertPolicy,
  budget,
  cloudRunService,
  GcpEmulator,
  notificationChannel,
  secret,
  uptimeCheck,
  uptimeCheckId
} from "../src/emulator/index.js"
import { NOW, runChecks, withEmulator } from "./support.js"

// Hundreds of requests and every check: seconds on a quiet machine, over vitest's 30 s default on a busy
// 2-core one (31.4 s measured). Nothing here measures speed, so the bound only has to prove the run ends.
const HEAVY_TEST_TIMEOUT_MS = 120_000

const SERVICES = 50
const SECRETS = 100
const PAGE = 20
const pages = (n: number) => Math.ceil(n / PAGE)

const fixtures = () => {
  const name = (i: number) => `svc-${String(i).padStart(2, "0")}`
  const secretName = (i: number) => `secret-${String(i).padStart(3, "0")}`
  return [
    ...Array.from({ length: SERVICES }, (_, i) =>
      cloudRunService({
        now: NOW,
        name: name(i),
        env: [{ name: "A_KEY", secret: secretName(2 * i) }, { name: "B_TOKEN", secret: secretName(2 * i + 1) }]
      })),
    ...Array.from({ length: SECRETS }, (_, i) => secret({ now: NOW, name: secretName(i) })),
    ...Array.from({ length: SERVICES }, (_, i) => uptimeCheck({ service: name(i) })),
    ...Array.from({ length: SERVICES }, (_, i) => alertPolicy({ displayName: `${name(i)} down`, uptimeCheck: uptimeCheckId(name(i)) })),
    notificationChannel(),
    budget()
  ]
}

describe("a project with 50 services and 100 secrets", () => {
  it("costs one request per list page plus only the reads lists cannot answer", { timeout: HEAVY_TEST_TIMEOUT_MS }, () =>
    withEmulator({ fixtures: fixtures(), settings: { maxPageSize: PAGE, now: () => NOW.getTime() } }, async (gcp) => {
      const checks = [...CloudRun.all(), ...SecretManager.all(), ...Monitoring.all({ path: "/healthz" }), ...Budget.all()]
      const started = performance.now()
      const report = await runChecks(gcp, checks)
      const elapsed = Math.round(performance.now() - started)

      expect(report.items.filter((i) => i.status !== "pass").map((i) => `${i.id}: ${i.message}`)).toEqual([])
      expect(report.items.find((i) => i.id === "gcp.cloud-run.healthy")!.subjects).toHaveLength(SERVICES)
      expect(report.items.find((i) => i.id === "gcp.secret-manager.rotation")!.subjects).toHaveLength(SECRETS)

      const log = gcp.log.filter((e) => e.route !== "serve")
      const count = (re: RegExp) => log.filter((e) => re.test(e.path)).length
      const counts = {
        servicePages: count(/\/locations\/us-central1\/services$/),
        serviceGets: count(/\/services\/[^/]+$/),
        revisionGets: count(/\/revisions\/[^/]+$/),
        revisionLists: count(/\/revisions$/),
        secretPages: count(/\/secrets$/),
        secretGets: count(/\/secrets\/[^/]+$/),
        versionLists: count(/\/versions$/),
        uptimePages: count(/\/uptimeCheckConfigs$/),
        policyPages: count(/\/alertPolicies$/),
        channelPages: count(/\/notificationChannels$/),
        budgetPages: count(/\/budgets$/),
        access: count(/:access$/)
      }
      expect(counts).toEqual({
        servicePages: pages(SERVICES),
        serviceGets: 0,
        revisionGets: SERVICES, // the tagged rollback revision of each service
        revisionLists: 0,
        secretPages: pages(SECRETS),
        secretGets: 0,
        versionLists: SECRETS, // one per secret, shared by four checks
        uptimePages: pages(SERVICES),
        policyPages: pages(SERVICES),
        channelPages: 1,
        budgetPages: 1,
        access: 0
      })
      // Nothing was asked twice, and nothing but GET was sent.
      // The log masks page tokens (core redacts `*token*` keys), so later pages are counted above, not keyed here.
      const keys = log.filter((e) => e.query["pageToken"] === undefined).map((e) => `${e.method} ${e.path} ${JSON.stringify(e.query)}`)
      expect(new Set(keys).size).toBe(keys.length)
      expect(new Set(log.map((e) => e.method))).toEqual(new Set(["GET"]))
      console.info(`50 services / 100 secrets: ${report.items.length} checks, ${log.length} requests (${JSON.stringify(counts)}) in ${elapsed} ms`)
    }))
})

describe("issue 13: requests are distinct reads", () => {
  const name = (i: number) => `svc-${String(i).padStart(2, "0")}`
  const secretName = (i: number) => `secret-${String(i).padStart(3, "0")}`
  const byNumber = (id: string) => `projects/${GcpEmulator.DEFAULT_PROJECT_NUMBER}/secrets/${id}`
  // Odd services name their second secret by the project number, as `gcloud run deploy --set-secrets` can;
  // svc-00 also references a secret that does not exist.
  const fixtures = () => [
    ...Array.from({ length: SERVICES }, (_, i) =>
      cloudRunService({
        now: NOW,
        name: name(i),
        env: [
          { name: "A_KEY", secret: secretName(2 * i) },
          { name: "B_TOKEN", secret: i % 2 === 1 ? byNumber(secretName(2 * i + 1)) : secretName(2 * i + 1) },
          ...(i === 0 ? [{ name: "C_TOKEN", secret: "secret-missing" }] : [])
        ]
      })),
    ...Array.from({ length: SECRETS }, (_, i) => secret({ now: NOW, name: secretName(i) }))
  ]

  it(
    "named services: one list answers every get; number-named and list-proven-absent secrets cost nothing more",
    { timeout: HEAVY_TEST_TIMEOUT_MS },
    () =>
    withEmulator({ fixtures: fixtures(), settings: { maxPageSize: PAGE, now: () => NOW.getTime() } }, async (gcp) => {
      const service = Array.from({ length: SERVICES }, (_, i) => name(i))
      const checks = [...CloudRun.all({ service }), ...SecretManager.all()]
      const report = await runChecks(gcp, checks)
      const refs = report.items.find((i) => i.id === "gcp.cloud-run.secret-refs")!
      expect(refs.subjects!.filter((s) => s.status !== "pass").map((s) => `${s.subject}: ${s.status}`)).toEqual([
        "svc-00: fail"
      ])
      const log = gcp.log.filter((e) => e.route !== "serve")
      const count = (re: RegExp) => log.filter((e) => re.test(e.path)).length
      const counts = {
        servicePages: count(/\/services$/),
        serviceGets: count(/\/services\/[^/]+$/),
        secretPages: count(/\/secrets$/),
        secretGets: count(/\/secrets\/[^/]+$/),
        versionLists: count(/\/versions$/),
        byNumber: log.filter((e) => e.path.includes(`/projects/${GcpEmulator.DEFAULT_PROJECT_NUMBER}/`)).length
      }
      expect(counts).toEqual({
        servicePages: pages(SERVICES),
        serviceGets: 0,
        secretPages: pages(SECRETS),
        secretGets: 0,
        versionLists: SECRETS,
        byNumber: 0
      })
      console.info(`issue 13, ${SERVICES} named services / ${SECRETS} secrets: ${log.length} requests ${JSON.stringify(counts)}`)
    }))
})
