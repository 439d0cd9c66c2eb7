/**
 * Issue 13, goal 5: CLI start-up. Whole processes, timed from spawn to exit: `launchgate --version`,
 * `launchgate --help` and `launchgate plan examples/public-launch/gate.ts`, against `node -e 0`. One
 * warm-up, then N runs each; prints min/median/max and the ratio of medians. Asserts nothing.
 *
 *   pnpm bench cli-startup
 */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const ROOT = fileURLToPath(new URL("..", import.meta.url))
/** The bin of @launchgate/core (package.json "bin": launchgate). */
const BIN = fileURLToPath(new URL("../packages/core/bin/launchgate.mjs", import.meta.url))
export const RUNS = 5
const TIMEOUT_MS = 60_000

const time = (args: ReadonlyArray<string>): Promise<{ ms: number; code: number | null }> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] })
    let err = ""
    proc.stderr.on("data", (d) => (err += d))
    const timer = setTimeout(() => proc.kill("SIGKILL"), TIMEOUT_MS)
    proc.on("error", reject)
    proc.on("close", (code) => {
      clearTimeout(timer)
      const ms = performance.now() - started
      if (code === null) reject(new Error(`${args.join(" ")}: killed after ${TIMEOUT_MS} ms`))
      else if (code > 1) reject(new Error(`${args.join(" ")}: exit ${code}: ${err.trim().slice(-300)}`))
      else resolve({ ms, code })
    })
  })

const series = async (args: ReadonlyArray<string>) => {
  await time(args)
  const ms: Array<number> = []
  for (let i = 0; i < RUNS; i++) ms.push((await time(args)).ms)
  ms.sort((a, b) => a - b)
  return { min: ms[0]!, median: ms[Math.floor(ms.length / 2)]!, max: ms[ms.length - 1]! }
}

export const main = async () => {
  console.log(`## CLI start-up: whole processes, 1 warm-up + ${RUNS} runs each`)
  const cases: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
    ["node -e 0", ["-e", "0"]],
    ["launchgate --version", [BIN, "--version"]],
    ["launchgate --help", [BIN, "--help"]],
    ["launchgate plan examples/public-launch/gate.ts", [BIN, "plan", "examples/public-launch/gate.ts"]]
  ]
  const results: Array<{ label: string; min: number; median: number; max: number }> = []
  for (const [label, args] of cases) results.push({ label, ...(await series(args)) })
  const node = results[0]!.median
  console.log(`${"command".padEnd(48)} |    min ms | median ms |    max ms | median / node -e 0`)
  for (const r of results) {
    const f = (x: number) => x.toFixed(0).padStart(9)
    console.log(`${r.label.padEnd(48)} | ${f(r.min)} | ${f(r.median)} | ${f(r.max)} | ${(r.median / node).toFixed(1)}×`)
  }
  const plan = results[3]!.median
  console.log(`plan median ${(plan / 1000).toFixed(2)} s (goal ≤ 0.5 s)`)
  return results
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
