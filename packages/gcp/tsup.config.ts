import { defineConfig } from "tsup"

// Explicit entries, one per public subpath (no wildcards), so the exports map and the build agree.
export default defineConfig({
  entry: ["src/index.ts","src/emulator/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  outDir: "dist"
})
