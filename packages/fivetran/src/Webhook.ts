/**
 * Every `fivetran.webhook.*` check: Fivetran will tell the product when a
 * sync ends or a connection breaks (a webhook exists, is active, HTTPS, with
 * the right events), Fivetran can deliver to it (opt-in test delivery), and
 * the product's receiver accepts Fivetran-signed payloads and rejects forged
 * ones (opt-in).
 *
 * @since 0.1.0
 */
import { Check, type HttpTransport, Outcome, Redaction } from "@launchgate/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Redacted from "effect/Redacted"
import { randomUUID } from "node:crypto"
import { FivetranClient } from "./FivetranClient.js"
import { orError, unknownValue, withReads } from "./internal/evidence.js"
import type { ReadMeta } from "./internal/http.js"
import { isUnknown, type WebhookDetails, type WebhookTestResult } from "./internal/schema.js"
import { now } from "./internal/rule.js"
import * as WebhookSignature from "./WebhookSignature.js"

/** The surface of every check in this module. */
export const surface = "fivetran.webhook"

/** Events a launch usually needs: syncs ending (success or failure) and connections breaking. */
export const DEFAULT_EVENTS: ReadonlyArray<string> = ["sync_end", "connection_failure"]

const READ_ROLE =
  "Fivetran API key of a user with Account Reviewer (webhooks are listed account-wide; read-only)"

const normalize = (url: string): string => {
  try {
    return new URL(url).href
  } catch {
    return url
  }
}

const isHttps = (url: string): boolean => {
  try {
    return new URL(url).protocol === "https:"
  } catch {
    return false
  }
}

const describe = (w: WebhookDetails) => ({
  id: w.id,
  type: isUnknown(w.type) ? w.type.value : w.type,
  ...(w.group_id !== undefined ? { group_id: w.group_id } : {}),
  url: w.url,
  active: w.active,
  events: [...w.events],
  signed: w.secret !== undefined && w.secret !== ""
})

const is2xx = (status: number): boolean => status >= 200 && status < 300

const remediation = {
  notHttps: "Serve the receiver over HTTPS: Fivetran refuses to create webhooks with http URLs, " +
    "and payloads carry account data.",
  missing: (url: string, events: ReadonlyArray<string>) =>
    `Create one: POST /v1/webhooks/account (or /v1/webhooks/group/{groupId}) with url ${url}, ` +
    `events ${events.join(", ")}, active true and a secret.`,
  otherGroups: (groupId: string | undefined, url: string) =>
    `Create an account webhook, or a webhook of group ${groupId}, for ${url}.`,
  update: (id: string, events: ReadonlyArray<string>) =>
    `Update webhook ${id} (PATCH /v1/webhooks/${id}) to be active with events ${events.join(", ")}. ` +
    "Activating it makes Fivetran POST a test payload, so the receiver must be up.",
  unsigned: (id: string) =>
    `Set a secret on webhook ${id} (PATCH /v1/webhooks/${id}) and verify X-Fivetran-Signature-256 in the ` +
    "receiver; without it anyone can forge sync events.",
  noTarget: "Pass webhookId, or the url the webhook delivers to.",
  notActive: "Create or activate the webhook first (see fivetran.webhook.configured).",
  undelivered: "Make the receiver reachable from the internet over HTTPS with a certificate from a public CA, " +
    "and answer 2xx to correctly signed payloads.",
  unreachable: "The receiver did not answer. Check that it is deployed and reachable from where launchgate runs.",
  acceptsForged: "The receiver accepts payloads it cannot trust. Verify X-Fivetran-Signature-256 over the raw " +
    "body (WebhookSignature.verify from @launchgate/fivetran) and answer 401 when it does not match.",
  rejectsGenuine: "The receiver rejects genuine Fivetran payloads. Check it uses the same secret as the webhook, " +
    "hashes the raw body (not re-serialised JSON), and compares hex case-insensitively."
} as const

/** Options of {@link configured}. */
export interface ConfiguredOptions {
  /** The product's receiver URL, as registered in Fivetran. Must be HTTPS. */
  readonly url: string
  /** Events the webhook must include. Default `sync_end`, `connection_failure`. */
  readonly events?: ReadonlyArray<string> | undefined
  /** Also accept a webhook of this group (account webhooks are always accepted). */
  readonly groupId?: string | undefined
  /** An unsigned webhook (no secret) fails instead of warning. Default false. */
  readonly requireSecret?: boolean | undefined
}

/**
 * `fivetran.webhook.configured`: an active account webhook (or a webhook of
 * `groupId`) delivers to `url`, over HTTPS, with every required event. A
 * webhook without a secret warns (its payloads are unsigned) or fails with
 * `requireSecret`. Reads `GET /v1/webhooks` (every page, once per run).
 *
 * @example
 * Webhook.configured({ url: "https://api.example.com/hooks/fivetran", groupId: "decent_dropsy" })
 */
export const configured = (options: ConfiguredOptions): Check.Check<FivetranClient> =>
  Check.make({
    id: "fivetran.webhook.configured",
    title: "Fivetran webhook notifies the product",
    surface,
    category: "monitoring",
    description: "Fivetran sends the product the events it relies on (sync_end, connection_failure, …) " +
      "to an HTTPS URL.",
    role: READ_ROLE,
    run: orError(Effect.gen(function*() {
      if (!isHttps(options.url)) {
        const message = `the webhook URL ${options.url} is not HTTPS`
        const expected = expectedWebhook(options)
        return Outcome.fail(message, { observed: options.url, expected, remediation: remediation.notHttps })
      }
      const client = yield* FivetranClient
      const read = yield* client.webhooks
      return withReads(judgeWebhooks(options, read.value), [read.meta])
    }))
  })

/** What {@link configured} expects, as evidence. */
const expectedWebhook = (options: ConfiguredOptions) => ({
  url: options.url,
  https: true,
  active: true,
  events: options.events ?? DEFAULT_EVENTS,
  scope: options.groupId === undefined ? "account or any group" : `account or group ${options.groupId}`
})

/** Account webhooks always count; group webhooks count for `groupId` (or any group without one). */
const inScope = (w: WebhookDetails, groupId: string | undefined): boolean =>
  w.type === "account" || (w.type === "group" && (groupId === undefined || w.group_id === groupId))

const problemsOf = (w: WebhookDetails, events: ReadonlyArray<string>): ReadonlyArray<string> => {
  const missing = events.filter((e) => !w.events.includes(e))
  return [
    ...(w.active ? [] : ["inactive"]),
    ...(missing.length > 0 ? [`missing events ${missing.join(", ")}`] : []),
    ...(isHttps(w.url) ? [] : ["not HTTPS"])
  ]
}

/** Judge the account's webhooks against {@link configured}'s options: the best webhook for the URL decides. */
const judgeWebhooks = (options: ConfiguredOptions, webhooks: ReadonlyArray<WebhookDetails>): Outcome.Outcome => {
  const { url, groupId } = options
  const events = options.events ?? DEFAULT_EVENTS
  const expected = expectedWebhook(options)
  const matching = webhooks.filter((w) => normalize(w.url) === normalize(url))
  if (matching.length === 0) {
    const observed = { webhooks: webhooks.length, urls: webhooks.slice(0, 20).map((w) => w.url) }
    const message = `no Fivetran webhook delivers to ${url}`
    return Outcome.fail(message, { observed, expected, remediation: remediation.missing(url, events) })
  }
  const candidates = matching.filter((w) => inScope(w, groupId))
  const strange = matching.find((w) => isUnknown(w.type))
  if (candidates.length === 0 && strange && isUnknown(strange.type)) {
    return unknownValue(`webhook ${strange.id}`, "type", strange.type, ["account", "group"])
  }
  const observed = { webhooks: matching.map(describe) }
  const best = candidates.map((webhook) => ({ webhook, problems: problemsOf(webhook, events) }))
    .sort((a, b) => a.problems.length - b.problems.length)[0]
  if (best === undefined) {
    const message = `the webhooks delivering to ${url} belong to other groups`
    return Outcome.fail(message, { observed, expected, remediation: remediation.otherGroups(groupId, url) })
  }
  const { id, type, signed } = describe(best.webhook)
  if (best.problems.length > 0) {
    const message = `webhook ${id} (${type}) for ${url}: ${best.problems.join("; ")}`
    return Outcome.fail(message, { observed, expected, remediation: remediation.update(id, events) })
  }
  if (!signed) {
    const outcome = options.requireSecret ? Outcome.fail : Outcome.warn
    const message = `webhook ${id} for ${url} has no secret: its payloads are unsigned`
    const signedExpected = { ...expected, signed: true }
    return outcome(message, { observed, expected: signedExpected, remediation: remediation.unsigned(id) })
  }
  return Outcome.pass(`webhook ${id} (${type}) delivers ${events.join(", ")} to ${url}`, { observed, expected })
}

/** Options of {@link testDelivery}. */
export interface TestDeliveryOptions {
  /** The webhook to test; or give `url` to find the active webhook delivering there. */
  readonly webhookId?: string | undefined
  readonly url?: string | undefined
  /** The event Fivetran sends. Default `sync_end`. */
  readonly event?: string | undefined
}

/** Testing a webhook is an action: it needs a role that manages webhooks. */
const TEST_DELIVERY_ROLE = "Fivetran API key of a user allowed to manage webhooks (Account Administrator in the " +
  "standard roles; not verified against a narrower custom role)"

/**
 * `fivetran.webhook.test-delivery` (active): asks Fivetran to deliver a test
 * event (`POST /v1/webhooks/{id}/test`, for Fivetran's dummy connection) and
 * passes when Fivetran reports a successful delivery: proof that Fivetran,
 * from its own network, reaches the receiver.
 */
export const testDelivery = (options: TestDeliveryOptions): Check.Check<FivetranClient> =>
  Check.make({
    id: "fivetran.webhook.test-delivery",
    title: "Fivetran delivers a test webhook to the product",
    surface,
    category: "monitoring",
    active: true,
    description: "Fivetran can reach the product's webhook receiver from its own network and gets a 2xx.",
    role: TEST_DELIVERY_ROLE,
    run: orError(Effect.gen(function*() {
      const client = yield* FivetranClient
      const event = options.event ?? "sync_end"
      const reads: Array<ReadMeta> = []
      let id = options.webhookId
      if (id === undefined) {
        if (options.url === undefined) {
          return Outcome.error("testDelivery needs a webhookId or a url", { remediation: remediation.noTarget })
        }
        const list = yield* client.webhooks
        reads.push(list.meta)
        const wanted = normalize(options.url)
        id = list.value.find((w) => w.active && normalize(w.url) === wanted)?.id
        if (id === undefined) {
          const message = `no active Fivetran webhook delivers to ${options.url}`
          const expected = { url: options.url, active: true }
          return withReads(Outcome.fail(message, { expected, remediation: remediation.notActive }), reads)
        }
      }
      const result = yield* client.testWebhook(id, event)
      reads.push(result.meta)
      return withReads(judgeDelivery(id, event, result.value), reads)
    }))
  })

const judgeDelivery = (id: string, event: string, r: WebhookTestResult): Outcome.Outcome => {
  const observed = { webhookId: id, event, succeed: r.succeed, status: r.status, message: r.message ?? null }
  const expected = { succeed: true, status: "2xx" }
  if (r.succeed && is2xx(r.status)) {
    return Outcome.pass(`Fivetran delivered a ${event} test to webhook ${id}: ${r.status}`, { observed, expected })
  }
  const message = `Fivetran could not deliver a ${event} test to webhook ${id}: status ${r.status}` +
    (r.message ? ` (${r.message})` : "")
  return Outcome.fail(message, { observed, expected, remediation: remediation.undelivered })
}

/** Fields of a `sync_end`-shaped payload. */
export interface SyncEndFields {
  readonly connectionId: string
  readonly groupId: string
  readonly service?: string | undefined
  readonly connectionName?: string | undefined
  readonly syncId: string
  readonly created: Date
  /** Default `SUCCESSFUL`. */
  readonly status?: string | undefined
}

/**
 * A `sync_end` payload in the shape Fivetran sends (event, created,
 * connector_type, connector_id, connector_name, sync_id,
 * destination_group_id, data.status). Handy for receivers' own tests.
 */
export const syncEndPayload = (fields: SyncEndFields) => ({
  event: "sync_end",
  created: fields.created.toISOString(),
  connector_type: fields.service ?? "launchgate",
  connector_id: fields.connectionId,
  connector_name: fields.connectionName ?? fields.connectionId,
  sync_id: fields.syncId,
  destination_group_id: fields.groupId,
  data: { status: fields.status ?? "SUCCESSFUL" }
})

/** Options of {@link receiver}. */
export interface ReceiverOptions {
  /** The product's receiver URL. */
  readonly url: string
  /** The webhook secret the receiver verifies with. Registered for redaction. */
  readonly secret: Redacted.Redacted<string>
  /** Ids put in the test payloads so the receiver can recognise and ignore them. Default `launchgate_test`. */
  readonly connectionId?: string | undefined
  readonly groupId?: string | undefined
}

interface Step {
  readonly name: string
  readonly body: string
  readonly signature: string | undefined
  /** `evidence`: the answer is recorded, never judged. */
  readonly expect: "2xx" | "4xx" | "evidence"
}

interface StepResult {
  readonly step: string
  readonly expect: Step["expect"]
  /** `null` when the receiver did not answer. */
  readonly status: number | null
  readonly error?: string
}

/**
 * `fivetran.webhook.receiver` (active): POSTs `sync_end`-shaped payloads to
 * the product's receiver: signed correctly in lower-case hex (must get 2xx),
 * then the same body with a wrong signature and with none (both must get
 * 4xx). Proves the receiver is up and verifies `X-Fivetran-Signature-256`.
 * The payloads name the connection `launchgate_test` so a receiver can
 * ignore them.
 *
 * The hex case Fivetran sends is unverified (its documentation's signing
 * section could not be read; samples disagree), so the check sends
 * lower-case, the default of every HMAC library, and also posts an
 * upper-case signature whose answer is evidence only: it never fails the
 * check, and tells the reader whether the receiver would survive either case.
 *
 * @example
 * Webhook.receiver({ url: "https://api.example.com/hooks/fivetran", secret: Redacted.make(webhookSecret) })
 */
export const receiver = (options: ReceiverOptions): Check.Check<FivetranClient> => {
  Redaction.register(options.secret)
  return Check.make({
    id: "fivetran.webhook.receiver",
    title: "The product's webhook receiver verifies Fivetran signatures",
    surface,
    category: "security",
    active: true,
    description: "The receiver accepts correctly signed sync_end payloads and rejects payloads with a wrong " +
      "or missing X-Fivetran-Signature-256.",
    role: "No Fivetran role: it calls the product's receiver. Needs the webhook secret.",
    run: Effect.gen(function*() {
      const client = yield* FivetranClient
      const steps = receiverSteps(options, yield* now)
      const results: Array<StepResult> = []
      for (const step of steps) {
        const response = yield* Effect.either(post(client.http, options.url, step))
        results.push(
          Either.isRight(response)
            ? { step: step.name, expect: step.expect, status: response.right.status }
            : { step: step.name, expect: step.expect, status: null, error: response.left.message }
        )
      }
      return judgeReceiver(options.url, results)
    })
  })
}

/** The four POSTs: two correctly signed bodies (lower- and upper-case hex), a wrong signature, none. */
const receiverSteps = (options: ReceiverOptions, created: Date): ReadonlyArray<Step> => {
  const body = (syncId: string) =>
    JSON.stringify(syncEndPayload({
      connectionId: options.connectionId ?? "launchgate_test",
      groupId: options.groupId ?? "launchgate_test",
      syncId,
      created
    }))
  const first = body(randomUUID())
  const second = body(randomUUID())
  const wrongSecret = `not-${randomUUID()}`
  const lower = WebhookSignature.sign(first, options.secret)
  const upper = WebhookSignature.sign(second, options.secret, { case: "upper" })
  return [
    { name: "signed (lower-case hex)", body: first, signature: lower, expect: "2xx" },
    { name: "signed (upper-case hex, evidence only)", body: second, signature: upper, expect: "evidence" },
    { name: "wrong signature", body: first, signature: WebhookSignature.sign(first, wrongSecret), expect: "4xx" },
    { name: "no signature", body: first, signature: undefined, expect: "4xx" }
  ]
}

const judgeReceiver = (url: string, results: ReadonlyArray<StepResult>): Outcome.Outcome => {
  const upper = results.find((r) => r.expect === "evidence")
  const evidence = {
    url,
    header: WebhookSignature.HEADER,
    steps: results,
    // Unverified which case Fivetran sends: recorded, never judged.
    acceptsUpperCaseHex: upper?.status == null ? null : is2xx(upper.status)
  }
  const attempts = results.length
  const expected = "2xx for a lower-case hex signature, 4xx for wrong or missing signature"
  const broken = results.find((r) => r.status === null && r.expect !== "evidence")
  if (broken) {
    const message = `could not decide: POST ${url} (${broken.step}) failed: ${broken.error}`
    return Outcome.error(message, { evidence, attempts, remediation: remediation.unreachable })
  }
  const judged = results.filter((r) => r.expect !== "evidence")
  const problems = judged.flatMap(({ step, expect, status }) => {
    const ok = expect === "2xx" ? is2xx(status!) : status! >= 400 && status! < 500
    return ok ? [] : [`${step} got ${status}, expected ${expect}`]
  })
  if (problems.length === 0) {
    const message = "the receiver accepted signed payloads and rejected forged ones"
    return Outcome.pass(message, { evidence, expected, attempts })
  }
  const acceptsForged = judged.some((r) => r.expect === "4xx" && is2xx(r.status!))
  return Outcome.fail(`the webhook receiver at ${url}: ${problems.join("; ")}`, {
    evidence,
    expected,
    attempts,
    remediation: acceptsForged ? remediation.acceptsForged : remediation.rejectsGenuine
  })
}

const post = (http: HttpTransport.Service, url: string, step: Step) =>
  http.request({
    method: "POST",
    url,
    headers: {
      "content-type": "application/json",
      "user-agent": "launchgate-fivetran",
      ...(step.signature !== undefined ? { [WebhookSignature.HEADER]: step.signature } : {})
    },
    body: step.body,
    retry: false
  })

/** Every webhook check's id. */
export const ids = [
  "fivetran.webhook.configured",
  "fivetran.webhook.test-delivery",
  "fivetran.webhook.receiver"
] as const

