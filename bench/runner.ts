/**
 * Issue 13, goal 1: runner overhead. Gates of trivial checks (`Check.fromAsync` returning `Outcome.pass`)
 * through `Runner.runPromise` with default options, against the same checks' runs through a bare
 * `Effect.forEach(…, { concurrency: 8 })`. Each size runs in a fresh child process, so its peak RSS is its
 * own, and under a timeout, so a quadratic runner cannot hold the bench. The gate is declared (`Gate.make`) before
 * the clock starts and its time printed apart. Prints figures; asserts nothing.
 *
 *   pnpm bench runner
 *
 * Inside the workspace the packages run from their TypeScript sources through tsx. To time the built packages
 * as users run them, point the bench at a project that installed the packed tarballs (see cli-startup.ts):
 *
 *   BENCH_INSTALLED_APP=/tmp/tmp.XXXX/app pnpm bench runner
 */
import { spawn } from "node:child_process"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import type * as CoreModule from "@launchgate/core"
import type * as EffectModule from "effect"

const INSTALLED = process.env["BENCH_INSTALLED_APP"] || undefined
// The installed app's own copies (built @launchgate/core and the effect it resolves), or the workspace's.
const { Check, Gate, Outcome, Runner } = (INSTALLED
  ? await import(pathToFileURL(join(INSTALLED, "node_modules/@launchgate/core/dist/index.js")).href)
  : await import("@launchgate/core")) as typeof CoreModule
const { Effect } = (INSTALLED
  ? await import(pathToFileURL(join(INSTALLED, "node_modules/effect/dist/esm/index.js")).href)
  : await import("effect")) as typeof EffectModule
type Check = CoreModule.Check.Check

export const SIZES = [100, 1_000, 2_000, 10_000] as const
/** Per size and mode; today's runner is quadratic (2,000 checks take seconds), so 10,000 may hit it. */
export const TIMEOUT_S = 45

type Mode = "runner" | "forEach"

const checks = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    Check.fromAsync({
      id: `bench.x.c${i}`,
      title: `c${i}`,
      surface: "bench.x",
      category: "capacity",
      run: () => Outcome.pass("ok", { observed: i })
    }))

const gateOf = (list: ReadonlyArray<Check>) =>
  Gate.make({ name: `bench-${list.length}`, items: list.map((check) => ({ check, tier: "launch-adjacent" as const, owner: "bench" })) })

const once = async (mode: Mode, list: ReadonlyArray<Check>, gate = gateOf(list)) => {
  if (mode === "runner") {
    const report = await Runner.runPromise(gate)
    if (report.items.length !== list.length || report.verdict !== "ready") throw new Error("runner: unexpected report")
  } else {
    const outcomes = await Effect.runPromise(Effect.forEach(list, (check) => Check.runSafely(check), { concurrency: 8 }))
    if (outcomes.some((o) => o.status !== "pass")) throw new Error("forEach: unexpected outcome")
  }
}

/** In the child: warm up on a small gate, then time `n` checks (repeated for small `n`, then averaged). */
const child = async (mode: Mode, n: number) => {
  await once(mode, checks(50))
  const list = checks(n)
  // The gate is declared before the clock starts: Gate.make validates the declaration (a Schema decode of every
  // item) once, where the gate is written, not per run. Its time is printed beside the runner's, not hidden.
  const declared = performance.now()
  const gate = gateOf(list)
  const gateMs = performance.now() - declared
  const reps = n <= 100 ? 10 : 1
  const cpu = process.cpuUsage()
  const started = performance.now()
  for (let i = 0; i < reps; i++) await once(mode, list, gate)
  const ms = (performance.now() - started) / reps
  // CPU time of this process: far less disturbed than wall time when other work shares the machine.
  const used = process.cpuUsage(cpu)
  const cpuMs = (used.user + used.system) / 1000 / reps
  // maxRSS is in kilobytes (getrusage).
  const maxRssMb = process.resourceUsage().maxRSS / 1024
  process.stdout.write(`${JSON.stringify({ ms, cpuMs, maxRssMb, ...(mode === "runner" ? { gateMs } : {}) })}\n`)
}

interface Measured {
  readonly ms?: number | undefined
  readonly cpuMs?: number | undefined
  readonly maxRssMb?: number | undefined
  /** Gate.make of the same checks (runner mode), timed apart from the run. */
  readonly gateMs?: number | undefined
  readonly timedOut?: boolean | undefined
  readonly error?: string | undefined
}

/** Run one size in a fresh process (this file, through tsx), killed after TIMEOUT_S. */
const measure = (mode: Mode, n: number): Promise<Measured> =>
  new Promise((resolve) => {
    const proc = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--child", mode, String(n)], {
      stdio: ["ignore", "pipe", "pipe"]
    })
    let out = ""
    let err = ""
    let timedOut = false
    proc.stdout.on("data", (d) => (out += d))
    proc.stderr.on("data", (d) => (err += d))
    const timer = setTimeout(() => {
      timedOut = true
      proc.kill("SIGKILL")
    }, TIMEOUT_S * 1000)
    proc.on("close", (code) => {
      clearTimeout(timer)
      if (timedOut) return resolve({ timedOut: true })
      const line = out.trim().split("\n").pop()
      if (code !== 0 || !line) return resolve({ error: `exit ${code}: ${err.trim().split("\n").slice(-3).join(" | ")}` })
      resolve(JSON.parse(line) as Measured)
    })
  })

const show = (m: Measured, n: number) =>
  m.timedOut
    ? `timed out after ${TIMEOUT_S} s`.padEnd(30)
    : m.error
    ? `failed: ${m.error}`
    : `${m.ms!.toFixed(0).padStart(6)} ms ${((m.ms! * 1000) / n).toFixed(0).padStart(5)} µs/check (CPU ${
      ((m.cpuMs! * 1000) / n).toFixed(0).padStart(5)
    })`

export const main = async () => {
  console.log(`## Runner overhead: trivial checks, default options, one fresh process per size (timeout ${TIMEOUT_S} s)`)
  console.log(INSTALLED ? `built packages installed in ${INSTALLED}` : "workspace sources through tsx (BENCH_INSTALLED_APP times the built packages)")
  console.log(
    "checks | Runner.runPromise: wall, µs/check (CPU) | peak RSS | Effect.forEach, concurrency 8 | peak RSS | ratio wall (CPU)"
  )
  const results = new Map<number, { runner: Measured; bare: Measured }>()
  for (const n of SIZES) {
    const runner = await measure("runner", n)
    const bare = await measure("forEach", n)
    results.set(n, { runner, bare })
    const rss = (m: Measured) => (m.maxRssMb === undefined ? "       -" : `${m.maxRssMb.toFixed(0).padStart(5)} MB`)
    const ratio = runner.ms !== undefined && bare.ms !== undefined
      ? `${(runner.ms / bare.ms).toFixed(1)}× (${(runner.cpuMs! / bare.cpuMs!).toFixed(1)}×)`
      : "-"
    console.log(`${String(n).padStart(6)} | ${show(runner, n)} | ${rss(runner)} | ${show(bare, n)} | ${rss(bare)} | ${ratio}`)
  }
  const linearity = (mode: "runner" | "bare") => {
    const t1k = results.get(1_000)?.[mode]
    const t10k = results.get(10_000)?.[mode]
    if (t1k?.ms === undefined) return "n/a"
    if (t10k?.ms === undefined) return `> ${((TIMEOUT_S * 1000) / t1k.ms).toFixed(1)} (10,000 did not finish)`
    return `${(t10k.ms / t1k.ms).toFixed(1)} (CPU ${(t10k.cpuMs! / t1k.cpuMs!).toFixed(1)})`
  }
  console.log(`linearity time(10,000)/time(1,000): runner ${linearity("runner")}, forEach ${linearity("bare")} (goal ≤ 12)`)
  const at10k = results.get(10_000)
  if (at10k?.runner.cpuMs !== undefined && at10k.bare.cpuMs !== undefined) {
    const overhead = ((at10k.runner.cpuMs - at10k.bare.cpuMs) * 1000) / 10_000
    const overheadWall = ((at10k.runner.ms! - at10k.bare.ms!) * 1000) / 10_000
    console.log(`runner overhead at 10,000: ${overhead.toFixed(1)} µs/check CPU (${overheadWall.toFixed(1)} wall) (goal ≤ 20)`)
  }
  const gate10k = at10k?.runner.gateMs
  if (gate10k !== undefined) {
    console.log(
      `Gate.make of the 10,000 items (declaring the gate, outside the timed run): ${gate10k.toFixed(0)} ms ` +
        `(${((gate10k * 1000) / 10_000).toFixed(1)} µs/item)`
    )
  }
  const rss10k = results.get(10_000)?.runner.maxRssMb
  console.log(`peak RSS at 10,000: runner ${rss10k === undefined ? "n/a (did not finish)" : `${rss10k.toFixed(0)} MB`} (goal ≤ 300 MB)`)
  return results
}

const args = process.argv.slice(2)
if (args[0] === "--child") await child(args[1] as Mode, Number(args[2]))
else if (import.meta.url === `file://${process.argv[1]}`) await main()
