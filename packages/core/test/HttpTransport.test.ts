import { it } from "@effect/vitest"
import { Chunk, Clock, Duration, Effect, Exit, Fiber, Redacted, Schedule, TestClock } from "effect"
import { describe, expect } from "vitest"
import { Emulator } from "../src/emulator/index.js"
import { HttpCheck } from "../src/http.js"
import { Check, Gate, HttpTransport, Outcome, Runner } from "../src/index.js"
import { RealTimeSleep, sleepsInRealTime } from "../src/internal/realTimeClock.js"
import { fastTransport, openTcpHandles, realSleep, siteScoped, startProxy, until, untilEffect } from "./helpers/http.js"
import { certificate } from "./helpers/httpTls.js"

const request = (req: HttpTransport.HttpRequest) => Effect.flatMap(HttpTransport.HttpTransport, (t) => t.request(req))

const response = (status: number, headers: Record<string, string> = {}): HttpTransport.HttpResponse => ({
  status,
  headers,
  body: "",
  url: "http://127.0.0.1/",
  attempts: 1,
  durationMs: 1
})

describe("HttpTransport retry schedule", () => {
  it.effect("backs off exponentially with jitter, honours Retry-After, caps every wait, and stops at maxAttempts", () =>
    Effect.gen(function*() {
      const policy = { maxAttempts: 4, baseDelay: "100 millis", maxDelay: "1 second" } as const
      const delays = (inputs: ReadonlyArray<HttpTransport.HttpResponse>) =>
        Effect.map(
          Schedule.run(Schedule.delays(HttpTransport.retrySchedule(policy)), 0, inputs),
          (chunk) => Chunk.toReadonlyArray(chunk).map(Duration.toMillis)
        )

      const backoff = yield* delays([response(503), response(503), response(503), response(503), response(503)])
      // Three retries for four attempts, each 50–100 % of 100, 200, 400 ms; the fourth input ends the schedule.
      expect(backoff).toHaveLength(4)
      expect(backoff[3]).toBe(0)
      backoff.slice(0, 3).forEach((d, i) => {
        expect(d).toBeGreaterThanOrEqual(100 * 2 ** i * 0.5)
        expect(d).toBeLessThanOrEqual(100 * 2 ** i)
      })

      expect(yield* delays([response(429, { "retry-after": "0.3" })])).toEqual([300])
      // A server asking for more than maxDelay gets maxDelay.
      expect(yield* delays([response(429, { "retry-after": "120" })])).toEqual([1000])
      // HTTP-date, relative to the Clock's now (TestClock: the epoch).
      expect(yield* delays([response(503, { "retry-after": new Date(700).toUTCString() })])).toEqual([0])
      yield* TestClock.setTime(Date.parse("2030-01-01T00:00:00Z"))
      expect(yield* delays([response(503, { "retry-after": "Tue, 01 Jan 2030 00:00:00 GMT" })])).toEqual([0])
      // Not retryable: the schedule ends at the first input (Schedule.run reports the end as one zero).
      expect(yield* delays([response(500), response(500)])).toEqual([0])
      expect(yield* delays([response(404), response(404)])).toEqual([0])
    }))

  it.effect("isRetryable: 408/429/502/503/504 and connection errors; not 500, TLS failures or malformed URLs", () =>
    Effect.sync(() => {
      for (const s of [408, 429, 502, 503, 504]) expect(HttpTransport.isRetryable(response(s))).toBe(true)
      for (const s of [200, 301, 400, 401, 404, 500]) expect(HttpTransport.isRetryable(response(s))).toBe(false)
      const err = (reason: HttpTransport.HttpErrorReason, code?: string) =>
        new HttpTransport.HttpError({ reason, method: "GET", url: "u", message: "m", attempts: 1, code })
      expect(HttpTransport.isRetryable(err("Transport", "ECONNRESET"))).toBe(true)
      expect(HttpTransport.isRetryable(err("Timeout"))).toBe(true)
      expect(HttpTransport.isRetryable(err("Transport", "DEPTH_ZERO_SELF_SIGNED_CERT"))).toBe(false)
      expect(HttpTransport.isRetryable(err("InvalidRequest"))).toBe(false)
      expect(HttpTransport.isRetryable(response(500), { retryOn: (r) => r.status >= 500 })).toBe(true)
    }))

  it.effect("waits exactly what Retry-After asks (seconds and HTTP-date) on the Effect clock", () =>
    Effect.gen(function*() {
      const emulator = yield* siteScoped()
      for (const retryAfter of [30, "date"] as const) {
        emulator.clearLog()
        const now = yield* TestClock.currentTimeMillis
        // An HTTP-date is read against the response's own Date header (the server's clock), which the
        // fault sets to the TestClock's now; the run's clock is not the server's.
        emulator.faults.next(
          retryAfter === "date"
            ? { kind: "rate-limit", retryAfter: new Date(now + 45_000), headers: { date: new Date(now).toUTCString() } }
            : { kind: "rate-limit", retryAfter }
        )
        const fiber = yield* Effect.fork(request({ url: `${emulator.url}/limited`, retry: { maxDelay: "1 minute" } }))
        const wanted = now + (retryAfter === "date" ? 45_000 : 30_000)
        // Real I/O happens meanwhile; wait until the retry's sleep is registered with the TestClock.
        let sleeps: ReadonlyArray<number> = []
        while (!sleeps.includes(wanted)) {
          yield* untilEffect(() => emulator.log.length >= 1)
          yield* Effect.promise(() => new Promise((r) => setTimeout(r, 2)))
          sleeps = Chunk.toReadonlyArray(yield* TestClock.sleeps())
        }
        expect(emulator.log).toHaveLength(1)
        yield* TestClock.adjust(Duration.millis(wanted - now - 1))
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 20)))
        expect(emulator.log).toHaveLength(1)
        yield* TestClock.adjust("1 millis")
        const res = yield* Fiber.join(fiber)
        expect(res).toMatchObject({ status: 200, attempts: 2 })
        expect(emulator.log).toHaveLength(2)
      }
    }).pipe(Effect.provide(fastTransport()), Effect.scoped))
})

describe("the per-attempt timeout on each kind of clock", () => {
  it.effect("which clocks sleep in real time: Effect's live clock and the runner's pinned clock, not TestClock", () =>
    Effect.gen(function*() {
      expect(sleepsInRealTime(yield* Effect.clock)).toBe(false)
      expect(sleepsInRealTime(Clock.make())).toBe(true)
      expect(sleepsInRealTime(Runner.pinnedClock(new Date("2030-01-01T00:00:00Z")))).toBe(true)
      // A hand-made clock is not trusted to sleep in real time.
      const { [RealTimeSleep]: _, ...unmarked } = Runner.pinnedClock(new Date()) as Clock.Clock & { [RealTimeSleep]?: true }
      expect(sleepsInRealTime(unmarked as Clock.Clock)).toBe(false)
    }))

  it.effect("under TestClock the timeout is one of the clock's sleeps, and fires when the clock passes it", () =>
    Effect.gen(function*() {
      const emulator = yield* siteScoped()
      emulator.faults.next({ kind: "hang" })
      const fiber = yield* Effect.fork(Effect.flip(request({ url: `${emulator.url}/hang`, timeout: "5 seconds", retry: false })))
      // Real I/O happens meanwhile; wait until the timeout's sleep is registered with the TestClock.
      while (!Chunk.toReadonlyArray(yield* TestClock.sleeps()).includes(5_000)) yield* realSleep(2)
      yield* TestClock.adjust("5 seconds")
      const error = yield* Fiber.join(fiber)
      expect(error).toMatchObject({ _tag: "HttpError", reason: "Timeout", attempts: 1 })
      expect(error.message).toContain("no complete response within 5s")
    }).pipe(Effect.provide(fastTransport()), Effect.scoped))

  it.live("under the runner's pinned clock the timeout is real time: the same Timeout error", () =>
    Effect.gen(function*() {
      const emulator = yield* siteScoped()
      emulator.faults.next({ kind: "hang" })
      const error = yield* Effect.flip(request({ url: `${emulator.url}/hang`, timeout: "300 millis", retry: false }))
      expect(error).toMatchObject({ _tag: "HttpError", reason: "Timeout", attempts: 1 })
      expect(error.message).toContain("no complete response within 300ms")
      // The exchange was abandoned: the emulator saw one request and the socket is released for the next.
      expect(yield* request({ url: `${emulator.url}/after` })).toMatchObject({ status: 200, attempts: 1 })
    }).pipe(Effect.withClock(Runner.pinnedClock(new Date("2030-01-01T00:00:00Z"))), Effect.provide(fastTransport()), Effect.scoped))
})

describe("Retry-After HTTP-dates use the server's clock", () => {
  it("measures the date against the response's Date header, not the caller's (possibly pinned) clock", () => {
    const res = (headers: Record<string, string>) => ({ ...response(429, headers) })
    const served = "Wed, 02 Dec 2026 10:00:00 GMT"
    const asked = "Wed, 02 Dec 2026 10:00:08 GMT"
    // The run's clock is pinned months earlier: without the Date header the wait would be ~9 months.
    const pinned = Date.parse("2026-03-02T12:00:00Z")
    const wait = HttpTransport.requestedDelay(res({ "retry-after": asked, date: served }), {}, pinned)
    expect(wait && Duration.toMillis(wait)).toBe(8_000)
    // Without a Date header the caller's clock is all there is.
    const fallback = HttpTransport.requestedDelay(res({ "retry-after": asked }), {}, Date.parse(served))
    expect(fallback && Duration.toMillis(fallback)).toBe(8_000)
    // delay-seconds need no reference.
    const seconds = HttpTransport.requestedDelay(res({ "retry-after": "3", date: served }), {}, pinned)
    expect(seconds && Duration.toMillis(seconds)).toBe(3_000)
  })
})

describe("HttpTransport retries against emulator faults (attempts counted from the request log)", () => {
  it.scopedLive("retries 502/503/504/429/408 on reads until success", () =>
    Effect.gen(function*() {
      const emulator = yield* siteScoped()
      for (const status of [502, 503, 504, 408]) {
        emulator.clearLog()
        emulator.faults.next({ kind: "status", status }, { times: 2 })
        const res = yield* request({ url: `${emulator.url}/r` })
        expect(res).toMatchObject({ status: 200, attempts: 3 })
        expect(emulator.requests({ path: "/r" })).toHaveLength(3)
      }
      emulator.clearLog()
      emulator.faults.next({ kind: "rate-limit", retryAfter: 0 }, { times: 3 })
      expect(yield* request({ url: `${emulator.url}/r` })).toMatchObject({ status: 200, attempts: 4 })
      expect(emulator.log.map((e) => e.status)).toEqual([429, 429, 429, 200])
    }).pipe(Effect.provide(fastTransport())))

  it.scopedLive("retries connection resets and truncated bodies; not malformed JSON (a 200 is an answer)", () =>
    Effect.gen(function*() {
      const emulator = yield* siteScoped()
      emulator.faults.next({ kind: "reset" }, { times: 2 })
      expect(yield* request({ url: `${emulator.url}/reset` })).toMatchObject({ status: 200, attempts: 3 })
      expect(emulator.requests({ path: "/reset" }).map((e) => e.fault ?? "none")).toEqual(["reset", "reset", "none"])

      emulator.faults.next({ kind: "truncate" })
      const truncated = yield* request({ url: `${emulator.url}/truncate` })
      expect(truncated).toMatchObject({ status: 200, attempts: 2 })
      expect(JSON.parse(truncated.body)).toEqual({ ok: true })
      expect(emulator.requests({ path: "/truncate" })).toHaveLength(2)

      emulator.faults.next({ kind: "malformed-json" })
      const malformed = yield* request({ url: `${emulator.url}/malformed` })
      expect(malformed.attempts).toBe(1)
      expect(() => JSON.parse(malformed.body)).toThrow()
    }).pipe(Effect.provide(fastTransport())))

  it.scopedLive("a per-attempt timeout covers the whole exchange (slow headers and slow-drip bodies), and is retried", () =>
    Effect.gen(function*() {
      const emulator = yield* siteScoped()
      // The first attempt never answers; the retry has a second, hundreds of times what loopback needs.
      emulator.faults.next({ kind: "hang" })
      const slow = yield* request({ url: `${emulator.url}/slow`, timeout: "1 second" })
      expect(slow).toMatchObject({ status: 200, attempts: 2 })

      // 12 bytes at 300 ms each (3.6 s): every chunk beats undici's idle body timeout, the whole body does
      // not; the bound is 10x the two 1-second attempts.
      emulator.faults.add({ fault: { kind: "slow-drip", chunkMs: 300 }, path: "/drip" })
      const started = Date.now()
      const drip = yield* Effect.flip(request({ url: `${emulator.url}/drip`, timeout: "1 second", retry: { maxAttempts: 2 } }))
      expect(Date.now() - started).toBeLessThan(20_000)
      expect(drip).toMatchObject({ _tag: "HttpError", reason: "Timeout", attempts: 2 })
      expect(emulator.requests({ path: "/drip" })).toHaveLength(2)
    }).pipe(Effect.provide(fastTransport())))

  it.scopedLive("gives up after maxAttempts: the last retryable response is returned, a transport error fails", () =>
    Effect.gen(function*() {
      const emulator = yield* siteScoped()
      emulator.faults.add({ fault: { kind: "status", status: 503 }, path: "/down" })
      const res = yield* request({ url: `${emulator.url}/down`, retry: { maxAttempts: 3 } })
      expect(res).toMatchObject({ status: 503, attempts: 3 })
      expect(emulator.requests({ path: "/down" })).toHaveLength(3)

      emulator.faults.add({ fault: { kind: "reset" }, path: "/gone" })
      const error = yield* Effect.flip(request({ url: `${emulator.url}/gone`, retry: { maxAttempts: 2 } }))
      expect(error).toMatchObject({ _tag: "HttpError", reason: "Transport", attempts: 2 })
      expect(error.remediation).toBeDefined()
      expect(emulator.requests({ path: "/gone" })).toHaveLength(2)
    }).pipe(Effect.provide(fastTransport())))

  it.scopedLive("never retries non-idempotent methods unless told, nor when retry is false", () =>
    Effect.gen(function*() {
      const emulator = yield* siteScoped()
      emulator.faults.add({ fault: { kind: "status", status: 503 }, path: "/post" })
      expect(yield* request({ url: `${emulator.url}/post`, method: "POST", body: "{}" })).toMatchObject({ status: 503, attempts: 1 })
      expect(emulator.requests({ path: "/post" })).toHaveLength(1)
      yield* request({ url: `${emulator.url}/post`, method: "POST", body: "{}", retry: { unsafe: true, maxAttempts: 2 } })
      expect(emulator.requests({ path: "/post" })).toHaveLength(3)
      yield* request({ url: `${emulator.url}/post`, retry: false })
      expect(emulator.requests({ path: "/post" })).toHaveLength(4)
    }).pipe(Effect.provide(fastTransport())))

  it.live("retries are bounded by the check's timeout: the runner interrupts the wait", () =>
    Effect.gen(function*() {
      const emulator = yield* Effect.promise(() => Emulator.start(siteDefinition()))
      emulator.faults.add({ fault: { kind: "rate-limit", retryAfter: 5 }, path: "/busy" })
      const check = Check.make({
        id: "acme.api.busy",
        title: "busy",
        surface: "acme.api",
        category: "capacity",
        timeout: "300 millis",
        run: Effect.map(request({ url: `${emulator.url}/busy`, retry: { maxAttempts: 10, maxDelay: "1 minute" } }), (r) =>
          Outcome.pass(`status ${r.status}`))
      })
      const started = Date.now()
      const report = yield* Runner.run(Gate.make({
        name: "bounded",
        items: [{ check, tier: "launch-critical", owner: "platform" }],
        rollback: { "acme.api": { procedure: "roll back" } }
      }))
      // Only a wait nobody cut short (the server asked for 5 s) reaches 5 s; the bound leaves the rest as
      // margin for a loaded machine.
      expect(Date.now() - started).toBeLessThan(4_500)
      expect(report.items[0]).toMatchObject({ status: "error" })
      // Either the transport saw that the check's remaining time cannot hold the wait (it knows the check's
      // deadline) or the runner's timeout interrupted it: both say why, neither waited.
      expect(report.items[0]!.message).toMatch(/timed out|of the check's time remain/)
      expect(emulator.requests({ path: "/busy" })).toHaveLength(1)
      yield* Effect.promise(() => emulator.close())
    }))
})

describe("Retry-After within the request's budget (issue 10 item 4)", () => {
  it.scopedLive("a wait longer than the budget or maxDelay is not waited for: RateLimited, saying how long was asked", () =>
    Effect.gen(function*() {
      const emulator = yield* siteScoped()
      const cases: ReadonlyArray<{
        retryAfter: number | Date
        req: Pick<HttpTransport.HttpRequest, "budget">
        asked: string
        limit: string
      }> = [
        { retryAfter: 30, req: { budget: "2 seconds" }, asked: "30", limit: "of the check's time remain" },
        { retryAfter: new Date(Date.now() + 600_000), req: { budget: "2 seconds" }, asked: "", limit: "of the check's time remain" },
        { retryAfter: 120, req: {}, asked: "120", limit: "maxDelay is 10 s" }
      ]
      for (const c of cases) {
        emulator.clearLog()
        emulator.faults.next({ kind: "rate-limit", retryAfter: c.retryAfter })
        const error = yield* Effect.flip(request({ url: `${emulator.url}/limited`, retry: { maxDelay: "10 seconds" }, ...c.req }))
        expect(error).toMatchObject({ _tag: "HttpError", reason: "RateLimited", status: 429, attempts: 1 })
        expect(error.message).toContain(`asked to wait ${c.asked}`)
        expect(error.message).toContain(c.limit)
        expect(error.retryAfterMs).toBeGreaterThan(2_000)
        expect(HttpTransport.isRetryable(error)).toBe(false)
        // It answered at once instead of sleeping: one request, no retry.
        expect(emulator.log).toHaveLength(1)
      }
    }).pipe(Effect.provide(fastTransport())))

  it.effect("a wait that fits is taken and reported: waitedMs and the Retry-After values (TestClock)", () =>
    Effect.gen(function*() {
      const emulator = yield* siteScoped()
      emulator.faults.next({ kind: "rate-limit", retryAfter: 3 })
      const fiber = yield* Effect.fork(request({ url: `${emulator.url}/limited`, budget: "10 seconds", retry: { maxDelay: "1 minute" } }))
      while (!Chunk.toReadonlyArray(yield* TestClock.sleeps()).includes(3_000)) {
        yield* untilEffect(() => emulator.log.length >= 1)
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 2)))
      }
      yield* TestClock.adjust("3 seconds")
      const res = yield* Fiber.join(fiber)
      expect(res).toMatchObject({ status: 200, attempts: 2, waitedMs: 3_000, retryAfter: ["3"] })
    }).pipe(Effect.provide(fastTransport()), Effect.scoped))

  it.effect("parseRetryAfter reads delay-seconds and HTTP-dates against the given now", () =>
    Effect.sync(() => {
      const now = Date.parse("2030-01-01T00:00:00Z")
      expect(Duration.toMillis(HttpTransport.parseRetryAfter("120", now)!)).toBe(120_000)
      expect(Duration.toMillis(HttpTransport.parseRetryAfter("Tue, 01 Jan 2030 00:00:07 GMT", now)!)).toBe(7_000)
      expect(Duration.toMillis(HttpTransport.parseRetryAfter("Mon, 31 Dec 2029 00:00:00 GMT", now)!)).toBe(0)
      expect(HttpTransport.parseRetryAfter("soon", now)).toBeUndefined()
      expect(HttpTransport.parseRetryAfter(undefined, now)).toBeUndefined()
    }))
})

const siteDefinition = () =>
  Emulator.define<Record<string, never>>({
    name: "plain",
    initialState: () => ({}),
    routes: [Emulator.route("*", "{path*}", () => ({ json: { ok: true } }))]
  })

describe("HttpTransport requests", () => {
  it.scopedLive("follows redirects when asked, records them, and drops credentials on a cross-origin hop", () =>
    Effect.gen(function*() {
      const a = yield* siteScoped()
      const b = yield* siteScoped()
      a.state.pages.set("/same", { status: 302, headers: { location: "/final" } })
      a.state.pages.set("/cross", { status: 301, headers: { location: `${b.url}/landing` } })
      const token = Redacted.make("Bearer s3cr3t-token-value")

      const notFollowed = yield* request({ url: `${a.url}/same` })
      expect(notFollowed).toMatchObject({ status: 302, attempts: 1 })

      const same = yield* request({ url: `${a.url}/same`, followRedirects: true, headers: { authorization: token } })
      expect(same.status).toBe(200)
      expect(same.url).toBe(`${a.url}/final`)
      expect(same.redirects).toEqual([{ status: 302, location: `${a.url}/final` }])
      expect(a.requests({ path: "/final" })[0]!.headers["authorization"]).toBe("Bearer <redacted>")

      const cross = yield* request({ url: `${a.url}/cross`, followRedirects: true, headers: { authorization: token } })
      expect(cross.url).toBe(`${b.url}/landing`)
      expect(b.requests({ path: "/landing" })[0]!.headers["authorization"]).toBeUndefined()
    }).pipe(Effect.provide(fastTransport())))

  it.scopedLive("a cross-origin hop drops every header the caller set, Redacted or plain; same origin keeps them", () =>
    Effect.gen(function*() {
      const a = yield* siteScoped()
      const b = yield* siteScoped()
      a.state.pages.set("/cross", { status: 302, headers: { location: `${b.url}/landing` } })
      a.state.pages.set("/same", { status: 307, headers: { location: "/final" } })
      // What each server received, unredacted, so a leak cannot hide behind the log's redaction.
      const seen: Array<Record<string, string>> = []
      b.state.pages.set("/landing", (req) => {
        seen.push({ ...req.headers })
        return { json: { ok: true } }
      })
      const headers = {
        "x-api-key": Redacted.make("key-9f8e7d6c5b4a"),
        "x-tenant": "acme-prod",
        "user-agent": "acme-probe/1.0",
        authorization: Redacted.make("Bearer s3cr3t-token-value")
      }
      const cross = yield* request({ url: `${a.url}/cross`, followRedirects: true, headers })
      expect(cross.url).toBe(`${b.url}/landing`)
      expect(seen).toHaveLength(1)
      for (const name of ["x-api-key", "x-tenant", "authorization"]) expect(seen[0]![name]).toBeUndefined()
      expect(JSON.stringify(seen[0])).not.toMatch(/key-9f8e7d6c5b4a|acme-prod|acme-probe|s3cr3t/)
      expect(seen[0]!["user-agent"]).toMatch(/^launchgate\//)

      yield* request({ url: `${a.url}/same`, followRedirects: true, headers })
      expect(a.requests({ path: "/final" })[0]!.headers).toMatchObject({ "x-tenant": "acme-prod", "x-api-key": "<redacted>" })
    }).pipe(Effect.provide(fastTransport())))

  it.scopedLive("same-host redirects: other ports of the host are followed, another host's redirect is returned", () =>
    Effect.gen(function*() {
      const a = yield* siteScoped()
      const b = yield* siteScoped()
      const other = yield* siteScoped({ host: "127.0.0.2" })
      a.state.pages.set("/port", { status: 301, headers: { location: `${b.url}/x` } })
      a.state.pages.set("/host", { status: 302, headers: { location: `${other.url}/x` } })
      const port = yield* request({ url: `${a.url}/port`, followRedirects: "same-host" })
      expect(port).toMatchObject({ status: 200, url: `${b.url}/x` })
      const host = yield* request({ url: `${a.url}/host`, followRedirects: "same-host" })
      expect(host).toMatchObject({ status: 302, url: `${a.url}/host`, headers: { location: `${other.url}/x` } })
      expect(other.log).toHaveLength(0)
    }).pipe(Effect.provide(fastTransport())))

  it.scopedLive("errors redact credentials in the URL; a malformed URL is an InvalidRequest, not a defect", () =>
    Effect.gen(function*() {
      const emulator = yield* Effect.promise(() => Emulator.start(siteDefinition()))
      const port = emulator.port
      yield* Effect.promise(() => emulator.close())
      const error = yield* Effect.flip(request({ url: `http://user:hunter2pass@127.0.0.1:${port}/x?token=abcdef123456&q=1`, retry: false }))
      expect(error.reason).toBe("Transport")
      expect(error.code).toBe("ECONNREFUSED")
      for (const text of [error.url, error.message]) {
        expect(text).not.toContain("hunter2pass")
        expect(text).not.toContain("abcdef123456")
        expect(text).toContain("q=1")
      }
      const invalid = yield* Effect.flip(request({ url: "not a url?token=abcdef123456" }))
      expect(invalid).toMatchObject({ reason: "InvalidRequest", attempts: 0 })
      expect(invalid.message).not.toContain("abcdef123456")
    }).pipe(Effect.provide(fastTransport())))

  it.scopedLive("bodies over maxBodyBytes are refused without a retry", () =>
    Effect.gen(function*() {
      const emulator = yield* siteScoped()
      emulator.state.pages.set("/big", { body: "x".repeat(4096) })
      const error = yield* Effect.flip(request({ url: `${emulator.url}/big`, maxBodyBytes: 1024 }))
      expect(error).toMatchObject({ code: "LG_BODY_TOO_LARGE", attempts: 1 })
      expect(emulator.requests({ path: "/big" })).toHaveLength(1)
    }).pipe(Effect.provide(fastTransport())))
})

describe("HttpTransport TLS, proxy and connections", () => {
  const pem = certificate({ days: 30 })

  it.scopedLive("verifies TLS by default, trusts a custom CA, and skips verification only for insecureOrigins", () =>
    Effect.gen(function*() {
      const listed = yield* siteScoped({ tls: pem })
      const other = yield* siteScoped({ tls: pem })
      const url = (e: { url: string }) => `${e.url.replace("127.0.0.1", "localhost")}/tls`

      const unverified = yield* Effect.flip(request({ url: url(listed) }).pipe(Effect.provide(fastTransport())))
      expect(unverified.reason).toBe("Transport")
      expect(unverified.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/)
      expect(unverified.attempts).toBe(1)
      expect(unverified.remediation).toContain("ca")

      expect((yield* request({ url: url(listed) }).pipe(Effect.provide(fastTransport({ ca: pem.cert })))).status).toBe(200)

      const insecure = fastTransport({ insecureOrigins: [url(listed)] })
      const service = yield* Effect.provide(HttpTransport.HttpTransport, insecure)
      expect(service.insecureOrigins).toEqual([new URL(url(listed)).origin])
      yield* Effect.gen(function*() {
        expect((yield* request({ url: url(listed) })).status).toBe(200)
        const stillVerified = yield* Effect.flip(request({ url: url(other) }))
        expect(stillVerified.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/)
      }).pipe(Effect.provide(insecure))
    }))

  it.live("the report lists insecure origins", () =>
    Effect.gen(function*() {
      const report = yield* Runner.run(
        Gate.make({
          name: "insecure",
          items: [{
            check: Check.make({ id: "acme.api.noop", title: "noop", surface: "acme.api", category: "capacity", run: Effect.succeed(Outcome.pass("ok")) }),
            tier: "launch-critical",
            owner: "platform"
          }],
          rollback: { "acme.api": { procedure: "roll back" } }
        }),
        { http: { insecureOrigins: ["https://staging.internal:8443"] } }
      )
      expect(report.run.insecureOrigins).toEqual(["https://staging.internal:8443"])
    }))

  it.scopedLive("a gate sets the transport's TLS options itself (gate.http): a custom CA, and insecure origins the report lists", () =>
    Effect.gen(function*() {
      const served = yield* siteScoped({ tls: pem })
      const target = `${served.url.replace("127.0.0.1", "localhost")}/tls`
      const gate = (http: HttpTransport.Options | undefined) =>
        Gate.make({
          name: "gate tls",
          items: [{ check: HttpCheck.make({ id: "acme.api.tls-endpoint", surface: "acme.api", url: target }), tier: "launch-critical", owner: "platform" }],
          rollback: { "acme.api": { procedure: "roll back" } },
          ...(http ? { http } : {})
        })
      // Without options the self-signed target cannot be verified: error, never pass.
      expect((yield* Runner.run(gate(undefined))).items[0]!.status).toBe("error")
      const trusted = yield* Runner.run(gate({ ca: pem.cert }))
      expect(trusted.items[0]!.status).toBe("pass")
      expect(trusted.run.insecureOrigins).toBeUndefined()
      const insecure = yield* Runner.run(gate({ insecureOrigins: [new URL(target).origin] }))
      expect(insecure.items[0]!.status).toBe("pass")
      expect(insecure.run.insecureOrigins).toEqual([new URL(target).origin])
    }))

  it.effect("a malformed insecure origin names the bad field", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.scoped(HttpTransport.make({ insecureOrigins: ["https://ok.example", "http://[bad"] })))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(String(Exit.isFailure(exit) ? exit.cause : "")).toContain("insecureOrigins[1]")
    }))

  it.scopedLive("sends every request through the proxy, one keep-alive tunnel per origin", () =>
    Effect.gen(function*() {
      const emulator = yield* siteScoped()
      const tlsEmulator = yield* siteScoped({ tls: pem })
      const proxy = yield* Effect.acquireRelease(Effect.promise(startProxy), (p) => Effect.promise(p.close))
      yield* Effect.gen(function*() {
        for (let i = 0; i < 3; i++) expect((yield* request({ url: `${emulator.url}/via-proxy` })).status).toBe(200)
        const httpsUrl = `${tlsEmulator.url.replace("127.0.0.1", "localhost")}/via-proxy`
        expect((yield* request({ url: httpsUrl })).status).toBe(200)
      }).pipe(Effect.provide(fastTransport({ proxy: proxy.url, ca: pem.cert })))
      expect(emulator.requests({ path: "/via-proxy" })).toHaveLength(3)
      // Keep-alive tunnels are reused: fewer tunnels than requests, and only to the two targets.
      expect(new Set(proxy.tunnels)).toEqual(new Set([`127.0.0.1:${emulator.port}`, `localhost:${tlsEmulator.port}`]))
      expect(proxy.tunnels.length).toBeLessThan(4)
    }))

  it.live("leaks no sockets: the layer closes its keep-alive connections, the emulator closes its server", () =>
    Effect.gen(function*() {
      const before = openTcpHandles()
      const emulator = yield* Effect.promise(() => Emulator.start(siteDefinition()))
      yield* Effect.gen(function*() {
        yield* Effect.all(Array.from({ length: 6 }, (_, i) => request({ url: `${emulator.url}/k${i}` })), { concurrency: 6 })
        // Keep-alive: the connections stay open while the run lasts.
        expect(emulator.connections()).toBeGreaterThan(0)
      }).pipe(Effect.provide(fastTransport()))
      yield* Effect.promise(() => until(() => emulator.connections() === 0, 2_000))
      yield* Effect.promise(() => emulator.close())
      yield* Effect.promise(() => until(() => openTcpHandles() <= before, 2_000))
      expect(openTcpHandles()).toBeLessThanOrEqual(before)
    }))
})
