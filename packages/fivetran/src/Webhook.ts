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
import { Effect, type Redacted } from "effect"
import { randomUUID } from "node:crypto"
import { FivetranClient } from "./FivetranClient.js"
import { orError, unknownValue, withReads } from "./internal/evidence.js"
import { isUnknown, type WebhookDetails } from "./internal/schema.js"
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
export const configured = (options: ConfiguredOptions): Check.Check<FivetranClient> => {
  const events = options.events ?? DEFAULT_EVENTS
  const wanted = normalize(options.url)
  const scope = options.groupId === undefined ? "account or any group" : `account or group ${options.groupId}`
  const expected = { url: options.url, https: true, active: true, events, scope }
  return Check.make({
    id: "fivetran.webhook.configured",
    title: "Fivetran webhook notifies the product",
    surface,
    category: "monitoring",
    description: "Fivetran sends the product the events it relies on (sync_end, connection_failure, …) to an HTTPS URL.",
    role: READ_ROLE,
    run: orError(Effect.gen(function*() {
      if (!isHttps(options.url)) {
        return Outcome.fail(`the webhook URL ${options.url} is not HTTPS`, {
          observed: options.url,
          expected,
          remediation: "Serve the receiver over HTTPS: Fivetran refuses to create webhooks with http URLs, and payloads carry account data."
        })
      }
      const client = yield* FivetranClient
      const read = yield* client.webhooks
      const matching = read.value.filter((w) => normalize(w.url) === wanted)
      if (matching.length === 0) {
        return withReads(
          Outcome.fail(`no Fivetran webhook delivers to ${options.url}`, {
            observed: { webhooks: read.value.length, urls: read.value.slice(0, 20).map((w) => w.url) },
            expected,
            remediation:
              `Create one: POST /v1/webhooks/account (or /v1/webhooks/group/{groupId}) with url ${options.url}, events ${events.join(", ")}, active true and a secret.`
          }),
          [read.meta]
        )
      }
      const inScope = matching.filter((w) =>
        w.type === "account" || (w.type === "group" && (options.groupId === undefined || w.group_id === options.groupId))
      )
      if (inScope.length === 0) {
        const strange = matching.find((w) => isUnknown(w.type))
        if (strange && isUnknown(strange.type)) {
          return withReads(unknownValue(`webhook ${strange.id}`, "type", strange.type, ["account", "group"]), [read.meta])
        }
      }
      const judged = inScope.map((w) => {
        const missing = events.filter((e) => !w.events.includes(e))
        const problems = [
          ...(w.active ? [] : ["inactive"]),
          ...(missing.length > 0 ? [`missing events ${missing.join(", ")}`] : []),
          ...(isHttps(w.url) ? [] : ["not HTTPS"])
        ]
        return { webhook: w, problems }
      }).sort((a, b) => a.problems.length - b.problems.length)
      const best = judged[0]
      const observed = { webhooks: matching.map(describe) }
      if (best === undefined) {
        return withReads(
          Outcome.fail(`the webhooks delivering to ${options.url} belong to other groups`, {
            observed,
            expected,
            remediation: `Create an account webhook, or a webhook of group ${options.groupId}, for ${options.url}.`
          }),
          [read.meta]
        )
      }
      const w = best.webhook
      if (best.problems.length > 0) {
        return withReads(
          Outcome.fail(`webhook ${w.id} (${describe(w).type}) for ${options.url}: ${best.problems.join("; ")}`, {
            observed,
            expected,
            remediation:
              `Update webhook ${w.id} (PATCH /v1/webhooks/${w.id}) to be active with events ${events.join(", ")}. Activating it makes Fivetran POST a test payload, so the receiver must be up.`
          }),
          [read.meta]
        )
      }
      if (!describe(w).signed) {
        const outcome = options.requireSecret ? Outcome.fail : Outcome.warn
        return withReads(
          outcome(`webhook ${w.id} for ${options.url} has no secret: its payloads are unsigned`, {
            observed,
            expected: { ...expected, signed: true },
            remediation:
              `Set a secret on webhook ${w.id} (PATCH /v1/webhooks/${w.id}) and verify X-Fivetran-Signature-256 in the receiver; without it anyone can forge sync events.`
          }),
          [read.meta]
        )
      }
      return withReads(
        Outcome.pass(`webhook ${w.id} (${describe(w).type}) delivers ${events.join(", ")} to ${options.url}`, {
          observed,
          expected
        }),
        [read.meta]
      )
    }))
  })
}

/** Options of {@link testDelivery}. */
export interface TestDeliveryOptions {
  /** The webhook to test; or give `url` to find the active webhook delivering there. */
  readonly webhookId?: string | undefined
  readonly url?: string | undefined
  /** The event Fivetran sends. Default `sync_end`. */
  readonly event?: string | undefined
}

/**
 * `fivetran.webhook.test-delivery` (active): asks Fivetran to deliver a test
 * event (`POST /v1/webhooks/{id}/test`, for Fivetran's dummy connection) and
 * passes when Fivetran reports a successful delivery: proof that Fivetran,
 * from its own network, reaches the receiver.
 */
export const testDelivery = (options: TestDeliveryOptions): Check.Check<FivetranClient> => {
  const event = options.event ?? "sync_end"
  return Check.make({
    id: "fivetran.webhook.test-delivery",
    title: "Fivetran delivers a test webhook to the product",
    surface,
    category: "monitoring",
    active: true,
    description: "Fivetran can reach the product's webhook receiver from its own network and gets a 2xx.",
    role:
      "Fivetran API key of a user allowed to manage webhooks (Account Administrator in the standard roles; not verified against a narrower custom role)",
    run: orError(Effect.gen(function*() {
      const client = yield* FivetranClient
      const reads = []
      let id = options.webhookId
      if (id === undefined) {
        if (options.url === undefined) {
          return Outcome.error("testDelivery needs a webhookId or a url", {
            remediation: "Pass webhookId, or the url the webhook delivers to."
          })
        }
        const list = yield* client.webhooks
        reads.push(list.meta)
        const wanted = normalize(options.url)
        id = list.value.find((w) => w.active && normalize(w.url) === wanted)?.id
        if (id === undefined) {
          return withReads(
            Outcome.fail(`no active Fivetran webhook delivers to ${options.url}`, {
              expected: { url: options.url, active: true },
              remediation: "Create or activate the webhook first (see fivetran.webhook.configured)."
            }),
            reads
          )
        }
      }
      const result = yield* client.testWebhook(id, event)
      reads.push(result.meta)
      const r = result.value
      const observed = { webhookId: id, event, succeed: r.succeed, status: r.status, message: r.message ?? null }
      const expected = { succeed: true, status: "2xx" }
      return withReads(
        r.succeed && r.status >= 200 && r.status < 300
          ? Outcome.pass(`Fivetran delivered a ${event} test to webhook ${id}: ${r.status}`, { observed, expected })
          : Outcome.fail(`Fivetran could not deliver a ${event} test to webhook ${id}: status ${r.status}${r.message ? ` (${r.message})` : ""}`, {
            observed,
            expected,
            remediation:
              "Make the receiver reachable from the internet over HTTPS with a certificate from a public CA, and answer 2xx to correctly signed payloads."
          }),
        reads
      )
    }))
  })
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
 * Webhook.receiver({ url: "https://api.example.com/hooks/fivetran", secret: Redacted.make(process.env.FIVETRAN_WEBHOOK_SECRET!) })
 */
export const receiver = (options: ReceiverOptions): Check.Check<FivetranClient> => {
  Redaction.register(options.secret)
  return Check.make({
    id: "fivetran.webhook.receiver",
    title: "The product's webhook receiver verifies Fivetran signatures",
    surface,
    category: "security",
    active: true,
    description:
      "The receiver accepts correctly signed sync_end payloads and rejects payloads with a wrong or missing X-Fivetran-Signature-256.",
    role: "No Fivetran role: it calls the product's receiver. Needs the webhook secret.",
    run: Effect.gen(function*() {
      const client = yield* FivetranClient
      const created = yield* now
      const body = (syncId: string) =>
        JSON.stringify(syncEndPayload({
          connectionId: options.connectionId ?? "launchgate_test",
          groupId: options.groupId ?? "launchgate_test",
          syncId,
          created
        }))
      const first = body(randomUUID())
      const wrongSecret = `not-${randomUUID()}`
      const second = body(randomUUID())
      const steps: ReadonlyArray<Step> = [
        { name: "signed (lower-case hex)", body: first, signature: WebhookSignature.sign(first, options.secret), expect: "2xx" },
        {
          name: "signed (upper-case hex, evidence only)",
          body: second,
          signature: WebhookSignature.sign(second, options.secret, { case: "upper" }),
          expect: "evidence"
        },
        { name: "wrong signature", body: first, signature: WebhookSignature.sign(first, wrongSecret), expect: "4xx" },
        { name: "no signature", body: first, signature: undefined, expect: "4xx" }
      ]
      const results: Array<{ step: string; expect: string; status: number | null; error?: string }> = []
      for (const step of steps) {
        const response = yield* Effect.either(post(client.http, options.url, step))
        results.push(
          response._tag === "Right"
            ? { step: step.name, expect: step.expect, status: response.right.status }
            : { step: step.name, expect: step.expect, status: null, error: response.left.message }
        )
      }
      const upper = results.find((r) => r.expect === "evidence")
      const evidence = {
        url: options.url,
        header: WebhookSignature.HEADER,
        steps: results,
        // Unverified which case Fivetran sends: recorded, never judged.
        acceptsUpperCaseHex: upper?.status == null ? null : upper.status >= 200 && upper.status < 300
      }
      const attempts = results.length
      const broken = results.find((r) => r.status === null && r.expect !== "evidence")
      if (broken) {
        return Outcome.error(`could not decide: POST ${options.url} (${broken.step}) failed: ${broken.error}`, {
          evidence,
          attempts,
          remediation: "The receiver did not answer. Check that it is deployed and reachable from where launchgate runs."
        })
      }
      const problems = results.flatMap((r) => {
        if (r.expect === "evidence") return []
        const status = r.status!
        const ok = r.expect === "2xx" ? status >= 200 && status < 300 : status >= 400 && status < 500
        return ok ? [] : [`${r.step} got ${status}, expected ${r.expect}`]
      })
      if (problems.length === 0) {
        return Outcome.pass(`the receiver accepted signed payloads and rejected forged ones`, {
          evidence,
          expected: "2xx for a lower-case hex signature, 4xx for wrong or missing signature",
          attempts
        })
      }
      const acceptsForged = results.some((r) => r.expect === "4xx" && r.status! >= 200 && r.status! < 300)
      return Outcome.fail(`the webhook receiver at ${options.url}: ${problems.join("; ")}`, {
        evidence,
        expected: "2xx for a lower-case hex signature, 4xx for wrong or missing signature",
        attempts,
        remediation: acceptsForged
          ? "The receiver accepts payloads it cannot trust. Verify X-Fivetran-Signature-256 over the raw body (WebhookSignature.verify from @launchgate/fivetran) and answer 401 when it does not match."
          : "The receiver rejects genuine Fivetran payloads. Check it uses the same secret as the webhook, hashes the raw body (not re-serialised JSON), and compares hex case-insensitively."
      })
    })
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
export const ids = ["fivetran.webhook.configured", "fivetran.webhook.test-delivery", "fivetran.webhook.receiver"] as const

