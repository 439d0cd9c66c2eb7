/**
 * Contract: every object the emulator serves has the fields, and field
 * types, of Stripe's own example of that object (stripe/openapi
 * `fixtures3.json`, kept outside the repository in `../shared/reference`).
 * Compared on the wire (raw JSON), not through the SDK's coercions.
 */
import { describe, expect, it } from "@effect/vitest"
import { existsSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { seedRealisticAccount } from "../src/emulator/index.js"
import { LIVE_KEY, NOW, withEmulator } from "./support.js"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
const fixturesPath = path.resolve(repoRoot, "../shared/reference/stripe/fixtures3.json")
const exists = existsSync(fixturesPath)

/**
 * Fields Stripe documents as nullable whose example happens to hold a value;
 * the emulator's realistic default for them is null.
 */
const NULLABLE: Readonly<Record<string, ReadonlyArray<string>>> = {
  account: ["requirements.disabled_reason"],
  product: ["package_dimensions"],
  price: ["custom_unit_amount", "transform_quantity"]
}

/** Fields whose shape depends on something else (an event's payload depends on its type). */
const VARIES: Readonly<Record<string, ReadonlyArray<string>>> = {
  event: ["data.object"]
}

const kind = (u: unknown) => (u === null ? "null" : Array.isArray(u) ? "array" : typeof u)

/** Every field of `example` must be in `actual`, with the same JSON type (recursively). */
const compare = (
  example: unknown,
  actual: unknown,
  at: string,
  allowNull: ReadonlySet<string>,
  skip: ReadonlySet<string>,
  issues: Array<string>
): void => {
  if (skip.has(at) || example === null) return
  if (actual === null && allowNull.has(at)) return
  if (kind(example) !== kind(actual)) {
    issues.push(`${at || "(root)"}: Stripe's example is ${kind(example)}, the emulator serves ${kind(actual)}`)
    return
  }
  if (Array.isArray(example) && Array.isArray(actual)) {
    if (example.length > 0 && actual.length > 0) compare(example[0], actual[0], `${at}[0]`, allowNull, skip, issues)
    return
  }
  if (kind(example) === "object") {
    const served = actual as Record<string, unknown>
    for (const [key, value] of Object.entries(example as Record<string, unknown>)) {
      const field = at ? `${at}.${key}` : key
      if (!(key in served)) issues.push(`${field}: missing`)
      else compare(value, served[key], field, allowNull, skip, issues)
    }
  }
}

const resources: ReadonlyArray<readonly [string, (state: import("../src/emulator/index.js").StripeState) => string]> = [
  ["account", () => "/v1/account"],
  ["product", (s) => `/v1/products/${s.products[0]!.id}`],
  ["price", (s) => `/v1/prices/${s.prices[0]!.id}`],
  ["webhook_endpoint", (s) => `/v1/webhook_endpoints/${s.webhookEndpoints[0]!.id}`],
  ["event", (s) => `/v1/events/${s.events[0]!.id}`],
  ["billing_portal.configuration", (s) => `/v1/billing_portal/configurations/${s.portalConfigurations[0]!.id}`],
  ["tax.settings", () => "/v1/tax/settings"]
]

describe("contract with Stripe's example objects", () => {
  it.skipIf(!exists)(
    `serves the fields and field types of ${path.relative(repoRoot, fixturesPath)}${exists ? "" : " (SKIPPED: the shared reference folder is not beside the repository)"}`,
    () =>
      withEmulator(seedRealisticAccount({ now: NOW }), async (stripe) => {
        const fixtures = JSON.parse(readFileSync(fixturesPath, "utf8")) as { resources: Record<string, unknown> }
        const issues: Array<string> = []
        for (const [name, pathOf] of resources) {
          const example = fixtures.resources[name]
          expect(example, `fixtures3.json has no "${name}" example`).toBeDefined()
          const response = await fetch(`${stripe.url}${pathOf(stripe.state)}`, {
            headers: { authorization: `Bearer ${LIVE_KEY}` }
          })
          expect(response.status, name).toBe(200)
          const served = await response.json()
          const found: Array<string> = []
          compare(example, served, "", new Set(NULLABLE[name] ?? []), new Set(VARIES[name] ?? []), found)
          issues.push(...found.map((issue) => `${name}.${issue}`))
          expect((served as { object?: unknown }).object).toBe((example as { object?: unknown }).object)
        }
        expect(issues).toEqual([])
      })
  )

  it("detects a missing field and a wrong type (the comparison can fail)", () => {
    const issues: Array<string> = []
    compare({ a: 1, b: { c: "x" }, d: [{ e: true }] }, { b: { c: 2 }, d: [{}] }, "", new Set(), new Set(), issues)
    expect(issues).toEqual(["a: missing", "b.c: Stripe's example is string, the emulator serves number", "d[0].e: missing"])
  })
})
