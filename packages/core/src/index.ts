/**
 * `@launchgate/core`: readiness checks, launch gates, deferrals, rollback
 * plans, the runner and the report.
 *
 * @since 0.1.0
 */
export * as Check from "./Check.js"
export * as Deferral from "./Deferral.js"
export * as Gate from "./Gate.js"
export * as HttpTransport from "./HttpTransport.js"
export * as Outcome from "./Outcome.js"
export * as Redaction from "./Redaction.js"
export * as Report from "./Report.js"
export * as Rollback from "./Rollback.js"
export * as Runner from "./Runner.js"
