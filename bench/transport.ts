/**
 * The HTTP transport's own cost per request: the same GETs (a 20-item JSON list, read and parsed) against a
 * loopback server, 16 in flight, through `HttpTransport.request` and through bare undici (`request` on an
 * Agent of 16 connections). The difference is what the transport adds: retries, the per-attempt timeout,
 * redirects, evidence. CPU includes the server (same process), alike on both sides. Prints figures only.
 *
 *   pnpm bench transport
 */
import { HttpTransport } from "@launchgate/core"
import * as Effect from "effect/Effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { Agent, request } from "undici"

const REQUESTS = 4_000
const IN_FLIGHT = 16
const ROUNDS = 3

const body = JSON.stringify({
  items: Array.from({ length: 20 }, (_, i) => ({ name: `projects/p/secrets/s${i}`, createTime: "2026-01-01T00:00:00Z" }))
})

type Figures = { readonly wallUs: number; readonly cpuUs: number }

const timed = async (run: () => Promise<void>): Promise<Figures> => {
  const cpu = process.cpuUsage()
  const started = performance.now()
  await run()
  const used = process.cpuUsage(cpu)
  return { wallUs: ((performance.now() - started) * 1000) / REQUESTS, cpuUs: (used.user + used.system) / REQUESTS }
}

const bare = async (url: string): Promise<Figures> => {
  const agent = new Agent({ connections: IN_FLIGHT })
  let next = 0
  try {
    return await timed(() =>
      Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
        while (next++ < REQUESTS) JSON.parse(await (await request(url, { dispatcher: agent })).body.text())
      })).then(() => undefined)
    )
  } finally {
    await agent.close()
  }
}

const transport = (url: string): Promise<Figures> =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const t = yield* HttpTransport.make({ connections: IN_FLIGHT })
    return yield* Effect.promise(() =>
      timed(() =>
        Effect.runPromise(Effect.forEach(
          Array.from({ length: REQUESTS }),
          () => Effect.map(t.request({ url }), (r) => JSON.parse(r.body)),
          { concurrency: IN_FLIGHT, discard: true }
        ))
      )
    )
  })))

export const main = async () => {
  const server = createServer((_, res) => {
    res.writeHead(200, { "content-type": "application/json" })
    res.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/items`
  try {
    // Warm-up (JIT, connections), not counted.
    await bare(url)
    await transport(url)
    console.log(`## HTTP transport vs bare undici: ${REQUESTS} GETs, ${IN_FLIGHT} in flight, µs per request (median of ${ROUNDS})`)
    const rows: Array<[Figures, Figures]> = []
    for (let i = 0; i < ROUNDS; i++) rows.push([await bare(url), await transport(url)])
    const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    const b = { wall: median(rows.map(([x]) => x.wallUs)), cpu: median(rows.map(([x]) => x.cpuUs)) }
    const t = { wall: median(rows.map(([, y]) => y.wallUs)), cpu: median(rows.map(([, y]) => y.cpuUs)) }
    console.log(`bare undici:        wall ${b.wall.toFixed(0)} µs, CPU ${b.cpu.toFixed(0)} µs`)
    console.log(`HttpTransport:      wall ${t.wall.toFixed(0)} µs, CPU ${t.cpu.toFixed(0)} µs`)
    console.log(`transport's own:    CPU ${(t.cpu - b.cpu).toFixed(0)} µs per request (${(t.cpu / b.cpu).toFixed(2)}× bare)`)
  } finally {
    server.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
