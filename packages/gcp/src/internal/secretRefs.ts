/**
 * Whether one Cloud Run secret reference resolves: the secret exists, the
 * referenced version (`latest`, a number or an alias) exists and is `ENABLED`,
 * and pinning follows the policy.
 *
 * @internal
 */
import type { GcpError } from "../GcpError.js"
import { lastSegment } from "./resources.js"
import type { SecretRef } from "./run.js"
import type { SecretVersion } from "./schemas.js"
import { latestVersion, type Loaded, VERSION_STATES } from "./secrets.js"

/** `ok: undefined` means undecided: a read failed (`error`) or the version state is unknown (`unknown`). */
export interface Resolution {
  readonly ok: boolean | undefined
  readonly why: string
  readonly error?: GcpError
  readonly unknown?: string
}

const bad = (why: string): Resolution => ({ ok: false, why })

/** The version number a reference names, or `undefined` for `latest`; `null` for an alias that does not exist. */
const versionNumber = (ref: SecretRef, aliases: Readonly<Record<string, string>> | undefined): string | null | undefined => {
  if (ref.version === "latest") return undefined
  if (/^\d+$/.test(ref.version)) return ref.version
  return aliases?.[ref.version] ?? null
}

const versionState = (version: SecretVersion): Resolution => {
  const id = lastSegment(version.name)
  if (version.state !== undefined && !(VERSION_STATES as ReadonlyArray<string>).includes(version.state)) {
    return { ok: undefined, why: `version ${id} has unknown state ${version.state}`, unknown: version.state }
  }
  if (version.state !== "ENABLED") return bad(`version ${id} is ${version.state ?? "in no state"}`)
  return { ok: true, why: `version ${id} is ENABLED` }
}

/** Resolve `ref` against what was loaded for its secret. */
export const resolveSecretRef = (ref: SecretRef, entry: Loaded, allowLatest: boolean): Resolution => {
  if (entry._tag === "missing") return bad("secret does not exist")
  if (entry._tag === "error") return { ok: undefined, why: entry.error.message, error: entry.error }
  if (ref.version === "latest" && !allowLatest) return bad("uses latest; policy requires a pinned version")
  const number = versionNumber(ref, entry.secret.versionAliases)
  if (number === null) return bad(`version alias ${ref.version} does not exist`)
  const version = number === undefined
    ? latestVersion(entry.versions)
    : entry.versions.find((v) => lastSegment(v.name) === number)
  if (!version) return bad(ref.version === "latest" ? "the secret has no versions" : `version ${ref.version} does not exist`)
  return versionState(version)
}
