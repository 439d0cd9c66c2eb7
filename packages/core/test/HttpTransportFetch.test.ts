/**
 * `HttpTransport.toFetch`: the WHATWG `fetch` SDKs (Octokit, Stripe) send through, against the site emulator
 * on loopback. Time bounds are upper bounds with a >= 10x margin, or lower bounds a slower machine only exceeds.
 */
import { it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { describe, expect } from "vitest"
import { HttpTransport } from "../src/index.js"
import { fastTransport, siteScoped } from "./helpers/http.js"
import { certificate } from "./helpers/httpTls.js"

/** The fetch's settled value: the Response, or what it rejected with. */
interface Settled {
  readonly response?: Response
  readonly rejected?: unknown
}

const settle = (promise: Promise<Response>) =>
  Effect.promise((): Promise<Settled> => promise.then((response) => ({ response }), (rejected) => ({ rejected })))

const transport = HttpTransport.HttpTransport

/** The transport's error behind a rejection, asserting the shape SDKs rely on (`cause`, `error`). */
const causeOf = (settled: Settled): HttpTransport.HttpError => {
  expect(settled.rejected).toBeInstanceOf(HttpTransport.FetchFailure)
  const failure = settled.rejected as HttpTransport.FetchFailure
  expect(HttpTransport.isHttpError(failure.cause)).toBe(true)
  expect(failure.error).toBe(failure.cause)
  return failure.cause
}

describe("HttpTransport.toFetch", () => {
  it.scopedLive("returns the answer's status, headers and body; Redacted headers win; counts attempts", () =>
    Effect.gen(function*() {
      const site = yield* siteScoped()
      site.state.pages.set("/thing", { status: 201, headers: { "x-vendor": "v1" }, body: "hello" })
      site.faults.add({ fault: { kind: "status", status: 503 }, path: "/flaky", times: 1 })
      const fetch = HttpTransport.toFetch(yield* transport, {
        methods: ["GET"],
        headers: { "x-tenant": Redacted.make("t-1") }
      })

      const headers = { accept: "text/plain", "X-Tenant": "other" }
      const { response } = yield* settle(fetch(`${site.url}/thing`, { headers }))
      expect(response?.status).toBe(201)
      expect(response?.headers.get("x-vendor")).toBe("v1")
      expect(response?.headers.get(HttpTransport.ATTEMPTS_HEADER)).toBe("1")
      expect(yield* Effect.promise(() => response!.text())).toBe("hello")
      const sent = site.log.find((entry) => entry.path === "/thing")
      // The option's header (a Redacted value, unwrapped only on the wire) wins over the caller's.
      expect(sent?.headers["x-tenant"]).toBe("t-1")
      expect(sent?.headers["accept"]).toBe("text/plain")

      // The transport's retry policy applies: a 503 is retried, and the Response says so.
      const retried = yield* settle(fetch(`${site.url}/flaky`))
      expect(retried.response?.status).toBe(200)
      expect(retried.response?.headers.get(HttpTransport.ATTEMPTS_HEADER)).toBe("2")
      expect(retried.response?.headers.get(HttpTransport.WAITED_HEADER)).not.toBeNull()

      // A method outside `methods` is refused before anything is sent.
      const before = site.log.length
      const refused = yield* settle(fetch(`${site.url}/thing`, { method: "POST", body: "x" }))
      expect(refused.rejected).toBeInstanceOf(TypeError)
      expect(site.log).toHaveLength(before)
    }).pipe(Effect.provide(fastTransport())))

  it.scopedLive("respects the budget: a Retry-After that does not fit fails at once; a hang ends at the budget", () =>
    Effect.gen(function*() {
      const site = yield* siteScoped()
      site.faults.add({ fault: { kind: "rate-limit", retryAfter: 60 }, path: "/busy" })
      site.faults.add({ fault: { kind: "hang" }, path: "/hang" })
      const fetch = HttpTransport.toFetch(yield* transport, { budget: "300 millis", retry: { maxDelay: "2 minutes" } })

      const busy = causeOf(yield* settle(fetch(`${site.url}/busy`)))
      expect(busy).toMatchObject({ reason: "RateLimited", status: 429, retryAfterMs: 60_000 })
      expect(site.log.filter((entry) => entry.path === "/busy")).toHaveLength(1)

      const started = performance.now()
      const hang = causeOf(yield* settle(fetch(`${site.url}/hang`)))
      const ms = performance.now() - started
      expect(hang.reason).toBe("Timeout")
      expect(ms).toBeGreaterThanOrEqual(290)
      // The budget is 300 ms; the bound is 10x that plus slack for a loaded machine.
      expect(ms).toBeLessThan(5_000)
    }).pipe(Effect.provide(fastTransport())))

  it.scopedLive("a TLS failure rejects with the transport's error as cause, without a retry", () =>
    Effect.gen(function*() {
      const site = yield* siteScoped({ tls: certificate({ days: 30 }) })
      const fetch = HttpTransport.toFetch(yield* transport)
      const url = `${site.url.replace("127.0.0.1", "localhost")}/tls`
      const error = causeOf(yield* settle(fetch(url)))
      expect(error.reason).toBe("Transport")
      expect(error.code).toMatch(/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/)
      expect(error.attempts).toBe(1)
      expect(site.log).toHaveLength(0)
    }).pipe(Effect.provide(fastTransport())))
})
