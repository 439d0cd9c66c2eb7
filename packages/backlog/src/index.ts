/**
 * `@launchgate/backlog`: the open work in the team's tracker (GitHub Issues,
 * or one Markdown file per task) as part of the launch verdict — classified by
 * tier, launch-critical work done or explicitly deferred, every deferral
 * tracked by an open, owned follow-up with a risk note, and every
 * launch-critical surface covered by the gate.
 *
 * @example
 * import { Backlog, Deferrals, GitHub, LaunchScope } from "@launchgate/backlog"
 * const scope = { milestone: "public launch" }
 * const items = [
 *   { check: LaunchScope.classified({ scope }), tier: "launch-critical", owner: "eng" },
 *   { check: LaunchScope.noOpenBlocker({ scope, gate: () => gate }), tier: "launch-critical", owner: "eng" },
 *   { check: Deferrals.tracked({ gate: () => gate }), tier: "launch-critical", owner: "eng" }
 * ]
 * const layer = GitHub.layerConfig({ repository: "acme/api" })
 *
 * The GitHub Issues emulator and its builders are in `@launchgate/backlog/emulator`.
 *
 * @since 0.1.0
 */
export * as Backlog from "./Backlog.js"
export * as BacklogError from "./BacklogError.js"
export * as Deferrals from "./Deferrals.js"
export * as Files from "./Files.js"
export * as GitHub from "./GitHub.js"
export * as LaunchScope from "./LaunchScope.js"
