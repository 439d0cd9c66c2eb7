import { it } from "@effect/vitest"
import { Effect, Redacted, Schema } from "effect"
import { describe, expect } from "vitest"
import { HttpCheck } from "../src/http.js"
import { Check, Redaction } from "../src/index.js"
import { fastTransport, siteScoped } from "./helpers/http.js"

const run = <R>(check: Check.Check<R>) => Check.runSafely(check)

const Version = Schema.Struct({ version: Schema.String, ready: Schema.Boolean })

describe("HttpCheck.make", () => {
  it.scopedLive("passes when status, headers, JSON schema, rule and body text all hold", () =>
    Effect.gen(function*() {
      const emu = yield* siteScoped()
      emu.state.pages.set("/version", {
        headers: { "cache-control": "no-store", "x-release": "r42" },
        json: { version: "1.4.2", ready: true }
      })
      const check = HttpCheck.make({
        url: `${emu.url}/version`,
        expect: {
          status: 200,
          headers: { "Cache-Control": /no-store/, "x-release": "r42", "x-debug": false },
          json: Version,
          satisfies: (v) => v.ready || "not ready",
          bodyContains: "1.4.2",
          bodyMatches: /"version":"\d+\.\d+\.\d+"/
        }
      })
      expect(check).toMatchObject({ id: `http.127.0.0.1:${emu.port}.get-version`, category: "monitoring", active: false })
      const outcome = yield* run(check)
      expect(outcome.status).toBe("pass")
      expect(outcome.evidence["assertions"]).toHaveLength(8)
      expect(outcome.attempts).toBe(1)
    }).pipe(Effect.provide(fastTransport())))

  it.scopedLive("fails on a wrong status, a wrong header, a schema mismatch or a broken rule, naming each", () =>
    Effect.gen(function*() {
      const emu = yield* siteScoped()
      emu.state.pages.set("/version", { headers: { "x-release": "r41" }, json: { version: 142, ready: false } })
      const schemaFail = yield* run(HttpCheck.make({ url: `${emu.url}/version`, expect: { json: Version, headers: { "x-release": "r42" } } }))
      expect(schemaFail.status).toBe("fail")
      expect(schemaFail.message).toContain("json schema")
      expect(schemaFail.message).toContain("header x-release")
      expect(schemaFail.remediation).toBeDefined()

      emu.state.pages.set("/ok", { json: { version: "1", ready: false } })
      const ruleFail = yield* run(HttpCheck.make({ url: `${emu.url}/ok`, expect: { json: Version, satisfies: (v) => v.ready || "the service says it is not ready" } }))
      expect(ruleFail).toMatchObject({ status: "fail" })
      expect(ruleFail.message).toContain("the service says it is not ready")

      emu.state.pages.set("/missing", { status: 404, json: { error: "nope" } })
      const statusFail = yield* run(HttpCheck.make({ url: `${emu.url}/missing` }))
      expect(statusFail).toMatchObject({ status: "fail", evidence: { observed: 404, expected: "2xx" } })

      // A 503 is retried first; after the retries it is still an answer: fail, with the attempts.
      emu.faults.add({ fault: { kind: "status", status: 503 }, path: "/down" })
      const down = yield* run(HttpCheck.make({ url: `${emu.url}/down`, retry: { maxAttempts: 3 } }))
      expect(down).toMatchObject({ status: "fail", attempts: 3 })
      expect(emu.requests({ path: "/down" })).toHaveLength(3)
    }).pipe(Effect.provide(fastTransport())))

  it.scopedLive("cannot decide (error, never pass) on non-JSON, auth failures and connection failures", () =>
    Effect.gen(function*() {
      const emu = yield* siteScoped()
      emu.faults.next({ kind: "malformed-json" })
      const notJson = yield* run(HttpCheck.make({ url: `${emu.url}/v`, expect: { json: Version } }))
      expect(notJson.status).toBe("error")

      emu.state.pages.set("/private", { status: 401, json: { error: "who are you" } })
      const auth = yield* run(HttpCheck.make({ url: `${emu.url}/private` }))
      expect(auth.status).toBe("error")
      expect(auth.remediation).toContain("credentials")
      // …unless a 401 is what the check asserts.
      expect((yield* run(HttpCheck.make({ url: `${emu.url}/private`, expect: { status: 401 } }))).status).toBe("pass")

      emu.faults.add({ fault: { kind: "reset" }, path: "/reset" })
      const reset = yield* run(HttpCheck.make({ url: `${emu.url}/reset`, retry: { maxAttempts: 2 } }))
      expect(reset).toMatchObject({ status: "error", attempts: 2 })
      expect(emu.requests({ path: "/reset" })).toHaveLength(2)
    }).pipe(Effect.provide(fastTransport())))

  it.scopedLive("follows redirects when asked and asserts them otherwise", () =>
    Effect.gen(function*() {
      const emu = yield* siteScoped()
      emu.state.pages.set("/old", { status: 308, headers: { location: "/new" } })
      emu.state.pages.set("/new", { json: { version: "2", ready: true } })
      const followed = yield* run(HttpCheck.make({ url: `${emu.url}/old`, followRedirects: true, expect: { json: Version } }))
      expect(followed.status).toBe("pass")
      expect(followed.evidence["redirects"]).toEqual([{ status: 308, location: `${emu.url}/new` }])

      const asserted = yield* run(HttpCheck.make({ url: `${emu.url}/old`, expect: { redirect: { location: "/new", status: [301, 308] } } }))
      expect(asserted.status).toBe("pass")
      const wrong = yield* run(HttpCheck.make({ url: `${emu.url}/old`, expect: { redirect: { location: "/elsewhere" } } }))
      expect(wrong).toMatchObject({ status: "fail", evidence: { observed: "/new" } })
    }).pipe(Effect.provide(fastTransport())))

  it.scopedLive("httpsRedirect passes on a redirect to https on the same host, fails otherwise", () =>
    Effect.gen(function*() {
      const emu = yield* siteScoped()
      emu.state.pages.set("/good", { status: 301, headers: { location: "https://127.0.0.1/good" } })
      emu.state.pages.set("/other-host", { status: 301, headers: { location: "https://evil.example/good" } })
      emu.state.pages.set("/plain", { status: 302, headers: { location: `${emu.url}/x` } })
      const check = (path: string) => HttpCheck.httpsRedirect({ url: `${emu.url}${path}` })
      expect(check("/good")).toMatchObject({ category: "security", id: `http.127.0.0.1:${emu.port}.https-redirect` })
      expect((yield* run(check("/good"))).status).toBe("pass")
      expect((yield* run(check("/other-host"))).status).toBe("fail")
      expect((yield* run(check("/plain"))).status).toBe("fail")
      expect((yield* run(check("/no-redirect"))).status).toBe("fail")
    }).pipe(Effect.provide(fastTransport())))

  it.scopedLive("writes Redacted headers, registers them as secrets, and makes non-read methods active", () =>
    Effect.gen(function*() {
      const emu = yield* siteScoped()
      emu.state.pages.set("/me", (req) =>
        req.headers["authorization"] === "Bearer tok-abcdef-123456" ? { json: { version: "me", ready: true } } : { status: 403 }
      )
      const token = Redacted.make("Bearer tok-abcdef-123456")
      const outcome = yield* run(HttpCheck.make({ url: `${emu.url}/me`, headers: { authorization: token }, expect: { json: Version } }))
      expect(outcome.status).toBe("pass")
      expect(Redaction.scrub("token tok-abcdef-123456 leaked")).not.toContain("tok-abcdef-123456")
      expect(HttpCheck.make({ url: emu.url, method: "POST" }).active).toBe(true)
      expect(HttpCheck.make({ url: emu.url, method: "POST", active: false }).active).toBe(false)
      expect(HttpCheck.make({ url: emu.url, method: "HEAD", id: "acme.api.head", category: "rollout" })).toMatchObject({
        id: "acme.api.head",
        category: "rollout",
        active: false
      })
    }).pipe(Effect.provide(fastTransport())))

  it.scopedLive("followRedirects: caller headers (Redacted x-api-key, a plain custom one) never reach another origin", () =>
    Effect.gen(function*() {
      const a = yield* siteScoped()
      const b = yield* siteScoped()
      a.state.pages.set("/go", { status: 302, headers: { location: `${b.url}/there` } })
      const seen: Array<Record<string, string>> = []
      b.state.pages.set("/there", (req) => {
        seen.push({ ...req.headers })
        return { json: { ok: true } }
      })
      const outcome = yield* run(HttpCheck.make({
        url: `${a.url}/go`,
        followRedirects: true,
        headers: { "x-api-key": Redacted.make("k-0a1b2c3d4e5f"), "x-customer": "acme" }
      }))
      expect(outcome.status).toBe("pass")
      expect(seen).toHaveLength(1)
      expect(seen[0]!["x-api-key"]).toBeUndefined()
      expect(seen[0]!["x-customer"]).toBeUndefined()
    }).pipe(Effect.provide(fastTransport())))
})
