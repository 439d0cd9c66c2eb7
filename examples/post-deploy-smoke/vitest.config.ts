// Run from this folder (CI: `pnpm --filter @example/post-deploy-smoke exec vitest run test/smoke.test.ts`).
// Without it vitest would pick up the repository's root config, whose globs are relative to the root.
import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
