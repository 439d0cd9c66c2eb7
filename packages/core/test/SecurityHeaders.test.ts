import { it } from "@effect/vitest"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { SecurityHeaders } from "../src/http.js"
import { Check, type HttpTransport } from "../src/index.js"
import { fastTransport, siteScoped } from "./helpers/http.js"
import { certificate } from "./helpers/httpTls.js"

const good = {
  "strict-transport-security": "max-age=31536000; includeSubDomains",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'self'"
}

const response = (headers: Record<string, string>, url = "https://app.example/", status = 200): HttpTransport.HttpResponse => ({
  status,
  headers,
  body: "",
  url,
  attempts: 1,
  durationMs: 1
})

const statuses = (outcome: { subjects?: ReadonlyArray<{ subject: string; status: string }> | undefined }) =>
  Object.fromEntries((outcome.subjects ?? []).map((s) => [s.subject, s.status]))

describe("SecurityHeaders", () => {
  it.effect("evaluate: every header present passes; each missing or weak one is named", () =>
    Effect.sync(() => {
      expect(SecurityHeaders.evaluate(response(good)).status).toBe("pass")

      const weak = SecurityHeaders.evaluate(response({
        "strict-transport-security": "max-age=300",
        "x-content-type-options": "sniff-away",
        "x-frame-options": "ALLOW-FROM https://other.example",
        "content-security-policy-report-only": "default-src 'self'"
      }))
      expect(weak.status).toBe("fail")
      expect(statuses(weak)).toEqual({ hsts: "fail", "content-type-options": "fail", "frame-options": "fail", csp: "warn" })
      expect(weak.subjects?.find((s) => s.subject === "csp")?.message).toContain("Report-Only")

      // CSP frame-ancestors stands in for X-Frame-Options; a missing CSP alone is a warning by default.
      const ancestors = SecurityHeaders.evaluate(response({ ...good, "x-frame-options": "", "content-security-policy": "frame-ancestors 'none'; default-src 'self'" }))
      expect(statuses(ancestors)["frame-options"]).toBe("pass")
      const { "content-security-policy": _, ...noCsp } = good
      expect(SecurityHeaders.evaluate(response(noCsp)).status).toBe("warn")
      expect(SecurityHeaders.evaluate(response(noCsp), { csp: "fail" }).status).toBe("fail")
      expect(SecurityHeaders.evaluate(response(noCsp), { csp: "off" }).status).toBe("pass")
      expect(SecurityHeaders.evaluate(response({ ...good, "strict-transport-security": "max-age=600" }), { hstsMinMaxAge: 300 }).status).toBe("pass")

      // HSTS means nothing over plain http: not judged there.
      expect(statuses(SecurityHeaders.evaluate(response({}, "http://app.example/")))["hsts"]).toBe("skip")
      // A server error's headers may be a proxy's: cannot decide.
      expect(SecurityHeaders.evaluate(response(good, "https://app.example/", 502)).status).toBe("error")
    }))

  const pem = certificate({ days: 30 })

  it.scopedLive("checks a real https page: passes with the headers, fails without", () =>
    Effect.gen(function*() {
      const emu = yield* siteScoped({ tls: pem })
      const base = emu.url.replace("127.0.0.1", "localhost")
      emu.state.pages.set("/secure", { headers: good, body: "<html></html>" })
      emu.state.pages.set("/bare", { body: "<html></html>" })
      emu.state.pages.set("/login-redirect", { status: 302, headers: { location: "/secure" } })
      const check = (path: string) => Check.runSafely(SecurityHeaders.make({ url: `${base}${path}` }))

      expect(SecurityHeaders.make({ url: `${base}/secure` })).toMatchObject({
        id: `http.localhost:${emu.port}.security-headers`,
        category: "security"
      })
      expect((yield* check("/secure")).status).toBe("pass")
      const bare = yield* check("/bare")
      expect(bare.status).toBe("fail")
      expect(statuses(bare)).toEqual({ hsts: "fail", "content-type-options": "fail", "frame-options": "fail", csp: "warn" })
      // Redirects are followed to the page a browser lands on.
      expect((yield* check("/login-redirect")).status).toBe("pass")
    }).pipe(Effect.provide(fastTransport({ ca: pem.cert }))))
})
