/**
 * Webhooks: the endpoint is registered, enabled, subscribed to the right
 * events and pinned to the right API version; events are being delivered;
 * and (opt-in, active) the product's receiver rejects forged events.
 *
 * @since 0.1.0
 */
import { Check, HttpTransport, Outcome, Redaction } from "@launchgate/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { randomBytes } from "node:crypto"
import type { BillingClient, Service } from "./BillingClient.js"
import type { Mode, UndeliveredEvent, WebhookEndpoint, WebhookSigner } from "./BillingProvider.js"
import * as Billing from "./internal/checks.js"

const WEBHOOKS = "Dashboard → Developers → Webhooks"
// Stripe: an endpoint's version is fixed at creation (https://docs.stripe.com/api/webhook_endpoints/create).
const VERSION_FIX =
  `Create a new endpoint with an explicit api_version the handler supports (an endpoint's version cannot be ` +
  `changed), switch the product to its signing secret, then delete the old one in ${WEBHOOKS}.`

/** What to do, per finding, for the person reading the report. */
const remediation = {
  noEndpoint: (url: string) => `Add an endpoint for ${url} in ${WEBHOOKS} (or fix the URL the gate expects).`,
  otherMode: (mode: Mode) => `Create the endpoint in ${mode} mode in ${WEBHOOKS}.`,
  disabled: `Enable it in ${WEBHOOKS}. Stripe disables endpoints after days of failed deliveries: fix the receiver ` +
    `first, then resend the failed events.`,
  missingEvents: (id: string) =>
    `Add the missing events to ${id} in ${WEBHOOKS}; until then those events never reach the product.`,
  unpinned: `${VERSION_FIX} The account default changes when someone upgrades the account, and ` +
    `with it every payload the product receives.`,
  unsupportedVersion: VERSION_FIX,
  duplicates: `Delete the extra endpoints in ${WEBHOOKS}, or make sure the receiver deduplicates by event id.`,
  undelivered: `Open the endpoint's recent deliveries in ${WEBHOOKS} to see the receiver's answers; fix the ` +
    `receiver, then resend the failed events (they are retried for up to 3 days).`,
  liveGate: "Run it against a staging receiver (expectedMode: \"test\"), or set allowProduction: true if that is " +
    "really intended.",
  rotation: "During secret rotation Stripe sends one v1 signature per secret: accept the event when any v1 matches " +
    "(stripe.webhooks.constructEvent does).",
  rejectedSigned:
    "Check the receiver's signing secret and that it verifies the raw request body, not re-serialised JSON.",
  serverError: "Reject bad signatures with 400: a 5xx makes Stripe retry, and hides real outages.",
  acceptedForged: "Verify every event with stripe.webhooks.constructEvent(rawBody, signatureHeader, secret) before " +
    "acting on it, and answer 400 when it throws.",
  unreachable: "Check that the receiver URL is reachable from where the gate runs."
} as const

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

/** What `billing.webhook.endpoint` looks for. */
interface Wanted {
  readonly url: string
  readonly events: ReadonlyArray<string>
  readonly live: boolean
  /** The handler's API versions, when named; otherwise the version is reported, not judged. */
  readonly supported: ReadonlyArray<string> | undefined
}

const supportedVersions = (options: EndpointOptions, provider: Service): ReadonlyArray<string> | undefined => {
  if (options.apiVersion === undefined) return provider.webhookApiVersions
  return typeof options.apiVersion === "string" ? [options.apiVersion] : options.apiVersion
}

const expectedOf = (wanted: Wanted) => ({
  url: wanted.url,
  enabled: true,
  livemode: wanted.live,
  events: wanted.events,
  apiVersion: wanted.supported ?? "an explicit version (any; name the handler's versions to check them)"
})

const versionOk = (wanted: Wanted, version: string | null) =>
  version !== null && (wanted.supported === undefined || wanted.supported.includes(version))

/** The enabled endpoint to judge: fewest missing events, then a matching version. */
const bestOf = (enabled: ReadonlyArray<WebhookEndpoint>, wanted: Wanted): WebhookEndpoint =>
  [...enabled].sort((a, b) =>
    missingEvents(a, wanted.events).length - missingEvents(b, wanted.events).length ||
    Number(versionOk(wanted, b.apiVersion)) - Number(versionOk(wanted, a.apiVersion))
  )[0]!

/** Judge the endpoints registered for the product's URL. */
const judgeEndpoints = (endpoints: ReadonlyArray<WebhookEndpoint>, wanted: Wanted): Outcome.Outcome => {
  const expected = expectedOf(wanted)
  const forUrl = endpoints.filter((e) => normalise(e.url) === normalise(wanted.url))
  if (forUrl.length === 0) {
    return Outcome.fail(`no webhook endpoint is registered for ${wanted.url}`, {
      observed: endpoints.map((e) => ({ id: e.id, url: e.url, enabled: e.enabled })),
      expected,
      remediation: remediation.noEndpoint(wanted.url)
    })
  }
  const ofMode = forUrl.filter((e) => e.livemode === wanted.live)
  const enabled = ofMode.filter((e) => e.enabled)
  if (enabled.length > 0) return judgeBest(bestOf(enabled, wanted), enabled, wanted)
  const observed = forUrl.map(describeEndpoint)
  if (ofMode.length === 0) {
    return Outcome.fail(`the endpoint for ${wanted.url} exists only in ${Billing.modeWord(!wanted.live)} mode`, {
      observed,
      expected,
      remediation: remediation.otherMode(Billing.modeWord(wanted.live))
    })
  }
  const ids = ofMode.map((e) => e.id).join(", ")
  return Outcome.fail(`the endpoint for ${wanted.url} is disabled (${ids})`, {
    observed,
    expected,
    remediation: remediation.disabled
  })
}

/** Judge the best enabled endpoint: events, version, then duplicates. */
const judgeBest = (best: WebhookEndpoint, enabled: ReadonlyArray<WebhookEndpoint>, wanted: Wanted) => {
  const expected = expectedOf(wanted)
  const observed = describeEndpoint(best)
  const missing = missingEvents(best, wanted.events)
  if (missing.length > 0) {
    const message = `${best.id} is not subscribed to ${missing.join(", ")}`
    const fix = remediation.missingEvents(best.id)
    return Outcome.fail(message, { observed, expected, evidence: { missing }, remediation: fix })
  }
  if (best.apiVersion === null) {
    const message = `${best.id} has no api_version: events follow the account's default version`
    return Outcome.fail(message, { observed, expected, remediation: remediation.unpinned })
  }
  if (wanted.supported !== undefined && !wanted.supported.includes(best.apiVersion)) {
    const message = `${best.id} renders events with API version ${best.apiVersion}; ` +
      `the handler supports ${wanted.supported.join(", ")}`
    return Outcome.fail(message, { observed, expected, remediation: remediation.unsupportedVersion })
  }
  if (enabled.length > 1) {
    const message = `${enabled.length} enabled endpoints point at ${wanted.url}: ` +
      `each event is delivered ${enabled.length} times`
    const all = enabled.map(describeEndpoint)
    return Outcome.warn(message, { observed: all, expected, remediation: remediation.duplicates })
  }
  const judged = wanted.supported !== undefined
  const message = `${best.id} is enabled, subscribed to ${wanted.events.length} event type(s) ` +
    `and pinned to ${best.apiVersion}`
  const note = judged ? {} : { note: "no handler versions named: the version is reported, not checked" }
  return Outcome.pass(message, {
    observed,
    expected,
    evidence: { apiVersion: best.apiVersion, versionJudged: judged, ...note }
  })
}

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
    description: "The billing provider sends the events the product needs to the product's URL, rendered with the " +
      "API version its code expects.",
    role: "Stripe restricted key with Webhook Endpoints: Read (rak_webhook_read)",
    run: (provider) =>
      Effect.map(provider.webhookEndpoints, (endpoints) =>
        judgeEndpoints(endpoints, {
          url: options.url,
          events: options.events,
          live: Billing.expectedMode(provider, options) === "live",
          supported: supportedVersions(options, provider)
        }))
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

/** Undelivered events old enough to count, by type, as evidence. */
const undelivered = (all: ReadonlyArray<UndeliveredEvent>, options: DeliveryOptions, now: number) => {
  const grace = Duration.toMillis(Duration.decode(options.grace ?? "5 minutes"))
  const typed = all.filter((e) => options.types === undefined || options.types.includes(e.type))
  const events = typed.filter((e) => now - e.created.getTime() >= grace)
  const byType: Record<string, number> = {}
  for (const e of events) byType[e.type] = (byType[e.type] ?? 0) + 1
  const oldest = events.reduce<Date | null>((acc, e) => (acc === null || e.created < acc ? e.created : acc), null)
  const summary = Object.entries(byType).map(([type, n]) => `${type} ×${n}`).join(", ")
  const sample = events.slice(0, 10).map((e) => e.id)
  const inGracePeriod = typed.length - events.length
  return { count: events.length, summary, evidence: { byType, oldest, sample, inGracePeriod } }
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
    description: "Recent events reached every webhook endpoint: the product is not silently missing payments or " +
      "cancellations.",
    role: "Stripe restricted key with Events: Read (rak_event_read)",
    run: (provider) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const window = Duration.decode(options.window ?? "24 hours")
        const since = new Date(Math.floor(now / 60_000) * 60_000 - Duration.toMillis(window))
        const found = undelivered(yield* provider.undeliveredEvents(since), options, now)
        const max = options.maxUndelivered ?? 0
        const last = `in the last ${Duration.format(window)}`
        const details = {
          observed: { undelivered: found.count },
          expected: { undeliveredAtMost: max },
          evidence: { window: Duration.format(window), since: since.toISOString(), ...found.evidence }
        }
        if (found.count > max) {
          const message = `${found.count} event(s) undelivered ${last}: ${found.summary}`
          return Outcome.fail(message, { ...details, remediation: remediation.undelivered })
        }
        if (found.count > 0) {
          const message = `${found.count} event(s) undelivered ${last} (tolerated up to ${max}): ${found.summary}`
          return Outcome.warn(message, { ...details, remediation: remediation.undelivered })
        }
        return Outcome.pass(`every event of the last ${Duration.format(window)} was delivered`, details)
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

interface SignatureCase {
  readonly subject: string
  readonly expect: Expect
  /** The signature header's value; none for the unsigned case. */
  readonly signature: string | undefined
}

const judge = (subject: string, expect: Expect, status: number, body: string) => {
  const observed = { status, body: body.slice(0, 200) }
  const ok = status >= 200 && status < 300
  if (expect === "accept") {
    if (ok) return Outcome.pass(`accepted (${status})`, { observed, expected: "2xx" })
    const fix = subject === "rotation" ? remediation.rotation : remediation.rejectedSigned
    const message = `rejected a correctly signed event (${status})`
    return Outcome.fail(message, { observed, expected: "2xx", remediation: fix })
  }
  if (status >= 400 && status < 500) return Outcome.pass(`rejected (${status})`, { observed, expected: "4xx" })
  const message = ok ? `accepted a forged event (${status})` : `answered ${status} instead of rejecting with 4xx`
  const fix = status >= 500 ? remediation.serverError : remediation.acceptedForged
  return Outcome.fail(message, { observed, expected: "4xx", remediation: fix })
}

/** The signature cases: signed, wrong secret, stale, unsigned, and a rotation header (old secret first). */
const signatureCases = (
  signer: WebhookSigner,
  payload: string,
  options: ReceiverOptions,
  now: number
): ReadonlyArray<SignatureCase> => {
  const secret = Redacted.value(options.secret)
  const stranger = `whsec_${randomBytes(24).toString("base64url")}`
  const previous = options.previousSecret ? Redacted.value(options.previousSecret) : stranger
  const stale = now - signer.toleranceSeconds - 60
  return [
    { subject: "signed", expect: "accept", signature: signer.sign(payload, [secret], now) },
    { subject: "wrong-signature", expect: "reject", signature: signer.sign(payload, [stranger], now) },
    { subject: "stale-timestamp", expect: "reject", signature: signer.sign(payload, [secret], stale) },
    { subject: "unsigned", expect: "reject", signature: undefined },
    { subject: "rotation", expect: "accept", signature: signer.sign(payload, [previous, secret], now) }
  ]
}

/** POST one case to the receiver (no retry: each answer is judged) and judge the answer. */
const sendCase = (http: HttpTransport.Service, options: ReceiverOptions, header: string, payload: string) =>
(testCase: SignatureCase) =>
  http.request({
    method: "POST",
    url: options.url,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "user-agent": "launchgate (webhook receiver check)",
      ...(testCase.signature !== undefined ? { [header]: testCase.signature } : {})
    },
    body: payload,
    retry: false,
    timeout: options.timeout ?? "10 seconds"
  }).pipe(
    Effect.map((response) => judge(testCase.subject, testCase.expect, response.status, response.body)),
    Effect.catchAll((error) =>
      Effect.succeed(Outcome.error(`could not reach the receiver: ${error.message}`, {
        evidence: { reason: error.reason },
        remediation: remediation.unreachable
      }))
    ),
    Effect.map((outcome) => ({ subject: testCase.subject, ...outcome }))
  )

/**
 * The run's transport (the runner always provides it); outside a run, one built for this check. Reading it
 * optionally keeps HttpTransport out of the check's requirements, so a gate's layer need not produce it.
 */
const withTransport = <A, E>(use: (http: HttpTransport.Service) => Effect.Effect<A, E>) =>
  Effect.flatMap(Effect.serviceOption(HttpTransport.HttpTransport), (shared) =>
    Option.isSome(shared)
      ? use(shared.value)
      : Effect.flatMap(HttpTransport.HttpTransport, use).pipe(Effect.provide(HttpTransport.layer())))

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
    description: "The product's webhook receiver accepts only events signed with its secret and recent enough, " +
      "including during secret rotation.",
    role: "No billing API permission; the endpoint's signing secret (whsec_…) and network access to the receiver",
    run: (provider) => {
      if (Billing.expectedMode(provider, options) === "live" && options.allowProduction !== true) {
        const message = "not run: this gate expects live data and the receiver check sends test events"
        return Effect.succeed(Outcome.skip(message, { remediation: remediation.liveGate }))
      }
      const signer = provider.webhookSigner
      const now = Math.floor(Date.now() / 1000)
      const eventId = `evt_launchgate_${randomBytes(8).toString("hex")}`
      const type = options.eventType ?? "launchgate.test"
      const payload = signer.testEvent({ id: eventId, type, createdSeconds: now })
      const cases = signatureCases(signer, payload, options, now)
      return withTransport((http) => Effect.forEach(cases, sendCase(http, options, signer.header, payload))).pipe(
        Effect.map((subjects) =>
          Outcome.fromSubjects(subjects, {
            what: "signature cases",
            evidence: { url: options.url, header: signer.header, eventId, toleranceSeconds: signer.toleranceSeconds }
          })
        )
      )
    }
  })
}
