import { describe, expect, it } from "vitest"
import { Schema } from "effect"
import * as VendorError from "../src/VendorError.js"

class AcmeError extends Schema.TaggedError<AcmeError>()("AcmeError", {
  ...VendorError.fields,
  region: Schema.optional(Schema.String)
}) {}

describe("VendorError.classify", () => {
  it.each([
    [401, "unauthenticated"],
    [403, "permission-denied"],
    [404, "not-found"],
    [410, "not-found"],
    [408, "timeout"],
    [409, "conflict"],
    [412, "conflict"],
    [429, "rate-limited"],
    [400, "invalid-request"],
    [422, "invalid-request"],
    [500, "unavailable"],
    [503, "unavailable"],
    [418, "status"],
    [302, "status"]
  ] as const)("HTTP %i is %s", (status, reason) => {
    expect(VendorError.classify({ status })).toBe(reason)
  })

  it("the vendor's code wins over its status, and its status table over HTTP's meaning", () => {
    const table: VendorError.Table = {
      codes: { SERVICE_DISABLED: "permission-denied", RESOURCE_EXHAUSTED: "rate-limited" },
      statuses: { 402: "permission-denied" }
    }
    expect(VendorError.classify({ status: 403, code: "RESOURCE_EXHAUSTED" }, table)).toBe("rate-limited")
    expect(VendorError.classify({ status: 402 }, table)).toBe("permission-denied")
    expect(VendorError.classify({ status: 404, code: "UNKNOWN_CODE" }, table)).toBe("not-found")
  })

  it("only waiting-worthy reasons are transient", () => {
    const transient = VendorError.Reason.literals.filter(VendorError.isTransient)
    expect(transient.sort()).toEqual(["rate-limited", "timeout", "transport", "unavailable"])
  })

  it("every reason has a remediation naming the vendor or the fix", () => {
    for (const reason of VendorError.Reason.literals) {
      expect(VendorError.defaultRemediation(reason, "Acme").length).toBeGreaterThan(20)
    }
  })
})

describe("VendorError.is", () => {
  it("recognises core's error and a vendor's thin class, not look-alikes", () => {
    const core = new VendorError.VendorError({ vendor: "acme", reason: "not-found", message: "gone", remediation: "r" })
    const acme = new AcmeError({ vendor: "acme", reason: "timeout", message: "slow", remediation: "r", region: "eu" })
    expect(VendorError.is(core)).toBe(true)
    expect(VendorError.is(acme)).toBe(true)
    expect(acme._tag).toBe("AcmeError")
    expect(VendorError.is({ _tag: "X", vendor: "acme", reason: "Transport", message: "m" })).toBe(false)
    expect(VendorError.is(new Error("plain"))).toBe(false)
    expect(VendorError.is(null)).toBe(false)
  })
})

describe("VendorError.configProblems", () => {
  it("names every missing and invalid variable of a Config.all, not only the first", async () => {
    const { Config, ConfigProvider, Effect } = await import("effect")
    const config = Config.all({
      key: Config.redacted("ACME_API_KEY"),
      region: Config.string("ACME_REGION"),
      port: Config.integer("ACME_PORT")
    })
    const provider = ConfigProvider.fromMap(new Map([["ACME_PORT", "not-a-number"]]))
    const error = await Effect.runPromise(Effect.flip(Effect.withConfigProvider(config, provider)))
    const problems = VendorError.configProblems(error)
    expect(problems.map((p) => p.path).sort()).toEqual(["ACME_API_KEY", "ACME_PORT", "ACME_REGION"])
    expect(problems.find((p) => p.path === "ACME_API_KEY")?.message).toBe("is missing")
    expect(problems.find((p) => p.path === "ACME_PORT")?.message).toMatch(/integer/)
  })
})
