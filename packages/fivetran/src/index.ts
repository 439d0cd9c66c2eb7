/**
 * `@launchgate/fivetran`: launch readiness checks for a Fivetran integration
 * (connections, destinations, groups, webhooks) and the client they share.
 * The emulator ships as `@launchgate/fivetran/emulator`.
 *
 * @example
 * import * as Fivetran from "@launchgate/fivetran"
 * const layer = Fivetran.layer({ apiKey: Redacted.make(key), apiSecret: Redacted.make(secret) })
 * const check = Fivetran.Connection.freshness({ connectionId: "decent_dropsy", maxAge: "2 hours" })
 *
 * @since 0.1.0
 */
export * as Connection from "./Connection.js"
export * as Destination from "./Destination.js"
export * as FivetranClient from "./FivetranClient.js"
export * as FivetranError from "./FivetranError.js"
export * as Group from "./Group.js"
export * as Webhook from "./Webhook.js"
export * as WebhookSignature from "./WebhookSignature.js"

/** The client layer (`FivetranClient.layer`), so `Fivetran.layer({ apiKey, apiSecret })` reads well. */
export { layer, layerConfig } from "./FivetranClient.js"
