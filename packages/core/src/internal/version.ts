/** The launchgate version, kept equal to packages/core/package.json by scripts/sync-version.mjs (a test checks it). */
export const version = "0.0.0"
