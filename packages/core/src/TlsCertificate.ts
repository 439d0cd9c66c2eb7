/**
 * The TLS certificate check: days until the served certificate expires, that
 * it is valid for the hostname, and that its chain verifies, with warn and
 * fail thresholds on expiry.
 *
 * It opens one TLS connection straight to the target (not through the HTTP
 * proxy) and reads the certificate without sending a request. Time comes from
 * Effect's `Clock`, so tests pin "now" with `TestClock` or the runner's `now`.
 * Extra CAs trusted by the shared transport (`HttpTransport.layer({ ca })`)
 * are trusted here too.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as net from "node:net"
import * as tls from "node:tls"
import * as Check from "./Check.js"
import * as HttpTransport from "./HttpTransport.js"
import * as Http from "./internal/http/common.js"
import * as Outcome from "./Outcome.js"

/** Where to connect. Give a `url`, or a `host` (and `port`). */
export interface Target {
  /** `https://host[:port]`; the port defaults to 443. */
  readonly url?: string | undefined
  readonly host?: string | undefined
  readonly port?: number | undefined
  /** The name the certificate must be valid for. Default: the URL's host. */
  readonly hostname?: string | undefined
  /** SNI server name. Default: `hostname` (never an IP address). */
  readonly servername?: string | undefined
  /** Extra trusted CA certificates (PEM), added to Node's roots and the transport's `ca`. */
  readonly ca?: string | ReadonlyArray<string> | undefined
  /** Connect and handshake timeout. Default 10 seconds. */
  readonly connectTimeout?: Duration.DurationInput | undefined
}

/** Expiry thresholds, in days. */
export interface Thresholds {
  /** Warn when fewer days than this are left. Default 30. */
  readonly warnDays?: number | undefined
  /** Fail when fewer days than this are left. Default 7. An expired certificate always fails. */
  readonly failDays?: number | undefined
}

/** Options of {@link make}. */
export interface Options extends Http.Identity, Target, Thresholds {}

/** One certificate of the served chain. */
export interface ChainEntry {
  readonly subject: string
  readonly issuer: string
  readonly validTo: string
  readonly fingerprint256: string
}

/** What the handshake showed. */
export interface CertificateInfo {
  readonly host: string
  readonly port: number
  /** The name checked against the certificate. */
  readonly hostname: string
  readonly subject: string
  readonly issuer: string
  readonly subjectAltNames: ReadonlyArray<string>
  readonly validFrom: string
  readonly validTo: string
  readonly serialNumber: string
  readonly fingerprint256: string
  readonly protocol: string | null
  /** The served chain, leaf first. */
  readonly chain: ReadonlyArray<ChainEntry>
  /** Did the chain verify against the trusted roots? */
  readonly authorized: boolean
  /** Why not (`SELF_SIGNED_CERT_IN_CHAIN`, `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `CERT_HAS_EXPIRED` …). */
  readonly authorizationError?: string | undefined
  readonly hostnameMatch: boolean
  readonly hostnameError?: string | undefined
}

/** The TLS connection could not be made. */
export class TlsError extends Schema.TaggedError<TlsError>()("TlsError", {
  reason: Schema.Literal("Transport", "Timeout", "InvalidRequest"),
  host: Schema.String,
  port: Schema.Number,
  message: Schema.String,
  code: Schema.optional(Schema.String),
  remediation: Schema.String
}) {}

const DAY = 86_400_000

const nameOf = (fields: Record<string, unknown> | undefined): string => {
  if (!fields) return ""
  const cn = fields["CN"]
  if (typeof cn === "string") return cn
  if (Array.isArray(cn)) return cn.join(", ")
  return Object.entries(fields).map(([k, v]) => `${k}=${String(v)}`).join(", ")
}

const resolveTarget = (target: Target): { host: string; port: number; hostname: string } | undefined => {
  if (target.url !== undefined) {
    try {
      const url = new URL(target.url)
      const host = url.hostname.replace(/^\[|\]$/g, "")
      return { host, port: target.port ?? (url.port ? Number(url.port) : 443), hostname: target.hostname ?? host }
    } catch {
      return undefined
    }
  }
  if (target.host === undefined) return undefined
  return { host: target.host, port: target.port ?? 443, hostname: target.hostname ?? target.host }
}

/**
 * Connect and read the certificate (verification is recorded, not enforced,
 * so an invalid chain is evidence rather than a connection error).
 */
export const inspect = (target: Target): Effect.Effect<CertificateInfo, TlsError> =>
  Effect.gen(function*() {
    const resolved = resolveTarget(target)
    if (!resolved) {
      return yield* new TlsError({
        reason: "InvalidRequest",
        host: String(target.url ?? target.host ?? ""),
        port: target.port ?? 443,
        message: "no valid target: give `url` (https://host:port) or `host`",
        remediation: "Fix the check's url or host."
      })
    }
    const { host, port, hostname } = resolved
    const transport = yield* Effect.serviceOption(HttpTransport.HttpTransport)
    const own = target.ca === undefined ? [] : typeof target.ca === "string" ? [target.ca] : [...target.ca]
    const extra = [...(Option.isSome(transport) ? transport.value.ca ?? [] : []), ...own]
    const servername = target.servername ?? (net.isIP(hostname) ? undefined : hostname)
    const timeout = target.connectTimeout ?? "10 seconds"
    const fail = (reason: "Transport" | "Timeout", detail: string, code?: string) =>
      new TlsError({
        reason,
        host,
        port,
        code,
        message: `TLS connection to ${host}:${port} failed: ${detail}${code ? ` (${code})` : ""}`,
        remediation: reason === "Timeout"
          ? "The TLS handshake did not finish in time: check the host is reachable on this port and serves TLS."
          : "Could not open a TLS connection: check the host, port, firewall, and that the port serves TLS."
      })

    return yield* Effect.async<CertificateInfo, TlsError>((resume) => {
      const socket = tls.connect({
        host,
        port,
        ...(servername !== undefined ? { servername } : {}),
        rejectUnauthorized: false,
        ...(extra.length > 0 ? { ca: [...tls.rootCertificates, ...extra] } : {})
      })
      socket.once("secureConnect", () => {
        const leaf = socket.getPeerCertificate(true)
        if (!leaf || Object.keys(leaf).length === 0) {
          socket.destroy()
          return resume(Effect.fail(fail("Transport", "the server sent no certificate")))
        }
        const chain: Array<ChainEntry> = []
        const seen = new Set<string>()
        for (let c: tls.DetailedPeerCertificate | undefined = leaf; c && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
          seen.add(c.fingerprint256)
          chain.push({
            subject: nameOf(c.subject as unknown as Record<string, unknown>),
            issuer: nameOf(c.issuer as unknown as Record<string, unknown>),
            validTo: new Date(Date.parse(c.valid_to)).toISOString(),
            fingerprint256: c.fingerprint256
          })
        }
        const identity = tls.checkServerIdentity(hostname, leaf)
        const authError = socket.authorizationError
        const info: CertificateInfo = {
          host,
          port,
          hostname,
          subject: nameOf(leaf.subject as unknown as Record<string, unknown>),
          issuer: nameOf(leaf.issuer as unknown as Record<string, unknown>),
          subjectAltNames: (leaf.subjectaltname ?? "").split(",").map((s) => s.trim()).filter((s) => s.length > 0),
          validFrom: new Date(Date.parse(leaf.valid_from)).toISOString(),
          validTo: new Date(Date.parse(leaf.valid_to)).toISOString(),
          serialNumber: leaf.serialNumber,
          fingerprint256: leaf.fingerprint256,
          protocol: socket.getProtocol(),
          chain,
          authorized: socket.authorized,
          ...(authError ? { authorizationError: typeof authError === "string" ? authError : (authError as Error).message } : {}),
          hostnameMatch: identity === undefined,
          ...(identity ? { hostnameError: identity.message } : {})
        }
        socket.end()
        socket.destroy()
        resume(Effect.succeed(info))
      })
      socket.once("error", (error: Error & { code?: string }) => {
        socket.destroy()
        resume(Effect.fail(fail("Transport", error.message, error.code)))
      })
      return Effect.sync(() => socket.destroy())
    }).pipe(
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () => fail("Timeout", "no TLS handshake in time")
      })
    )
  })

/**
 * Judge a certificate at `now` (pure): expiry against the thresholds, the
 * hostname, and the chain. Each is a subject of the outcome.
 */
export const evaluate = (info: CertificateInfo, now: Date, thresholds: Thresholds = {}): Outcome.Outcome => {
  const warnDays = thresholds.warnDays ?? 30
  const failDays = thresholds.failDays ?? 7
  const validTo = Date.parse(info.validTo)
  const validFrom = Date.parse(info.validFrom)
  const daysLeft = (validTo - now.getTime()) / DAY
  const shownDays = Math.floor(daysLeft)
  const renew = "Renew the certificate (and automate renewal, e.g. ACME / managed certificates) before it expires."

  const expiry: Outcome.SubjectOutcome = now.getTime() < validFrom
    ? {
      subject: "expiry",
      ...Outcome.fail(`not valid until ${info.validFrom}`, {
        observed: info.validFrom,
        expected: "validFrom in the past",
        remediation:
          "The certificate is not valid yet: check the issuing system's clock, " +
          "or serve the current certificate."
      })
    }
    : daysLeft <= 0
    ? {
      subject: "expiry",
      ...Outcome.fail(`expired ${-shownDays} day(s) ago (${info.validTo})`, {
        observed: info.validTo,
        expected: `at least ${failDays} days left`,
        remediation: renew
      })
    }
    : daysLeft < failDays
    ? {
      subject: "expiry",
      ...Outcome.fail(`expires in ${shownDays} day(s), under the ${failDays}-day limit`, {
        observed: shownDays,
        expected: `at least ${failDays} days left`,
        remediation: renew
      })
    }
    : daysLeft < warnDays
    ? {
      subject: "expiry",
      ...Outcome.warn(`expires in ${shownDays} day(s), under the ${warnDays}-day warning line`, {
        observed: shownDays,
        expected: `at least ${warnDays} days left`,
        remediation: renew
      })
    }
    : {
      subject: "expiry",
      ...Outcome.pass(`${shownDays} day(s) left`, { observed: shownDays, expected: `at least ${warnDays} days left` })
    }

  const hostname: Outcome.SubjectOutcome = info.hostnameMatch
    ? { subject: "hostname", ...Outcome.pass(`valid for ${info.hostname}`, { observed: info.subjectAltNames, expected: info.hostname }) }
    : {
      subject: "hostname",
      ...Outcome.fail(`not valid for ${info.hostname}`, {
        observed: info.subjectAltNames.length > 0 ? info.subjectAltNames : info.subject,
        expected: info.hostname,
        evidence: { problem: info.hostnameError },
        remediation: `Serve a certificate whose subjectAltName covers ${info.hostname}.`
      })
    }

  const chain: Outcome.SubjectOutcome = info.authorized
    ? {
      subject: "chain",
      ...Outcome.pass(`verifies (issuer ${info.issuer})`, {
        observed: info.chain.map((c) => c.subject),
        expected: "a chain to a trusted root"
      })
    }
    : {
      subject: "chain",
      ...Outcome.fail(`does not verify: ${info.authorizationError ?? "unknown reason"}`, {
        observed: info.authorizationError ?? "unverified",
        expected: "a chain to a trusted root",
        evidence: { chain: info.chain.map((c) => `${c.subject} <- ${c.issuer}`) },
        remediation:
          "Serve the full chain (leaf plus intermediates) from a publicly trusted CA; " +
          "for a private CA, trust it with the transport's or the check's `ca` option."
      })
    }

  const subjects = [expiry, hostname, chain]
  const status = subjects.reduce<Outcome.Status>((acc, s) => Outcome.worst(acc, s.status), "pass")
  const notPassing = subjects.filter((s) => s.status !== "pass")
  const message = notPassing.length === 0
    ? `certificate for ${info.hostname} is valid, ${shownDays} day(s) left`
    : `certificate for ${info.hostname}: ${notPassing.map((s) => `${s.subject} ${s.message}`).join("; ")}`
  return {
    ...Outcome.fromStatus(status, message, {
      observed: { daysLeft: shownDays, hostnameMatch: info.hostnameMatch, authorized: info.authorized },
      expected: { warnDays, failDays, hostname: info.hostname, chain: "trusted" },
      evidence: {
        daysLeft: Math.round(daysLeft * 100) / 100,
        subject: info.subject,
        issuer: info.issuer,
        subjectAltNames: info.subjectAltNames,
        validFrom: info.validFrom,
        validTo: info.validTo,
        serialNumber: info.serialNumber,
        fingerprint256: info.fingerprint256,
        protocol: info.protocol,
        chain: info.chain,
        endpoint: `${info.host}:${info.port}`
      },
      remediation: notPassing.find((s) => s.remediation !== undefined)?.remediation
    }),
    subjects
  }
}

/**
 * A TLS certificate check (category `security`, id `http.<host>.tls-certificate` unless given).
 *
 * @example
 * TlsCertificate.make({ url: "https://api.acme.dev", warnDays: 14, failDays: 3 })
 */
export const make = (options: Options): Check.Check => {
  const resolved = resolveTarget(options)
  const name = resolved ? (resolved.hostname.includes(":") ? `[${resolved.hostname}]` : resolved.hostname) : undefined
  const url = resolved ? `https://${name}${resolved.port === 443 ? "" : `:${resolved.port}`}` : String(options.url ?? options.host)
  return Check.make({
    ...Http.identity(options, {
      url,
      property: "tls-certificate",
      title: `TLS certificate of ${resolved ? `${resolved.hostname}:${resolved.port}` : url} is valid and not about to expire`,
      category: "security",
      description: "The served certificate verifies, matches the hostname, and has more than the warning threshold of days left."
    }),
    run: Effect.gen(function*() {
      const info = yield* inspect(options)
      const now = yield* Clock.currentTimeMillis
      return evaluate(info, new Date(now), options)
    }).pipe(
      Effect.catchTag("TlsError", (e) =>
        Effect.succeed(
          Outcome.error(`could not decide: ${e.message}`, {
            evidence: { endpoint: `${e.host}:${e.port}`, reason: e.reason, ...(e.code !== undefined ? { code: e.code } : {}) },
            remediation: e.remediation
          })
        ))
    )
  })
}
