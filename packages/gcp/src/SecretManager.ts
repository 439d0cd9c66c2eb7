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
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { GcpServices } from "./Gcp.js"
import type { GcpError } from "./GcpError.js"
import { durationMillis, humanMillis, make, perSubject, type Reads, type Spec, unknownEnum } from "./internal/check.js"
import { lastSegment } from "./internal/resources.js"
import type { Secret, SecretVersion } from "./internal/schemas.js"
import { type SecretSelector, select } from "./internal/secretSelection.js"
import { latestVersion, VERSION_STATES } from "./internal/secrets.js"

export { Secret, SecretVersion } from "./internal/schemas.js"
export type { SecretSelector } from "./internal/secretSelection.js"

/** The surface of every check in this module. */
export const surface = "gcp.secret-manager"

const VIEWER = "roles/secretmanager.viewer"

/** Remediation texts of every Secret Manager check (`id` is the secret's id). */
const remediation = {
  rotation: (id: string, periodSeconds: number) =>
    `gcloud secrets update ${id} --next-rotation-time=TIME --rotation-period=${periodSeconds}s `
    + "--add-topics=projects/PROJECT/topics/TOPIC, with a subscriber that adds a new version and disables the old one.",
  addByHand: (id: string, topics: ReadonlyArray<string>) =>
    `Check the subscriber of ${topics.join(", ")} and add a version by hand `
    + `(gcloud secrets versions add ${id} --data-file=-).`,
  stuck: (id: string, topics: ReadonlyArray<string>) =>
    "Secret Manager keeps sending notifications (nextRotationTime moves on) but no version was added: "
    + `check the subscriber of ${topics.join(", ")} (errors, dead-letter queue), then rotate ${id} by hand `
    + "(gcloud secrets versions add).",
  addVersion: (id: string) => `Add a version: gcloud secrets versions add ${id} --data-file=-`,
  rotate: (id: string) => `Rotate ${id}: add a new version, roll it out, then disable the old one.`,
  enableVersion: (id: string) => `Enable or add a version of ${id}.`,
  disableOld: (id: string, old: ReadonlyArray<string>) =>
    "Disable versions no longer in use: "
    + old.map((v) => `gcloud secrets versions disable ${v} --secret ${id}`).join("; "),
  expiry: (id: string) =>
    `Remove the expiry (gcloud secrets update ${id} --remove-expiration) or move it past the launch.`
} as const

type Evaluate = (secret: Secret, name: string, reads: Reads) => Effect.Effect<Outcome.Outcome, GcpError>

/** A check over the selected secrets; `evaluate` gets each secret's metadata and name. */
const secretCheck = (spec: Omit<Spec, "surface" | "role">, selector: SecretSelector, evaluate: Evaluate) =>
  make({ surface, role: VIEWER, ...spec }, (reads) =>
    Effect.gen(function*() {
      const sel = yield* select(reads, selector)
      // Several named secrets: one list answers them all.
      if (!sel.single && sel.names.length > 1) yield* Effect.ignore(reads.list("secret", `projects/${sel.project}`))
      const subjects = sel.names.map((name) => ({
        subject: lastSegment(name),
        value: Effect.map(reads.get("secret", name), (secret) => ({ secret, name }))
      }))
      return yield* perSubject(subjects, ({ name, secret }) => evaluate(secret, name, reads), {
        what: "secrets",
        single: sel.single,
        evidence: { project: sel.project }
      })
    }))

const KNOWN_STATES: ReadonlyArray<string> = VERSION_STATES

/** The secret's versions handed to `decide`, or the unknown-enum error when a state is one launchgate does not know. */
const withVersions = (
  reads: Reads,
  name: string,
  decide: (versions: ReadonlyArray<SecretVersion>) => Effect.Effect<Outcome.Outcome>
): Effect.Effect<Outcome.Outcome, GcpError> =>
  Effect.flatMap(reads.list("secretVersion", name), (versions) => {
    const unknown = versions.find((v) => v.state !== undefined && !KNOWN_STATES.includes(v.state))
    return unknown?.state !== undefined
      ? Effect.succeed(unknownEnum("secretVersion.state", unknown.state, VERSION_STATES))
      : decide(versions)
  })

const enabledOf = (versions: ReadonlyArray<SecretVersion>) => versions.filter((v) => v.state === "ENABLED")

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

const rotationProblems = (secret: Secret, now: number, max: number): Array<string> => {
  const next = secret.rotation?.nextRotationTime
  const period = secret.rotation?.rotationPeriod
  const periodMs = period === undefined ? undefined : durationMillis(period)
  const problems: Array<string> = []
  if (next === undefined) problems.push("no rotation schedule (rotation.nextRotationTime unset)")
  else if (Date.parse(next) - now > max) problems.push(`next rotation ${next} is more than ${humanMillis(max)} away`)
  if (periodMs !== undefined && periodMs > max) {
    problems.push(`rotation period ${period} is longer than ${humanMillis(max)}`)
  }
  if ((secret.topics ?? []).length === 0) problems.push("no Pub/Sub topic receives rotation notifications")
  return problems
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
    description: "Every secret has a rotation schedule within the maximum period and a topic that triggers the "
      + "rotation."
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
      const expected = {
        nextRotationTime: `set, within ${humanMillis(max)}`,
        rotationPeriod: `<= ${humanMillis(max)} when returned`,
        topics: "at least one"
      }
      const problems = rotationProblems(secret, now, max)
      if (problems.length > 0) {
        const fix = remediation.rotation(lastSegment(secret.name), Math.floor(max / 1000))
        return Outcome.fail(problems.join("; "), { observed, expected, remediation: fix })
      }
      const every = periodMs !== undefined ? `, every ${humanMillis(periodMs)}` : ""
      return Outcome.pass(`rotation scheduled (next ${next}${every}), notifies ${topics.length} topic(s)`, {
        observed,
        expected
      })
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

/** The rotation period to hold the secret to, and where it came from. */
const rotationPeriodOf = (secret: Secret, stated: number | undefined) => {
  const returned = secret.rotation?.rotationPeriod
  const served = returned === undefined ? undefined : durationMillis(returned)
  if (stated !== undefined) return { period: stated, periodFrom: "stated by the gate" }
  if (served !== undefined) return { period: served, periodFrom: "rotationPeriod in the response" }
  return { period: millis("90 days"), periodFrom: "default 90 days (rotationPeriod is input only; state `period`)" }
}

const notConfigured = (next: string | undefined, topics: ReadonlyArray<string>) =>
  Outcome.skip("rotation is not configured (see gcp.secret-manager.rotation)", {
    observed: { nextRotationTime: next ?? null, topics }
  })

/** No enabled version with a creation time: nothing shows that rotation ever produced a value. */
const nothingRotated = (
  versions: ReadonlyArray<SecretVersion>,
  newest: SecretVersion | undefined,
  next: string,
  id: string,
  topics: ReadonlyArray<string>
) =>
  Outcome.fail(
    newest
      ? `version ${lastSegment(newest.name)} has no createTime: cannot show a rotation`
      : "no enabled version: rotation produced nothing usable",
    {
      observed: { enabledVersions: enabledOf(versions).length, nextRotationTime: next },
      remediation: remediation.addByHand(id, topics)
    }
  )

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
    description: "The rotation pipeline produces versions: the newest enabled version is younger than the rotation "
      + "period plus a grace."
  }, options, (secret, name, reads) => {
    const id = lastSegment(secret.name)
    const next = secret.rotation?.nextRotationTime
    const topics = (secret.topics ?? []).map((t) => t.name)
    if (next === undefined || topics.length === 0) return Effect.succeed(notConfigured(next, topics))
    return withVersions(reads, name, (versions) =>
      Effect.gen(function*() {
        const { period, periodFrom } = rotationPeriodOf(secret, stated)
        const newest = latestVersion(enabledOf(versions))
        if (newest?.createTime === undefined) return nothingRotated(versions, newest, next, id, topics)
        const age = (yield* Clock.currentTimeMillis) - Date.parse(newest.createTime)
        const version = lastSegment(newest.name)
        const observed = {
          newestEnabledVersion: version,
          createTime: newest.createTime,
          age: humanMillis(age),
          period: humanMillis(period),
          periodFrom,
          nextRotationTime: next,
          topics
        }
        const expected = `newest enabled version younger than ${humanMillis(period)} + ${humanMillis(grace)} grace`
        const text = `newest enabled version ${version} is ${humanMillis(age)} old`
        if (age > period + grace) {
          return Outcome.fail(`${text}, rotation every ${humanMillis(period)}: the rotation pipeline looks stuck`, {
            observed,
            expected,
            remediation: remediation.stuck(id, topics)
          })
        }
        return Outcome.pass(`${text}, within ${humanMillis(period)} + grace`, { observed, expected })
      }))
  })
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
    withVersions(reads, name, (versions) =>
      Effect.gen(function*() {
        const id = lastSegment(secret.name)
        const now = yield* Clock.currentTimeMillis
        const newest = latestVersion(enabledOf(versions))
        if (!newest) {
          return Outcome.fail("no enabled version", {
            observed: { enabledVersions: 0 },
            expected: "an enabled version",
            remediation: remediation.addVersion(id)
          })
        }
        if (newest.createTime === undefined) {
          return Outcome.error(`version ${lastSegment(newest.name)} has no createTime: cannot tell its age`)
        }
        const age = now - Date.parse(newest.createTime)
        const observed = { version: lastSegment(newest.name), createTime: newest.createTime, age: humanMillis(age) }
        const expected = `younger than ${humanMillis(maxAge)}`
        const text = `newest enabled version ${observed.version} is ${humanMillis(age)} old`
        if (age > maxAge) return Outcome.fail(text, { observed, expected, remediation: remediation.rotate(id) })
        return Outcome.pass(text, { observed, expected })
      })))
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
    withVersions(reads, name, (versions) => {
      const id = lastSegment(secret.name)
      const enabled = enabledOf(versions).map((v) => lastSegment(v.name))
      const observed = { enabled, total: versions.length }
      const expected = `1 to ${max} enabled versions`
      if (enabled.length === 0) {
        return Effect.succeed(Outcome.fail("no enabled version: consumers of latest cannot start", {
          observed,
          expected,
          remediation: remediation.enableVersion(id)
        }))
      }
      if (enabled.length > max) {
        const old = [...enabled].sort((a, b) => Number(a) - Number(b)).slice(0, enabled.length - max)
        return Effect.succeed(Outcome.fail(`${enabled.length} versions are enabled (at most ${max})`, {
          observed,
          expected,
          remediation: remediation.disableOld(id, old)
        }))
      }
      return Effect.succeed(Outcome.pass(`${enabled.length} enabled version(s)`, { observed, expected }))
    }))
}

/** Options of {@link expiry}. */
export interface ExpiryOptions extends SecretSelector {
  /** Fail when the secret expires within this. Default 30 days. */
  readonly within?: Duration.DurationInput | undefined
}

/**
 * `gcp.secret-manager.expiry`: the secret does not expire within the window (Secret Manager deletes expired
 * secrets).
 */
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
        const why = left <= 0
          ? `expired at ${secret.expireTime}`
          : `expires in ${humanMillis(left)} (${secret.expireTime}); Secret Manager deletes it then`
        return Outcome.fail(why, { observed, expected, remediation: remediation.expiry(lastSegment(secret.name)) })
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
