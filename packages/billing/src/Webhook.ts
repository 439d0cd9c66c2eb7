/**
 * Webhooks: the endpoint is registered, enabled, subscribed to the right
 * events and pinned to the right API version; events are being delivered;
 * and (opt-in, active) the product's receiver rejects forged events.
 *
 * @since 0.1.0
 */
import { Check, HttpTransport, Outcome, Redaction } from "@launchgate/core"
import { Clock, Duration, Effect, Option, Redacted } from "effect"
import { randomBytes } from "node:crypto"
import type { BillingClient } from "./BillingClient.js"
import type { WebhookEndpoint } from "./BillingProvider.js"
import * as Billing from "./internal/checks.js"

const WEBHOOKS = "Dashboard → Developers → Webhooks"
// Stripe: an endpoint's version is fixed at creation (https://docs.stripe.com/api/webhook_endpoints/create, api_version).
const VERSION_REMEDIATION =
  `Create a new endpoint with an explicit api_version the handler supports (an endpoint's version cannot be ` +
  `changed), switch the product to its signing secret, then delete the old one in ${WEBHOOKS}.`

/** Options of {@link endpoint}. */
export interface EndpointOptions extends Billing.ModeOptions {
  /** The product's receiver URL, as registered. */
  readonly url: string
  /** Event types the product handles. */
  readonly events: ReadonlyArray<string>
  /**
   * The API version(s) the product's webhook handler supports. When named, the endpoint's `api_version`
   * must be one of them. Default: the provider's `webhookApiVersion` option, else none, and then the
   * endpoint's version is reported as evidence without judging it: an endpoint keeps the version it was
   * created with (https://docs.stripe.com/api/webhook_endpoints/object, `api_version`: string or null;
   * https://docs.stripe.com/api/webhook_endpoints/create: events use it "instead of your account's default"),
   * so the SDK's newest version is no expectation.
   */
  readonly apiVersion?: string | ReadonlyArray<string> | undefined
}

const normalise = (url: string): string => {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host.toLowerCase()}${u.pathname.replace(/\/+$/, "")}${u.search}`
  } catch {
    return url.trim()
  }
}

const missingEvents = (endpoint: WebhookEndpoint, events: ReadonlyArray<string>) =>
  endpoint.enabledEvents.includes("*") ? [] : events.filter((e) => !endpoint.enabledEvents.includes(e))

const describeEndpoint = (e: WebhookEndpoint) => ({
  id: e.id,
  url: e.url,
  enabled: e.enabled,
  livemode: e.livemode,
  apiVersion: e.apiVersion,
  enabledEvents: e.enabledEvents
})

/**
 * `billing.webhook.endpoint`: an enabled endpoint of the expected mode exists
 * for the product's URL, subscribed to every required event (or `*`), with
 * an explicit `api_version`. A null version (the account default, which
 * changes when someone upgrades the account) fails; when the handler's
 * supported versions are named (`apiVersion` here or the provider's
 * `webhookApiVersion`), a version outside them fails; otherwise the version
 * is reported as evidence, not judged.
 */
export const endpoint = (options: EndpointOptions): Check.Check<BillingClient> =>
  Billing.make({
    id: "billing.webhook.endpoint",
    title: "Webhook endpoint is enabled, subscribed and version-pinned",
    surface: "billing.webhook",
    category: "dependencies",
    description: "The billing provider sends the events the product needs to the product's URL, rendered with the API version its code expects.",
    role: "Stripe restricted key with Webhook Endpoints: Read (rak_webhook_read)",
    run: (provider) =>
      Effect.map(provider.webhookEndpoints, (endpoints) => {
        const live = Billing.expectedMode(provider, options) === "live"
        const supported = options.apiVersion === undefined
          ? provider.webhookApiVersions
          : typeof options.apiVersion === "string"
          ? [options.apiVersion]
          : options.apiVersion
        const versionOk = (v: string | null) => v !== null && (supported === undefined || supported.includes(v))
        const expected = {
          url: options.url,
          enabled: true,
          livemode: live,
          events: options.events,
          apiVersion: supported ?? "an explicit version (any; name the handler's versions to check them)"
        }
        const forUrl = endpoints.filter((e) => normalise(e.url) === normalise(options.url))
        if (forUrl.length === 0) {
          return Outcome.fail(`no webhook endpoint is registered for ${options.url}`, {
            observed: endpoints.map((e) => ({ id: e.id, url: e.url, enabled: e.enabled })),
            expected,
            remediation: `Add an endpoint for ${options.url} in ${WEBHOOKS} (or fix the URL the gate expects).`
          })
        }
        const ofMode = forUrl.filter((e) => e.livemode === live)
        const enabled = ofMode.filter((e) => e.enabled)
        if (enabled.length === 0) {
          return Outcome.fail(
            ofMode.length === 0
              ? `the endpoint for ${options.url} exists only in ${Billing.modeWord(!live)} mode`
              : `the endpoint for ${options.url} is disabled (${ofMode.map((e) => e.id).join(", ")})`,
            {
              observed: forUrl.map(describeEndpoint),
              expected,
              remediation: ofMode.length === 0
                ? `Create the endpoint in ${Billing.modeWord(live)} mode in ${WEBHOOKS}.`
                : `Enable it in ${WEBHOOKS}. Stripe disables endpoints after days of failed deliveries: fix the receiver first, then resend the failed events.`
            }
          )
        }
        // Judge the best enabled endpoint: fewest missing events, then a matching version.
        const ranked = [...enabled].sort((a, b) =>
          missingEvents(a, options.events).length - missingEvents(b, options.events).length ||
          Number(versionOk(b.apiVersion)) - Number(versionOk(a.apiVersion))
        )
        const best = ranked[0]!
        const missing = missingEvents(best, options.events)
        const observed = describeEndpoint(best)
        if (missing.length > 0) {
          return Outcome.fail(`${best.id} is not subscribed to ${missing.join(", ")}`, {
            observed,
            expected,
            evidence: { missing },
            remediation: `Add the missing events to ${best.id} in ${WEBHOOKS}; until then those events never reach the product.`
          })
        }
        if (best.apiVersion === null) {
          return Outcome.fail(`${best.id} has no api_version: events follow the account's default version`, {
            observed,
            expected,
            remediation: `${VERSION_REMEDIATION} The account default changes when someone upgrades the account, and ` +
              `with it every payload the product receives.`
          })
        }
        if (supported !== undefined && !supported.includes(best.apiVersion)) {
          return Outcome.fail(
            `${best.id} renders events with API version ${best.apiVersion}; the handler supports ${supported.join(", ")}`,
            { observed, expected, remediation: VERSION_REMEDIATION }
          )
        }
        if (enabled.length > 1) {
          return Outcome.warn(`${enabled.length} enabled endpoints point at ${options.url}: each event is delivered ${enabled.length} times`, {
            observed: enabled.map(describeEndpoint),
            expected,
            remediation: `Delete the extra endpoints in ${WEBHOOKS}, or make sure the receiver deduplicates by event id.`
          })
        }
        return Outcome.pass(
          `${best.id} is enabled, subscribed to ${options.events.length} event type(s) and pinned to ${best.apiVersion}`,
          {
            observed,
            expected,
            evidence: {
              apiVersion: best.apiVersion,
              versionJudged: supported !== undefined,
              ...(supported === undefined ? { note: "no handler versions named: the version is reported, not checked" } : {})
            }
          }
        )
      })
  })

/** Options of {@link delivery}. */
export interface DeliveryOptions {
  /** How far back to look. Default 24 hours (Stripe keeps events for 30 days). */
  readonly window?: Duration.DurationInput | undefined
  /** Undelivered events tolerated before failing. Default 0 (any undelivered event fails). */
  readonly maxUndelivered?: number | undefined
  /** Ignore events younger than this: their first delivery may still be in flight. Default 5 minutes. */
  readonly grace?: Duration.DurationInput | undefined
  /** Only count these event types. Default: all. */
  readonly types?: ReadonlyArray<string> | undefined
}

/**
 * `billing.webhook.delivery`: events with `delivery_success=false` created in
 * the window, counted by type. More than `maxUndelivered` fails; fewer (but
 * some) warns. The window start is rounded down to the minute so checks of
 * one run share the read.
 */
export const delivery = (options: DeliveryOptions = {}): Check.Check<BillingClient> =>
  Billing.make({
    id: "billing.webhook.delivery",
    title: "Webhook events are being delivered",
    surface: "billing.webhook",
    category: "monitoring",
    description: "Recent events reached every webhook endpoint: the product is not silently missing payments or cancellations.",
    role: "Stripe restricted key with Events: Read (rak_event_read)",
    run: (provider) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const window = Duration.decode(options.window ?? "24 hours")
        const grace = Duration.toMillis(Duration.decode(options.grace ?? "5 minutes"))
        const since = new Date(Math.floor(now / 60_000) * 60_000 - Duration.toMillis(window))
        const all = yield* provider.undeliveredEvents(since)
        const typed = all.filter((e) => options.types === undefined || options.types.includes(e.type))
        const events = typed.filter((e) => now - e.created.getTime() >= grace)
        const byType: Record<string, number> = {}
        for (const e of events) byType[e.type] = (byType[e.type] ?? 0) + 1
        const max = options.maxUndelivered ?? 0
        const evidence = {
          window: Duration.format(window),
          since: since.toISOString(),
          byType,
          oldest: events.reduce<Date | null>((acc, e) => (acc === null || e.created < acc ? e.created : acc), null),
          sample: events.slice(0, 10).map((e) => e.id),
          inGracePeriod: typed.length - events.length
        }
        const observed = { undelivered: events.length }
        const expected = { undeliveredAtMost: max }
        const summary = Object.entries(byType).map(([type, n]) => `${type} ×${n}`).join(", ")
        const remediation =
          `Open the endpoint's recent deliveries in ${WEBHOOKS} to see the receiver's answers; fix the receiver, then resend the failed events (they are retried for up to 3 days).`
        if (events.length > max) {
          return Outcome.fail(`${events.length} event(s) undelivered in the last ${Duration.format(window)}: ${summary}`, {
            observed,
            expected,
            evidence,
            remediation
          })
        }
        if (events.length > 0) {
          return Outcome.warn(`${events.length} event(s) undelivered in the last ${Duration.format(window)} (tolerated up to ${max}): ${summary}`, {
            observed,
            expected,
            evidence,
            remediation
          })
        }
        return Outcome.pass(`every event of the last ${Duration.format(window)} was delivered`, { observed, expected, evidence })
      })
  })

/** Options of {@link receiver}. */
export interface ReceiverOptions extends Billing.ModeOptions {
  /** The product's webhook receiver URL (a staging deployment). */
  readonly url: string
  /** The endpoint's signing secret the receiver is configured with (`whsec_…`). */
  readonly secret: Redacted.Redacted<string>
  /**
   * The previous secret during a rotation. The rotation case sends a header
   * signed with it first and the current secret second; without it, an
   * unknown secret stands in for the old one.
   */
  readonly previousSecret?: Redacted.Redacted<string> | undefined
  /** The test event's type. Receivers should answer 2xx for types they ignore. Default `launchgate.test`. */
  readonly eventType?: string | undefined
  /** Allow running against a gate that expects live data. Default false. */
  readonly allowProduction?: boolean | undefined
  /** Per-request timeout. Default 10 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
}

type Expect = "accept" | "reject"

const judge = (subject: string, expect: Expect, status: number, body: string) => {
  const observed = { status, body: body.slice(0, 200) }
  if (expect === "accept") {
    return status >= 200 && status < 300
      ? Outcome.pass(`accepted (${status})`, { observed, expected: "2xx" })
      : Outcome.fail(`rejected a correctly signed event (${status})`, {
        observed,
        expected: "2xx",
        remediation: subject === "rotation"
          ? "During secret rotation Stripe sends one v1 signature per secret: accept the event when any v1 matches (stripe.webhooks.constructEvent does)."
          : "Check the receiver's signing secret and that it verifies the raw request body, not re-serialised JSON."
      })
  }
  if (status >= 400 && status < 500) return Outcome.pass(`rejected (${status})`, { observed, expected: "4xx" })
  return Outcome.fail(
    status >= 200 && status < 300 ? `accepted a forged event (${status})` : `answered ${status} instead of rejecting with 4xx`,
    {
      observed,
      expected: "4xx",
      remediation: status >= 500
        ? "Reject bad signatures with 400: a 5xx makes Stripe retry, and hides real outages."
        : "Verify every event with stripe.webhooks.constructEvent(rawBody, signatureHeader, secret) before acting on it, and answer 400 when it throws."
    }
  )
}

/**
 * `billing.webhook.receiver` (active: it POSTs to the product): sends a
 * correctly signed test event (expects 2xx), then the same event with a
 * wrong signature, with a timestamp outside the tolerance, and unsigned (each
 * expects 4xx), and a header with two `v1` signatures as during secret
 * rotation, the valid one second (expects 2xx). Skipped on gates expecting
 * live data unless `allowProduction`. Uses the run's `HttpTransport`
 * (the runner provides it; the check builds one when run on its own).
 *
 * Signature timestamps use the wall clock on purpose: the receiver compares
 * them with its own.
 */
export const receiver = (options: ReceiverOptions): Check.Check<BillingClient> => {
  Redaction.register(options.secret)
  if (options.previousSecret) Redaction.register(options.previousSecret)
  return Billing.make({
    id: "billing.webhook.receiver",
    title: "Webhook receiver rejects forged and replayed events",
    surface: "billing.webhook",
    category: "security",
    active: true,
    description: "The product's webhook receiver accepts only events signed with its secret and recent enough, including during secret rotation.",
    role: "No billing API permission; the endpoint's signing secret (whsec_…) and network access to the receiver",
    run: (provider) =>
      Effect.gen(function*() {
        if (Billing.expectedMode(provider, options) === "live" && options.allowProduction !== true) {
          return Outcome.skip("not run: this gate expects live data and the receiver check sends test events", {
            remediation: "Run it against a staging receiver (expectedMode: \"test\"), or set allowProduction: true if that is really intended."
          })
        }
        const signer = provider.webhookSigner
        const now = Math.floor(Date.now() / 1000)
        const eventId = `evt_launchgate_${randomBytes(8).toString("hex")}`
        const payload = signer.testEvent({ id: eventId, type: options.eventType ?? "launchgate.test", createdSeconds: now })
        const secret = Redacted.value(options.secret)
        const stranger = `whsec_${randomBytes(24).toString("base64url")}`
        const previous = options.previousSecret ? Redacted.value(options.previousSecret) : stranger
        const cases: ReadonlyArray<{ subject: string; expect: Expect; signature: string | undefined }> = [
          { subject: "signed", expect: "accept", signature: signer.sign(payload, [secret], now) },
          { subject: "wrong-signature", expect: "reject", signature: signer.sign(payload, [stranger], now) },
          {
            subject: "stale-timestamp",
            expect: "reject",
            signature: signer.sign(payload, [secret], now - signer.toleranceSeconds - 60)
          },
          { subject: "unsigned", expect: "reject", signature: undefined },
          { subject: "rotation", expect: "accept", signature: signer.sign(payload, [previous, secret], now) }
        ]
        const send = (http: HttpTransport.Service) => Effect.forEach(cases, ({ expect, signature, subject }) =>
          http.request({
            method: "POST",
            url: options.url,
            headers: {
              "content-type": "application/json; charset=utf-8",
              "user-agent": "launchgate (webhook receiver check)",
              ...(signature !== undefined ? { [signer.header]: signature } : {})
            },
            body: payload,
            retry: false,
            timeout: options.timeout ?? "10 seconds"
          }).pipe(
            Effect.map((response) => ({ subject, ...judge(subject, expect, response.status, response.body) })),
            Effect.catchAll((error) =>
              Effect.succeed({
                subject,
                ...Outcome.error(`could not reach the receiver: ${error.message}`, {
                  evidence: { reason: error.reason },
                  remediation: "Check that the receiver URL is reachable from where the gate runs."
                })
              })
            )
          ))
        // The runner always provides the shared transport; outside a run, a transport is built for this check.
        // (Reading it optionally keeps HttpTransport out of the check's requirements, so a gate's layer
        // need not produce it.)
        const subjects = yield* Option.match(yield* Effect.serviceOption(HttpTransport.HttpTransport), {
          onSome: send,
          onNone: () => Effect.flatMap(HttpTransport.HttpTransport, send).pipe(Effect.provide(HttpTransport.layer()))
        })
        return Outcome.fromSubjects(subjects, {
          what: "signature cases",
          evidence: { url: options.url, header: signer.header, eventId, toleranceSeconds: signer.toleranceSeconds }
        })
      })
  })
}
