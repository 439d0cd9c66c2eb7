/**
 * Secret metadata reads shared by the Cloud Run and Secret Manager checks.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type { GcpError } from "../GcpError.js"
import type { Reads } from "./check.js"
import { lastSegment } from "./resources.js"
import type { Secret, SecretVersion } from "./schemas.js"

export const VERSION_STATES = ["STATE_UNSPECIFIED", "ENABLED", "DISABLED", "DESTROYED"] as const

export type Loaded =
  | { readonly _tag: "ok"; readonly secret: Secret; readonly versions: ReadonlyArray<SecretVersion> }
  | { readonly _tag: "missing" }
  | { readonly _tag: "error"; readonly error: GcpError }

/**
 * Secret metadata and versions for these secrets. Several secrets of one
 * project are read with the project's list (shared with the Secret Manager
 * checks); a single secret with one GET. Versions come from each secret's
 * version list.
 */
export const loadSecrets = (reads: Reads, names: ReadonlyArray<string>): Effect.Effect<Map<string, Loaded>> =>
  Effect.gen(function*() {
    const byProject = new Map<string, Array<string>>()
    for (const n of names) {
      // A name with the project number is the project's (issue 13): group it with the id's so one list answers both.
      const segment = n.split("/")[1]!
      const project = segment === reads.client.projectNumber ? reads.client.project : segment
      byProject.set(project, [...(byProject.get(project) ?? []), n])
    }
    const out = new Map<string, Loaded>()
    yield* Effect.forEach([...byProject], ([project, list]) =>
      Effect.gen(function*() {
        if (list.length > 1) yield* Effect.either(reads.list("secret", `projects/${project}`))
        yield* Effect.forEach(list, (name) =>
          Effect.gen(function*() {
            const secret = yield* Effect.either(reads.get("secret", name))
            if (secret._tag === "Left") {
              out.set(name, secret.left.reason === "not-found" ? { _tag: "missing" } : { _tag: "error", error: secret.left })
              return
            }
            const versions = yield* Effect.either(reads.list("secretVersion", name))
            out.set(name, versions._tag === "Left"
              ? { _tag: "error", error: versions.left }
              : { _tag: "ok", secret: secret.right, versions: versions.right })
          }), { concurrency: 16 })
      }), { concurrency: "unbounded" })
    return out
  })

/** What `latest` resolves to: the most recently created version. */
export const latestVersion = (versions: ReadonlyArray<SecretVersion>): SecretVersion | undefined =>
  [...versions].sort((a, b) => Number(lastSegment(b.name)) - Number(lastSegment(a.name)))[0]

