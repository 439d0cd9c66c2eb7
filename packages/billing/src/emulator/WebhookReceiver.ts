/**
 * A stand-in for the product's webhook receiver, for testing the
 * `billing.webhook.receiver` check (and your own gate) offline. It verifies
 * `Stripe-Signature` with the official SDK (`stripe.webhooks.constructEvent`)
 * and answers 200 or 400, or misbehaves on purpose (`behavior`) so a check
 * can be shown to fail.
 *
 * @since 0.1.0
 */
import { Emulator, type Running, type StartOptions } from "@launchgate/core/emulator"
import type StripeSdk from "stripe"

/**
 * How the receiver treats signatures:
 * - `verify`: correct (every `v1` tried, 300 s tolerance, any configured secret);
 * - `accept-all`: accepts forged and unsigned events;
 * - `accept-unsigned`: verifies signed events but accepts ones without a header;
 * - `ignore-timestamp`: verifies the signature but not its age (replays pass);
 * - `first-signature-only`: only checks the first `v1`, so it breaks during secret rotation.
 */
export type Behavior = "verify" | "accept-all" | "accept-unsigned" | "ignore-timestamp" | "first-signature-only"

/** One delivery the receiver saw. */
export interface Delivery {
  readonly signed: boolean
  readonly status: number
  readonly type?: string | undefined
  readonly reason?: string | undefined
}

export interface ReceiverState {
  /** Signing secrets the receiver knows (`whsec_…`); during rotation, the old and the new. */
  secrets: Array<string>
  behavior: Behavior
  toleranceSeconds: number
  /** What it received, in order. */
  readonly received: Array<Delivery>
}

/** The header with only its first `v1` signature (a receiver that ignores the rest, as during rotation). */
const firstSignatureOnly = (header: string): string => {
  const parts = header.split(",")
  const first = parts.findIndex((p) => p.startsWith("v1="))
  return parts.filter((part, i) => !part.startsWith("v1=") || i === first).join(",")
}

// The SDK is loaded by the first delivery, not with the emulator: a gate that only imports it (`plan`, `docs`)
// never pays for it.
let sdk: Promise<typeof StripeSdk> | undefined
const loadSdk = (): Promise<typeof StripeSdk> => (sdk ??= import("stripe").then((m) => m.default))

const verify = (
  Sdk: typeof StripeSdk,
  body: string,
  header: string,
  state: ReceiverState,
  tolerance: number
): { type?: string } => {
  let last: unknown
  for (const secret of state.secrets) {
    try {
      const event = Sdk.webhooks.constructEvent(body, header, secret, tolerance)
      return { type: event.type }
    } catch (error) {
      last = error
    }
  }
  throw last ?? new Error("no signing secret configured")
}

/** The receiver definition: any `POST` path is the webhook endpoint. */
export const definition = Emulator.define<ReceiverState>({
  name: "webhook-receiver",
  initialState: () => ({ secrets: [], behavior: "verify", toleranceSeconds: 300, received: [] }),
  routes: [
    Emulator.route<ReceiverState>("POST", "/{path*}", async (req, { state }) => {
      const header = req.headers["stripe-signature"]
      const record = (status: number, extra: Partial<Delivery> = {}) => {
        state.received.push({ signed: header !== undefined, status, ...extra })
        return status === 200 ? { status, json: { received: true } } : { status, json: { error: extra.reason } }
      }
      if (state.behavior === "accept-all" || (state.behavior === "accept-unsigned" && header === undefined)) {
        return record(200)
      }
      if (header === undefined) return record(400, { reason: "missing Stripe-Signature header" })
      const checked = state.behavior === "first-signature-only" ? firstSignatureOnly(header) : header
      // A tolerance of 0 turns the SDK's timestamp check off.
      const tolerance = state.behavior === "ignore-timestamp" ? 0 : state.toleranceSeconds
      const Sdk = await loadSdk()
      try {
        const { type } = verify(Sdk, req.body, checked, state, tolerance)
        return record(200, { type })
      } catch (error) {
        return record(400, { reason: error instanceof Error ? error.message : String(error) })
      }
    })
  ]
})

/** Options of {@link start}. */
export interface Options extends Omit<StartOptions<ReceiverState>, "seed"> {
  readonly secrets: ReadonlyArray<string>
  readonly behavior?: Behavior | undefined
  readonly toleranceSeconds?: number | undefined
}

/** Start a receiver on 127.0.0.1; post to any path of its `url`. */
export const start = async (options: Options): Promise<Running<ReceiverState>> => {
  const { behavior, secrets, toleranceSeconds, ...startOptions } = options
  // Loaded before the server listens, so the first delivery is not slowed by it.
  await loadSdk()
  return Emulator.start(definition, {
    ...startOptions,
    seed: (state) => {
      state.secrets = [...secrets]
      if (behavior !== undefined) state.behavior = behavior
      if (toleranceSeconds !== undefined) state.toleranceSeconds = toleranceSeconds
    }
  })
}
