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
export * as Gcp from "./Gcp.js"
export { GcpClient, type GcpServices } from "./Gcp.js"
export * as GcpError from "./GcpError.js"
export * as Monitoring from "./Monitoring.js"
export * as SecretManager from "./SecretManager.js"
