import { defineConfig } from "vitest/config"
import { MUTATION_TEST_FILES } from "./stryker.tests.mjs"

// Mutation testing only (stryker.config.mjs). The core tests that reach the verdict rules, in one worker and
// without per-file isolation, so each mutant re-runs its covering tests without re-importing the module graph
// (about 30× faster than the isolated default on two cores).
//
// MUTATION_ISOLATED=1 restores isolation: module-level ("static") mutants, such as a changed regular expression
// constant, are then re-evaluated for each run. Without it they can only survive, so the score is a lower bound.
// MUTATION_TESTS=Deferral,RunnerPolicy narrows the files (names under packages/core/test, without .test.ts).
const ALL = MUTATION_TEST_FILES
const asked = (process.env["MUTATION_TESTS"] ?? "").split(",").map((n) => n.trim()).filter((n) => n !== "")
const names = asked.length > 0 ? asked : ALL
const isolated = process.env["MUTATION_ISOLATED"] === "1"

export default defineConfig({
  test: {
    include: names.map((n) => `packages/core/test/${n}.test.ts`),
    pool: "threads",
    isolate: isolated,
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
