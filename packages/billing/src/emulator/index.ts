/**
 * `@launchgate/billing/emulator`: a stateful Stripe emulator on the core
 * emulator kit (the official `stripe` SDK talks to it unchanged), builders
 * for Stripe-shaped objects, a realistic launch account with switchable
 * problems, and a stand-in webhook receiver.
 *
 * @since 0.1.0
 */
export * as StripeEmulator from "./StripeEmulator.js"
export type { ApiKeyGrant, StripeState } from "./StripeEmulator.js"
export * as StripeObjects from "./objects.js"
export * as WebhookReceiver from "./WebhookReceiver.js"
export {
  type Options as RealisticOptions,
  type Plan,
  type Problems,
  realistic,
  seedRealisticAccount
} from "./realistic.js"
