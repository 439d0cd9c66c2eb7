/**
 * Issue 13, goal 2, as a test: on the scaled world of bench/world.ts (50 services, 100 secrets, 200
 * connections in 2 groups, 30 prices) the gate sends one request per distinct read. Counts come from the
 * emulators' logs, so they are the same on any machine; the bench (requests.ts) prints the times.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { analyse } from "./requests.js"
import * as World from "./world.js"

let world: World.World
beforeAll(async () => {
  world = await World.start()
})
afterAll(() => World.close(world))

describe("the scaled launch world: requests = distinct reads", () => {
  it("every check passes and every route is read exactly as often as the distinct reads need", async () => {
    await World.clearLogs(world)
    const report = await World.run(world)
    expect(report.items.filter((i) => i.status !== "pass").map((i) => `${i.id}: ${i.message}`)).toEqual([])

    const figures = analyse(await World.log(world))
    const byRoute = Object.fromEntries(figures.map((f) => [f.route, f.requests]))
    expect(byRoute).toEqual({
      // One listing of the account's connections answers every connection read and both groups' coverage.
      "fivetran GET /v1/connections": 1,
      "fivetran GET /v1/connections/{connectionId}/schemas": 200,
      "fivetran GET /v1/destinations/{destinationId}": 2,
      "fivetran GET /v1/webhooks": 1,
      "gcp GET /v1/billingAccounts/{ba}/budgets": 1,
      // 100 secrets at the emulator's page size of 20; one version list per secret.
      "gcp GET /v1/projects/{p}/secrets": 5,
      "gcp GET /v1/projects/{p}/secrets/{s}/versions": 100,
      // 50 services listed once (no per-service GET); one rollback revision per service.
      "gcp GET /v2/projects/{p}/locations/{l}/services": 3,
      "gcp GET /v2/projects/{p}/locations/{l}/services/{s}/revisions/{r}": 50,
      "gcp GET /v3/projects/{p}/alertPolicies": 3,
      "gcp GET /v3/projects/{p}/notificationChannels": 1,
      "gcp GET /v3/projects/{p}/uptimeCheckConfigs": 3,
      "stripe GET /v1/account": 1,
      "stripe GET /v1/billing_portal/configurations": 1,
      "stripe GET /v1/events": 1,
      // 30 lookup keys, 10 per request (Stripe's limit for lookup_keys[]).
      "stripe GET /v1/prices": 3,
      "stripe GET /v1/tax/settings": 1,
      "stripe GET /v1/webhook_endpoints": 1
    })
    const requests = figures.reduce((n, f) => n + f.requests, 0)
    const needed = figures.reduce((n, f) => n + f.needed, 0)
    expect({ requests, needed }).toEqual({ requests: 378, needed: 378 })
  })

  it("a second run of the same gate reads everything again (the shared reads live for one run only)", async () => {
    await World.clearLogs(world)
    await World.run(world)
    expect(await World.log(world)).toHaveLength(378)
  })
})
