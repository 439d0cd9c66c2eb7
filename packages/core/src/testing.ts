/**
 * Test helpers for checks and the packages that write them: run a few checks
 * in a throwaway gate against a layer (usually a client pointed at a bundled
 * emulator), read an item back, and start an emulator for the length of one
 * test. Every vendor package's own tests use these; so can yours.
 *
 * The convention for an emulator module (each vendor's `…/emulator`): a
 * `start(options)` that returns a running emulator, and a
 * `clientOptions(running, overrides)` that returns the options of the
 * vendor's `layer(…)` pointed at it (base URL, fake credentials, tiny retry
 * delays). {@link EmulatorModule} is that shape.
 *
 * @example
 * import { runCheck, withEmulator } from "@launchgate/core/testing"
 * import { FivetranEmulator } from "@launchgate/fivetran/emulator"
 *
 * await withEmulator(FivetranEmulator, {}, async (emu) => {
 *   const item = await runCheck(Connection.freshness({ connectionId: "c1" }), {
 *     layer: Fivetran.layer(FivetranEmulator.clientOptions(emu))
 *   })
 *   expect(item.status).toBe("fail")
 * })
 *
 * @since 0.2.0
 */
import type * as Layer from "effect/Layer"
import type * as Check from "./Check.js"
import type * as HttpTransport from "./HttpTransport.js"
import * as Gate from "./Gate.js"
import * as Report from "./Report.js"
import * as Runner from "./Runner.js"

/** The shape of a vendor's emulator module. */
export interface EmulatorModule<Options, Running extends { readonly close: () => Promise<void> }, ClientOptions> {
  readonly start: (options?: Options) => Promise<Running>
  readonly clientOptions: (running: Running, overrides?: Partial<ClientOptions>) => ClientOptions
}

/** Options of {@link runChecks}. */
export interface RunChecksOptions<R> {
  /** Provides what the checks need (e.g. `Fivetran.layer(…)`). */
  readonly layer?: Layer.Layer<Exclude<R, Gate.Provided>, unknown, Gate.Provided> | undefined
  /** The instant the run happens at (deferral expiry, freshness). Default: the real clock. */
  readonly now?: Date | undefined
  /** The tier of every item. Default `post-launch`, which needs no rollback plan. */
  readonly tier?: Gate.Tier | undefined
  /** Allow active checks. Default: not allowed (read-only). */
  readonly allowActive?: boolean | ReadonlyArray<string> | undefined
  /** The gate's environment (`Gate.RunContext.environment`), e.g. `"production"`. Default: none. */
  readonly environment?: string | undefined
  /** Gate `http` options (proxy, CA, insecure origins). */
  readonly http?: HttpTransport.Options | undefined
  /** Runner options (timeouts, concurrency, deadline). */
  readonly runner?: Runner.Options | undefined
}

/**
 * Run checks in a throwaway gate and return the report, after checking that the report is a valid
 * report (so a test never asserts on a shape the reporters could not print).
 */
export const runChecks = async <R>(
  checks: ReadonlyArray<Check.Check<R>>,
  options: RunChecksOptions<R> = {}
): Promise<Report.Report> => {
  const tier = options.tier ?? "post-launch"
  const surfaces = [...new Set(checks.map((c) => c.surface))]
  const gate = Gate.make({
    name: "launchgate test",
    items: checks.map((check) => ({ check, tier, owner: "test" })),
    // Launch-critical items need a rollback story; a test gate gives each surface a placeholder.
    ...(tier === "launch-critical"
      ? { rollback: Object.fromEntries(surfaces.map((s) => [s, { procedure: "test: no rollback" }])) }
      : {}),
    ...(options.layer ? { layer: options.layer } : {}),
    ...(options.environment !== undefined ? { environment: options.environment } : {}),
    ...(options.http ? { http: options.http } : {})
  } as Gate.Definition<ReadonlyArray<Gate.Item<any>>>)
  const report = await Runner.runPromise(gate as Gate.Gate<unknown>, {
    ...options.runner,
    ...(options.now ? { now: options.now } : {}),
    ...(options.allowActive !== undefined ? { allowActive: options.allowActive } : {})
  })
  Report.decodeSync(report)
  return report
}

/** The report item of a check id; throws naming the ids there are when it is missing. */
export const item = (report: Report.Report, id: string): Report.ItemReport => {
  const found = report.items.find((i) => i.id === id)
  if (!found) throw new Error(`no item "${id}" in the report (items: ${report.items.map((i) => i.id).join(", ")})`)
  return found
}

/** Run one check and return its report item. */
export const runCheck = async <R>(check: Check.Check<R>, options: RunChecksOptions<R> = {}): Promise<Report.ItemReport> =>
  item(await runChecks([check], options), check.id)

/** Start an emulator for the length of `body`, and close it afterwards whatever happens. */
export const withEmulator = async <Options, Running extends { readonly close: () => Promise<void> }, A>(
  emulator: Pick<EmulatorModule<Options, Running, unknown>, "start">,
  options: Options,
  body: (running: Running) => Promise<A>
): Promise<A> => {
  const running = await emulator.start(options)
  try {
    return await body(running)
  } finally {
    await running.close()
  }
}
