/**
 * Secret Manager checks (`gcp.secret-manager.*`): secrets rotate on a
 * schedule and the rotation pipeline is not stuck, old versions are disabled,
 * the newest enabled version is fresh, and nothing expires under the launch.
 *
 * Reads secret metadata and version lists only (`roles/secretmanager.viewer`);
 * launchgate never calls `:access` and never sees a payload. Time rules use
 * the run's clock (`Runner.runPromise(gate, { now })` pins it).
 *
 * @since 0.1.0
 */
import { type Check, Outcome } from "@launchgate/core"
import { Clock, Duration, Effect } from "effect"
import type { GcpServices } from "./Gcp.js"
import type { GcpError } from "./GcpError.js"
import { durationMillis, humanMillis, make, perSubject, type Reads, type Spec, unknownEnum } from "./internal/check.js"
import { lastSegment } from "./internal/resources.js"
import * as Run from "./internal/run.js"
import type { Secret, SecretVersion } from "./internal/schemas.js"
import { latestVersion, VERSION_STATES } from "./internal/secrets.js"

export { Secret, SecretVersion } from "./internal/schemas.js"

/** The surface of every check in this module. */
export const surface = "gcp.secret-manager"

const VIEWER = "roles/secretmanager.viewer"

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

interface Selected {
  readonly single: boolean
  readonly project: string
  readonly names: ReadonlyArray<string>
}

const select = (reads: Reads, selector: SecretSelector): Effect.Effect<Selected, GcpError> =>
  Effect.gen(function*() {
    const project = selector.project ?? reads.client.project
    const full = (s: string) => (s.includes("/") ? s : `projects/${project}/secrets/${s}`)
    if (selector.secrets !== undefined) {
      const list = typeof selector.secrets === "string" ? [selector.secrets] : [...selector.secrets]
      return { single: typeof selector.secrets === "string", project, names: list.map(full) }
    }
    if (selector.referencedBy !== undefined) {
      const selection = yield* Run.selectServices(reads, selector.referencedBy)
      const services = yield* Effect.forEach(selection.subjects, (s) => s.value, { concurrency: 8 })
      const names = new Set(services.flatMap((s) => Run.secretRefs(s, selection.project).map((r) => r.secret)))
      return { single: false, project, names: [...names] }
    }
    const secrets = yield* reads.list("secret", `projects/${project}`)
    const labels = Object.entries(selector.labels ?? {})
    return {
      single: false,
      project,
      names: secrets
        .filter((s) => labels.every(([k, v]) => s.labels?.[k] === v))
        // The configured project id, not the number Secret Manager answers with: one cache key per secret.
        .map((s) => `projects/${project}/secrets/${lastSegment(s.name)}`)
    }
  })

/** A check over the selected secrets; `evaluate` gets each secret's metadata and name. */
const secretCheck = (
  spec: Omit<Spec, "surface" | "role">,
  selector: SecretSelector,
  evaluate: (secret: Secret, name: string, reads: Reads) => Effect.Effect<Outcome.Outcome, GcpError>
): Check.Check<GcpServices> =>
  make({ surface, role: VIEWER, ...spec }, (reads) =>
    Effect.flatMap(select(reads, selector), (sel) => {
      // Several named secrets: one list answers them all.
      const warm = !sel.single && sel.names.length > 1 ? Effect.ignore(reads.list("secret", `projects/${sel.project}`)) : Effect.void
      return Effect.zipRight(
        warm,
        perSubject(
          sel.names.map((name) => ({ subject: lastSegment(name), value: Effect.map(reads.get("secret", name), (secret) => ({ secret, name })) })),
          ({ name, secret }) => evaluate(secret, name, reads),
          { what: "secrets", single: sel.single, evidence: { project: sel.project } }
        )
      )
    }))

const versionsOf = (reads: Reads, name: string) => reads.list("secretVersion", name)

const unknownVersionState = (versions: ReadonlyArray<SecretVersion>) =>
  versions.find((v) => v.state !== undefined && !(VERSION_STATES as ReadonlyArray<string>).includes(v.state))

const millis = (d: Duration.DurationInput) => Duration.toMillis(Duration.decode(d))

/**
 * What Secret Manager v1 says about rotation
 * (https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets#rotation):
 * `rotationPeriod` is "Input only", so a read may not carry it; `nextRotationTime` is advanced by the
 * period whenever the service sends the notification, whether or not anything rotated. A rotation is
 * therefore judged by what it produces: a recent ENABLED version.
 */
const ROTATION_DOC = "https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets#rotation"

/** Options of {@link rotation}. */
export interface RotationOptions extends SecretSelector {
  /** The longest acceptable rotation period. Default 90 days. */
  readonly maxPeriod?: Duration.DurationInput | undefined
}

/**
 * `gcp.secret-manager.rotation`: rotation is configured: `nextRotationTime` set and no further away
 * than the maximum period, and at least one Pub/Sub topic so something performs it. `rotationPeriod`
 * is compared with the maximum when a response carries it (it is input-only, so usually it does not).
 */
export const rotation = (options: RotationOptions = {}): Check.Check<GcpServices> => {
  const max = millis(options.maxPeriod ?? "90 days")
  return secretCheck({
    id: "gcp.secret-manager.rotation",
    title: "Secrets have rotation configured with notifications",
    category: "security",
    description: "Every secret has a rotation schedule within the maximum period and a topic that triggers the rotation."
  }, options, (secret) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const next = secret.rotation?.nextRotationTime
      const period = secret.rotation?.rotationPeriod
      const periodMs = period === undefined ? undefined : durationMillis(period)
      const topics = (secret.topics ?? []).map((t) => t.name)
      const observed = {
        nextRotationTime: next ?? null,
        rotationPeriod: period ?? `not returned (input only: ${ROTATION_DOC})`,
        topics
      }
      const expected = { nextRotationTime: `set, within ${humanMillis(max)}`, rotationPeriod: `<= ${humanMillis(max)} when returned`, topics: "at least one" }
      const problems: Array<string> = []
      if (next === undefined) problems.push("no rotation schedule (rotation.nextRotationTime unset)")
      else if (Date.parse(next) - now > max) problems.push(`next rotation ${next} is more than ${humanMillis(max)} away`)
      if (periodMs !== undefined && periodMs > max) problems.push(`rotation period ${period} is longer than ${humanMillis(max)}`)
      if (topics.length === 0) problems.push("no Pub/Sub topic receives rotation notifications")
      if (problems.length > 0) {
        return Outcome.fail(problems.join("; "), {
          observed,
          expected,
          remediation:
            `gcloud secrets update ${lastSegment(secret.name)} --next-rotation-time=TIME --rotation-period=${Math.floor(max / 1000)}s --add-topics=projects/PROJECT/topics/TOPIC, with a subscriber that adds a new version and disables the old one.`
        })
      }
      return Outcome.pass(`rotation scheduled (next ${next}${periodMs !== undefined ? `, every ${humanMillis(periodMs)}` : ""}), notifies ${topics.length} topic(s)`, { observed, expected })
    }))
}

/** Options of {@link rotationOverdue}. */
export interface RotationOverdueOptions extends SecretSelector {
  /**
   * How often the secret should rotate. Default: the `rotationPeriod` a response carries, else 90 days
   * (Secret Manager does not return the period it was given).
   */
  readonly period?: Duration.DurationInput | undefined
  /** How much older than the period the newest version may be before rotation counts as stuck. Default 1 day. */
  readonly grace?: Duration.DurationInput | undefined
}

/**
 * `gcp.secret-manager.rotation-overdue`: for a secret with rotation configured (a `nextRotationTime`
 * and a topic), the newest ENABLED version is no older than the rotation period plus the grace. Secret
 * Manager advances `nextRotationTime` whether or not the subscriber rotated, so only the versions show
 * a stuck rotation pipeline.
 */
export const rotationOverdue = (options: RotationOverdueOptions = {}): Check.Check<GcpServices> => {
  const grace = millis(options.grace ?? "1 day")
  const stated = options.period === undefined ? undefined : millis(options.period)
  return secretCheck({
    id: "gcp.secret-manager.rotation-overdue",
    title: "Secret rotation is not overdue",
    category: "security",
    description: "The rotation pipeline produces versions: the newest enabled version is younger than the rotation period plus a grace."
  }, options, (secret, name, reads) =>
    Effect.gen(function*() {
      const next = secret.rotation?.nextRotationTime
      const topics = (secret.topics ?? []).map((t) => t.name)
      if (next === undefined || topics.length === 0) {
        return Outcome.skip("rotation is not configured (see gcp.secret-manager.rotation)", {
          observed: { nextRotationTime: next ?? null, topics }
        })
      }
      const versions = yield* versionsOf(reads, name)
      const unknown = unknownVersionState(versions)
      if (unknown?.state !== undefined) return unknownEnum("secretVersion.state", unknown.state, VERSION_STATES)
      const served = secret.rotation?.rotationPeriod === undefined ? undefined : durationMillis(secret.rotation.rotationPeriod)
      const period = stated ?? served ?? millis("90 days")
      const periodFrom = stated !== undefined ? "stated by the gate" : served !== undefined ? "rotationPeriod in the response" : "default 90 days (rotationPeriod is input only; state `period`)"
      const newest = latestVersion(versions.filter((v) => v.state === "ENABLED"))
      if (newest?.createTime === undefined) {
        return Outcome.fail(newest ? `version ${lastSegment(newest.name)} has no createTime: cannot show a rotation` : "no enabled version: rotation produced nothing usable", {
          observed: { enabledVersions: versions.filter((v) => v.state === "ENABLED").length, nextRotationTime: next },
          remediation: `Check the subscriber of ${topics.join(", ")} and add a version by hand (gcloud secrets versions add ${lastSegment(secret.name)} --data-file=-).`
        })
      }
      const now = yield* Clock.currentTimeMillis
      const age = now - Date.parse(newest.createTime)
      const observed = {
        newestEnabledVersion: lastSegment(newest.name),
        createTime: newest.createTime,
        age: humanMillis(age),
        period: humanMillis(period),
        periodFrom,
        nextRotationTime: next,
        topics
      }
      const expected = `newest enabled version younger than ${humanMillis(period)} + ${humanMillis(grace)} grace`
      if (age > period + grace) {
        return Outcome.fail(`newest enabled version ${observed.newestEnabledVersion} is ${humanMillis(age)} old, rotation every ${humanMillis(period)}: the rotation pipeline looks stuck`, {
          observed,
          expected,
          remediation:
            `Secret Manager keeps sending notifications (nextRotationTime moves on) but no version was added: check the subscriber of ${topics.join(", ")} (errors, dead-letter queue), then rotate ${lastSegment(secret.name)} by hand (gcloud secrets versions add).`
        })
      }
      return Outcome.pass(`newest enabled version ${observed.newestEnabledVersion} is ${humanMillis(age)} old, within ${humanMillis(period)} + grace`, { observed, expected })
    }))
}

/** Options of {@link versionAge}. */
export interface VersionAgeOptions extends SecretSelector {
  /** The oldest acceptable newest-enabled version. Default 90 days. */
  readonly maxAge?: Duration.DurationInput | undefined
}

/** `gcp.secret-manager.version-age`: the newest enabled version is younger than the maximum age. */
export const versionAge = (options: VersionAgeOptions = {}): Check.Check<GcpServices> => {
  const maxAge = millis(options.maxAge ?? "90 days")
  return secretCheck({
    id: "gcp.secret-manager.version-age",
    title: "Newest enabled secret version is recent",
    category: "security",
    description: "Secrets in use were rotated within the maximum age."
  }, options, (secret, name, reads) =>
    Effect.gen(function*() {
      const versions = yield* versionsOf(reads, name)
      const unknown = unknownVersionState(versions)
      if (unknown?.state !== undefined) return unknownEnum("secretVersion.state", unknown.state, VERSION_STATES)
      const now = yield* Clock.currentTimeMillis
      const newest = latestVersion(versions.filter((v) => v.state === "ENABLED"))
      if (!newest) {
        return Outcome.fail("no enabled version", {
          observed: { enabledVersions: 0 },
          expected: "an enabled version",
          remediation: `Add a version: gcloud secrets versions add ${lastSegment(secret.name)} --data-file=-`
        })
      }
      if (newest.createTime === undefined) return Outcome.error(`version ${lastSegment(newest.name)} has no createTime: cannot tell its age`)
      const age = now - Date.parse(newest.createTime)
      const observed = { version: lastSegment(newest.name), createTime: newest.createTime, age: humanMillis(age) }
      const expected = `younger than ${humanMillis(maxAge)}`
      if (age > maxAge) {
        return Outcome.fail(`newest enabled version ${observed.version} is ${humanMillis(age)} old`, {
          observed,
          expected,
          remediation: `Rotate ${lastSegment(secret.name)}: add a new version, roll it out, then disable the old one.`
        })
      }
      return Outcome.pass(`newest enabled version ${observed.version} is ${humanMillis(age)} old`, { observed, expected })
    }))
}

/** Options of {@link enabledVersions}. */
export interface EnabledVersionsOptions extends SecretSelector {
  /** At most this many enabled versions. Default 2 (the current one and the one being rotated out). */
  readonly max?: number | undefined
}

/**
 * `gcp.secret-manager.enabled-versions`: at least one and at most `max`
 * versions are enabled, so old values stop working after a rotation.
 */
export const enabledVersions = (options: EnabledVersionsOptions = {}): Check.Check<GcpServices> => {
  const max = options.max ?? 2
  return secretCheck({
    id: "gcp.secret-manager.enabled-versions",
    title: "Old secret versions are disabled",
    category: "security",
    description: `Between 1 and ${max} versions are enabled: rotated-out values no longer work.`
  }, options, (secret, name, reads) =>
    Effect.gen(function*() {
      const versions = yield* versionsOf(reads, name)
      const unknown = unknownVersionState(versions)
      if (unknown?.state !== undefined) return unknownEnum("secretVersion.state", unknown.state, VERSION_STATES)
      const enabled = versions.filter((v) => v.state === "ENABLED").map((v) => lastSegment(v.name))
      const observed = { enabled, total: versions.length }
      const expected = `1 to ${max} enabled versions`
      if (enabled.length === 0) {
        return Outcome.fail("no enabled version: consumers of latest cannot start", {
          observed,
          expected,
          remediation: `Enable or add a version of ${lastSegment(secret.name)}.`
        })
      }
      if (enabled.length > max) {
        const old = [...enabled].sort((a, b) => Number(a) - Number(b)).slice(0, enabled.length - max)
        return Outcome.fail(`${enabled.length} versions are enabled (at most ${max})`, {
          observed,
          expected,
          remediation: `Disable versions no longer in use: ${old.map((v) => `gcloud secrets versions disable ${v} --secret ${lastSegment(secret.name)}`).join("; ")}`
        })
      }
      return Outcome.pass(`${enabled.length} enabled version(s)`, { observed, expected })
    }))
}

/** Options of {@link expiry}. */
export interface ExpiryOptions extends SecretSelector {
  /** Fail when the secret expires within this. Default 30 days. */
  readonly within?: Duration.DurationInput | undefined
}

/** `gcp.secret-manager.expiry`: the secret does not expire within the window (Secret Manager deletes expired secrets). */
export const expiry = (options: ExpiryOptions = {}): Check.Check<GcpServices> => {
  const within = millis(options.within ?? "30 days")
  return secretCheck({
    id: "gcp.secret-manager.expiry",
    title: "Secrets do not expire soon",
    category: "dependencies",
    description: "No secret is scheduled for deletion (expireTime) within the window."
  }, options, (secret) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      if (secret.expireTime === undefined) return Outcome.pass("does not expire", { observed: { expireTime: null } })
      const left = Date.parse(secret.expireTime) - now
      const observed = { expireTime: secret.expireTime, left: humanMillis(left) }
      const expected = `no expiry within ${humanMillis(within)}`
      if (left <= within) {
        return Outcome.fail(left <= 0 ? `expired at ${secret.expireTime}` : `expires in ${humanMillis(left)} (${secret.expireTime}); Secret Manager deletes it then`, {
          observed,
          expected,
          remediation: `Remove the expiry (gcloud secrets update ${lastSegment(secret.name)} --remove-expiration) or move it past the launch.`
        })
      }
      return Outcome.pass(`expires in ${humanMillis(left)}`, { observed, expected })
    }))
}

/** Every Secret Manager check with its defaults, for the same selector. */
export const all = (selector: SecretSelector = {}): ReadonlyArray<Check.Check<GcpServices>> => [
  rotation(selector),
  rotationOverdue(selector),
  versionAge(selector),
  enabledVersions(selector),
  expiry(selector)
]
