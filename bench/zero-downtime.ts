// Zero-downtime probe throughput: how close the probe gets to the asked rate against a local
// emulator, and what a 1-second restart looks like in its figures. Prints numbers; never asserts.
import { Effect } from "effect"
import { Emulator } from "@launchgate/core/emulator"
import { HttpTransport, ZeroDowntime } from "@launchgate/core/http"

const site = Emulator.define<Record<string, never>>({
  name: "bench-site",
  initialState: () => ({}),
  routes: [Emulator.route("GET", "/healthz", () => ({ json: { status: "pass" } }))]
})

const probe = <A, E>(options: ZeroDowntime.ProbeOptions<A, E>) =>
  Effect.runPromise(ZeroDowntime.probe(options).pipe(Effect.provide(HttpTransport.layer())))

export const main = async () => {
  const emu = await Emulator.start(site)
  try {
    console.log("rate asked | sent | achieved/s | failed | longest gap ms | cpu ms")
    for (const rate of [20, 50, 200, 1000]) {
      const cpu = process.cpuUsage()
      const r = await probe({ url: `${emu.url}/healthz`, ratePerSecond: rate, duration: "2 seconds" })
      const used = process.cpuUsage(cpu)
      console.log(
        `${String(rate).padStart(10)} | ${String(r.total).padStart(4)} | ${(r.total / (r.durationMs / 1000)).toFixed(1).padStart(10)} | ${
          String(r.total - r.succeeded).padStart(6)
        } | ${String(r.longestGapMs).padStart(14)} | ${Math.round((used.user + used.system) / 1000)} ${JSON.stringify(r.failuresByDetail)}`
      )
    }
  } finally {
    await emu.close()
  }

  // A 1-second restart at 50 requests/second.
  const first = await Emulator.start(site)
  let second: Emulator.Running<Record<string, never>> | undefined
  let outageMs = 0
  const restart = Effect.promise(async () => {
    await new Promise((r) => setTimeout(r, 500))
    const from = Date.now()
    await first.close()
    await new Promise((r) => setTimeout(r, 1000))
    second = await Emulator.start(site, { port: first.port })
    outageMs = Date.now() - from
  })
  const r = await probe({ url: `${first.url}/healthz`, ratePerSecond: 50, during: restart, settle: "500 millis" })
  await second?.close()
  console.log(
    `restart: outage ${outageMs} ms; probe saw ${r.total - r.succeeded} of ${r.total} failed (${JSON.stringify(r.failures)}), longest gap ${r.longestGapMs} ms`
  )
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
