/**
 * `@launchgate/fivetran/emulator`: a Fivetran REST API emulator for testing
 * gates offline, with state builders.
 *
 * @example
 * import { FivetranEmulator, seedRealisticAccount } from "@launchgate/fivetran/emulator"
 * const running = await FivetranEmulator.start({ seed: (s) => void seedRealisticAccount(s) })
 *
 * @since 0.1.0
 */
export * as FivetranEmulator from "./FivetranEmulator.js"
export {
  connection,
  type ConnectionOptions,
  DEFAULT_GROUP_ID,
  destination,
  type DestinationOptions,
  group,
  type RealisticAccount,
  schemaConfig,
  seedRealisticAccount,
  setupTest,
  webhook,
  type WebhookOptions
} from "./Seed.js"
export * from "./State.js"
