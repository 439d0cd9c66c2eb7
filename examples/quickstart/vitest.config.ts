// For `pnpm test` in this folder; without it vitest would pick up the repository's root config.
import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"]
  }
})
