/**
 * The scaled launch world the request and latency benches share: the three vendor emulators seeded with
 * 50 Cloud Run services, 100 secrets, 200 Fivetran connections in 2 groups and 30 Stripe prices, and the
 * read-only gcp, fivetran and billing checks the public-launch example runs, at that scale.
 *
 * A module of its own so a test can start the same world and count the same requests later.
 */
import { Check, Gate, type Report, Runner } from "@launchgate/core"
import type { Fault, LogEntry, Running } from "@launchgate/core/emulator"
import * as Billing from "@launchgate/billing"
import { type Plan, realistic, seedRealisticAccount, StripeEmulator, type StripeState } from "@launchgate/billing/emulator"
import * as Fivetran from "@launchgate/fivetran"
import { connection, destination, FivetranEmulator, group, type State as FivetranState, webhook } from "@launchgate/fivetran/emulator"
import { Budget, CloudRun, Gcp, Monitoring, SecretManager } from "@launchgate/gcp"
import {
  alertPolicy,
  budget,
  cloudRunService,
  GcpEmulator,
  notificationChannel,
  secret,
  type Fixture,
  type State as GcpState,
  uptimeCheck,
  uptimeCheckId
} from "@launchgate/gcp/emulator"
import { Layer, Redacted } from "effect"
import { fork } from "node:child_process"
import { fileURLToPath } from "node:url"

/** "Now" of the world: ages, freshness and rotation are seeded against it and the run is pinned to it. */
export const NOW = new Date("2026-12-02T12:00:00.000Z")

/** The world's size (the figures of issue 13). */
export const SIZE = { services: 50, secrets: 100, connectionsPerGroup: 100, groups: 2, prices: 30 } as const

export const serviceName = (i: number) => `svc-${String(i).padStart(2, "0")}`
export const secretName = (i: number) => `secret-${String(i).padStart(3, "0")}`
export const GROUPS = ["warehouse_us", "warehouse_eu"] as const
export const connectionId = (group: number, i: number) => `${GROUPS[group]}_conn_${String(i).padStart(3, "0")}`
export const CONNECTIONS: ReadonlyArray<string> = GROUPS.flatMap((_, g) =>
  Array.from({ length: SIZE.connectionsPerGroup }, (_, i) => connectionId(g, i))
)
export const FIVETRAN_WEBHOOK_URL = "https://api.acme-analytics.example/webhooks/fivetran"

/** 10 products × 3 billing intervals = 30 prices, every one active with an explicit tax behaviour. */
export const PLANS: ReadonlyArray<Plan> = Array.from({ length: SIZE.prices }, (_, i) => {
  const product = `Plan ${Math.floor(i / 3) + 1}`
  const interval = (["month", "year", "week"] as const)[i % 3]!
  return { lookupKey: `plan_${i}`, product, currency: "usd", amount: 1000 + 100 * i, interval }
})

const seedGcp = (): ReadonlyArray<Fixture> => [
  ...Array.from({ length: SIZE.services }, (_, i) =>
    cloudRunService({
      now: NOW,
      name: serviceName(i),
      env: [{ name: "A_KEY", secret: secretName(2 * i) }, { name: "B_TOKEN", secret: secretName(2 * i + 1) }]
    })),
  ...Array.from({ length: SIZE.secrets }, (_, i) => secret({ now: NOW, name: secretName(i) })),
  ...Array.from({ length: SIZE.services }, (_, i) => uptimeCheck({ service: serviceName(i) })),
  ...Array.from({ length: SIZE.services }, (_, i) =>
    alertPolicy({ displayName: `${serviceName(i)} down`, uptimeCheck: uptimeCheckId(serviceName(i)) })),
  notificationChannel(),
  budget()
]

const seedFivetran = (state: FivetranState): void => {
  GROUPS.forEach((id, g) => {
    state.addGroup(group({ id }))
    state.addDestination(destination({ id }))
    for (let i = 0; i < SIZE.connectionsPerGroup; i++) {
      state.addConnection(connection({ id: connectionId(g, i), groupId: id, now: NOW, schemaChangeHandling: "BLOCK_ALL" }))
    }
  })
  state.addWebhook(webhook({ url: FIVETRAN_WEBHOOK_URL, events: ["sync_end", "connection_failure"] }))
}

/** The three running emulators, in this process. */
interface Local {
  readonly gcp: Running<GcpState>
  readonly fivetran: Running<FivetranState>
  readonly stripe: Running<StripeState>
}

/** One request the world received, with the emulator it reached. */
export type Entry = LogEntry & { readonly origin: string }

/**
 * The running world: where each emulator listens, and its request log. The emulators run in this process
 * ({@link start}) or in a child process ({@link startRemote}), where their CPU time is not the SDK's.
 */
export interface World {
  readonly gcp: { readonly url: string }
  readonly fivetran: { readonly url: string; readonly credentials: { readonly apiKey: string; readonly apiSecret: string } }
  readonly stripe: { readonly url: string }
  readonly where: "in-process" | "child process"
  /** Every request so far, with the emulator it reached. */
  readonly log: () => Promise<ReadonlyArray<Entry>>
  readonly clearLogs: () => Promise<void>
  /** Put `fault` on every route of every emulator; resolves to a function that removes it. */
  readonly inject: (fault: Fault) => Promise<() => Promise<void>>
  readonly close: () => Promise<void>
}

const origins = (local: Local): ReadonlyArray<readonly [string, Running<any>]> => [
  ["gcp", local.gcp],
  ["fivetran", local.fivetran],
  ["stripe", local.stripe]
]

/** Start the emulators in this process, on loopback (random ports). */
export const startLocal = async (): Promise<Local> => {
  const [gcp, fivetran, stripe] = await Promise.all([
    GcpEmulator.start({ fixtures: seedGcp(), settings: { now: () => NOW.getTime() } }),
    FivetranEmulator.start({ seed: seedFivetran }),
    StripeEmulator.start({ seed: seedRealisticAccount({ now: NOW, plans: PLANS }) })
  ])
  return { gcp, fivetran, stripe }
}

/** The world API over emulators running in this process. */
export const local = (world: Local): World => ({
  gcp: { url: world.gcp.url },
  fivetran: { url: world.fivetran.url, credentials: { ...world.fivetran.state.credentials } },
  stripe: { url: world.stripe.url },
  where: "in-process",
  log: async () => origins(world).flatMap(([origin, e]) => e.log.map((entry: LogEntry) => ({ ...entry, origin }))),
  clearLogs: async () => origins(world).forEach(([, e]) => e.clearLog()),
  inject: async (fault) => {
    const removers = origins(world).map(([, e]) => e.faults.add({ fault }))
    return async () => removers.forEach((remove) => remove())
  },
  close: async () => {
    await Promise.all(origins(world).map(([, e]) => e.close()))
  }
})

/** Start the world on loopback (random ports), in this process. Close it with {@link close}. */
export const start = async (): Promise<World> => local(await startLocal())

/**
 * Start the world in a child process (bench/world-process.ts), as a vendor's servers are elsewhere: the
 * emulators' CPU time then lands on the child, and this process's CPU time is the SDK's own.
 */
export const startRemote = async (): Promise<World> => {
  const child = fork(fileURLToPath(new URL("./world-process.ts", import.meta.url)), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"]
  })
  let next = 0
  const pending = new Map<number, (reply: { readonly value?: unknown; readonly error?: string }) => void>()
  child.on("message", (m: { readonly id: number; readonly value?: unknown; readonly error?: string }) => {
    pending.get(m.id)?.(m)
    pending.delete(m.id)
  })
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`bench world process exited (${code})`)))
  )
  exited.catch(() => undefined)
  const ask = <A>(op: string, arg?: unknown): Promise<A> =>
    Promise.race([
      exited,
      new Promise<A>((resolve, reject) => {
        const id = next++
        pending.set(id, (r) => (r.error !== undefined ? reject(new Error(r.error)) : resolve(r.value as A)))
        child.send({ id, op, arg })
      })
    ])
  const urls = await ask<{ gcp: string; fivetran: string; stripe: string; credentials: World["fivetran"]["credentials"] }>(
    "start"
  )
  return {
    gcp: { url: urls.gcp },
    fivetran: { url: urls.fivetran, credentials: urls.credentials },
    stripe: { url: urls.stripe },
    where: "child process",
    log: () => ask("log"),
    clearLogs: () => ask("clearLogs"),
    inject: async (fault) => {
      const token = await ask<number>("inject", fault)
      return () => ask("remove", token)
    },
    close: async () => {
      await ask("close").catch(() => undefined)
      child.disconnect()
    }
  }
}

export const close = (world: World): Promise<void> => world.close()

/** Every request of the world, with the emulator it reached. */
export const log = (world: World): Promise<ReadonlyArray<Entry>> => world.log()

export const clearLogs = (world: World): Promise<void> => world.clearLogs()

/** Put `fault` on every route of every emulator; resolves to a function that removes it. */
export const injectEverywhere = (world: World, fault: Fault): Promise<() => Promise<void>> => world.inject(fault)

const STRIPE_KEY = "rk_live_benchRestrictedKey0001"
/** The access token the GCP emulator is sent (it accepts any bearer token). */
export const GCP_TOKEN = "ya29.bench-access-token"

/** The client layers, pointed at the world. Retries are short so an accidental retry shows in the counts, not the time. */
export const layer = (world: World) =>
  Layer.mergeAll(
    Gcp.layer({
      project: GcpEmulator.DEFAULT_PROJECT,
      region: GcpEmulator.DEFAULT_REGION,
      billingAccount: GcpEmulator.DEFAULT_BILLING_ACCOUNT,
      projectNumber: GcpEmulator.DEFAULT_PROJECT_NUMBER,
      accessToken: Redacted.make(GCP_TOKEN),
      baseUrls: world.gcp.url,
      retry: { baseDelay: "1 millis", maxDelay: "20 millis" }
    }),
    Fivetran.layer({
      apiKey: Redacted.make(world.fivetran.credentials.apiKey),
      apiSecret: Redacted.make(world.fivetran.credentials.apiSecret),
      baseUrl: `${world.fivetran.url}/v1`,
      retry: { baseDelay: "1 millis" }
    }),
    Billing.layer({
      apiKey: Redacted.make(STRIPE_KEY),
      baseUrl: world.stripe.url,
      environment: "production",
      retry: { baseDelay: "1 millis" }
    })
  )

/** The Stripe key the world accepts (a live restricted key), for the hand-written baseline. */
export const stripeKey = STRIPE_KEY

// A second copy of a per-group check gets its own id (ids are unique within a gate).
const forGroup = <R>(check: Check.Check<R>, g: number): Check.Check<R> =>
  g === 0 ? check : Check.annotate(check, { id: `${check.id}.${GROUPS[g]}` })

/**
 * The checks: the public-launch example's gcp, fivetran and billing lists, read-only ones only (no rollback
 * drill, no webhook receivers), aimed at every service, secret and connection of the world.
 */
export const checks = () => {
  const { Connection, Destination, Group, Webhook } = Fivetran
  const all = { connectionId: CONNECTIONS }
  return [
    ...CloudRun.all(),
    ...SecretManager.all(),
    ...Monitoring.all({ path: "/healthz" }),
    ...Budget.all(),
    Connection.connected(all),
    Connection.active(all),
    Connection.freshness({ ...all, factor: 2 }),
    Connection.tasks(all),
    Connection.historicalSync(all),
    Connection.syncFrequency({ ...all, maxMinutes: 360, dataDelaySensitivity: ["LOW", "NORMAL", "HIGH"] }),
    Connection.schemaChangeHandling({ ...all, allowed: ["BLOCK_ALL", "ALLOW_COLUMNS"] }),
    ...GROUPS.flatMap((id, g) => [
      forGroup(Destination.connected({ destinationId: id }), g),
      forGroup(Destination.region({ destinationId: id, expected: "AWS_US_EAST_1" }), g),
      forGroup(Group.coverage({ groupId: id }), g)
    ]),
    Webhook.configured({ url: FIVETRAN_WEBHOOK_URL, events: ["sync_end", "connection_failure"], requireSecret: true }),
    Billing.Key.mode(),
    Billing.Account.chargesEnabled(),
    Billing.Account.payoutsEnabled(),
    Billing.Account.requirements({ deadlineWithin: "30 days" }),
    Billing.Catalog.prices({ plans: PLANS, taxRequired: true }),
    Billing.Webhook.endpoint({ url: realistic.webhookUrl, events: realistic.webhookEvents }),
    Billing.Webhook.delivery({ window: "24 hours", maxUndelivered: 0 }),
    Billing.Portal.configured(),
    Billing.Tax.active({ required: true })
  ]
}

/** The gate over {@link checks}. */
export const gate = (world: World) =>
  Gate.make({
    name: "issue 13 scaled launch",
    environment: "production",
    items: checks().map((check) => ({ check, tier: "launch-adjacent" as const, owner: "bench" })),
    layer: layer(world)
  })

/** Run the gate once, pinned to {@link NOW}. */
export const run = (world: World, options: Runner.Options = {}): Promise<Report.Report> =>
  Runner.runPromise(gate(world), { now: NOW, ...options })
