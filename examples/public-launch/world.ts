/**
 * Where the gate points: the bundled emulators (offline, the default), or the
 * real APIs when credentials are set (see README.md and .env.example).
 *
 * Offline, every vendor emulator is started on 127.0.0.1 with a realistic
 * state that has a few real problems, so the report is worth reading. The
 * emulators close when the run ends (their release is part of the gate's layer).
 */
import { Gcp } from "@launchgate/gcp"
import { GcpEmulator, seedRealisticProject } from "@launchgate/gcp/emulator"
import * as Fivetran from "@launchgate/fivetran"
import { FivetranEmulator, seedRealisticAccount as seedFivetran } from "@launchgate/fivetran/emulator"
import * as Billing from "@launchgate/billing"
import { realistic, seedRealisticAccount as seedStripe, StripeEmulator, WebhookReceiver } from "@launchgate/billing/emulator"
import { Emulator } from "@launchgate/core/emulator"
import { Effect, Layer, Redacted } from "effect"
import { app } from "./app.js"

/**
 * "Now" of the offline demo. The seeded data, the deferrals' expiry dates and
 * the attestations are written against it, so the demo report always shows an
 * active, an expiring and an expired deferral. `pnpm demo` passes the same
 * instant as `--now`; against real systems, run without `--now`.
 */
export const DEMO_NOW = new Date("2026-11-25T12:00:00Z")

/** Everything the gate needs to know about its targets. */
export interface World {
  readonly offline: boolean
  readonly app: { readonly url: string }
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
    /** Where to POST signed test payloads (a staging receiver), when allowed. */
    readonly receiver?: { readonly url: string; readonly secret: Redacted.Redacted<string> } | undefined
  }
  readonly stripe: {
    readonly webhookUrl: string
    readonly webhookEvents: ReadonlyArray<string>
    readonly plans: typeof realistic.plans
    readonly receiver?: { readonly url: string; readonly secret: Redacted.Redacted<string> } | undefined
  }
  /** Provides every client the checks need, and releases the emulators when the run ends. */
  readonly layer: Layer.Layer<any, unknown, any>
}

const FIVETRAN_SECRET = "acme_webhook_signing_secret"
const STRIPE_WEBHOOK_SECRET = "whsec_demoReceiverSigningSecret0001"

/** Start the bundled emulators with the demo's realistic state. */
export const offline = async (environment: string): Promise<World> => {
  const live = environment === "production"
  const [gcp, fivetran, stripe, product, stripeReceiver] = await Promise.all([
    GcpEmulator.start({
      seed: (s) => void seedRealisticProject(s, { now: DEMO_NOW, problems: ["rotation-overdue", "unverified-channel", "min-instances-zero"] })
    }),
    FivetranEmulator.start({ seed: (s) => void seedFivetran(s, { now: DEMO_NOW }) }),
    StripeEmulator.start({
      seed: seedStripe({ now: DEMO_NOW, testMode: !live, problems: { portalWithoutTerms: true, taxPending: true, webhookApiVersion: null } })
    }),
    Emulator.start(app, { seed: (s) => void (s.fivetranWebhookSecret = FIVETRAN_SECRET) }),
    WebhookReceiver.start({ secrets: [STRIPE_WEBHOOK_SECRET] })
  ])
  const servers = [gcp, fivetran, stripe, product, stripeReceiver]
  const release = Layer.scopedDiscard(
    Effect.addFinalizer(() => Effect.promise(() => Promise.all(servers.map((s) => s.close()))))
  )
  const layer = Layer.mergeAll(
    Gcp.layer({
      project: "demo-project",
      region: "us-central1",
      billingAccount: "012345-6789AB-CDEF01",
      baseUrls: gcp.url,
      accessToken: Redacted.make("demo-access-token")
    }),
    Fivetran.layer(FivetranEmulator.clientOptions(fivetran)),
    Billing.stripeLayer({
      apiKey: Redacted.make(live ? "rk_live_51DemoRestrictedReadKey0001" : "rk_test_51DemoRestrictedReadKey0001"),
      ...StripeEmulator.connection(stripe),
      environment,
      retryBaseDelay: "20 millis"
    }),
    release
  )
  return {
    offline: true,
    app: { url: product.url },
    gcp: { service: "api", region: "us-central1", project: "demo-project" },
    fivetran: {
      groupId: "acme_production",
      critical: ["app_postgres", "billing_stripe", "crm_salesforce"],
      backfills: ["app_postgres", "events_s3"],
      destinationId: "acme_production",
      destinationRegion: "AWS_US_EAST_1",
      webhookUrl: "https://api.acme-analytics.example/webhooks/fivetran",
      receiver: { url: `${product.url}/webhooks/fivetran`, secret: Redacted.make(FIVETRAN_SECRET) }
    },
    stripe: {
      webhookUrl: realistic.webhookUrl,
      webhookEvents: realistic.webhookEvents,
      plans: realistic.plans,
      receiver: { url: `${stripeReceiver.url}/api/stripe/webhook`, secret: Redacted.make(STRIPE_WEBHOOK_SECRET) }
    },
    layer
  }
}

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
 * package's `layerConfig` through Effect `Config`); Google credentials come
 * from Application Default Credentials. Active checks (webhook receivers, the
 * rollback drill) get targets only from their own variables, and the gate
 * allows them only outside production.
 */
export const online = (env: Readonly<Record<string, string | undefined>>): World => {
  const need = (name: (typeof ONLINE_VARIABLES)[number]) => env[name]!
  const fivetranReceiver = env["FIVETRAN_RECEIVER_URL"] && env["FIVETRAN_WEBHOOK_SECRET"]
    ? { url: env["FIVETRAN_RECEIVER_URL"], secret: Redacted.make(env["FIVETRAN_WEBHOOK_SECRET"]) }
    : undefined
  const stripeReceiver = env["STRIPE_RECEIVER_URL"] && env["STRIPE_WEBHOOK_SECRET"]
    ? { url: env["STRIPE_RECEIVER_URL"], secret: Redacted.make(env["STRIPE_WEBHOOK_SECRET"]) }
    : undefined
  return {
    offline: false,
    app: { url: need("APP_URL") },
    gcp: { service: env["CLOUD_RUN_SERVICE"] ?? "api", region: need("GOOGLE_CLOUD_REGION"), project: need("GOOGLE_CLOUD_PROJECT") },
    fivetran: {
      groupId: need("FIVETRAN_GROUP_ID"),
      critical: (env["FIVETRAN_CRITICAL_CONNECTIONS"] ?? "").split(",").map((s) => s.trim()).filter(Boolean),
      backfills: (env["FIVETRAN_BACKFILL_CONNECTIONS"] ?? "").split(",").map((s) => s.trim()).filter(Boolean),
      destinationId: need("FIVETRAN_GROUP_ID"),
      destinationRegion: env["FIVETRAN_DESTINATION_REGION"] ?? "AWS_US_EAST_1",
      webhookUrl: env["FIVETRAN_WEBHOOK_URL"] ?? `${need("APP_URL")}/webhooks/fivetran`,
      receiver: fivetranReceiver
    },
    stripe: {
      webhookUrl: env["STRIPE_WEBHOOK_URL"] ?? `${need("APP_URL")}/api/stripe/webhook`,
      webhookEvents: realistic.webhookEvents,
      plans: realistic.plans,
      receiver: stripeReceiver
    },
    layer: Layer.mergeAll(
      Gcp.layerConfig(),
      Fivetran.layerConfig(),
      Billing.layerConfig({ environment: env["LAUNCH_ENVIRONMENT"] ?? "production" })
    )
  }
}

/** Offline unless every online variable is set; a partial set is a mistake worth naming. */
export const resolve = async (environment: string, env: Readonly<Record<string, string | undefined>>): Promise<World> => {
  const present = ONLINE_VARIABLES.filter((name) => env[name] !== undefined && env[name] !== "")
  if (present.length === 0 || env["LAUNCHGATE_OFFLINE"] === "1") return offline(environment)
  const missing = ONLINE_VARIABLES.filter((name) => !present.includes(name))
  if (missing.length > 0) {
    throw new Error(
      `public-launch: ${present.join(", ")} set but ${missing.join(", ")} missing; set all of them to run against real APIs (see .env.example), or none to run offline`
    )
  }
  return online(env)
}
