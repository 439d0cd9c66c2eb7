/**
 * A gate that produces every kind of result the reporters must show, run
 * through the real runner: pass, blocking fail, blocking error (a check that
 * throws), subjects, active / expired / stale deferrals, launch-adjacent
 * warnings, a skip, a post-launch failure, rollback plans (one verified, one
 * "none") and unsupported cases. Shared by the reporter tests.
 */
import { Effect } from "effect"
import { Writable } from "node:stream"
import { Check, Gate, Outcome, type Report, Runner } from "../../src/index.js"

/** The pinned "now" of every fixture run. */
export const NOW = new Date("2026-03-01T00:00:00.000Z")

/** Text that breaks naive Markdown tables and XML: pipes, line breaks, markup, entities, control characters. */
export const NASTY = "a | b\nline two <script>alert(1)</script> & \"q\" 'a' ]]> *bold* `tick` \u0001\u001b[31m"

type Run = Parameters<typeof Check.fromAsync>[0]["run"]

const check = (id: string, title: string, run: Run, extra: Partial<Check.Options> = {}) =>
  Check.fromAsync({ id, title, surface: id.split(".").slice(0, 2).join("."), category: "capacity", run, ...extra })

export const checks = {
  health: check("acme.api.health", "API is healthy", () =>
    Outcome.pass("200 OK", { observed: 200, expected: 200, evidence: { url: "https://api.acme.dev/healthz" } })),
  minInstances: check("acme.api.min-instances", "API keeps a warm instance", () =>
    Outcome.fail("0 instances", {
      observed: 0,
      expected: ">= 1",
      remediation: "Set min instances to 1.",
      docs: "https://docs.acme.dev/min-instances"
    })),
  probe: check("acme.api.probe", "API probe answers", () => Promise.reject(new Error("connection refused"))),
  regions: check("acme.api.regions", "Every region serves", () =>
    Outcome.fromSubjects([
      { subject: "europe-west1", ...Outcome.pass("serving", { observed: "SERVING" }) },
      { subject: "us-central1", ...Outcome.fail("not serving", { observed: "DOWN", expected: "SERVING", remediation: "Redeploy us-central1." }) }
    ], { what: "regions" })),
  backups: check("acme.db.backups", "Database backups are on", () =>
    Outcome.fail("backups are off", { observed: false, expected: true }), { category: "rollback" }),
  tls: check("acme.api.tls", "TLS certificate is valid", () =>
    Outcome.fail("certificate expires in 3 days", { observed: 3, expected: ">= 14" }), { category: "security" }),
  latency: check("acme.api.latency", "p99 latency is low", () =>
    Outcome.warn("p99 is 900 ms", { observed: 900, expected: "<= 500" }), { category: "monitoring" }),
  alerts: check("acme.api.alerts", "Alerts are routed", () =>
    Outcome.fail("no alert policy", { observed: 0, expected: ">= 1", remediation: "Create an alert policy." }), {
      category: "monitoring"
    }),
  weird: check("acme.api.weird", "Odd text survives", () =>
    Outcome.warn(NASTY, { evidence: { [`key ${NASTY}`]: NASTY } }), { category: "monitoring" }),
  canary: check("acme.api.canary", "Canary is live", () => Outcome.skip("no canary in this environment"), {
    category: "rollout"
  }),
  dashboards: check("acme.api.dashboards", "Dashboards exist", () =>
    Outcome.fail("no dashboard", { observed: 0, expected: 1 }), { category: "monitoring" }),
  killSwitch: Check.make({
    id: "acme.api.kill-switch",
    title: "Kill switch answers",
    surface: "acme.api",
    category: "rollback",
    run: Effect.succeed(Outcome.pass("flag endpoint answers", { observed: 200 }))
  })
}

/** The fixture gate; `overrides` replace fields of the definition. */
export const gate = (overrides: Partial<Gate.Input> = {}): Gate.Gate =>
  Gate.make({
    name: "acme api launch",
    description: "Public launch of the acme API",
    environment: "production",
    items: [
      { check: checks.health, tier: "launch-critical", owner: "platform" },
      { check: checks.minInstances, tier: "launch-critical", owner: "platform" },
      { check: checks.probe, tier: "launch-critical", owner: "sre" },
      { check: checks.regions, tier: "launch-critical", owner: "sre" },
      { check: checks.backups, tier: "launch-critical", owner: "data" },
      { check: checks.tls, tier: "launch-critical", owner: "security" },
      { check: checks.latency, tier: "launch-adjacent", owner: "sre" },
      { check: checks.alerts, tier: "launch-adjacent", owner: "sre" },
      { check: checks.weird, tier: "launch-adjacent", owner: "qa" },
      { check: checks.canary, tier: "launch-adjacent", owner: "release" },
      { check: checks.dashboards, tier: "post-launch", owner: "sre" }
    ],
    deferrals: [
      {
        check: "acme.db.backups",
        owner: "data-team",
        reason: "backups move to the new cluster",
        risk: "a day of data lost on a disaster",
        followUp: "ACME-42",
        expires: "2026-04-01",
        approvedBy: "cto"
      },
      {
        check: "acme.api.tls",
        owner: "security",
        reason: "renewal pending",
        risk: "expired certificate",
        followUp: "ACME-43",
        expires: "2026-02-01"
      },
      {
        check: "acme.api.health",
        owner: "platform",
        reason: "flaky health endpoint",
        risk: "none",
        followUp: "ACME-44",
        expires: "2026-05-01"
      }
    ],
    rollback: {
      "acme.api": {
        procedure: "gcloud run services update-traffic api --to-revisions PREV=100",
        killSwitch: "flag api.enabled",
        owner: "platform",
        verify: checks.killSwitch
      },
      "acme.db": { none: "schema changes are forward-only" }
    },
    unsupported: ["multi-region active-active", { case: "IPv6-only clients", reason: "no AAAA records yet" }],
    ...overrides
  })

/** Run the fixture gate (or another) through the real runner at {@link NOW}. */
export const run = (g: Gate.Gate = gate()): Promise<Report.Report> => Runner.runPromise(g, { now: NOW })

/** A gate that is ready: everything passes but one launch-adjacent warning. */
export const readyGate = (): Gate.Gate =>
  Gate.make({
    name: "acme docs launch",
    items: [
      { check: checks.health, tier: "launch-critical", owner: "platform" },
      { check: checks.latency, tier: "launch-adjacent", owner: "sre" }
    ],
    rollback: { "acme.api": { procedure: "redeploy the previous revision" } }
  })

/** A check on `acme.api` with a given run (title defaults to the id). */
export const simple = (id: string, run: Run, extra: Partial<Check.Options> = {}): Check.Check =>
  Check.fromAsync({ id, title: id, surface: "acme.api", category: "capacity", run, ...extra })

/** A check that never answers until it is aborted (for interrupted runs). */
export const hanging = (id: string, message = "aborted"): Check.Check =>
  simple(id, ({ signal }) =>
    new Promise<Outcome.Outcome>((_, reject) => signal.addEventListener("abort", () => reject(new Error(message)))))

/** A gate of one item (with the rollback plan `acme.api` needs when it is launch-critical). */
export const single = (check: Check.Check, tier: Gate.Tier = "launch-critical", owner = "sre"): Gate.Gate =>
  Gate.make({
    name: check.id,
    items: [{ check, tier, owner }],
    ...(tier === "launch-critical" ? { rollback: { [check.surface]: { procedure: "redeploy" } } } : {})
  })

/** A stream that records what is written to it, with a TTY flag and width. */
export const recorder = (tty: { readonly isTTY?: boolean; readonly columns?: number } = {}) => {
  const chunks: Array<string> = []
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        chunks.push(chunk.toString())
        callback()
      }
    }),
    tty
  )
  return { stream, chunks, text: () => chunks.join("") }
}
