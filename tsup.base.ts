import { defineConfig, type Options } from "tsup"

/**
 * The build every package shares: ESM + CJS + `.d.ts`, one explicit entry per public
 * subpath (no wildcards) so the exports map and the build agree.
 */
export const packageBuild = (entry: ReadonlyArray<string>, extra: Options = {}) =>
  defineConfig({
    entry: [...entry],
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    outDir: "dist",
    ...extra
  })
