import { it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { beforeAll, describe, expect } from "vitest"
import { Emulator } from "../src/emulator/index.js"
import { TlsCertificate } from "../src/http.js"
import { Check, HttpTransport } from "../src/index.js"
import { site } from "./helpers/http.js"
import { certificate, type Pem } from "./helpers/httpTls.js"

const DAY = 86_400_000

/** An HTTPS emulator serving `pem`, for the current scope. */
const serve = (pem: Pem) => Emulator.scoped(site, { tls: pem })

/** Run a check with "now" pinned on the TestClock; TLS I/O is real. */
const runAt = <R>(check: Check.Check<R>, now: number) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(now)
    return yield* Check.runSafely(check)
  })

describe("TlsCertificate", () => {
  let fresh: Pem
  let tenDays: Pem
  let expired: Pem
  let wrongHost: Pem
  beforeAll(() => {
    fresh = certificate({ days: 90 })
    tenDays = certificate({ days: 10 })
    expired = certificate({ days: -2, notBefore: new Date(Date.now() - 30 * DAY) })
    wrongHost = certificate({ days: 90, dnsNames: ["www.example.test"], ips: [] })
  })

  it.scoped("passes for a trusted certificate with plenty of days left, reporting each property", () =>
    Effect.gen(function*() {
      const emu = yield* serve(fresh)
      const check = TlsCertificate.make({ url: emu.url.replace("127.0.0.1", "localhost"), ca: fresh.cert })
      expect(check).toMatchObject({ id: `http.localhost:${emu.port}.tls-certificate`, category: "security" })
      const outcome = yield* runAt(check, Date.now())
      expect(outcome.status).toBe("pass")
      expect(outcome.subjects?.map((s) => [s.subject, s.status])).toEqual([["expiry", "pass"], ["hostname", "pass"], ["chain", "pass"]])
      expect(outcome.evidence).toMatchObject({ subject: "localhost", protocol: expect.stringMatching(/^TLSv1\.[23]$/) })
      expect(outcome.evidence["daysLeft"]).toBeGreaterThan(89)
      // No HTTP request was sent: the check only reads the certificate.
      expect(emu.log).toHaveLength(0)
    }))

  it.scoped("a certificate valid for 10 days warns at a 14-day threshold and fails at a 14-day fail threshold", () =>
    Effect.gen(function*() {
      const emu = yield* serve(tenDays)
      const url = emu.url.replace("127.0.0.1", "localhost")
      const warn = yield* runAt(TlsCertificate.make({ url, ca: tenDays.cert, warnDays: 14, failDays: 3 }), Date.now())
      expect(warn.status).toBe("warn")
      expect(warn.subjects?.[0]).toMatchObject({ subject: "expiry", status: "warn", evidence: { observed: 9 } })
      const fail = yield* runAt(TlsCertificate.make({ url, ca: tenDays.cert, warnDays: 30, failDays: 14 }), Date.now())
      expect(fail.status).toBe("fail")
      expect(fail.remediation).toContain("Renew")
      // The same certificate seen from 20 days later (injected clock) has expired.
      const later = yield* runAt(TlsCertificate.make({ url, ca: tenDays.cert }), Date.now() + 20 * DAY)
      expect(later.status).toBe("fail")
      expect(later.subjects?.[0]?.message).toMatch(/^expired/)
    }))

  it.scoped("an expired certificate fails on expiry and on the chain", () =>
    Effect.gen(function*() {
      const emu = yield* serve(expired)
      const outcome = yield* runAt(TlsCertificate.make({ url: emu.url.replace("127.0.0.1", "localhost"), ca: expired.cert }), Date.now())
      expect(outcome.status).toBe("fail")
      expect(outcome.subjects?.find((s) => s.subject === "expiry")).toMatchObject({ status: "fail" })
      expect(outcome.subjects?.find((s) => s.subject === "chain")).toMatchObject({ status: "fail", evidence: { observed: "CERT_HAS_EXPIRED" } })
    }))

  it.scoped("fails on a hostname mismatch and on an untrusted (self-signed) chain", () =>
    Effect.gen(function*() {
      const other = yield* serve(wrongHost)
      const mismatch = yield* runAt(TlsCertificate.make({ url: other.url.replace("127.0.0.1", "localhost"), ca: wrongHost.cert }), Date.now())
      expect(mismatch.status).toBe("fail")
      expect(mismatch.subjects?.find((s) => s.subject === "hostname")).toMatchObject({ status: "fail", evidence: { expected: "localhost" } })
      // Asking for the name the certificate was issued for (SNI and identity) passes.
      const right = yield* runAt(TlsCertificate.make({ url: other.url, hostname: "www.example.test", ca: wrongHost.cert }), Date.now())
      expect(right.status).toBe("pass")

      const emu = yield* serve(fresh)
      const untrusted = yield* runAt(TlsCertificate.make({ url: emu.url.replace("127.0.0.1", "localhost") }), Date.now())
      expect(untrusted.status).toBe("fail")
      expect(untrusted.subjects?.find((s) => s.subject === "chain")?.evidence["observed"]).toMatch(/SELF_SIGNED/)
    }))

  it.scoped("trusts the CAs of the shared transport", () =>
    Effect.gen(function*() {
      const emu = yield* serve(fresh)
      const check = TlsCertificate.make({ url: emu.url.replace("127.0.0.1", "localhost") })
      const outcome = yield* runAt(check, Date.now()).pipe(Effect.provide(HttpTransport.layer({ ca: fresh.cert })))
      expect(outcome.status).toBe("pass")
    }))

  it.scoped("cannot decide (error) when nothing answers, when the port does not speak TLS, or the target is invalid", () =>
    Effect.gen(function*() {
      const closed = yield* Effect.promise(() => Emulator.start(site))
      yield* Effect.promise(() => closed.close())
      const refused = yield* runAt(TlsCertificate.make({ host: "127.0.0.1", port: closed.port }), Date.now())
      expect(refused).toMatchObject({ status: "error", evidence: { code: "ECONNREFUSED" } })

      const plain = yield* Emulator.scoped(site)
      const notTls = yield* runAt(TlsCertificate.make({ url: plain.url.replace("http:", "https:") }), Date.now())
      expect(notTls.status).toBe("error")

      expect((yield* runAt(TlsCertificate.make({ url: "::not a url::" }), Date.now())).status).toBe("error")
    }))
})
