/**
 * Cloud Run checks (`gcp.cloud-run.*`): a service deploys without downtime,
 * rolls back in one step, runs on secrets from Secret Manager, and is not
 * exposed or privileged by accident. Each check covers one service
 * (`service: "api"`), a list, or every service in the project and region.
 *
 * Every check is read-only and needs `roles/run.viewer` (secret references
 * also `roles/secretmanager.viewer`), except the rollback drill, which is
 * active and never runs unless the gate allows it.
 *
 * @since 0.1.0
 */
import { type Check, Outcome, Redaction } from "@launchgate/core"
import { Effect } from "effect"
import type { GcpServices } from "./Gcp.js"
import type { GcpError } from "./GcpError.js"
import { lift, make, perSubject, type Reads, type Spec, unknownEnum } from "./internal/check.js"
import { lastSegment } from "./internal/resources.js"
import * as Run from "./internal/run.js"
import type { Service as ServiceType } from "./internal/schemas.js"
import * as SecretEnv from "./internal/secretEnv.js"
import { latestVersion, loadSecrets, VERSION_STATES } from "./internal/secrets.js"

export { Operation, Revision, Service } from "./internal/schemas.js"
export type { Ingress, RollbackTarget, ServiceSelector } from "./internal/run.js"
export { drill as rollbackDrill, type DrillOptions } from "./internal/drill.js"

/** The surface of every check in this module (rollback plans are keyed by it). */
export const surface = "gcp.cloud-run"

const VIEWER = "roles/run.viewer"

/** What a Cloud Run check concludes about one service. */
type Evaluate = (
  service: ServiceType,
  selection: Run.Selection,
  reads: Reads
) => Outcome.Outcome | Effect.Effect<Outcome.Outcome, GcpError>

/** A check over the selected services (one, several, or every one in the region). */
const serviceCheck = (
  spec: Omit<Spec, "surface" | "role"> & { readonly role?: string },
  selector: Run.ServiceSelector,
  evaluate: Evaluate
): Check.Check<GcpServices> =>
  make({ surface, role: VIEWER, ...spec }, (reads) =>
    Effect.flatMap(Run.selectServices(reads, selector), (selection) =>
      perSubject(selection.subjects, (service) => lift(evaluate(service, selection, reads)), {
        what: "services",
        single: selection.single,
        evidence: { project: selection.project, region: selection.region }
      })))

const describeCommand = (s: ServiceType, sel: Run.Selection) =>
  `gcloud run services describe ${lastSegment(s.name)} --region ${sel.region} --project ${sel.project}`

const REASON_HELP: Record<string, string> = {
  HEALTH_CHECK_CONTAINER_ERROR:
    "The container did not pass its startup or health check. Read the revision's logs (gcloud run revisions logs read REVISION) and fix the probe path, port or start-up time.",
  SECRETS_ACCESS_CHECK_FAILED:
    "The runtime service account cannot read a referenced secret. Grant roles/secretmanager.secretAccessor on that secret to the service's service account.",
  CONTAINER_PERMISSION_DENIED:
    "Cloud Run cannot pull the image. Grant the service agent roles/artifactregistry.reader on the repository.",
  CONTAINER_IMAGE_UNAUTHORIZED:
    "The image is not authorised (Binary Authorization or registry permissions). Check the attestation or registry IAM.",
  CONTAINER_MISSING: "The image does not exist. Check the image path and tag of the latest deploy.",
  ENCRYPTION_KEY_PERMISSION_DENIED: "Cloud Run cannot use the CMEK key. Grant the service agent roles/cloudkms.cryptoKeyEncrypterDecrypter.",
  MIN_INSTANCES_NOT_PROVISIONED: "Minimum instances could not be provisioned (quota or capacity). Check quotas in the region."
}

/** Options of {@link healthy}. */
export type HealthyOptions = Run.ServiceSelector

/**
 * `gcp.cloud-run.healthy`: the service's terminal condition succeeded, it is
 * not reconciling, `observedGeneration` equals `generation`, and no condition
 * failed (failures are reported with their reason, e.g.
 * `HEALTH_CHECK_CONTAINER_ERROR`).
 */
export const healthy = (options: HealthyOptions = {}): Check.Check<GcpServices> =>
  serviceCheck({
    id: "gcp.cloud-run.healthy",
    title: "Cloud Run service is healthy and settled",
    category: "rollout",
    description: "The service's last rollout finished: terminal condition succeeded, nothing reconciling, every generation observed, no failed condition."
  }, options, (s, sel) => {
    const terminal = s.terminalCondition
    const all = [...(terminal ? [terminal] : []), ...(s.conditions ?? [])]
    const unknown = all.find((c) => !isKnownState(c.state))
    if (unknown?.state !== undefined) return unknownEnum("condition.state", unknown.state, Run.CONDITION_STATES)
    if (!terminal) {
      return Outcome.error("the service reports no terminalCondition: cannot tell whether it is healthy", {
        remediation: `Inspect it with ${describeCommand(s, sel)}.`
      })
    }
    const failed = all.filter((c) => c.state === "CONDITION_FAILED")
    const blocking = failed.filter((c) => c.severity !== "WARNING" && c.severity !== "INFO")
    const observed = {
      terminalCondition: { type: terminal.type, state: terminal.state, reason: Run.reasonOf(terminal), message: terminal.message },
      reconciling: s.reconciling ?? false,
      generation: s.generation,
      observedGeneration: s.observedGeneration,
      failedConditions: failed.map((c) => ({ type: c.type, reason: Run.reasonOf(c), severity: c.severity, message: c.message }))
    }
    const expected = { terminalCondition: "CONDITION_SUCCEEDED", reconciling: false, observedGeneration: "equal to generation", failedConditions: [] }
    const problems: Array<string> = []
    if (terminal.state !== "CONDITION_SUCCEEDED") {
      problems.push(`terminal condition ${terminal.type ?? "Ready"} is ${terminal.state ?? "unset"}${Run.reasonOf(terminal) ? ` (${Run.reasonOf(terminal)})` : ""}`)
    }
    for (const c of blocking) if (c !== terminal) problems.push(`condition ${c.type ?? "?"} failed${Run.reasonOf(c) ? ` (${Run.reasonOf(c)})` : ""}`)
    if (s.reconciling === true) problems.push("a rollout is still reconciling")
    if (s.generation !== undefined && s.observedGeneration !== s.generation) {
      problems.push(`observedGeneration ${s.observedGeneration ?? "unset"} is behind generation ${s.generation}`)
    }
    if (problems.length > 0) {
      const reason = all.flatMap(Run.reasonsOf).find((r) => REASON_HELP[r] !== undefined)
      return Outcome.fail(problems.join("; "), {
        observed,
        expected,
        remediation: reason
          ? `${REASON_HELP[reason]} (${reason}; details: ${describeCommand(s, sel)})`
          : s.reconciling === true || s.observedGeneration !== s.generation
          ? `Wait for the rollout to settle (or wrap this check in Check.eventually), then re-run; details: ${describeCommand(s, sel)}.`
          : `Read the failed conditions with ${describeCommand(s, sel)} and fix the latest revision.`
      })
    }
    if (failed.length > 0) {
      return Outcome.warn(`healthy, with non-blocking failed conditions: ${failed.map((c) => `${c.type} (${Run.reasonOf(c) ?? c.severity})`).join(", ")}`, { observed, expected })
    }
    return Outcome.pass(`healthy and settled at generation ${s.generation ?? "?"}`, { observed, expected })
  })

const isKnownState = (state: string | undefined) =>
  state === undefined || (Run.CONDITION_STATES as ReadonlyArray<string>).includes(state)

/** Options of {@link latestDeployLive}. */
export type LatestDeployLiveOptions = Run.ServiceSelector

/**
 * `gcp.cloud-run.latest-deploy-live`: the latest created revision is the
 * latest ready one, it serves traffic, the observed traffic
 * (`trafficStatuses`) matches the requested split (`traffic`), and every
 * revision serving traffic is Ready.
 */
export const latestDeployLive = (options: LatestDeployLiveOptions = {}): Check.Check<GcpServices> =>
  serviceCheck({
    id: "gcp.cloud-run.latest-deploy-live",
    title: "Latest Cloud Run deploy is live",
    category: "rollout",
    description: "The latest deploy became ready and serves traffic, and all traffic goes to Ready revisions exactly as configured."
  }, options, (s, sel, reads) =>
    Effect.gen(function*() {
      const unknownType = [...(s.traffic ?? []), ...(s.trafficStatuses ?? [])].find((t) =>
        t.type !== undefined && !(Run.TRAFFIC_TYPES as ReadonlyArray<string>).includes(t.type)
      )
      if (unknownType?.type !== undefined) return unknownEnum("traffic.type", unknownType.type, Run.TRAFFIC_TYPES)
      const latestCreated = Run.short(s.latestCreatedRevision)
      const latestReady = Run.short(s.latestReadyRevision)
      const spec = Run.trafficShape(s.traffic ?? [])
      const status = Run.trafficShape(s.trafficStatuses ?? [])
      const shares = Run.servingShares(s)
      const notReady: Array<string> = []
      for (const rev of Object.keys(shares)) {
        if (rev === latestReady) continue
        if (rev === "(unresolved)") {
          notReady.push("traffic to LATEST with no ready revision")
          continue
        }
        const r = Run.readiness(yield* reads.get("revision", Run.revisionName(s, rev)))
        if (r.unknown) return unknownEnum("revision condition.state", r.unknown, Run.CONDITION_STATES)
        if (!r.ready) notReady.push(`${rev} (${r.reason ?? "not Ready"})`)
      }
      const observed = { latestCreatedRevision: latestCreated, latestReadyRevision: latestReady, traffic: spec, trafficStatuses: status, servingShares: shares }
      const expected = {
        latestReadyRevision: "equal to latestCreatedRevision",
        trafficStatuses: "equal to traffic",
        servingShares: "only Ready revisions, the latest among them"
      }
      const problems: Array<string> = []
      if (latestCreated === undefined) problems.push("the service has no revision yet")
      else if (latestReady !== latestCreated) {
        problems.push(`the latest deploy ${latestCreated} is not ready (latest ready: ${latestReady ?? "none"})`)
      }
      if (!Run.sameShape(spec, status)) problems.push("observed traffic does not match the configured split")
      if (notReady.length > 0) problems.push(`traffic goes to revisions that are not Ready: ${notReady.join(", ")}`)
      if (latestReady !== undefined && (shares[latestReady] ?? 0) === 0) problems.push(`the latest ready revision ${latestReady} serves no traffic`)
      if (problems.length > 0) {
        return Outcome.fail(problems.join("; "), {
          observed,
          expected,
          remediation: latestReady !== latestCreated
            ? `The latest deploy failed or is still starting: ${describeCommand(s, sel)} shows why. Fix and redeploy, or keep traffic on ${latestReady ?? "the previous revision"}.`
            : `Send traffic to the latest revision (${Run.updateTrafficCommand(s.name, sel.region, sel.project, [{ type: Run.LATEST, percent: 100 }])}) once it is verified, or wait for the traffic change to settle.`
        })
      }
      const partial = latestReady !== undefined && (shares[latestReady] ?? 0) < 100
      return Outcome.pass(
        partial
          ? `latest revision ${latestReady} is live with ${shares[latestReady!]}% of traffic (split as configured)`
          : `latest revision ${latestReady} is live with all traffic`,
        { observed, expected }
      )
    }))

/** Options of {@link probes}. */
export interface ProbesOptions extends Run.ServiceSelector {
  /** Require a liveness probe too. Default `true`. */
  readonly requireLiveness?: boolean | undefined
  /** Startup probe kinds accepted. Default all: `httpGet`, `grpc`, `tcpSocket`. */
  readonly startupKinds?: ReadonlyArray<"httpGet" | "grpc" | "tcpSocket"> | undefined
}

const probeKind = (p: { httpGet?: unknown; grpc?: unknown; tcpSocket?: unknown } | undefined) =>
  p === undefined ? undefined : p.httpGet ? "httpGet" : p.grpc ? "grpc" : p.tcpSocket ? "tcpSocket" : "unknown"

/**
 * `gcp.cloud-run.probes`: the serving container has a startup probe (so
 * traffic only moves to instances that are ready) and a liveness probe (so
 * wedged instances are replaced).
 */
export const probes = (options: ProbesOptions = {}): Check.Check<GcpServices> =>
  serviceCheck({
    id: "gcp.cloud-run.probes",
    title: "Cloud Run serving container has startup and liveness probes",
    category: "rollout",
    description: "New instances receive traffic only once their startup probe passes, and a liveness probe replaces wedged instances."
  }, options, (s) => {
    const container = Run.servingContainer(s)
    if (!container) return Outcome.fail("the service template has no container", { remediation: "Redeploy the service with a container image." })
    const kinds = options.startupKinds ?? ["httpGet", "grpc", "tcpSocket"]
    const startup = probeKind(container.startupProbe)
    const liveness = probeKind(container.livenessProbe)
    const observed = {
      container: container.name ?? "(unnamed)",
      startupProbe: container.startupProbe ?? null,
      livenessProbe: container.livenessProbe ?? null
    }
    const expected = { startupProbe: kinds, livenessProbe: options.requireLiveness === false ? "optional" : "any" }
    const problems: Array<string> = []
    if (startup === undefined) problems.push("no startup probe")
    else if (!(kinds as ReadonlyArray<string>).includes(startup)) problems.push(`startup probe is ${startup}, expected ${kinds.join(" or ")}`)
    if (liveness === undefined && options.requireLiveness !== false) problems.push("no liveness probe")
    if (problems.length > 0) {
      return Outcome.fail(`container ${observed.container}: ${problems.join("; ")}`, {
        observed,
        expected,
        remediation:
          "Add startupProbe (an HTTP GET on a readiness path such as /healthz) and livenessProbe to the serving container, in the service YAML (gcloud run services replace) or your Terraform, then redeploy."
      })
    }
    return Outcome.pass(`container ${observed.container} has a ${startup} startup probe${liveness ? ` and a ${liveness} liveness probe` : ""}`, { observed, expected })
  })

/** Options of {@link minInstances}. */
export interface MinInstancesOptions extends Run.ServiceSelector {
  /** The least acceptable minimum. Default 1 (no cold start for the first user). */
  readonly floor?: number | undefined
}

/**
 * `gcp.cloud-run.min-instances`: the service keeps at least `floor` warm
 * instances (the larger of the service-level and revision-level minimum).
 */
export const minInstances = (options: MinInstancesOptions = {}): Check.Check<GcpServices> => {
  const floor = options.floor ?? 1
  return serviceCheck({
    id: "gcp.cloud-run.min-instances",
    title: `Cloud Run keeps at least ${floor} warm instance(s)`,
    category: "capacity",
    description: "Traffic after a quiet period or a deploy does not wait for cold starts."
  }, options, (s, sel) => {
    const serviceMin = s.scaling?.minInstanceCount ?? 0
    const revisionMin = s.template?.scaling?.minInstanceCount ?? 0
    const effective = Math.max(serviceMin, revisionMin)
    const observed = { serviceMinInstanceCount: serviceMin, revisionMinInstanceCount: revisionMin, effective }
    if (effective < floor) {
      return Outcome.fail(`minimum instances is ${effective}, below the floor of ${floor}`, {
        observed,
        expected: `>= ${floor}`,
        remediation: `gcloud run services update ${lastSegment(s.name)} --region ${sel.region} --project ${sel.project} --min-instances ${floor}`
      })
    }
    return Outcome.pass(`minimum instances is ${effective}`, { observed, expected: `>= ${floor}` })
  })
}

/** Options of {@link maxInstances}. */
export interface MaxInstancesOptions extends Run.ServiceSelector {
  /**
   * The most instances the downstreams can take (database connections, vendor rate limits): fail above
   * it. Without it, a service at the server default (100) is a `warn`.
   */
  readonly atMost?: number | undefined
  /** Fail when the maximum is below this (too little headroom for launch traffic). */
  readonly atLeast?: number | undefined
}

/**
 * What Cloud Run runs with when a deploy sets no maximum: "When unspecified, the field is set to the
 * server default value of 100" (RevisionScaling.maxInstanceCount,
 * https://cloud.google.com/run/docs/reference/rest/v2/RevisionScaling; also
 * https://cloud.google.com/run/docs/configuring/max-instances).
 */
export const SERVER_DEFAULT_MAX_INSTANCES = 100

/**
 * `gcp.cloud-run.max-instances`: the service's maximum instance count is within the bound the gate
 * states (`atMost`, what downstreams can take). Reads always carry a maximum: Google fills the server
 * default (100) when a deploy sets none, so "set" proves nothing; without a stated bound, a service at
 * the server default is a `warn`.
 */
export const maxInstances = (options: MaxInstancesOptions = {}): Check.Check<GcpServices> =>
  serviceCheck({
    id: "gcp.cloud-run.max-instances",
    title: "Cloud Run maximum instances is within what downstreams take",
    category: "capacity",
    description: "Scaling is bounded by a deliberate maximum that downstream systems can take."
  }, options, (s, sel) => {
    const revisionMax = s.template?.scaling?.maxInstanceCount
    const serviceMax = s.scaling?.maxInstanceCount
    // An absent revision maximum is the server default (vendor-documented); a service maximum only narrows it.
    const effectiveRevision = revisionMax !== undefined && revisionMax > 0 ? revisionMax : SERVER_DEFAULT_MAX_INSTANCES
    const max = serviceMax !== undefined && serviceMax > 0 ? Math.min(serviceMax, effectiveRevision) : effectiveRevision
    const atDefault = max === SERVER_DEFAULT_MAX_INSTANCES
    const observed = {
      revisionMaxInstanceCount: revisionMax ?? null,
      serviceMaxInstanceCount: serviceMax ?? null,
      effective: max,
      serverDefault: SERVER_DEFAULT_MAX_INSTANCES
    }
    const expected = {
      atMost: options.atMost ?? "a bound the gate states (atMost)",
      ...(options.atLeast !== undefined ? { atLeast: options.atLeast } : {})
    }
    const fix = (n: number | string) =>
      `gcloud run services update ${lastSegment(s.name)} --region ${sel.region} --project ${sel.project} --max-instances ${n}`
    if (options.atMost !== undefined && max > options.atMost) {
      return Outcome.fail(`maximum instances is ${max}${atDefault ? " (the server default)" : ""}, above the ${options.atMost} downstreams take`, {
        observed,
        expected,
        remediation: fix(options.atMost)
      })
    }
    if (options.atLeast !== undefined && max < options.atLeast) {
      return Outcome.fail(`maximum instances is ${max}, below ${options.atLeast}`, { observed, expected, remediation: fix(options.atLeast) })
    }
    if (options.atMost === undefined && atDefault) {
      return Outcome.warn(`maximum instances is ${max}, the server default: nothing bounds scaling to what downstreams take`, {
        observed,
        expected,
        remediation: `Work out how many instances your database connections and vendor rate limits allow, set it (${fix("N")}) and state it in the gate (maxInstances({ atMost: N })).`
      })
    }
    return Outcome.pass(
      options.atMost !== undefined
        ? `maximum instances is ${max}, within the ${options.atMost} downstreams take`
        : `maximum instances is ${max} (no bound stated: pass atMost to check it against downstreams)`,
      { observed, expected }
    )
  })

/** Options of {@link rollbackTarget}. */
export interface RollbackTargetOptions extends Run.ServiceSelector {
  /** Traffic tags that mark the rollback revision, in order of preference. Default `["rollback", "stable"]`. */
  readonly tags?: ReadonlyArray<string> | undefined
}

/**
 * `gcp.cloud-run.rollback-target`: a previous revision exists, is Ready and
 * not retired, and is reachable by a tag or by name. The evidence carries
 * the exact one-step rollback command.
 */
export const rollbackTarget = (options: RollbackTargetOptions = {}): Check.Check<GcpServices> =>
  serviceCheck({
    id: "gcp.cloud-run.rollback-target",
    title: "Cloud Run has a Ready revision to roll back to",
    category: "rollback",
    description: "One command moves all traffic back to a previous revision that is Ready now."
  }, options, (s, sel, reads) =>
    Effect.gen(function*() {
      const found = yield* Run.findRollbackTarget(reads, s, options.tags ?? ["rollback", "stable"])
      const current = Run.short(s.latestReadyRevision)
      if (!found.target) {
        if (found.unknown) return unknownEnum("revision condition.state", found.unknown, Run.CONDITION_STATES)
        return Outcome.fail(`no previous Ready revision to roll back to (serving ${current ?? "nothing"})`, {
          observed: { current, considered: found.considered },
          expected: "a Ready, non-retired revision other than the current one, tagged rollback/stable or named",
          remediation:
            `Keep the previous release deployable: tag it (gcloud run services update-traffic ${lastSegment(s.name)} --region ${sel.region} --project ${sel.project} --set-tags rollback=PREVIOUS_REVISION) and keep it warm, or redeploy the previous image with --no-traffic.`
        })
      }
      const t = found.target
      const command = Run.rollbackCommand(s.name, sel.region, sel.project, t.revision)
      return Outcome.pass(`can roll back from ${current} to ${t.revision}${t.tag ? ` (tag ${t.tag})` : " (by revision name)"}`, {
        observed: { current, target: t.revision, reachableBy: t.reachableBy, tag: t.tag, tagUrl: t.tagUrl, createTime: t.createTime },
        expected: "a Ready, non-retired previous revision",
        evidence: { command, considered: found.considered }
      })
    }))

export { NOT_SECRET, SECRET_VALUES, SECRET_WORDS } from "./internal/secretEnv.js"

/** Options of {@link secretEnv}. */
export interface SecretEnvOptions extends Run.ServiceSelector {
  /**
   * Env var names that look secret, replacing the default rule (a word of {@link SECRET_WORDS}
   * anywhere in the name, except the {@link NOT_SECRET} forms such as `*_KEY_ID` and `PUBLIC_KEY`).
   */
  readonly names?: ReadonlyArray<RegExp | string> | undefined
  /** Names that match but are not secret (e.g. `CACHE_KEY_PREFIX`). */
  readonly allow?: ReadonlyArray<string> | undefined
}

/**
 * `gcp.cloud-run.secret-env`: env vars whose names look secret come from
 * `valueSource.secretKeyRef`, never literal values; literal values shaped like
 * credentials (`sk_live_…`, `whsec_…`, `AIza…`, `ghp_…`, `xox?-…`, PEM private
 * keys, URLs with a password) fail whatever their name. Only names reach the
 * report; the values are registered with `Redaction`.
 */
export const secretEnv = (options: SecretEnvOptions = {}): Check.Check<GcpServices> => {
  const patterns = options.names?.map((p) => (typeof p === "string" ? new RegExp(p, "i") : p))
  const isSecretName = (name: string) => (patterns ? patterns.some((p) => p.test(name)) : SecretEnv.secretName(name))
  const allow = new Set(options.allow ?? [])
  return serviceCheck({
    id: "gcp.cloud-run.secret-env",
    title: "Cloud Run secrets come from Secret Manager, not literal env values",
    category: "security",
    description: "No credential sits in the service definition, where anyone with run.services.get can read it."
  }, options, (s, sel) => {
    const literal: Array<{ container: string; env: string; why: string }> = []
    let fromSecrets = 0
    for (const [i, c] of (s.template?.containers ?? []).entries()) {
      for (const env of c.env ?? []) {
        if (env.valueSource?.secretKeyRef) {
          fromSecrets++
          continue
        }
        if (env.value === undefined || env.value === "" || allow.has(env.name)) continue
        const byName = isSecretName(env.name)
        if (byName || SecretEnv.secretValue(env.value)) {
          // Mask it everywhere from now on, in case it surfaces in some other text.
          Redaction.register(env.value)
          literal.push({
            container: c.name ?? String(i),
            env: env.name,
            why: byName ? "name looks secret; literal value (not shown)" : "literal value looks like a credential (not shown)"
          })
        }
      }
    }
    const observed = { literalSecretEnv: literal, fromSecretManager: fromSecrets }
    if (literal.length > 0) {
      const names = literal.map((l) => l.env)
      return Outcome.fail(`${literal.length} env var(s) carry literal secret values: ${names.join(", ")}`, {
        observed,
        expected: "secret-looking env vars use valueSource.secretKeyRef",
        remediation:
          `Store each value in Secret Manager and reference it instead (gcloud run services update ${lastSegment(s.name)} --region ${sel.region} --project ${sel.project} --update-secrets ENV_VAR=SECRET_ID:latest, for ${names.join(", ")}), then rotate the values: anyone with run.services.get could read them.`
      })
    }
    return Outcome.pass(`no literal secrets in env (${fromSecrets} from Secret Manager)`, { observed })
  })
}

/** Options of {@link secretRefs}. */
export interface SecretRefsOptions extends Run.ServiceSelector {
  /** Allow references to the `latest` version. Default `true`; `false` requires pinned versions. */
  readonly allowLatest?: boolean | undefined
}

/**
 * `gcp.cloud-run.secret-refs`: every secret a service references (env vars
 * and volumes) exists, the referenced version exists and is `ENABLED`, and
 * version pinning follows the policy. Reads secret metadata and version
 * lists only: never payloads.
 */
export const secretRefs = (options: SecretRefsOptions = {}): Check.Check<GcpServices> =>
  serviceCheck({
    id: "gcp.cloud-run.secret-refs",
    title: "Secrets referenced by Cloud Run exist and are enabled",
    category: "dependencies",
    role: `${VIEWER}, roles/secretmanager.viewer`,
    description: "A new instance can start: every secret version it mounts or injects exists and is enabled."
  }, options, (s, sel, reads) =>
    Effect.gen(function*() {
      const refs = Run.secretRefs(s, sel.project)
      if (refs.length === 0) return Outcome.pass("the service references no secrets", { observed: { refs: [] } })
      const secrets = yield* loadSecrets(reads, [...new Set(refs.map((r) => r.secret))])
      const results = []
      for (const ref of refs) {
        const entry = secrets.get(ref.secret)!
        const result = (() => {
          if (entry._tag === "missing") return { ok: false, why: "secret does not exist" }
          if (entry._tag === "error") return { ok: undefined, why: entry.error.message, error: entry.error }
          if (ref.version === "latest" && options.allowLatest === false) return { ok: false, why: "uses latest; policy requires a pinned version" }
          const number = ref.version === "latest" ? undefined : /^\d+$/.test(ref.version) ? ref.version : entry.secret.versionAliases?.[ref.version]
          if (ref.version !== "latest" && number === undefined) return { ok: false, why: `version alias ${ref.version} does not exist` }
          const version = number === undefined
            ? latestVersion(entry.versions)
            : entry.versions.find((v) => lastSegment(v.name) === number)
          if (!version) return { ok: false, why: ref.version === "latest" ? "the secret has no versions" : `version ${ref.version} does not exist` }
          if (version.state !== undefined && !(VERSION_STATES as ReadonlyArray<string>).includes(version.state)) {
            return { ok: undefined, why: `version ${lastSegment(version.name)} has unknown state ${version.state}`, unknown: version.state }
          }
          if (version.state !== "ENABLED") return { ok: false, why: `version ${lastSegment(version.name)} is ${version.state ?? "in no state"}` }
          return { ok: true, why: `version ${lastSegment(version.name)} is ENABLED` }
        })()
        results.push({ ...ref, ...result })
      }
      const observed = { refs: results.map(({ error: _e, unknown: _u, ...r }: { error?: unknown; unknown?: unknown } & Record<string, unknown>) => r) }
      const undecided = results.find((r) => r.ok === undefined)
      const bad = results.filter((r) => r.ok === false)
      if (bad.length > 0) {
        return Outcome.fail(`${bad.length} of ${results.length} secret reference(s) would not resolve: ${bad.map((b) => `${lastSegment(b.secret)}:${b.version} (${b.why})`).join("; ")}`, {
          observed,
          expected: options.allowLatest === false ? "existing, ENABLED, pinned versions" : "existing, ENABLED versions",
          remediation:
            "Create or re-enable the referenced versions (gcloud secrets versions enable VERSION --secret SECRET), or point the service at an enabled version; with pinning required, replace :latest by a version number."
        })
      }
      if (undecided) {
        if ("unknown" in undecided && undecided.unknown) return unknownEnum("secretVersion.state", undecided.unknown, VERSION_STATES)
        return Outcome.error(`could not read ${lastSegment(undecided.secret)}: ${undecided.why}`, {
          observed,
          remediation: "error" in undecided && undecided.error ? undecided.error.remediation : "Grant roles/secretmanager.viewer on the project."
        })
      }
      return Outcome.pass(`all ${results.length} secret reference(s) resolve to ENABLED versions`, { observed })
    }))

/** Options of {@link serviceAccount}. */
export interface ServiceAccountOptions extends Run.ServiceSelector {
  /** The exact service account expected, when there is one. */
  readonly expected?: string | undefined
}

const DEFAULT_COMPUTE_SA = /^\d+-compute@developer\.gserviceaccount\.com$/

/**
 * `gcp.cloud-run.service-account`: the service runs as a dedicated service
 * account, not the default compute service account (which has Editor on the
 * project by default).
 */
export const serviceAccount = (options: ServiceAccountOptions = {}): Check.Check<GcpServices> =>
  serviceCheck({
    id: "gcp.cloud-run.service-account",
    title: "Cloud Run runs as a dedicated service account",
    category: "security",
    description: "A compromised instance holds only the permissions the service needs."
  }, options, (s, sel) => {
    const sa = s.template?.serviceAccount
    const expected = options.expected ?? "a dedicated service account (not PROJECT_NUMBER-compute@developer.gserviceaccount.com)"
    const fix = `Create a service account with only what the service needs and deploy with it: gcloud run services update ${lastSegment(s.name)} --region ${sel.region} --project ${sel.project} --service-account NAME@${sel.project}.iam.gserviceaccount.com`
    if (sa === undefined || sa === "" || DEFAULT_COMPUTE_SA.test(sa)) {
      return Outcome.fail(`runs as the default compute service account${sa ? ` (${sa})` : " (none set)"}`, { observed: sa ?? null, expected, remediation: fix })
    }
    if (options.expected !== undefined && sa !== options.expected) {
      return Outcome.fail(`runs as ${sa}, expected ${options.expected}`, { observed: sa, expected, remediation: fix })
    }
    return Outcome.pass(`runs as ${sa}`, { observed: sa, expected })
  })

const INGRESS_ALIASES: Record<string, Run.Ingress> = {
  all: "INGRESS_TRAFFIC_ALL",
  internal: "INGRESS_TRAFFIC_INTERNAL_ONLY",
  "internal-and-cloud-load-balancing": "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
  none: "INGRESS_TRAFFIC_NONE"
}

/** Options of {@link ingress}. */
export interface IngressOptions extends Run.ServiceSelector {
  /**
   * The accepted ingress setting(s): API values (`INGRESS_TRAFFIC_ALL`, …)
   * or gcloud names (`all`, `internal`, `internal-and-cloud-load-balancing`).
   */
  readonly expected: Run.Ingress | keyof typeof INGRESS_ALIASES | ReadonlyArray<Run.Ingress | keyof typeof INGRESS_ALIASES>
}

/** `gcp.cloud-run.ingress`: the observed ingress setting is the expected one. */
export const ingress = (options: IngressOptions): Check.Check<GcpServices> => {
  const accepted = (Array.isArray(options.expected) ? options.expected : [options.expected]).map((e: string) => INGRESS_ALIASES[e] ?? e)
  return serviceCheck({
    id: "gcp.cloud-run.ingress",
    title: "Cloud Run ingress is as expected",
    category: "security",
    description: "The service is reachable from exactly the networks intended."
  }, options, (s, sel) => {
    const observed = s.ingress
    if (observed !== undefined && !(Run.INGRESS as ReadonlyArray<string>).includes(observed)) {
      return unknownEnum("ingress", observed, Run.INGRESS)
    }
    if (observed === undefined || observed === "INGRESS_TRAFFIC_UNSPECIFIED") {
      return Outcome.error("the service reports no ingress setting (no active revision?): cannot decide", { observed: observed ?? null, expected: accepted })
    }
    if (!accepted.includes(observed)) {
      const alias = Object.entries(INGRESS_ALIASES).find(([, v]) => v === accepted[0])?.[0] ?? "all"
      return Outcome.fail(`ingress is ${observed}, expected ${accepted.join(" or ")}`, {
        observed,
        expected: accepted,
        remediation: `gcloud run services update ${lastSegment(s.name)} --region ${sel.region} --project ${sel.project} --ingress ${alias}`
      })
    }
    return Outcome.pass(`ingress is ${observed}`, { observed, expected: accepted })
  })
}

/**
 * Every read-only Cloud Run check with its defaults (ingress expected
 * `INGRESS_TRAFFIC_ALL`), for the same selector.
 */
export const all = (selector: Run.ServiceSelector = {}): ReadonlyArray<Check.Check<GcpServices>> => [
  healthy(selector),
  latestDeployLive(selector),
  probes(selector),
  minInstances(selector),
  maxInstances(selector),
  rollbackTarget(selector),
  secretEnv(selector),
  secretRefs(selector),
  serviceAccount(selector),
  ingress({ ...selector, expected: "INGRESS_TRAFFIC_ALL" })
]
