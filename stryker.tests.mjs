// The core test files that mutation testing runs (names under packages/core/test, without .test.ts): read by
// stryker.config.mjs (which files reach the sandbox) and vitest.stryker.config.ts (which files run).
export const MUTATION_TEST_FILES = [
  "Runner",
  "RunnerPolicy",
  "RunnerWorld",
  "RunnerIntegrity",
  "RunnerDetails",
  "RunnerPool",
  "RunnerScheduling",
  "HostileGates",
  "LaunchScope",
  "ReportBuilder",
  "Gate",
  "Check",
  "Attestation",
  "Redaction",
  "Deferral",
  "Outcome",
  "JsonReporter"
]
