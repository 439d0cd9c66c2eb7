/**
 * `@launchgate/backlog/emulator`: a stateful emulator of the GitHub Issues REST API subset the backlog checks
 * read, with builders to seed it. `start(options)` and `clientOptions(running, overrides)` follow the convention
 * of `@launchgate/core/testing`.
 *
 * @example
 * import { GitHubEmulator, issue, repo } from "@launchgate/backlog/emulator"
 * const gh = await GitHubEmulator.start({ repos: [repo("acme/api", { issues: [issue({ number: 1 })] })] })
 * const layer = GitHub.layer(GitHubEmulator.clientOptions(gh))
 *
 * @since 0.1.0
 */
export * as GitHubEmulator from "./GitHubEmulator.js"
export { issue, type IssueInput, type IssueRecord, type LabelRecord, type MilestoneRecord, repo, type RepoInput,
  type RepoRecord } from "./builders.js"
