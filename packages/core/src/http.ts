/**
 * `@launchgate/core/http`: HTTP readiness checks and the zero-downtime probe.
 *
 * Every check sends its requests through the shared {@link HttpTransport}
 * (one keep-alive agent per run, which the runner provides) and turns
 * transport trouble into an `error` outcome, never a pass.
 *
 * @since 0.1.0
 */
export * as HealthCheck from "./HealthCheck.js"
export * as HttpCheck from "./HttpCheck.js"
export * as HttpTransport from "./HttpTransport.js"
export * as LatencySlo from "./LatencySlo.js"
export * as SecurityHeaders from "./SecurityHeaders.js"
export * as TlsCertificate from "./TlsCertificate.js"
export * as ZeroDowntime from "./ZeroDowntime.js"
