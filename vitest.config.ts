import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "examples/*/test/**/*.test.ts"],
    // Fixture projects run vitest in a child process; they are not part of this suite.
    exclude: ["**/node_modules/**", "**/fixtures/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
