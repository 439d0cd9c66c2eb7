#!/usr/bin/env node
// Run a command while CPU-bound busy loops compete for the cores, to prove that no test depends on
// the machine being quiet (issue 10: the suite must pass on a busy 2-core machine).
//
//   node scripts/under-load.mjs [--loops 2] [--times 3] -- node node_modules/vitest/vitest.mjs run
//
// Each busy loop is a child process spinning on arithmetic; they stop when the command ends (and
// after --max-seconds at the latest, so a forgotten run never keeps burning the machine).
import { spawn } from "node:child_process"

const argv = process.argv.slice(2)
const sep = argv.indexOf("--")
if (sep === -1 || sep === argv.length - 1) {
  console.error("usage: node scripts/under-load.mjs [--loops N] [--times N] [--max-seconds N] -- COMMAND [ARGS…]")
  process.exit(2)
}
const flags = argv.slice(0, sep)
const command = argv.slice(sep + 1)
const flag = (name, fallback) => {
  const i = flags.indexOf(name)
  if (i === -1) return fallback
  const value = Number(flags[i + 1])
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name} takes a whole number ≥ 1 (got ${JSON.stringify(flags[i + 1])})`)
    process.exit(2)
  }
  return value
}
const loops = flag("--loops", 2)
const times = flag("--times", 1)
const maxSeconds = flag("--max-seconds", 1800)

const busyLoop = `const end = Date.now() + ${maxSeconds * 1000}; let x = 0; while (Date.now() < end) { x = (x * 31 + 7) % 1000003 }`

const runOnce = (round) =>
  new Promise((resolve) => {
    const burners = Array.from({ length: loops }, () => spawn(process.execPath, ["-e", busyLoop], { stdio: "ignore" }))
    console.log(`[under-load] round ${round}/${times}: ${loops} busy loops running; ${command.join(" ")}`)
    const started = Date.now()
    const child = spawn(command[0], command.slice(1), { stdio: "inherit" })
    const stop = () => burners.forEach((b) => b.kill("SIGKILL"))
    child.on("exit", (code, signal) => {
      stop()
      const seconds = ((Date.now() - started) / 1000).toFixed(1)
      console.log(`[under-load] round ${round}/${times}: exit ${code ?? signal} after ${seconds} s`)
      resolve(code ?? 1)
    })
    child.on("error", (error) => {
      stop()
      console.error(`[under-load] could not start ${command[0]}: ${error.message}`)
      resolve(127)
    })
  })

let failed = 0
for (let round = 1; round <= times; round++) {
  if ((await runOnce(round)) !== 0) failed++
}
console.log(`[under-load] ${times - failed} of ${times} rounds green under ${loops} busy loops`)
process.exit(failed === 0 ? 0 : 1)
