/**
 * `@launchgate/core/vitest`: run a gate as a vitest suite.
 *
 * `describeGate(gate)` registers one test per check (named with its tier and
 * title) and one for the gate's verdict. The gate runs once per file, before
 * its tests; each test reports its check's result:
 *
 * - a blocking result (a launch-critical failure, or a launch-adjacent one
 *   when the policy says `block`) fails the test, with the evidence in the
 *   message;
 * - a deferred failure, or a check that did not apply, is skipped with the
 *   reason as the skip note;
 * - warnings (launch-adjacent failures by default) and post-launch results
 *   pass, annotated.
 *
 * Every test carries its check's evidence as a vitest annotation
 * (`context.annotate`, vitest >= 3.2), so it shows in vitest's JUnit, HTML
 * and GitHub Actions reporters, with the item's full JSON as an attachment.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import { beforeAll, describe, test, type TestContext } from "vitest"
import * as Gate from "./Gate.js"
import type * as Report from "./Report.js"
import * as Runner from "./Runner.js"

/** A gate, or a function of the target environment that builds one. */
export type GateSource<R = never> =
  | Gate.Gate<R>
  | ((env: string | undefined) => Gate.Gate<R> | Promise<Gate.Gate<R>>)

/** Options of {@link describeGate}: the runner's options, plus these. */
export interface Options extends Runner.PromiseOptions {
  /** The suite's name. Default `launch gate: <gate name>`. */
  readonly name?: string | undefined
  /** The target environment, passed to a gate function. */
  readonly env?: string | undefined
  /** Milliseconds the whole gate run may take (the hook that runs it). Default: the deadline plus 10 s, or 5 minutes. */
  readonly timeout?: number | undefined
  /** Called with the report once the gate has run (to write a JSON report, say). */
  readonly onReport?: ((report: Report.Report) => void | Promise<void>) | undefined
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000
const MAX_ANNOTATION = 4_000

type RunItem = ReturnType<typeof Gate.runItems<any>>[number]

/** The name of an item's test: its tier, title and id. */
export const testName = (item: RunItem): string =>
  `[${item.tier}] ${item.check.kind === "check" ? "" : `${item.check.kind}: `}${item.check.title} (${item.check.id})`

const json = (value: unknown): string => JSON.stringify(value) ?? "null"

const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text)

/** The item's result as text: status and message, evidence (attestation facts included), remediation, deferral. */
const describeItem = (item: Report.ItemReport): string => {
  const lines = [`${item.status.toUpperCase()}: ${item.message}`]
  for (const [key, value] of Object.entries(item.evidence)) lines.push(`  ${key}: ${json(value)}`)
  if (item.remediation !== undefined) lines.push(`remediation: ${item.remediation}`)
  if (item.deferral) {
    const d = item.deferral
    lines.push(
      `deferral (${d.state}): ${d.reason}; owner ${d.owner}; risk: ${d.risk}; ` +
        `follow-up ${d.followUp}; expires ${d.expires.slice(0, 10)}`
    )
  }
  if (item.docs !== undefined) lines.push(`docs: ${item.docs}`)
  return lines.join("\n")
}

const annotate = async (context: TestContext, message: string, type: string, attachment?: unknown): Promise<void> => {
  // `annotate` arrived in vitest 3.2; on older versions the test result itself still carries the outcome.
  if (typeof context.annotate !== "function") return
  const body = attachment === undefined ? undefined : new TextEncoder().encode(JSON.stringify(attachment, null, 2))
  await context.annotate(clip(message, MAX_ANNOTATION), type, body ? { contentType: "application/json", body } : undefined)
}

/** A failing check as a test failure: the message is the evidence, the stack is ours to drop. */
class GateFailure extends Error {
  override readonly name = "LaunchGateFailure"
  constructor(message: string) {
    super(message)
    this.stack = `${this.name}: ${message}`
  }
}

const reportItem = async (context: TestContext, item: Report.ItemReport): Promise<void> => {
  const text = describeItem(item)
  await annotate(context, text, item.disposition === "warning" ? "warning" : "evidence", item)
  switch (item.disposition) {
    case "blocking":
      throw new GateFailure(`${item.tier} check ${item.id} blocks the launch\n${text}`)
    case "deferred": {
      const d = item.deferral!
      context.skip(`deferred until ${d.expires.slice(0, 10)} (owner ${d.owner}, follow-up ${d.followUp}): ${d.reason}`)
      return
    }
    case "skipped":
      context.skip(item.message)
      return
    case "ok":
    case "warning":
    case "info":
      return
  }
}

const verdictText = (report: Report.Report): string => {
  const { summary } = report
  const counts = `${summary.total} items, ${summary.blocking} blocking, ${summary.warnings} warnings`
  return report.verdict === "ready"
    ? `READY: ${counts}`
    : `BLOCKED: ${counts}\n${report.reasons.map((r) => `  - ${r}`).join("\n")}`
}

const register = <R>(gate: Gate.Gate<R>, options: Options): void => {
  const { name: _name, env: _env, timeout, onReport, ...runnerOptions } = options
  let report: Promise<Report.Report> | undefined
  const getReport = () => {
    report ??= Runner.runPromise(gate, runnerOptions).then(async (r) => {
      await onReport?.(r)
      return r
    })
    return report
  }
  const deadlineMs = runnerOptions.deadline === undefined ? undefined : Duration.toMillis(Duration.decode(runnerOptions.deadline))
  // Run once per file, before the tests; the tests only read the shared report.
  beforeAll(async () => {
    await getReport()
  }, timeout ?? (deadlineMs !== undefined ? deadlineMs + 10_000 : DEFAULT_TIMEOUT_MS))

  Gate.runItems(gate).forEach((item, index) => {
    test(testName(item), async (context) => {
      const r = await getReport()
      const reported = r.items[index]
      if (!reported || reported.id !== item.check.id) throw new Error(`launchgate: no result for ${item.check.id} in the report`)
      await reportItem(context, reported)
    })
  })

  test(`verdict: ${gate.name}`, async (context) => {
    const r = await getReport()
    await annotate(context, verdictText(r), "evidence")
    if (r.verdict === "blocked") throw new GateFailure(`gate "${gate.name}" is blocked\n${r.reasons.map((x) => `  - ${x}`).join("\n")}`)
  })
}

const suiteName = (gate: Gate.Gate<any> | undefined, options: Options): string => {
  if (options.name !== undefined) return options.name
  const env = gate?.environment ?? options.env
  return `launch gate${gate ? `: ${gate.name}` : ""}${env !== undefined ? ` (${env})` : ""}`
}

/**
 * Register a vitest suite for a gate: one test per check (rollback
 * verifications included) and one for the verdict. Call it at the top level
 * of a test file (or inside a `describe`).
 *
 * @example
 * // launch.test.ts
 * import { describeGate } from "@launchgate/core/vitest"
 * import gate from "./gate.js"
 *
 * describeGate(gate, { concurrency: 4 })
 *
 * @example
 * // One gate module, per-environment targets:
 * describeGate((env) => makeGate(env), { env: process.env.LAUNCH_ENV ?? "staging" })
 */
export const describeGate = <R>(source: GateSource<R>, options: Options = {}): void => {
  const built = typeof source === "function" ? source(options.env) : source
  if (built instanceof Promise) {
    // An async gate function: vitest awaits the suite factory while collecting.
    describe(suiteName(undefined, options), async () => {
      register(await built, options)
    })
    return
  }
  describe(suiteName(built, options), () => register(built, options))
}
