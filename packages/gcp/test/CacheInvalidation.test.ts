import { HttpTransport } from "@launchgate/core"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { GcpClient } from "../src/index.js"
import { cloudRunService } from "../src/emulator/index.js"
import { layerFor, NOW, withEmulator } from "./support.js"

const NAME = "projects/demo-project/locations/us-central1/services/api"

describe("reads after a write in the same run", () => {
  it("a traffic update forgets the cached service, so later reads see the new state (and earlier ones cost one GET)", () =>
    withEmulator({ fixtures: [cloudRunService({ now: NOW })], settings: { reconcileDelayMs: 10 } }, async (gcp) => {
      const program = Effect.gen(function*() {
        const client = yield* GcpClient
        const before = yield* client.get("service", NAME)
        yield* client.get("service", NAME) // cached: no second GET
        const revision = before.value.latestReadyRevision!.split("/").pop()!
        const op = yield* client.updateTraffic(NAME, [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision, percent: 100, tag: "shifted" }], before.value.etag)
        yield* Effect.sleep("100 millis") // let the emulator reconcile
        const after = yield* client.get("service", NAME)
        return { before: before.value.traffic, after: after.value.traffic, op }
      })
      const layer = layerFor(gcp).pipe(Layer.provide(HttpTransport.layer()))
      const result = await Effect.runPromise(Effect.scoped(Effect.provide(program, layer)))
      expect(result.after).not.toEqual(result.before)
      expect(result.after).toEqual([expect.objectContaining({ percent: 100, tag: "shifted" })])
      expect(gcp.requests({ method: "GET", path: `/v2/${NAME}` })).toHaveLength(2)
      expect(gcp.requests({ method: "PATCH" })).toHaveLength(1)
    }))
})
