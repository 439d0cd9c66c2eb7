import { type Check, Gate, type Report, Runner } from "@launchgate/core"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { afterEach } from "vitest"
import * as Fivetran from "../../src/index.js"
import { FivetranEmulator, type State } from "../../src/emulator/index.js"
import * as WebhookSignature from "../../src/WebhookSignature.js"

/** The pinned "now" of every test run. */
export const NOW = new Date("2026-09-01T12:00:00.000Z")

const open: Array<{ close: () => Promise<void> }> = []

/** Close everything a test opened. Call once at the top of a test file. */
export const closeAfterEach = () =>
  afterEach(async () => {
    await Promise.all(open.splice(0).map((o) => o.close()))
  })

/** Start a Fivetran emulator on a random loopback port, seeded. */
export const emulator = async (seed: (state: State) => void = () => {}) => {
  const running = await FivetranEmulator.start({ seed })
  open.push(running)
  return running
}

export interface RunOptions {
  readonly client?: Partial<Fivetran.FivetranClient.Options> | undefined
  readonly allowActive?: boolean | undefined
  readonly now?: Date | undefined
}

/** Run checks as a launch-critical gate against the emulator, with tiny retry delays. */
export const run = (
  running: FivetranEmulator.Running<State>,
  checks: ReadonlyArray<Check.Check<Fivetran.FivetranClient.FivetranClient>>,
  options: RunOptions = {}
): Promise<Report.Report> => {
  const surfaces = new Set(checks.map((c) => c.surface))
  const gate = Gate.make({
    name: "fivetran test",
    items: checks.map((check) => ({ check, tier: "launch-critical" as const, owner: "data-platform" })),
    rollback: Object.fromEntries([...surfaces].map((s) => [s, { procedure: "pause the connection" }])),
    allowActive: options.allowActive ?? false,
    layer: Fivetran.layer(FivetranEmulator.clientOptions(running, { retry: { baseDelay: "1 millis" }, ...options.client }))
  })
  return Runner.runPromise(gate, { now: options.now ?? NOW })
}

/** The report item of a check id. */
export const item = (report: Report.Report, id: string): Report.ItemReport => {
  const found = report.items.find((i) => i.id === id)
  if (!found) throw new Error(`no item ${id} in the report`)
  return found
}

/** Run one check and return its item. */
export const runOne = async (
  running: FivetranEmulator.Running<State>,
  check: Check.Check<Fivetran.FivetranClient.FivetranClient>,
  options?: RunOptions
): Promise<Report.ItemReport> => item(await run(running, [check], options), check.id)

/** How a test webhook receiver behaves. */
export type ReceiverMode = "verifies" | "accepts-anything" | "case-sensitive-lower" | "case-sensitive-upper" | "fails"

/** A product webhook receiver on loopback, verifying X-Fivetran-Signature-256 (or not). */
export const receiver = async (secret: string, mode: ReceiverMode = "verifies") => {
  const received: Array<{ signature: string | undefined; body: string }> = []
  const server = http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8")
      const signature = req.headers["x-fivetran-signature-256"] as string | undefined
      received.push({ signature, body })
      const valid = mode === "case-sensitive-lower"
        ? signature === WebhookSignature.sign(body, secret)
        : mode === "case-sensitive-upper"
        ? signature === WebhookSignature.sign(body, secret, { case: "upper" })
        : WebhookSignature.verify(body, secret, signature)
      const status = mode === "fails" ? 500 : mode === "accepts-anything" || valid ? 200 : 401
      res.writeHead(status, { "content-type": "application/json" })
      res.end(JSON.stringify({ ok: status === 200 }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/fivetran`
  const handle = {
    url,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
  open.push(handle)
  return handle
}

/** Requests in the emulator log for a method and path. */
export const count = (running: FivetranEmulator.Running<State>, method: string, path: string | RegExp) =>
  running.requests({ method, path }).length
