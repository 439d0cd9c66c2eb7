/**
 * Test support, what is Fivetran-specific: the emulator with a seed, the
 * client layer pointed at it, a product webhook receiver and request counts.
 * Running checks, reading items and closing emulators is core's
 * `@launchgate/core/testing`.
 */
import type { Check, Report } from "@launchgate/core"
import * as Testing from "@launchgate/core/testing"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as Fivetran from "../../src/index.js"
import { FivetranEmulator, type State } from "../../src/emulator/index.js"
import * as WebhookSignature from "../../src/WebhookSignature.js"

/** The pinned "now" of every test run. */
export const NOW = new Date("2026-09-01T12:00:00.000Z")

type Running = FivetranEmulator.Running<State>
type Checks = ReadonlyArray<Check.Check<Fivetran.FivetranClient.FivetranClient>>

/** Run `body` against a Fivetran emulator on a random loopback port, seeded; closed afterwards whatever happens. */
export const withEmulator = <A>(
  seed: ((state: State) => void) | undefined,
  body: (running: Running) => Promise<A>
): Promise<A> => Testing.withEmulator(FivetranEmulator, seed ? { seed } : {}, body)

export interface RunOptions {
  readonly client?: Partial<Fivetran.FivetranClient.Options> | undefined
  readonly allowActive?: boolean | undefined
  readonly now?: Date | undefined
}

/** Run checks as launch-critical items against the emulator, with tiny retry delays. */
export const run = (running: Running, checks: Checks, options: RunOptions = {}): Promise<Report.Report> =>
  Testing.runChecks(checks, {
    tier: "launch-critical",
    now: options.now ?? NOW,
    allowActive: options.allowActive ?? false,
    layer: Fivetran.layer(
      FivetranEmulator.clientOptions(running, { retry: { baseDelay: "1 millis" }, ...options.client })
    )
  })

/** Run one check and return its item. */
export const runOne = async (
  running: Running,
  check: Checks[number],
  options?: RunOptions
): Promise<Report.ItemReport> => Testing.item(await run(running, [check], options), check.id)

/** How a test webhook receiver behaves. */
export type ReceiverMode = "verifies" | "accepts-anything" | "case-sensitive-lower" | "case-sensitive-upper" | "fails"

/** A running product webhook receiver: its URL and what it received. */
export interface Receiver {
  readonly url: string
  readonly received: ReadonlyArray<{ readonly signature: string | undefined; readonly body: string }>
}

/**
 * Run `body` with a product webhook receiver on loopback that verifies X-Fivetran-Signature-256 (or not, by
 * `mode`); closed afterwards whatever happens.
 */
export const withReceiver = async <A>(
  secret: string,
  mode: ReceiverMode,
  body: (receiver: Receiver) => Promise<A>
): Promise<A> => {
  const received: Array<{ signature: string | undefined; body: string }> = []
  const server = http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8")
      const signature = req.headers["x-fivetran-signature-256"] as string | undefined
      received.push({ signature, body: text })
      const accepted = mode === "accepts-anything" || valid(mode, secret, text, signature)
      const status = mode === "fails" ? 500 : accepted ? 200 : 401
      res.writeHead(status, { "content-type": "application/json" })
      res.end(JSON.stringify({ ok: status === 200 }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  try {
    return await body({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/fivetran`, received })
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  }
}

const valid = (mode: ReceiverMode, secret: string, body: string, signature: string | undefined): boolean => {
  if (mode === "case-sensitive-lower") return signature === WebhookSignature.sign(body, secret)
  if (mode === "case-sensitive-upper") return signature === WebhookSignature.sign(body, secret, { case: "upper" })
  return WebhookSignature.verify(body, secret, signature)
}

/** Requests in the emulator log for a method and path. */
export const count = (running: Running, method: string, path: string | RegExp) =>
  running.requests({ method, path }).length
