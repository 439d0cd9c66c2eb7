/**
 * The scaled world of world.ts in a process of its own (started by `startRemote`), answering the parent's
 * requests over the IPC channel: start, log, clearLogs, inject, remove, close.
 */
import type { Fault } from "@launchgate/core/emulator"
import * as World from "./world.js"

let local: Awaited<ReturnType<typeof World.startLocal>> | undefined
let world: World.World | undefined
const removers = new Map<number, () => Promise<void>>()
let nextToken = 0

const handle = async (op: string, arg: unknown): Promise<unknown> => {
  switch (op) {
    case "start":
      local = await World.startLocal()
      world = World.local(local)
      return { gcp: world.gcp.url, fivetran: world.fivetran.url, stripe: world.stripe.url, credentials: world.fivetran.credentials }
    case "log":
      return world!.log()
    case "clearLogs":
      return world!.clearLogs()
    case "inject": {
      const token = nextToken++
      removers.set(token, await world!.inject(arg as Fault))
      return token
    }
    case "remove":
      await removers.get(arg as number)?.()
      return removers.delete(arg as number)
    case "close":
      await world?.close()
      setImmediate(() => process.exit(0))
      return true
    default:
      throw new Error(`unknown op ${op}`)
  }
}

process.on("message", (m: { readonly id: number; readonly op: string; readonly arg?: unknown }) => {
  handle(m.op, m.arg).then(
    (value) => process.send!({ id: m.id, value: value ?? null }),
    (error: unknown) => process.send!({ id: m.id, error: String(error) })
  )
})
// The parent went away: so does the world.
process.on("disconnect", () => process.exit(0))
