/**
 * Which secrets a Secret Manager check looks at: named ones, those carrying labels, or those Cloud Run
 * services reference; names always in the configured project id, so each secret has one cache key.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type { GcpError } from "../GcpError.js"
import type { Reads } from "./check.js"
import { lastSegment } from "./resources.js"
import * as Run from "./run.js"

/** Which secrets a check looks at. */
export interface SecretSelector {
  /** Secret ids (`stripe-key`) or full names. Omit for every secret in the project. */
  readonly secrets?: string | ReadonlyArray<string> | undefined
  /** Only secrets carrying these labels. */
  readonly labels?: Readonly<Record<string, string>> | undefined
  /** Only the secrets these Cloud Run services reference (env vars and volumes). */
  readonly referencedBy?: Run.ServiceSelector | undefined
  /** Defaults to the client's project. */
  readonly project?: string | undefined
}

/** The selected secrets' full names. */
export interface Selected {
  readonly single: boolean
  readonly project: string
  readonly names: ReadonlyArray<string>
}

const referencedBy = (reads: Reads, selector: Run.ServiceSelector) =>
  Effect.gen(function*() {
    const selection = yield* Run.selectServices(reads, selector)
    const services = yield* Effect.forEach(selection.subjects, (s) => s.value, { concurrency: 8 })
    return [...new Set(services.flatMap((s) => Run.secretRefs(s, selection.project).map((r) => r.secret)))]
  })

const labelled = (reads: Reads, project: string, labels: Readonly<Record<string, string>>) =>
  Effect.map(reads.list("secret", `projects/${project}`), (secrets) =>
    secrets
      .filter((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v))
      // The configured project id, not the number Secret Manager answers with: one cache key per secret.
      .map((s) => `projects/${project}/secrets/${lastSegment(s.name)}`))

/** The secrets the selector names, references or labels. */
export const select = (reads: Reads, selector: SecretSelector): Effect.Effect<Selected, GcpError> =>
  Effect.gen(function*() {
    const project = selector.project ?? reads.client.project
    const full = (s: string) => (s.includes("/") ? s : `projects/${project}/secrets/${s}`)
    if (selector.secrets !== undefined) {
      const list = typeof selector.secrets === "string" ? [selector.secrets] : [...selector.secrets]
      return { single: typeof selector.secrets === "string", project, names: list.map(full) }
    }
    if (selector.referencedBy !== undefined) {
      return { single: false, project, names: yield* referencedBy(reads, selector.referencedBy) }
    }
    return { single: false, project, names: yield* labelled(reads, project, selector.labels ?? {}) }
  })
