// Mutation testing for @launchgate/core's policy and redaction modules (issue 10).
// Run with `pnpm mutation` (not part of CI: a full run takes tens of minutes on two cores).
// Narrow it with `pnpm mutation --mutate packages/core/src/Deferral.ts` while iterating.
// How to read the results and the last measured scores: packages/core/docs/testing.md.

import { MUTATION_TEST_FILES } from "./stryker.tests.mjs"

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  // Core's verdict tests without per-file isolation (vitest.stryker.config.ts says why, and how to narrow them or
  // restore isolation with MUTATION_TESTS / MUTATION_ISOLATED).
  vitest: { configFile: "vitest.stryker.config.ts", related: false },
  mutate: [
    "packages/core/src/Runner.ts",
    "packages/core/src/ReportBuilder.ts",
    "packages/core/src/Redaction.ts",
    "packages/core/src/Deferral.ts",
    "packages/core/src/Outcome.ts"
  ],
  // Only the tests that exercise the mutated modules' rules reach the sandbox. Left out: other packages' tests;
  // the tests that run the CLI or vitest in a child process (a child process loads the source outside Stryker's
  // instrumentation, so they can never kill a mutant, and they are the slowest); and core's HTTP, TLS and emulator
  // suites, which reach Outcome and Runner only through the same calls the tests below make, and which would
  // multiply the time per mutant (every Outcome mutant is "covered" by every test that builds an outcome).
  ignorePatterns: [
    "/examples",
    "/bench",
    "/reports",
    "/.tmp",
    "/packages/*/dist",
    "/packages/billing/test",
    "/packages/fivetran/test",
    "/packages/gcp/test",
    "/packages/backlog/test",
    "/packages/core/test/*.test.ts",
    ...MUTATION_TEST_FILES.map((name) => `!/packages/core/test/${name}.test.ts`)
  ],
  coverageAnalysis: "perTest",
  // Two shared cores: one test process at a time leaves room for other work.
  concurrency: 1,
  timeoutMS: 10_000,
  reporters: ["clear-text", "progress-append-only", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
  thresholds: { high: 90, low: 80, break: null }
}
