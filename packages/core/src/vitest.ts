/**
 * `@launchgate/core/vitest`: run a gate as a vitest suite. (Being implemented.)
 * @since 0.1.0
 */
export {}
