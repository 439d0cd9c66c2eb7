/**
 * `@launchgate/gcp`: launch readiness checks for Google Cloud — Cloud Run
 * (healthy, live, zero-downtime configuration, rollback target, secrets,
 * identity and exposure, and an opt-in rollback drill), Secret Manager
 * (rotation, version age and count, expiry), Cloud Monitoring (uptime checks,
 * alert policies, notification channels) and budgets.
 *
 * The emulator used by the tests ships as `@launchgate/gcp/emulator`.
 *
 * @since 0.1.0
 */
export * as Budget from "./Budget.js"
export * as CloudRun from "./CloudRun.js"
/** The client module; `Gcp.layer`, `Gcp.layerConfig`, `Gcp.GcpClient` stay as aliases of the top-level exports. */
export * as Gcp from "./Gcp.js"
export { GcpClient, type GcpServices, layer, layerConfig, type Options } from "./Gcp.js"
export { GcpError } from "./GcpError.js"
/** The error module: `Reason`, Google's code table (`codes`), `config(path, message)`. */
export * as GcpErrors from "./GcpError.js"
export * as Monitoring from "./Monitoring.js"
export * as SecretManager from "./SecretManager.js"
