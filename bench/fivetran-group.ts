/**
 * Fivetran group cost: a group of 200 connections checked by `fivetran.group.coverage`
 * plus per-connection checks on two of them, against the Fivetran emulator.
 * Prints requests per run (from the emulator's log) and wall time.
 *
 *   pnpm bench fivetran-group
 */
// The root has no dependency on the workspace packages: import by path.
import { Gate, Runner } from "@launchgate/core"
import * as Fivetran from "@launchgate/fivetran"
import { connection, FivetranEmulator } from "@launchgate/fivetran/emulator"

const RUNS = 5
const CONNECTIONS = 200

const gate = (emu: FivetranEmulator.Running<any>, client: Partial<Fivetran.FivetranClient.Options>) => {
  const { Connection, Group } = Fivetran
  return Gate.make({
    name: "fivetran bench",
    items: [
      Group.coverage({ groupId: "big" }),
      Connection.connected({ connectionId: ["conn_0", "conn_1"] }),
      Connection.freshness({ connectionId: ["conn_0", "conn_1"] }),
      Connection.tasks({ connectionId: ["conn_0", "conn_1"] })
    ].map((check) => ({ check, tier: "launch-adjacent" as const, owner: "bench" })),
    layer: Fivetran.layer(FivetranEmulator.clientOptions(emu, { retry: { baseDelay: "1 millis" }, ...client }))
  })
}

const measure = async (label: string, client: Partial<Fivetran.FivetranClient.Options>) => {
  const now = new Date()
  const emu = await FivetranEmulator.start({
    seed: (s) => {
      for (let i = 0; i < CONNECTIONS; i++) s.addConnection(connection({ id: `conn_${i}`, groupId: "big", now }))
    }
  })
  const times: Array<number> = []
  let requests = 0
  try {
    for (let i = 0; i < RUNS; i++) {
      emu.clearLog()
      const started = performance.now()
      const report = await Runner.runPromise(gate(emu, client))
      times.push(performance.now() - started)
      requests += emu.log.length
      if (report.items.some((item) => item.status !== "pass")) throw new Error(`${label}: not every check passed`)
    }
  } finally {
    await emu.close()
  }
  times.sort((a, b) => a - b)
  console.log(`${label}: ${RUNS} runs, ${(requests / RUNS).toFixed(0)} requests/run, median ${times[Math.floor(RUNS / 2)]!.toFixed(0)} ms`)
}

export const main = async () => {
  await measure(`${CONNECTIONS} connections + 3 checks on 2 of them, page 1000, concurrency 8`, {})
  await measure(`${CONNECTIONS} connections + 3 checks on 2 of them, page 50, concurrency 8`, { pageSize: 50 })
  await measure(`${CONNECTIONS} connections + 3 checks on 2 of them, page 1000, concurrency 32`, { concurrency: 32 })
}
