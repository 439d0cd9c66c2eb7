/**
 * `@launchgate/core/http`: HTTP readiness checks and the zero-downtime probe. (Being implemented.)
 * @since 0.1.0
 */
export {}
