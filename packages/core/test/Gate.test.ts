import { Effect, Either } from "effect"
import { describe, expect, it } from "vitest"
import { Check, Gate, Outcome, Runner } from "../src/index.js"

const NOW = new Date("2026-06-15T12:00:00Z")
const FUTURE = "2026-07-01"
const PAST = "2026-06-01"

const fixed = (id: string, status: Outcome.Status, surface = "acme.api") =>
  Check.make({
    id,
    title: `fixed ${status}`,
    surface,
    category: "capacity",
    run: Effect.succeed(Outcome.fromStatus(status, `it is ${status}`, { observed: status, expected: "pass" }))
  })

const deferral = (check: string, expires: string) => ({
  check,
  owner: "data-team",
  reason: "vendor fix pending",
  risk: "stale dashboards for a day",
  followUp: "JIRA-42",
  expires
})

type DeferralCase = "none" | "active" | "expired"

const runOne = async (
  tier: Gate.Tier,
  status: Outcome.Status,
  deferralCase: DeferralCase,
  policy: "warn" | "block" = "warn"
) => {
  const gate = Gate.make({
    name: "table",
    items: [{ check: fixed("acme.api.x", status), tier, owner: "platform" }],
    rollback: { "acme.api": { procedure: "roll back" } },
    deferrals: deferralCase === "none" ? [] : [deferral("acme.api.x", deferralCase === "active" ? FUTURE : PAST)],
    policy: { launchAdjacent: policy }
  })
  return Runner.runPromise(gate, { now: NOW })
}

// The gate rules as a table: tier × status × deferral → disposition and verdict.
const table: Array<[Gate.Tier, Outcome.Status, DeferralCase, string, "ready" | "blocked"]> = [
  ["launch-critical", "pass", "none", "ok", "ready"],
  ["launch-critical", "warn", "none", "warning", "ready"],
  ["launch-critical", "skip", "none", "skipped", "ready"],
  ["launch-critical", "fail", "none", "blocking", "blocked"],
  ["launch-critical", "error", "none", "blocking", "blocked"],
  ["launch-critical", "fail", "active", "deferred", "ready"],
  ["launch-critical", "error", "active", "deferred", "ready"],
  ["launch-critical", "fail", "expired", "blocking", "blocked"],
  ["launch-critical", "error", "expired", "blocking", "blocked"],
  ["launch-critical", "pass", "active", "ok", "ready"],
  ["launch-adjacent", "pass", "none", "ok", "ready"],
  ["launch-adjacent", "warn", "none", "warning", "ready"],
  ["launch-adjacent", "fail", "none", "warning", "ready"],
  ["launch-adjacent", "error", "none", "warning", "ready"],
  ["launch-adjacent", "fail", "active", "deferred", "ready"],
  ["launch-adjacent", "fail", "expired", "warning", "ready"],
  ["post-launch", "pass", "none", "ok", "ready"],
  ["post-launch", "warn", "none", "info", "ready"],
  ["post-launch", "fail", "none", "info", "ready"],
  ["post-launch", "error", "none", "info", "ready"],
  ["post-launch", "fail", "expired", "info", "ready"]
]

describe("gate rules", () => {
  it.each(table)("%s × %s × deferral %s → %s, %s", async (tier, status, deferralCase, disposition, verdict) => {
    const report = await runOne(tier, status, deferralCase)
    const item = report.items[0]!
    expect(item.status).toBe(status)
    expect(item.disposition).toBe(disposition)
    expect(report.verdict).toBe(verdict)
    expect(report.summary.blocking).toBe(disposition === "blocking" ? 1 : 0)
  })

  it("a launch-adjacent failure blocks when the policy says so", async () => {
    const report = await runOne("launch-adjacent", "fail", "none", "block")
    expect(report.items[0]!.disposition).toBe("blocking")
    expect(report.verdict).toBe("blocked")
  })

  it("an expired deferral covers nothing and is reported as expired with the reason", async () => {
    const report = await runOne("launch-critical", "fail", "expired")
    expect(report.deferrals[0]!.state).toBe("expired")
    expect(report.deferrals[0]!.daysLeft).toBeLessThan(0)
    expect(report.reasons.join("\n")).toContain("deferral expired 2026-06-01")
  })

  it("a deferral on a check that now passes is reported as stale", async () => {
    const report = await runOne("launch-critical", "pass", "active")
    expect(report.deferrals[0]!.state).toBe("stale")
    expect(report.items[0]!.deferral?.state).toBe("stale")
  })

  it("an active deferral is reported with its owner, follow-up and days left", async () => {
    const report = await runOne("launch-critical", "fail", "active")
    expect(report.deferrals[0]).toMatchObject({ state: "active", owner: "data-team", followUp: "JIRA-42", daysLeft: 16 })
    expect(report.summary.byTier["launch-critical"].deferred).toBe(1)
    expect(report.summary.byTier["launch-critical"].fail).toBe(0)
  })

  it("a date-only expiry covers the whole day (UTC)", async () => {
    const report = await runOne("launch-critical", "fail", "none")
    expect(report.verdict).toBe("blocked")
    const gate = Gate.make({
      name: "same day",
      items: [{ check: fixed("acme.api.x", "fail"), tier: "launch-critical", owner: "p" }],
      rollback: { "acme.api": { procedure: "x" } },
      deferrals: [deferral("acme.api.x", "2026-06-15")]
    })
    expect((await Runner.runPromise(gate, { now: NOW })).verdict).toBe("ready")
    expect((await Runner.runPromise(gate, { now: new Date("2026-06-16T00:00:01Z") })).verdict).toBe("blocked")
  })
})

describe("configuration errors", () => {
  const ok = fixed("acme.api.ok", "pass")
  const validate = (input: unknown) => Gate.validate(input as Gate.Input<never>)
  const issuesOf = (input: unknown) => {
    const result = validate(input)
    if (Either.isRight(result)) throw new Error("expected a configuration error")
    return result.left.issues
  }
  const base = { name: "g", items: [{ check: ok, tier: "launch-critical", owner: "p" }], rollback: { "acme.api": { procedure: "p" } } }

  it("names the path and what was expected for a bad expiry", () => {
    const issues = issuesOf({ ...base, deferrals: [deferral("acme.api.ok", "2026-07-01"), deferral("acme.api.ok", "x"), { ...deferral("acme.api.ok", "next week") }] })
    expect(issues).toContainEqual({ path: "deferrals[2].expires", message: 'expected an ISO-8601 date, got "next week"' })
    expect(issues).toContainEqual({ path: "deferrals[1].expires", message: 'expected an ISO-8601 date, got "x"' })
    // Impossible calendar days are not rolled over into the next month.
    const impossible = issuesOf({ ...base, deferrals: [deferral("acme.api.ok", "2026-02-30"), deferral("acme.api.ok", "2026-13-01T00:00:00Z")] })
    expect(impossible.map((i) => i.path)).toEqual(expect.arrayContaining(["deferrals[0].expires", "deferrals[1].expires"]))
  })

  it("reports every bad field at once, with paths", () => {
    const issues = issuesOf({
      name: "",
      items: [{ check: ok, tier: "critical", owner: "" }, { check: { id: "not a check" }, tier: "post-launch", owner: "p" }],
      policy: { launchAdjacent: "sometimes" }
    })
    const paths = issues.map((i) => i.path)
    expect(paths).toEqual(expect.arrayContaining(["name", "items[0].tier", "items[0].owner", "items[1].check", "policy.launchAdjacent"]))
    expect(issues.find((i) => i.path === "items[0].tier")!.message).toBe(
      'expected one of "launch-critical", "launch-adjacent", "post-launch", got "critical"'
    )
    // No noise lines for optional fields.
    expect(issues.some((i) => i.message.startsWith("Expected undefined"))).toBe(false)
  })

  it("a missing required field names the field", () => {
    const issues = issuesOf({ ...base, deferrals: [{ check: "acme.api.ok", owner: "o", reason: "r", risk: "r", expires: FUTURE }] })
    expect(issues).toContainEqual({ path: "deferrals[0].followUp", message: "is required" })
  })

  it("a deferral naming an unknown check is a configuration error", () => {
    const issues = issuesOf({ ...base, deferrals: [deferral("acme.api.typo", FUTURE)] })
    expect(issues[0]!.path).toBe("deferrals[0].check")
    expect(issues[0]!.message).toContain('"acme.api.typo"')
    expect(issues[0]!.message).toContain("acme.api.ok")
  })

  it("a launch-critical surface without a rollback plan is a configuration error; { none } satisfies it", () => {
    const issues = issuesOf({ name: "g", items: [{ check: ok, tier: "launch-critical", owner: "p" }] })
    expect(issues[0]!.path).toBe('rollback["acme.api"]')
    expect(issues[0]!.message).toContain("no rollback plan")
    expect(Either.isRight(validate({ ...base, rollback: { "acme.api": { none: "stateless, redeploy" } } }))).toBe(true)
    // Adjacent-only surfaces need no plan.
    expect(Either.isRight(validate({ name: "g", items: [{ check: ok, tier: "launch-adjacent", owner: "p" }] }))).toBe(true)
  })

  it("duplicate ids, unknown prerequisites and unknown allowActive ids are configuration errors", () => {
    const dependent = Check.dependsOn(fixed("acme.api.dep", "pass"), ["acme.api.missing"])
    const issues = issuesOf({
      ...base,
      items: [...base.items, { check: ok, tier: "post-launch", owner: "p" }, { check: dependent, tier: "post-launch", owner: "p" }],
      allowActive: ["acme.api.nope"]
    })
    expect(issues.map((i) => i.path)).toEqual(["items[1].check", "items[2].check.dependsOn", "allowActive[0]"])
  })

  it("Gate.make throws a GateConfigError whose message lists the paths, and nothing runs", () => {
    let ran = false
    const spy = Check.fromAsync({ id: "acme.api.spy", title: "spy", surface: "acme.api", category: "capacity", run: () => {
      ran = true
      return Outcome.pass("ran")
    } })
    expect(() =>
      Gate.make({ name: "g", items: [{ check: spy, tier: "launch-critical", owner: "p" }], rollback: { "acme.api": { procedure: "p" } }, deferrals: [deferral("acme.api.spy", "soon")] })
    ).toThrowError(/deferrals\[0\]\.expires: expected an ISO-8601 date, got "soon"/)
    expect(ran).toBe(false)
  })
})

describe("gate http options: the transport's own schema", () => {
  const base = () => ({
    name: "http options",
    items: [{
      check: Check.make({ id: "acme.api.a", title: "a", surface: "acme.api", category: "capacity", run: Effect.succeed(Outcome.pass("ok")) }),
      tier: "post-launch" as const,
      owner: "platform"
    }]
  })

  it("accepts every transport option, keepAliveTimeout included", () => {
    const result = Gate.validate({
      ...base(),
      http: { keepAliveTimeout: "5 seconds", connections: 4, retry: { maxAttempts: 2, baseDelay: 50 }, insecureOrigins: ["https://x.internal"] }
    })
    expect(Either.isRight(result)).toBe(true)
  })

  it("rejects an unknown field and a bad duration, naming each", () => {
    const result = Gate.validate({
      ...base(),
      http: { keepAlive: "5 seconds", retry: { maxDelay: "soon" } } as never
    })
    expect(Either.isLeft(result)).toBe(true)
    const issues = Either.isLeft(result) ? result.left.issues : []
    expect(issues).toContainEqual(expect.objectContaining({ path: "http.keepAlive" }))
    expect(issues).toContainEqual(expect.objectContaining({ path: "http.retry.maxDelay", message: expect.stringContaining("duration") }))
  })

  it("a setup that is not a function is rejected", () => {
    const result = Gate.validate({ ...base(), setup: { layer: undefined } as never })
    expect(Either.isLeft(result) ? result.left.issues.map((i) => i.path) : []).toEqual(["setup"])
  })
})
