/**
 * The public launch of "acme analytics", a data SaaS: an API on Cloud Run with
 * secrets in Secret Manager, uptime checks and alerting in Cloud Monitoring, a
 * budget, customer data arriving through Fivetran, and paid plans on Stripe.
 *
 *   launchgate run gate.ts                      # offline, against the bundled emulators
 *   launchgate run gate.ts --env staging        # the same gate, staging thresholds
 *   APP_URL=… GOOGLE_CLOUD_PROJECT=… … launchgate run gate.ts   # real APIs (see README.md)
 *
 * Copy it, then change the targets in world.ts and the ids, owners and dates here.
 */
import { type Backlog, Deferrals, Files, LaunchScope } from "@launchgate/backlog"
import { Attestation, Check, Document, Gate } from "@launchgate/core"
import { HealthCheck, HttpCheck, LatencySlo, SecurityHeaders } from "@launchgate/core/http"
import * as Billing from "@launchgate/billing"
import * as Fivetran from "@launchgate/fivetran"
import { Budget, CloudRun, Monitoring, SecretManager } from "@launchgate/gcp"
import * as Schema from "effect/Schema"
import { fileURLToPath } from "node:url"
import { atTargets, BACKLOG_DIRECTORY, OFFLINE_P95_THRESHOLD, plan, type World } from "./world.js"

type Tier = Gate.Tier
const item = <R>(check: Check.Check<R>, tier: Tier, owner: string, notes?: string): Gate.Item<R> => ({
  check,
  tier,
  owner,
  ...(notes !== undefined ? { notes } : {})
})

/** The product's own endpoints (the app on Cloud Run). */
const appChecks = (world: World) => [
  item(
    atTargets((t) =>
      HealthCheck.make({
        id: "app.api.health",
        title: "API health endpoint reports every component healthy",
        surface: "app.api",
        url: `${t.appUrl}/healthz`,
        components: ["postgres:connections", "warehouse:responseTime"]
      })
    ),
    "launch-critical",
    "platform"
  ),
  item(
    atTargets((t) =>
      LatencySlo.make({
        id: "app.api.latency-p95",
        title: "Dashboards API meets its p95 latency SLO (300 ms in production)",
        surface: "app.api",
        url: `${t.appUrl}/api/v1/dashboards`,
        samples: 20,
        concurrency: 2,
        percentile: 95,
        // Offline the app's latency is injected by its emulator and the threshold is 100 times it: the demo's
        // verdict must not depend on how busy the machine is. Slow samples are not errors there either.
        threshold: world.offline ? OFFLINE_P95_THRESHOLD : "300 millis",
        ...(world.offline ? { requestTimeout: "20 seconds", timeout: "60 seconds" } : {})
      })
    ),
    "launch-critical",
    "platform"
  ),
  item(
    atTargets((t) =>
      SecurityHeaders.make({
        id: "app.api.security-headers",
        title: "API sends HSTS, nosniff, framing protection and a CSP",
        surface: "app.api",
        url: `${t.appUrl}/healthz`,
        csp: "warn"
      })
    ),
    "launch-adjacent",
    "security"
  )
]

/** Cloud Run, Secret Manager, Cloud Monitoring and the budget. */
const gcpChecks = (world: World, environment: string) => {
  const service = { service: world.gcp.service }
  return [
    item(CloudRun.healthy(service), "launch-critical", "platform"),
    item(CloudRun.latestDeployLive(service), "launch-critical", "platform"),
    item(CloudRun.probes(service), "launch-critical", "platform", "Zero-downtime deploys need a startup probe"),
    item(CloudRun.rollbackTarget(service), "launch-critical", "platform"),
    item(CloudRun.secretEnv(service), "launch-critical", "security"),
    item(CloudRun.secretRefs(service), "launch-critical", "security"),
    item(CloudRun.ingress({ ...service, expected: "all" }), "launch-critical", "platform"),
    item(CloudRun.minInstances({ ...service, floor: environment === "production" ? 1 : 0 }), "launch-adjacent", "platform"),
    item(CloudRun.maxInstances(service), "launch-adjacent", "platform"),
    item(CloudRun.serviceAccount(service), "launch-adjacent", "security"),
    item(CloudRun.rollbackDrill({ ...service, probe: { path: "/healthz" } }), "launch-critical", "platform", "Active: runs against the emulators and staging, never production"),
    item(SecretManager.rotationOverdue({ referencedBy: service }), "launch-critical", "security"),
    item(SecretManager.expiry({ referencedBy: service }), "launch-critical", "security"),
    item(SecretManager.rotation({ referencedBy: service }), "launch-adjacent", "security"),
    item(SecretManager.versionAge({ referencedBy: service }), "launch-adjacent", "security"),
    item(SecretManager.enabledVersions({ referencedBy: service }), "launch-adjacent", "security"),
    item(Monitoring.uptimeCheck({ ...service, path: "/healthz" }), "launch-critical", "sre"),
    item(Monitoring.uptimeAlert({ ...service, path: "/healthz" }), "launch-critical", "sre"),
    item(Monitoring.notificationChannels({ ...service, path: "/healthz" }), "launch-critical", "sre"),
    item(Budget.projectBudget(), "launch-adjacent", "finance"),
    item(Budget.notifications(), "post-launch", "finance")
  ]
}

/** Customer data arriving through Fivetran. */
const fivetranChecks = (world: World, environment: string) => {
  const critical = { connectionId: world.fivetran.critical }
  const { Connection, Destination, Group, Webhook } = Fivetran
  return [
    item(Connection.connected(critical), "launch-critical", "data"),
    item(Connection.active(critical), "launch-critical", "data"),
    item(Connection.freshness({ ...critical, factor: environment === "production" ? 2 : 4 }), "launch-critical", "data"),
    item(Connection.tasks(critical), "launch-critical", "data"),
    item(Connection.historicalSync({ connectionId: world.fivetran.backfills }), "launch-critical", "data"),
    item(Connection.syncFrequency({ ...critical, maxMinutes: 360, dataDelaySensitivity: ["LOW", "NORMAL", "HIGH"] }), "launch-adjacent", "data"),
    item(Connection.schemaChangeHandling({ connectionId: [...world.fivetran.critical, "ads_facebook"].filter((id) => world.offline || id !== "ads_facebook"), allowed: ["BLOCK_ALL", "ALLOW_COLUMNS"] }), "launch-adjacent", "data"),
    item(Destination.connected({ destinationId: world.fivetran.destinationId }), "launch-critical", "data"),
    item(Destination.region({ destinationId: world.fivetran.destinationId, expected: world.fivetran.destinationRegion }), "launch-critical", "data"),
    item(Webhook.configured({ url: world.fivetran.webhookUrl, events: ["sync_end", "connection_failure"], requireSecret: true }), "launch-critical", "data"),
    ...(world.fivetran.receiver
      ? [item(
        atTargets((t) => Webhook.receiver(t.fivetranReceiver!)),
        "launch-adjacent",
        "data",
        "Active: POSTs signed test payloads to the receiver"
      )]
      : []),
    item(Group.coverage({ groupId: world.fivetran.groupId }), "post-launch", "data", "Every connection in the production group, not only the launch-critical ones")
  ]
}

/** Paid plans on Stripe. */
const billingChecks = (world: World) => [
  item(Billing.Key.mode(), "launch-critical", "payments"),
  item(Billing.Account.chargesEnabled(), "launch-critical", "payments"),
  item(Billing.Account.payoutsEnabled(), "launch-critical", "payments"),
  item(Billing.Account.requirements({ deadlineWithin: "30 days" }), "launch-adjacent", "payments"),
  item(Billing.Catalog.prices({ plans: world.stripe.plans, taxRequired: true }), "launch-critical", "payments"),
  item(Billing.Webhook.endpoint({ url: world.stripe.webhookUrl, events: world.stripe.webhookEvents }), "launch-critical", "payments"),
  item(Billing.Webhook.delivery({ window: "24 hours", maxUndelivered: 0 }), "launch-adjacent", "payments"),
  ...(world.stripe.receiver
    ? [item(
      atTargets((t) => Billing.Webhook.receiver({ ...t.stripeReceiver!, allowProduction: world.offline })),
      "launch-critical",
      "payments",
      "Active: the demo's receiver is local; never aimed at production"
    )]
    : []),
  item(Billing.Portal.configured(), "launch-critical", "payments"),
  item(Billing.Tax.active({ required: true }), "launch-adjacent", "finance")
]

/** The launch scope in the team's backlog (task files in backlog/, milestone "public launch"). */
export const LAUNCH_SCOPE = { milestone: "public launch" } as const

/**
 * The backlog audit: every open item classified, no launch-critical item open unless deferred, every launch-critical
 * surface checked by this gate, every deferral tracked by an open, owned follow-up with a risk note. The checks read
 * the gate (its deferrals, unsupported cases and checks) when they run, hence a function. The Backlog service comes
 * from the world's setup (task files here; `GitHub.layerConfig` for a team on GitHub Issues).
 */
export const backlogChecks = (
  gate: () => LaunchScope.GateLike,
  /** What the checks need to read, as reports show it; by default the package's (a GitHub token's permissions). */
  role?: string
): Array<Gate.Item<Backlog.Backlog>> => {
  const as = <R>(check: Check.Check<R>) => (role === undefined ? check : Check.annotate(check, { role }))
  return [
    item(as(LaunchScope.classified({ scope: LAUNCH_SCOPE })), "launch-critical", "engineering"),
    item(as(LaunchScope.noOpenBlocker({ scope: LAUNCH_SCOPE, gate })), "launch-critical", "engineering"),
    item(as(LaunchScope.matchesGate({ scope: LAUNCH_SCOPE, gate })), "launch-adjacent", "engineering"),
    item(as(Deferrals.tracked({ gate })), "launch-critical", "engineering")
  ]
}

/** The task files are read from the checkout: no tracker, no token. */
export const TASK_FILES_ROLE = "read access to backlog/ in the repository checkout (task files; no token)"

/** What no API can prove. */
const processChecks = () => [
  item(
    Attestation.make({
      id: "launch.process.rollback-rehearsal",
      title: "Rollback rehearsed on staging (traffic shifted back and forth under load)",
      category: "rollback",
      attestedBy: "Priya Natarajan (platform)",
      on: "2026-11-18",
      evidence: "https://tickets.acme.example/OPS-311",
      validForDays: 30
    }),
    "launch-critical",
    "platform"
  ),
  item(
    Attestation.make({
      id: "launch.process.on-call-rota",
      title: "On-call rota covers launch week, primary and secondary",
      category: "monitoring",
      attestedBy: "Sam Rivera (SRE lead)",
      on: "2026-11-20",
      evidence: "https://oncall.acme.example/schedules/api",
      validForDays: 14
    }),
    "launch-critical",
    "sre"
  ),
  item(
    Attestation.make({
      id: "launch.process.support-trained",
      title: "Support trained on billing and data-delay questions",
      category: "dependencies",
      attestedBy: "Lee Okafor (support)",
      on: "2026-08-01",
      evidence: "https://wiki.acme.example/support/launch-training",
      validForDays: 60
    }),
    "launch-adjacent",
    "support"
  ),
  item(
    Document.make({
      id: "launch.docs.runbook",
      title: "Runbook covers rollback, kill switch and escalation",
      path: "RUNBOOK.md",
      baseDir: fileURLToPath(new URL(".", import.meta.url)),
      sections: ["Rollback", "Kill switch", "Escalation"],
      category: "automation"
    }),
    "launch-critical",
    "sre"
  )
]

const CloudRunRollback = (world: World) =>
  `Route 100% of traffic to the previous revision: \`gcloud run services update-traffic ${world.gcp.service} --region ${world.gcp.region} --to-revisions PREVIOUS_REVISION=100\` (the exact command, with the revision, is in the evidence of gcp.cloud-run.rollback-target). Rehearsed by gcp.cloud-run.rollback-drill.`

const billingPlan = {
  procedure: "Turn paid checkout off with the checkout flag (below); existing subscriptions keep working. Then fix forward, or restore the previous Stripe configuration from the release notes.",
  killSwitch: "Flag `checkout.enabled=false` (flags service): the pricing page shows a waitlist instead of checkout, no deploy needed.",
  owner: "payments"
}

const CheckoutFlag = Schema.Struct({
  flag: Schema.Literal("checkout"),
  enabled: Schema.Boolean,
  killSwitch: Schema.Literal(true)
})

/**
 * The gate, for an environment (`production` by default, or `staging`). Making it reads the environment
 * only; the emulators (offline) start in `setup`, when the gate runs, and close with the run.
 */
export default (environment: string = "production") => {
  const world = plan(environment, process.env)
  const staging = environment !== "production"
  // The backlog checks read this gate when they run (it lists them, so it exists by then).
  let self: LaunchScope.GateLike | undefined
  const thisGate = () => self!
  const gate = Gate.make({
    name: "acme analytics public launch",
    description: "Public launch of the acme analytics API and dashboards: real traffic and paid plans.",
    environment,
    items: [
      ...appChecks(world),
      ...gcpChecks(world, environment),
      ...fivetranChecks(world, environment),
      ...billingChecks(world),
      ...processChecks(),
      ...backlogChecks(thisGate, TASK_FILES_ROLE)
    ],
    deferrals: [
      {
        check: "gcp.monitoring.notification-channels",
        owner: "sre",
        reason: "The team e-mail channel is waiting for its verification link; PagerDuty (the paging channel) is verified.",
        risk: "Alert e-mails may not arrive until verified; pages still reach on-call.",
        followUp: "OPS-342",
        expires: "2027-01-15",
        approvedBy: "Morgan Lee (VP engineering)"
      },
      {
        check: "fivetran.connection.historical-sync",
        owner: "data",
        reason: "The product-events backfill (3 years of S3 history) is still running; dashboards show data from launch day onwards meanwhile.",
        risk: "Historical charts are incomplete for the first days.",
        followUp: "DATA-77",
        expires: "2026-11-29",
        approvedBy: "Morgan Lee (VP engineering)"
      },
      {
        check: "billing.portal.configured",
        owner: "payments",
        reason: "Legal was finalising the terms of service URL for the customer portal.",
        risk: "Customers managing subscriptions see no terms link.",
        followUp: "PAY-19",
        expires: "2026-11-20"
      }
    ],
    rollback: {
      "app.api": { procedure: CloudRunRollback(world), killSwitch: "Maintenance mode: `gcloud run services update api --update-env-vars MAINTENANCE=1` serves a static status page.", owner: "platform" },
      "gcp.cloud-run": { procedure: CloudRunRollback(world), owner: "platform" },
      "gcp.secret-manager": {
        procedure: "Re-enable the previous secret version (`gcloud secrets versions enable PREVIOUS --secret NAME`) and redeploy pinned to it; the rotation pipeline is paused meanwhile.",
        owner: "security"
      },
      "gcp.monitoring": { none: "Monitoring configuration only: nothing to roll back; fix forward." },
      "fivetran.connection": {
        procedure: "Pause the affected connection; dashboards keep serving the last good data and show its age.",
        killSwitch: "`PATCH /v1/connections/{id}` with `{\"paused\": true}` (or the dashboard toggle).",
        owner: "data"
      },
      "fivetran.destination": { none: "The warehouse is not changed by the launch; a destination problem is fixed forward." },
      "fivetran.webhook": { procedure: "Disable the webhook in Fivetran; freshness alerts fall back to the hourly freshness job.", owner: "data" },
      "billing.key": billingPlan,
      "billing.account": billingPlan,
      "billing.catalog": {
        ...billingPlan,
        verify: atTargets((t) =>
          HttpCheck.make({
            id: "app.flags.checkout-kill-switch",
            title: "Checkout kill switch answers and can be flipped",
            surface: "app.flags",
            category: "rollback",
            url: `${t.appUrl}/flags/checkout`,
            expect: { status: 200, json: CheckoutFlag }
          })
        )
      },
      "billing.webhook": billingPlan,
      "billing.portal": billingPlan,
      "backlog.launch-scope": { none: "Reads the team's backlog only: nothing is changed, nothing to roll back." },
      "backlog.deferrals": { none: "Reads the gate's deferrals and their follow-up tasks only: nothing to roll back." }
    },
    unsupported: [
      { case: "Multi-region active-active", reason: "one region (us-central1) at launch; regional outage = documented downtime" },
      { case: "Customer-managed encryption keys (CMEK)", reason: "Google-managed keys only until the enterprise tier" },
      { case: "Data residency outside the US", reason: "the warehouse destination is AWS us-east-1" },
      { case: "Zero-downtime Stripe API version upgrades", reason: "webhook handlers are pinned; upgrades ship in a maintenance window" }
    ],
    // Active checks (the rollback drill, webhook receivers) only run where they cannot hurt customers.
    allowActive: world.offline || staging,
    setup: world.setup,
    // Task files are local, so `plan` and `docs` show the launch scope too (read now, nothing started).
    launchScope: Files.localScope({
      directory: BACKLOG_DIRECTORY,
      scope: LAUNCH_SCOPE,
      source: `task files in backlog/, milestone "${LAUNCH_SCOPE.milestone}"`
    })
  })
  self = gate
  return gate
}
