/**
 * `@launchgate/core`: readiness checks, launch gates, deferrals, rollback
 * plans, attestations, document checks, the runner, the report and its
 * reporters.
 *
 * HTTP checks live in `@launchgate/core/http`, the vitest integration in
 * `@launchgate/core/vitest`, the CLI in `@launchgate/core/cli`, the
 * emulator kit in `@launchgate/core/emulator`, and test helpers in
 * `@launchgate/core/testing`.
 *
 * @since 0.1.0
 */
export * as Attestation from "./Attestation.js"
export * as Check from "./Check.js"
export * as ConsoleReporter from "./ConsoleReporter.js"
export * as Deferral from "./Deferral.js"
export * as Document from "./Document.js"
export * as Gate from "./Gate.js"
export * as GitHubActions from "./GitHubActions.js"
export * as HtmlReporter from "./HtmlReporter.js"
export * as HttpTransport from "./HttpTransport.js"
export * as JsonReporter from "./JsonReporter.js"
export * as JUnitReporter from "./JUnitReporter.js"
export * as MarkdownReporter from "./MarkdownReporter.js"
export * as Outcome from "./Outcome.js"
export * as ReadinessDocument from "./ReadinessDocument.js"
export * as Redaction from "./Redaction.js"
export * as Report from "./Report.js"
export * as ReportBuilder from "./ReportBuilder.js"
export * as ReportDiff from "./ReportDiff.js"
export * as ResourceStore from "./ResourceStore.js"
export * as Rollback from "./Rollback.js"
export * as Runner from "./Runner.js"
export * as VendorError from "./VendorError.js"
