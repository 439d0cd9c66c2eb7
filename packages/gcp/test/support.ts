/**
 * Test helpers: a client layer pointed at a running emulator with tiny retry
 * delays, and a one-check gate runner.
 */
import { type Check, Gate, type HttpTransport, Report, Runner } from "@launchgate/core"
import type { Running } from "@launchgate/core/emulator"
import { type Duration, type Layer, Redacted } from "effect"
import { Gcp, type GcpError as GcpErrors, type GcpServices } from "../src/index.js"
import { GcpEmulator, type State } from "../src/emulator/index.js"

export const TOKEN_VALUE = "ya29.launchgate-test-token-0123456789"
export const TOKEN = Redacted.make(TOKEN_VALUE)
export const NOW = new Date("2026-03-02T12:00:00.000Z")

export const layerFor = (
  running: Pick<Running<State>, "url">,
  overrides: Partial<Gcp.Options> = {}
): Layer.Layer<GcpServices, GcpErrors.GcpError, HttpTransport.HttpTransport> =>
  Gcp.layer({
    project: GcpEmulator.DEFAULT_PROJECT,
    region: GcpEmulator.DEFAULT_REGION,
    billingAccount: GcpEmulator.DEFAULT_BILLING_ACCOUNT,
    projectNumber: GcpEmulator.DEFAULT_PROJECT_NUMBER,
    accessToken: TOKEN,
    baseUrls: running.url,
    retry: { baseDelay: "1 millis", maxDelay: "20 millis" },
    ...overrides
  })

/** Run checks in a throwaway gate (post-launch, so no rollback plan is needed) and return the report. */
export const runChecks = async (
  running: Pick<Running<State>, "url">,
  checks: ReadonlyArray<Check.Check<GcpServices>>,
  options: {
    readonly layer?: Partial<Gcp.Options>
    readonly now?: Date
    readonly allowActive?: boolean
    /** The runner's per-check timeout (its default, 30 s, otherwise). */
    readonly checkTimeout?: Duration.DurationInput
    /** Aborting it interrupts the run. */
    readonly signal?: AbortSignal
  } = {}
): Promise<Report.Report> => {
  const gate = Gate.make({
    name: "gcp test",
    items: checks.map((check) => ({ check, tier: "post-launch" as const, owner: "platform" })),
    layer: layerFor(running, options.layer)
  })
  const report = await Runner.runPromise(gate, {
    now: options.now ?? NOW,
    ...(options.allowActive ? { allowActive: true } : {}),
    ...(options.checkTimeout !== undefined ? { checkTimeout: options.checkTimeout } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {})
  })
  // Every report must be a valid report.
  Report.decodeSync(report)
  return report
}

/** Run one check and return its item. */
export const runCheck = async (
  running: Pick<Running<State>, "url">,
  check: Check.Check<GcpServices>,
  options: Parameters<typeof runChecks>[2] = {}
): Promise<Report.ItemReport> => (await runChecks(running, [check], options)).items[0]!

/** Start an emulator for one test; closes it afterwards. */
export const withEmulator = async <A>(
  options: GcpEmulator.Options,
  body: (running: Running<State>) => Promise<A>
): Promise<A> => {
  const running = await GcpEmulator.start(options)
  try {
    return await body(running)
  } finally {
    await running.close()
  }
}

/** API requests in the log (service URL hits excluded), as `METHOD path`. */
export const apiRequests = (running: Running<State>) =>
  running.log.filter((e) => e.route !== "serve").map((e) => `${e.method} ${e.path}`)
