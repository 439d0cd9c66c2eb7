import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "examples/*/test/**/*.test.ts", "bench/**/*.test.ts"],
    // Fixture projects run vitest in a child process; they are not part of this suite.
    exclude: ["**/node_modules/**", "**/fixtures/**"],
    // Two workers on the 2-core machines: most tests wait on loopback I/O, and vitest's default
    // (cores - 1) would run the files one at a time. Measured: 100 s instead of ~175 s.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
