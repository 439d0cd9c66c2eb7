/**
 * Where the gate points: the bundled emulators (offline, the default), or the
 * real APIs when credentials are set (see README.md and .env.example).
 *
 * Reading the gate starts nothing: `launchgate plan` and `launchgate docs`
 * only need {@link plan}, which reads the environment. The gate's `setup`
 * ({@link setup}) starts the emulators, with a realistic state that has a few
 * real problems, when the gate runs, and its teardown closes them.
 */
import { Check, Gate } from "@launchgate/core"
import { Emulator } from "@launchgate/core/emulator"
import * as Backlog from "@launchgate/backlog"
import * as Billing from "@launchgate/billing"
import { realistic, seedRealisticAccount as seedStripe, StripeEmulator, WebhookReceiver } from "@launchgate/billing/emulator"
import * as Fivetran from "@launchgate/fivetran"
import { FivetranEmulator, seedRealisticAccount as seedFivetran } from "@launchgate/fivetran/emulator"
import * as Gcp from "@launchgate/gcp"
import { GcpEmulator, seedRealisticProject } from "@launchgate/gcp/emulator"
import * as Config from "effect/Config"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { fileURLToPath } from "node:url"
import { app } from "./app.js"

/**
 * The launch's backlog: one Markdown file per task, next to the gate (see backlog/README.md). An absolute path,
 * so the gate reads the same folder whether it runs from this folder (`pnpm demo`) or the repository root (tests).
 */
export const BACKLOG_DIRECTORY = fileURLToPath(new URL("./backlog", import.meta.url))

/**
 * "Now" of the offline demo. The seeded data, the deferrals' expiry dates and
 * the attestations are written against it, so the demo report always shows an
 * active, an expiring and an expired deferral. `pnpm demo` passes the same
 * instant as `--now`; against real systems, run without `--now`.
 */
export const DEMO_NOW = new Date("2026-11-25T12:00:00Z")

/**
 * The latency the offline app adds to every dashboards request (the emulator's latency fault). The offline
 * threshold ({@link OFFLINE_P95_THRESHOLD}) is 100 times this, so only a gross regression fails offline and a
 * loaded machine does not: the verdict does not depend on machine speed.
 */
export const OFFLINE_DASHBOARDS_LATENCY_MS = 100
export const OFFLINE_P95_THRESHOLD = "10 seconds"

/** A webhook receiver the active checks POST signed test payloads to. */
export interface Receiver {
  readonly url: string
  readonly secret: Redacted.Redacted<string>
}

/** What the checks aim at, known only when the gate runs (the emulators' ports are random). */
export interface Targets {
  readonly appUrl: string
  /** Where to POST signed Fivetran test payloads (the demo app, or a staging receiver), when allowed. */
  readonly fivetranReceiver?: Receiver | undefined
  readonly stripeReceiver?: Receiver | undefined
}

/** Everything the gate needs to know about its targets without contacting them. */
export interface World {
  readonly offline: boolean
  readonly gcp: { readonly service: string; readonly region: string; readonly project: string }
  readonly fivetran: {
    readonly groupId: string
    /** Connections that feed customer-facing dashboards: launch-critical. */
    readonly critical: ReadonlyArray<string>
    /** Connections whose first (historical) sync must have finished. */
    readonly backfills: ReadonlyArray<string>
    readonly destinationId: string
    readonly destinationRegion: string
    readonly webhookUrl: string
    /** Whether a receiver is configured (its URL is a {@link Targets} field). */
    readonly receiver: boolean
  }
  readonly stripe: {
    readonly webhookUrl: string
    readonly webhookEvents: ReadonlyArray<string>
    readonly plans: typeof realistic.plans
    readonly receiver: boolean
  }
  /** Starts (offline) or reads (online) the world when the gate runs: the gate's `setup`. */
  readonly setup: () => Promise<Gate.Setup>
}

/**
 * The targets `plan` and `docs` describe the checks with: nothing runs there, so no URL is real. The placeholder
 * secret is registered for redaction like any secret, so it must be a string no text contains (a plain word such
 * as "planned" would be masked in every report and document, "Not planned" included).
 */
const PLANNED_SECRET = Redacted.make("lg-planned-receiver-secret-placeholder")
const PLANNED: Targets = {
  appUrl: "https://app.acme-analytics.example",
  fivetranReceiver: { url: "https://app.acme-analytics.example/webhooks/fivetran", secret: PLANNED_SECRET },
  stripeReceiver: { url: "https://app.acme-analytics.example/api/stripe/webhook", secret: PLANNED_SECRET }
}

/** The setup did not run (the check was run outside the gate): fail closed, never a pass. */
export class NoTargetsError extends Data.TaggedError("NoTargetsError")<{ readonly message: string }> {}

const targets = Effect.flatMap(Gate.RunContext, (run) => {
  const found = run.setup?.["targets"] as Targets | undefined
  return found === undefined
    ? Effect.fail(new NoTargetsError({ message: "no targets: the gate's setup did not run" }))
    : Effect.succeed(found)
})

/**
 * A check aimed at a URL the setup provides: its identity (id, title, tier in reports) is built now,
 * its run is built when the gate runs, from the targets the setup returned.
 */
export const atTargets = <R>(build: (targets: Targets) => Check.Check<R>): Check.Check<R | Gate.RunContext> => {
  return Check.mapRun(build(PLANNED), () => Effect.flatMap(targets, (t) => build(t).run))
}

const FIVETRAN_SECRET = "acme_webhook_signing_secret"
const STRIPE_WEBHOOK_SECRET = "whsec_demoReceiverSigningSecret0001"

/** Start the bundled emulators with the demo's realistic state; the teardown closes them. */
const startOffline = (environment: string) => async (): Promise<Gate.Setup> => {
  const live = environment === "production"
  const started = await Promise.allSettled([
    GcpEmulator.start({
      seed: (s) =>
        void seedRealisticProject(s, { now: DEMO_NOW, problems: ["rotation-overdue", "unverified-channel", "min-instances-zero"] })
    }),
    FivetranEmulator.start({ seed: (s) => void seedFivetran(s, { now: DEMO_NOW }) }),
    StripeEmulator.start({
      seed: seedStripe({
        now: DEMO_NOW,
        testMode: !live,
        problems: { portalWithoutTerms: true, taxPending: true, webhookApiVersion: null }
      })
    }),
    Emulator.start(app, { seed: (s) => void (s.fivetranWebhookSecret = FIVETRAN_SECRET) }),
    WebhookReceiver.start({ secrets: [STRIPE_WEBHOOK_SECRET] })
  ] as const)
  const servers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []))
  const teardown = async () => void (await Promise.all(servers.map((s) => s.close())))
  const [gcp, fivetran, stripe, product, stripeReceiver] = started
  if (
    gcp.status === "rejected" || fivetran.status === "rejected" || stripe.status === "rejected" ||
    product.status === "rejected" || stripeReceiver.status === "rejected"
  ) {
    await teardown()
    throw started.find((s) => s.status === "rejected")!.reason
  }
  // A fixed, injected latency on the route the SLO samples: the offline measurement is the emulator's, with a
  // threshold far above it, not the machine's speed.
  product.value.faults.add({
    fault: { kind: "latency", ms: OFFLINE_DASHBOARDS_LATENCY_MS },
    method: "GET",
    path: "/api/v1/dashboards"
  })
  const layer = Layer.mergeAll(
    Gcp.layer({
      project: "demo-project",
      region: "us-central1",
      billingAccount: "012345-6789AB-CDEF01",
      baseUrls: gcp.value.url,
      accessToken: Redacted.make("demo-access-token")
    }),
    Fivetran.layer(FivetranEmulator.clientOptions(fivetran.value)),
    Billing.layer(StripeEmulator.clientOptions(stripe.value, {
      apiKey: Redacted.make(live ? "rk_live_51DemoRestrictedReadKey0001" : "rk_test_51DemoRestrictedReadKey0001"),
      environment,
      retry: { baseDelay: "20 millis" }
    })),
    // Task files are local: read once per run by the backlog checks, nothing contacted.
    Backlog.Files.layer({ directory: BACKLOG_DIRECTORY })
  )
  const targets: Targets = {
    appUrl: product.value.url,
    fivetranReceiver: { url: `${product.value.url}/webhooks/fivetran`, secret: Redacted.make(FIVETRAN_SECRET) },
    stripeReceiver: {
      url: `${stripeReceiver.value.url}/api/stripe/webhook`,
      secret: Redacted.make(STRIPE_WEBHOOK_SECRET)
    }
  }
  return { layer, teardown, context: { targets } }
}

/** The offline world: the bundled emulators, started by the gate's setup. */
export const offline = (environment: string): World => ({
  offline: true,
  gcp: { service: "api", region: "us-central1", project: "demo-project" },
  fivetran: {
    groupId: "acme_production",
    critical: ["app_postgres", "billing_stripe", "crm_salesforce"],
    backfills: ["app_postgres", "events_s3"],
    destinationId: "acme_production",
    destinationRegion: "AWS_US_EAST_1",
    webhookUrl: "https://api.acme-analytics.example/webhooks/fivetran",
    receiver: true
  },
  stripe: {
    webhookUrl: realistic.webhookUrl,
    webhookEvents: realistic.webhookEvents,
    plans: realistic.plans,
    receiver: true
  },
  setup: startOffline(environment)
})

/** The variables that switch the gate to real APIs (all of them, or none). */
export const ONLINE_VARIABLES = [
  "APP_URL",
  "GOOGLE_CLOUD_PROJECT",
  "GOOGLE_CLOUD_REGION",
  "GCP_BILLING_ACCOUNT",
  "FIVETRAN_API_KEY",
  "FIVETRAN_API_SECRET",
  "FIVETRAN_GROUP_ID",
  "STRIPE_API_KEY"
] as const

/**
 * Real targets from the environment. Credentials stay `Redacted` (read by each
 * package's `layerConfig` through Effect `Config` when the gate runs); Google
 * credentials come from Application Default Credentials. Active checks
 * (webhook receivers, the rollback drill) get targets only from their own
 * variables, and the gate allows them only outside production.
 */
export const online = (env: Readonly<Record<string, string | undefined>>): World => {
  const need = (name: (typeof ONLINE_VARIABLES)[number]) => env[name]!
  const receiver = (url: string, secret: string): Receiver | undefined => {
    const u = env[url]
    const s = env[secret]
    return u && s ? { url: u, secret: Redacted.make(s) } : undefined
  }
  const targets: Targets = {
    appUrl: need("APP_URL"),
    fivetranReceiver: receiver("FIVETRAN_RECEIVER_URL", "FIVETRAN_WEBHOOK_SECRET"),
    stripeReceiver: receiver("STRIPE_RECEIVER_URL", "STRIPE_WEBHOOK_SECRET")
  }
  const list = (name: string) => (env[name] ?? "").split(",").map((s) => s.trim()).filter(Boolean)
  return {
    offline: false,
    gcp: {
      service: env["CLOUD_RUN_SERVICE"] ?? "api",
      region: need("GOOGLE_CLOUD_REGION"),
      project: need("GOOGLE_CLOUD_PROJECT")
    },
    fivetran: {
      groupId: need("FIVETRAN_GROUP_ID"),
      critical: list("FIVETRAN_CRITICAL_CONNECTIONS"),
      backfills: list("FIVETRAN_BACKFILL_CONNECTIONS"),
      destinationId: need("FIVETRAN_GROUP_ID"),
      destinationRegion: env["FIVETRAN_DESTINATION_REGION"] ?? "AWS_US_EAST_1",
      webhookUrl: env["FIVETRAN_WEBHOOK_URL"] ?? `${need("APP_URL")}/webhooks/fivetran`,
      receiver: targets.fivetranReceiver !== undefined
    },
    stripe: {
      webhookUrl: env["STRIPE_WEBHOOK_URL"] ?? `${need("APP_URL")}/api/stripe/webhook`,
      webhookEvents: realistic.webhookEvents,
      plans: realistic.plans,
      receiver: targets.stripeReceiver !== undefined
    },
    setup: async () => ({
      layer: Layer.mergeAll(
        Gcp.layerConfig(),
        Fivetran.layerConfig(),
        Billing.layerConfig({
          ...Billing.BillingClient.defaultConfig,
          environment: Config.succeed(env["LAUNCH_ENVIRONMENT"] ?? "production")
        }),
        // The backlog lives next to the code in both worlds (a team on GitHub Issues would use GitHub.layerConfig).
        Backlog.Files.layer({ directory: BACKLOG_DIRECTORY })
      ),
      context: { targets }
    })
  }
}

/**
 * Offline unless every online variable is set; a partial set is a mistake worth naming. Reads only the
 * environment: nothing is started or contacted until the gate's setup runs.
 */
export const plan = (environment: string, env: Readonly<Record<string, string | undefined>>): World => {
  const present = ONLINE_VARIABLES.filter((name) => env[name] !== undefined && env[name] !== "")
  if (present.length === 0 || env["LAUNCHGATE_OFFLINE"] === "1") return offline(environment)
  const missing = ONLINE_VARIABLES.filter((name) => !present.includes(name))
  if (missing.length > 0) {
    throw new Error(
      `public-launch: ${present.join(", ")} set but ${missing.join(", ")} missing; set all of them to run against ` +
        "real APIs (see .env.example), or none to run offline"
    )
  }
  return online(env)
}
