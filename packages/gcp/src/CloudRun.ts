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
import { type Check, Outcome } from "@launchgate/core"
import * as Effect from "effect/Effect"
import type { GcpServices } from "./Gcp.js"
import type { GcpError } from "./GcpError.js"
import { isKnown, lift, make, perSubject, type Reads, type Spec, unknownEnum } from "./internal/check.js"
import { lastSegment } from "./internal/resources.js"
import * as Run from "./internal/run.js"
import type { Condition, Service as ServiceType } from "./internal/schemas.js"
import * as SecretEnv from "./internal/secretEnv.js"
import { resolveSecretRef } from "./internal/secretRefs.js"
import { loadSecrets, VERSION_STATES } from "./internal/secrets.js"

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

const describe = (s: ServiceType, sel: Run.Selection) => Run.serviceCommand("describe", s, sel)

/** Remediation texts of every Cloud Run check. */
const remediation = {
  /** Failed-condition reasons Cloud Run reports, and what fixes each. */
  reasons: {
    HEALTH_CHECK_CONTAINER_ERROR: "The container did not pass its startup or health check. Read the revision's logs "
      + "(gcloud run revisions logs read REVISION) and fix the probe path, port or start-up time.",
    SECRETS_ACCESS_CHECK_FAILED: "The runtime service account cannot read a referenced secret. Grant "
      + "roles/secretmanager.secretAccessor on that secret to the service's service account.",
    CONTAINER_PERMISSION_DENIED:
      "Cloud Run cannot pull the image. Grant the service agent roles/artifactregistry.reader on the repository.",
    CONTAINER_IMAGE_UNAUTHORIZED:
      "The image is not authorised (Binary Authorization or registry permissions). Check the attestation or registry IAM.",
    CONTAINER_MISSING: "The image does not exist. Check the image path and tag of the latest deploy.",
    ENCRYPTION_KEY_PERMISSION_DENIED:
      "Cloud Run cannot use the CMEK key. Grant the service agent roles/cloudkms.cryptoKeyEncrypterDecrypter.",
    MIN_INSTANCES_NOT_PROVISIONED:
      "Minimum instances could not be provisioned (quota or capacity). Check quotas in the region."
  } as Readonly<Record<string, string>>,
  inspect: (describeCommand: string) => `Inspect it with ${describeCommand}.`,
  reason: (reason: string, describeCommand: string) =>
    `${remediation.reasons[reason]} (${reason}; details: ${describeCommand})`,
  settle: (describeCommand: string) =>
    `Wait for the rollout to settle (or wrap this check in Check.eventually), then re-run; details: ${describeCommand}.`,
  readConditions: (describeCommand: string) =>
    `Read the failed conditions with ${describeCommand} and fix the latest revision.`,
  deployFailed: (describeCommand: string, latestReady: string | undefined) =>
    `The latest deploy failed or is still starting: ${describeCommand} shows why. Fix and redeploy, `
    + `or keep traffic on ${latestReady ?? "the previous revision"}.`,
  sendTraffic: (updateTrafficCommand: string) =>
    `Send traffic to the latest revision (${updateTrafficCommand}) once it is verified, `
    + "or wait for the traffic change to settle.",
  noContainer: "Redeploy the service with a container image.",
  probes: "Add startupProbe (an HTTP GET on a readiness path such as /healthz) and livenessProbe to the serving "
    + "container, in the service YAML (gcloud run services replace) or your Terraform, then redeploy.",
  statedMaximum: (command: string) =>
    "Work out how many instances your database connections and vendor rate limits allow, set it "
    + `(${command}) and state it in the gate (maxInstances({ atMost: N })).`,
  keepRollbackTarget: (tagCommand: string) =>
    `Keep the previous release deployable: tag it (${tagCommand}) and keep it warm, `
    + "or redeploy the previous image with --no-traffic.",
  secretEnv: (updateCommand: string, names: ReadonlyArray<string>) =>
    `Store each value in Secret Manager and reference it instead (${updateCommand}, for ${names.join(", ")}), `
    + "then rotate the values: anyone with run.services.get could read them.",
  secretRefs: "Create or re-enable the referenced versions (gcloud secrets versions enable VERSION --secret SECRET), "
    + "or point the service at an enabled version; with pinning required, replace :latest by a version number.",
  secretViewer: "Grant roles/secretmanager.viewer on the project.",
  serviceAccount: (updateCommand: string) =>
    `Create a service account with only what the service needs and deploy with it: ${updateCommand}`
} as const

/** Options of {@link healthy}. */
export type HealthyOptions = Run.ServiceSelector

const withReason = (text: string, c: Condition) => (Run.reasonOf(c) ? `${text} (${Run.reasonOf(c)})` : text)

/** What keeps a service from being healthy and settled, in words. */
const healthProblems = (s: ServiceType, terminal: Condition, blocking: ReadonlyArray<Condition>) => {
  const problems: Array<string> = []
  if (terminal.state !== "CONDITION_SUCCEEDED") {
    problems.push(withReason(`terminal condition ${terminal.type ?? "Ready"} is ${terminal.state ?? "unset"}`, terminal))
  }
  for (const c of blocking) if (c !== terminal) problems.push(withReason(`condition ${c.type ?? "?"} failed`, c))
  if (s.reconciling === true) problems.push("a rollout is still reconciling")
  if (s.generation !== undefined && s.observedGeneration !== s.generation) {
    problems.push(`observedGeneration ${s.observedGeneration ?? "unset"} is behind generation ${s.generation}`)
  }
  return problems
}

const healthRemediation = (s: ServiceType, conditions: ReadonlyArray<Condition>, describeCommand: string) => {
  const reason = conditions.flatMap(Run.reasonsOf).find((r) => remediation.reasons[r] !== undefined)
  if (reason !== undefined) return remediation.reason(reason, describeCommand)
  const unsettled = s.reconciling === true || s.observedGeneration !== s.generation
  return unsettled ? remediation.settle(describeCommand) : remediation.readConditions(describeCommand)
}

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
    description: "The service's last rollout finished: terminal condition succeeded, nothing reconciling, "
      + "every generation observed, no failed condition."
  }, options, (s, sel) => {
    const terminal = s.terminalCondition
    const all = [...(terminal ? [terminal] : []), ...(s.conditions ?? [])]
    const unknown = all.find((c) => !isKnown(c.state, Run.CONDITION_STATES))
    if (unknown?.state !== undefined) return unknownEnum("condition.state", unknown.state, Run.CONDITION_STATES)
    if (!terminal) {
      return Outcome.error("the service reports no terminalCondition: cannot tell whether it is healthy", {
        remediation: remediation.inspect(describe(s, sel))
      })
    }
    const failed = all.filter((c) => c.state === "CONDITION_FAILED")
    const blocking = failed.filter((c) => c.severity !== "WARNING" && c.severity !== "INFO")
    const { type, state, message } = terminal
    const observed = {
      terminalCondition: { type, state, reason: Run.reasonOf(terminal), message },
      reconciling: s.reconciling ?? false,
      generation: s.generation,
      observedGeneration: s.observedGeneration,
      failedConditions: failed.map((c) => ({ type: c.type, reason: Run.reasonOf(c), severity: c.severity, message: c.message }))
    }
    const expected = {
      terminalCondition: "CONDITION_SUCCEEDED",
      reconciling: false,
      observedGeneration: "equal to generation",
      failedConditions: []
    }
    const problems = healthProblems(s, terminal, blocking)
    if (problems.length > 0) {
      return Outcome.fail(problems.join("; "), { observed, expected, remediation: healthRemediation(s, all, describe(s, sel)) })
    }
    if (failed.length > 0) {
      const list = failed.map((c) => `${c.type} (${Run.reasonOf(c) ?? c.severity})`).join(", ")
      return Outcome.warn(`healthy, with non-blocking failed conditions: ${list}`, { observed, expected })
    }
    return Outcome.pass(`healthy and settled at generation ${s.generation ?? "?"}`, { observed, expected })
  })

/** Options of {@link latestDeployLive}. */
export type LatestDeployLiveOptions = Run.ServiceSelector

/** Revisions that serve traffic but are not Ready (the latest ready one needs no read). */
const notReadyServing = (s: ServiceType, shares: Record<string, number>, latestReady: string | undefined, reads: Reads) =>
  Effect.gen(function*() {
    const notReady: Array<string> = []
    for (const rev of Object.keys(shares)) {
      if (rev === latestReady) continue
      if (rev === "(unresolved)") {
        notReady.push("traffic to LATEST with no ready revision")
        continue
      }
      const r = Run.readiness(yield* reads.get("revision", Run.revisionName(s, rev)))
      if (r.unknown) return { unknown: r.unknown, notReady }
      if (!r.ready) notReady.push(`${rev} (${r.reason ?? "not Ready"})`)
    }
    return { unknown: undefined, notReady }
  })

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
      const targets = [...(s.traffic ?? []), ...(s.trafficStatuses ?? [])]
      const unknownType = targets.find((t) => t.type !== undefined && !isKnown(t.type, Run.TRAFFIC_TYPES))
      if (unknownType?.type !== undefined) return unknownEnum("traffic.type", unknownType.type, Run.TRAFFIC_TYPES)
      const latestCreated = Run.short(s.latestCreatedRevision)
      const latestReady = Run.short(s.latestReadyRevision)
      const spec = Run.trafficShape(s.traffic ?? [])
      const status = Run.trafficShape(s.trafficStatuses ?? [])
      const shares = Run.servingShares(s)
      const serving = yield* notReadyServing(s, shares, latestReady, reads)
      if (serving.unknown) return unknownEnum("revision condition.state", serving.unknown, Run.CONDITION_STATES)
      const observed = {
        latestCreatedRevision: latestCreated,
        latestReadyRevision: latestReady,
        traffic: spec,
        trafficStatuses: status,
        servingShares: shares
      }
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
      if (serving.notReady.length > 0) {
        problems.push(`traffic goes to revisions that are not Ready: ${serving.notReady.join(", ")}`)
      }
      const latestShare = latestReady === undefined ? undefined : (shares[latestReady] ?? 0)
      if (latestShare === 0) problems.push(`the latest ready revision ${latestReady} serves no traffic`)
      if (problems.length > 0) {
        const toLatest = Run.updateTrafficCommand(s.name, sel.region, sel.project, [{ type: Run.LATEST, percent: 100 }])
        return Outcome.fail(problems.join("; "), {
          observed,
          expected,
          remediation: latestReady !== latestCreated
            ? remediation.deployFailed(describe(s, sel), latestReady)
            : remediation.sendTraffic(toLatest)
        })
      }
      const message = latestShare !== undefined && latestShare < 100
        ? `latest revision ${latestReady} is live with ${latestShare}% of traffic (split as configured)`
        : `latest revision ${latestReady} is live with all traffic`
      return Outcome.pass(message, { observed, expected })
    }))

/** Options of {@link probes}. */
export interface ProbesOptions extends Run.ServiceSelector {
  /** Require a liveness probe too. Default `true`. */
  readonly requireLiveness?: boolean | undefined
  /** Startup probe kinds accepted. Default all: `httpGet`, `grpc`, `tcpSocket`. */
  readonly startupKinds?: ReadonlyArray<"httpGet" | "grpc" | "tcpSocket"> | undefined
}

const probeKind = (p: { httpGet?: unknown; grpc?: unknown; tcpSocket?: unknown } | undefined) => {
  if (p === undefined) return undefined
  if (p.httpGet) return "httpGet"
  if (p.grpc) return "grpc"
  return p.tcpSocket ? "tcpSocket" : "unknown"
}

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
    if (!container) return Outcome.fail("the service template has no container", { remediation: remediation.noContainer })
    const kinds: ReadonlyArray<string> = options.startupKinds ?? ["httpGet", "grpc", "tcpSocket"]
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
    else if (!kinds.includes(startup)) problems.push(`startup probe is ${startup}, expected ${kinds.join(" or ")}`)
    if (liveness === undefined && options.requireLiveness !== false) problems.push("no liveness probe")
    if (problems.length > 0) {
      const message = `container ${observed.container}: ${problems.join("; ")}`
      return Outcome.fail(message, { observed, expected, remediation: remediation.probes })
    }
    const livenessText = liveness ? ` and a ${liveness} liveness probe` : ""
    return Outcome.pass(`container ${observed.container} has a ${startup} startup probe${livenessText}`, { observed, expected })
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
        remediation: Run.serviceCommand("update", s, sel, `--min-instances ${floor}`)
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

/** The maximum a service runs with: an absent revision maximum is the server default; a service maximum only narrows it. */
const effectiveMaxInstances = (revisionMax: number | undefined, serviceMax: number | undefined) => {
  const revision = revisionMax !== undefined && revisionMax > 0 ? revisionMax : SERVER_DEFAULT_MAX_INSTANCES
  return serviceMax !== undefined && serviceMax > 0 ? Math.min(serviceMax, revision) : revision
}

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
    const { atMost, atLeast } = options
    const revisionMax = s.template?.scaling?.maxInstanceCount
    const serviceMax = s.scaling?.maxInstanceCount
    const max = effectiveMaxInstances(revisionMax, serviceMax)
    const atDefault = max === SERVER_DEFAULT_MAX_INSTANCES
    const observed = {
      revisionMaxInstanceCount: revisionMax ?? null,
      serviceMaxInstanceCount: serviceMax ?? null,
      effective: max,
      serverDefault: SERVER_DEFAULT_MAX_INSTANCES
    }
    const expected = { atMost: atMost ?? "a bound the gate states (atMost)", ...(atLeast !== undefined ? { atLeast } : {}) }
    const fix = (n: number | string) => Run.serviceCommand("update", s, sel, `--max-instances ${n}`)
    if (atMost !== undefined && max > atMost) {
      const message = `maximum instances is ${max}${atDefault ? " (the server default)" : ""}, above the ${atMost} downstreams take`
      return Outcome.fail(message, { observed, expected, remediation: fix(atMost) })
    }
    if (atLeast !== undefined && max < atLeast) {
      return Outcome.fail(`maximum instances is ${max}, below ${atLeast}`, { observed, expected, remediation: fix(atLeast) })
    }
    if (atMost === undefined && atDefault) {
      const message = `maximum instances is ${max}, the server default: nothing bounds scaling to what downstreams take`
      return Outcome.warn(message, { observed, expected, remediation: remediation.statedMaximum(fix("N")) })
    }
    const message = atMost !== undefined
      ? `maximum instances is ${max}, within the ${atMost} downstreams take`
      : `maximum instances is ${max} (no bound stated: pass atMost to check it against downstreams)`
    return Outcome.pass(message, { observed, expected })
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
      const t = found.target
      if (!t) {
        if (found.unknown) return unknownEnum("revision condition.state", found.unknown, Run.CONDITION_STATES)
        const tagCommand = Run.serviceCommand("update-traffic", s, sel, "--set-tags rollback=PREVIOUS_REVISION")
        return Outcome.fail(`no previous Ready revision to roll back to (serving ${current ?? "nothing"})`, {
          observed: { current, considered: found.considered },
          expected: "a Ready, non-retired revision other than the current one, tagged rollback/stable or named",
          remediation: remediation.keepRollbackTarget(tagCommand)
        })
      }
      const command = Run.rollbackCommand(s.name, sel.region, sel.project, t.revision)
      const reachable = t.tag ? ` (tag ${t.tag})` : " (by revision name)"
      const { revision: target, reachableBy, tag, tagUrl, createTime } = t
      return Outcome.pass(`can roll back from ${current} to ${t.revision}${reachable}`, {
        observed: { current, target, reachableBy, tag, tagUrl, createTime },
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
    const { literal, fromSecrets } = SecretEnv.literalSecrets(s, (name) => !allow.has(name) && isSecretName(name), allow)
    const observed = { literalSecretEnv: literal, fromSecretManager: fromSecrets }
    if (literal.length > 0) {
      const names = literal.map((l) => l.env)
      const update = Run.serviceCommand("update", s, sel, "--update-secrets ENV_VAR=SECRET_ID:latest")
      return Outcome.fail(`${literal.length} env var(s) carry literal secret values: ${names.join(", ")}`, {
        observed,
        expected: "secret-looking env vars use valueSource.secretKeyRef",
        remediation: remediation.secretEnv(update, names)
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
      const resolved = refs.map((ref) => ({ ref, ...resolveSecretRef(ref, secrets.get(ref.secret)!, options.allowLatest !== false) }))
      // The evidence names each reference and its verdict; a read error travels as the outcome's remediation instead.
      const observed = { refs: resolved.map(({ ref, ok, why }) => ({ ...ref, ok, why })) }
      const bad = resolved.filter((r) => r.ok === false)
      if (bad.length > 0) {
        const list = bad.map((b) => `${lastSegment(b.ref.secret)}:${b.ref.version} (${b.why})`).join("; ")
        return Outcome.fail(`${bad.length} of ${resolved.length} secret reference(s) would not resolve: ${list}`, {
          observed,
          expected: options.allowLatest === false ? "existing, ENABLED, pinned versions" : "existing, ENABLED versions",
          remediation: remediation.secretRefs
        })
      }
      const undecided = resolved.find((r) => r.ok === undefined)
      if (undecided?.unknown) return unknownEnum("secretVersion.state", undecided.unknown, VERSION_STATES)
      if (undecided) {
        return Outcome.error(`could not read ${lastSegment(undecided.ref.secret)}: ${undecided.why}`, {
          observed,
          remediation: undecided.error?.remediation ?? remediation.secretViewer
        })
      }
      return Outcome.pass(`all ${resolved.length} secret reference(s) resolve to ENABLED versions`, { observed })
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
    const update = Run.serviceCommand("update", s, sel, `--service-account NAME@${sel.project}.iam.gserviceaccount.com`)
    const fix = remediation.serviceAccount(update)
    if (sa === undefined || sa === "" || DEFAULT_COMPUTE_SA.test(sa)) {
      const message = `runs as the default compute service account${sa ? ` (${sa})` : " (none set)"}`
      return Outcome.fail(message, { observed: sa ?? null, expected, remediation: fix })
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

/** An ingress setting: the API value (`INGRESS_TRAFFIC_ALL`, …) or the gcloud name (`all`, `internal`, …). */
export type IngressSetting = Run.Ingress | keyof typeof INGRESS_ALIASES

/** Options of {@link ingress}. */
export interface IngressOptions extends Run.ServiceSelector {
  /**
   * The accepted ingress setting(s): API values (`INGRESS_TRAFFIC_ALL`, …)
   * or gcloud names (`all`, `internal`, `internal-and-cloud-load-balancing`).
   */
  readonly expected: IngressSetting | ReadonlyArray<IngressSetting>
}

const toIngress = (setting: string): string => INGRESS_ALIASES[setting] ?? setting
const gcloudIngressName = (ingress: string | undefined): string =>
  Object.entries(INGRESS_ALIASES).find(([, v]) => v === ingress)?.[0] ?? "all"

/** `gcp.cloud-run.ingress`: the observed ingress setting is the expected one. */
export const ingress = (options: IngressOptions): Check.Check<GcpServices> => {
  const settings: ReadonlyArray<string> = Array.isArray(options.expected) ? options.expected : [options.expected]
  const accepted = settings.map(toIngress)
  return serviceCheck({
    id: "gcp.cloud-run.ingress",
    title: "Cloud Run ingress is as expected",
    category: "security",
    description: "The service is reachable from exactly the networks intended."
  }, options, (s, sel) => {
    const observed = s.ingress
    if (observed !== undefined && !isKnown(observed, Run.INGRESS)) return unknownEnum("ingress", observed, Run.INGRESS)
    if (observed === undefined || observed === "INGRESS_TRAFFIC_UNSPECIFIED") {
      const message = "the service reports no ingress setting (no active revision?): cannot decide"
      return Outcome.error(message, { observed: observed ?? null, expected: accepted })
    }
    if (!accepted.includes(observed)) {
      return Outcome.fail(`ingress is ${observed}, expected ${accepted.join(" or ")}`, {
        observed,
        expected: accepted,
        remediation: Run.serviceCommand("update", s, sel, `--ingress ${gcloudIngressName(accepted[0])}`)
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
