/**
 * The one error family of `@launchgate/backlog`: a thin class over core's
 * `VendorError.fields`, so the runner reports every field as evidence and a
 * read that failed never passes. Statuses are mapped with
 * `VendorError.classify` and GitHub's own meanings (a 403 with an exhausted
 * rate limit is `rate-limited`, not `permission-denied`).
 *
 * @since 0.1.0
 */
import { VendorError } from "@launchgate/core"
import * as Schema from "effect/Schema"

/**
 * A failed read of the tracker. `vendor` is `github` or `files`; for a task
 * file, `resource` is the file and `path` the front-matter field at fault.
 *
 * @example
 * Effect.catchTag("BacklogError", (e) => Effect.succeed(e.reason === "not-found"))
 */
export class BacklogError extends Schema.TaggedError<BacklogError>()("BacklogError", {
  ...VendorError.fields,
  /** The rate-limit window's end (`x-ratelimit-reset`, epoch seconds), when GitHub sent it. */
  rateLimitReset: Schema.optional(Schema.Number)
}) {}

/** Is this value a {@link BacklogError}? */
export const isBacklogError = Schema.is(BacklogError)

/** The fine-grained token permissions every GitHub read here needs. */
// Worded so no `token:` appears: redaction masks the value after `token:` in every report.
export const GITHUB_ROLE = "fine-grained token with Issues: read and Metadata: read"

/** GitHub-specific remediations, one table; reasons not listed use core's defaults. */
export const githubRemediation: Partial<Record<VendorError.Reason, string>> = {
  unauthenticated:
    "GitHub rejected the token (401 Bad credentials): set GITHUB_TOKEN (or the `token` option) to a valid, " +
    "unexpired fine-grained token with Issues: read and Metadata: read on the repository.",
  "permission-denied":
    "The token may not read this repository's issues (403): grant the fine-grained token Issues: read and " +
    "Metadata: read on the repository, and approve it in the organization if it requires approval.",
  "not-found":
    "GitHub answered 404: check owner/repo and the issue number. GitHub also answers 404 for a private repository " +
    "the token cannot see: give the token access to it (Issues: read, Metadata: read).",
  "rate-limited":
    "GitHub's rate limit for this token is exhausted and resets later than the check can wait: run the gate " +
    "again after the reset (see rateLimitReset), or use a token of its own for launchgate.",
  "invalid-response":
    "GitHub answered with something that is not the documented shape: check `baseUrl` points at the REST API " +
    "(https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server)."
}

/** A remediation for a reason: the GitHub table, else core's default. */
export const remediationFor = (reason: VendorError.Reason, vendor: string): string =>
  (vendor === "github" ? githubRemediation[reason] : undefined) ?? VendorError.defaultRemediation(reason, vendor)

/** An error about a task file: `file` is its path, `field` the front-matter field (or `front matter`). */
export const fileError = (file: string, field: string, message: string, remediation?: string): BacklogError =>
  new BacklogError({
    vendor: "files",
    reason: "invalid-response",
    message: `${file}: ${field}: ${message}`,
    resource: file,
    path: field,
    remediation: remediation ?? `Fix the field \`${field}\` in the front matter of ${file}.`
  })

/** A configuration error naming the option at fault. */
export const configError = (vendor: string, path: string, message: string, remediation?: string): BacklogError =>
  new BacklogError({
    vendor,
    reason: "config",
    path,
    message,
    remediation: remediation ?? `Fix the option \`${path}\`.`
  })
