/**
 * Issue 13, goal 5: CLI start-up. Whole processes, timed from spawn to exit: `launchgate --version`,
 * `launchgate --help` and `launchgate plan examples/public-launch/gate.ts`, against `node -e 0`. One
 * warm-up, then N runs each; prints min/median/max and the ratio of medians. Asserts nothing. For each `plan`
 * it also counts the modules one run loads, by package: a figure a busy machine does not blur.
 *
 *   pnpm bench cli-startup
 *
 * Inside the workspace the bin runs core's TypeScript sources through tsx, which is not what users run. To time
 * the published CLI too, pack and install the packages the way users do and point the bench at that project:
 *
 *   PACK_SMOKE_KEEP=1 bash scripts/pack-smoke.sh        # prints "working in /tmp/tmp.XXXX"
 *   BENCH_INSTALLED_APP=/tmp/tmp.XXXX/app pnpm bench cli-startup
 *
 * The example gate is then copied into that project, so its `@launchgate/*` imports resolve to the built packages.
 */
import { spawn } from "node:child_process"
import nodeModule from "node:module"
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const ROOT = fileURLToPath(new URL("..", import.meta.url))
/** The bin of @launchgate/core (package.json "bin": launchgate). */
const BIN = fileURLToPath(new URL("../packages/core/bin/launchgate.mjs", import.meta.url))
export const RUNS = 5
const TIMEOUT_MS = 60_000

const time = (args: ReadonlyArray<string>, cwd = ROOT): Promise<{ ms: number; code: number | null }> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const proc = spawn(process.execPath, args, { cwd, stdio: ["ignore", "ignore", "pipe"] })
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

const series = async (args: ReadonlyArray<string>, cwd = ROOT) => {
  await time(args, cwd)
  const ms: Array<number> = []
  for (let i = 0; i < RUNS; i++) ms.push((await time(args, cwd)).ms)
  ms.sort((a, b) => a - b)
  return { min: ms[0]!, median: ms[Math.floor(ms.length / 2)]!, max: ms[ms.length - 1]! }
}

type Case = readonly [label: string, args: ReadonlyArray<string>, cwd?: string]

// A load hook that appends every module URL the process loads to $LAUNCHGATE_BENCH_MODULES: in the process's own
// thread where Node has module.registerHooks (22.15+), else on the hooks thread (module.register, Node 20).
const LOAD_HOOK = "(url, context, next) => { appendFileSync(process.env.LAUNCHGATE_BENCH_MODULES, url + '\\n'); " +
  "return next(url, context) }"
const OFF_THREAD = `import { appendFileSync } from "node:fs"; export const load = async ${LOAD_HOOK}`
const COUNTER = "data:text/javascript," + encodeURIComponent(
  `import module from "node:module"; import { appendFileSync } from "node:fs";
  if (module.registerHooks) module.registerHooks({ load: ${LOAD_HOOK} });
  else module.register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(OFF_THREAD)}`)});`
)

/** The package (or `node:` built-in, or file) a loaded module URL belongs to. */
const packageOf = (url: string): string => {
  if (url.startsWith("node:")) return "node: built-ins"
  const at = url.lastIndexOf("/node_modules/")
  if (at < 0) return "own files"
  const [scope, name] = url.slice(at + "/node_modules/".length).split("/")
  return scope!.startsWith("@") ? `${scope}/${name}` : scope!
}

/**
 * The modules one run of a command loads, by package, busiest first. Unlike its time, this does not depend on
 * how busy the machine is, so a change in start-up cost shows up here even when the timings are noise.
 */
const modulesLoaded = async (args: ReadonlyArray<string>, cwd = ROOT): Promise<string> => {
  const dir = mkdtempSync(join(tmpdir(), "launchgate-bench-"))
  const file = join(dir, "modules.txt")
  try {
    await new Promise<void>((resolve, reject) => {
      const proc = spawn(process.execPath, ["--import", COUNTER, ...args], {
        cwd,
        stdio: "ignore",
        env: { ...process.env, LAUNCHGATE_BENCH_MODULES: file }
      })
      proc.on("error", reject)
      proc.on("close", (code) =>
        code !== null && code <= 1 ? resolve() : reject(new Error(`${args.join(" ")}: exit ${code}`)))
    })
    const urls = readFileSync(file, "utf8").split("\n").filter((line) => line !== "")
    const counts = new Map<string, number>()
    for (const url of urls) counts.set(packageOf(url), (counts.get(packageOf(url)) ?? 0) + 1)
    const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([name, n]) => `${name} ${n}`)
    // Without registerHooks only the ESM loader's modules are seen: a CommonJS package counts its entry alone.
    const what = "registerHooks" in nodeModule ? "modules" : "ESM-loaded modules (CommonJS requires not seen)"
    return `${urls.length} ${what} (${top.join(", ")}${counts.size > 8 ? ", …" : ""})`
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The installed CLI's cases, when BENCH_INSTALLED_APP names a project that installed the packed packages. */
const installedCases = (): ReadonlyArray<Case> => {
  const app = process.env["BENCH_INSTALLED_APP"]
  if (app === undefined || app === "") return []
  const bin = join(app, "node_modules/launchgate/bin/launchgate.mjs")
  if (!existsSync(bin)) throw new Error(`BENCH_INSTALLED_APP=${app}: no node_modules/launchgate there (see this file's header)`)
  const example = join(app, "public-launch")
  rmSync(example, { recursive: true, force: true })
  cpSync(join(ROOT, "examples/public-launch"), example, {
    recursive: true,
    filter: (src) => !/[\\/](node_modules|reports|\.tmp)$/.test(src)
  })
  return [
    ["installed: launchgate --version", [bin, "--version"], app],
    ["installed: launchgate --help", [bin, "--help"], app],
    ["installed: launchgate plan public-launch/gate.ts", [bin, "plan", "public-launch/gate.ts"], app]
  ]
}

export const main = async () => {
  console.log(`## CLI start-up: whole processes, 1 warm-up + ${RUNS} runs each (${process.version})`)
  const cases: ReadonlyArray<Case> = [
    ["node -e 0", ["-e", "0"]],
    ["workspace (tsx, sources): launchgate --version", [BIN, "--version"]],
    ["workspace (tsx, sources): launchgate --help", [BIN, "--help"]],
    ["workspace (tsx, sources): launchgate plan examples/public-launch/gate.ts", [BIN, "plan", "examples/public-launch/gate.ts"]],
    ...installedCases()
  ]
  const results: Array<{ label: string; min: number; median: number; max: number }> = []
  for (const [label, args, cwd] of cases) results.push({ label, ...(await series(args, cwd)) })
  const node = results[0]!.median
  console.log(`${"command".padEnd(72)} |    min ms | median ms |    max ms | median / node -e 0`)
  for (const r of results) {
    const f = (x: number) => x.toFixed(0).padStart(9)
    console.log(`${r.label.padEnd(72)} | ${f(r.min)} | ${f(r.median)} | ${f(r.max)} | ${(r.median / node).toFixed(1)}×`)
  }
  for (const [label, args, cwd] of cases.filter(([label]) => label.includes(" plan "))) {
    const r = results.find((r) => r.label === label)!
    const modules = await modulesLoaded(args, cwd)
    console.log(`${label}: median ${(r.median / 1000).toFixed(2)} s (goal ≤ 0.5 s); ${modules}`)
  }
  if (cases.length === 4) console.log("(the installed CLI was not timed: set BENCH_INSTALLED_APP, see this file's header)")
  return results
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
