// Runs every benchmark in this folder (or the ones named on the command line) and prints
// their figures. Benchmarks print numbers; they never assert timings. Modules without a `main`
// (world.ts, the shared scaled world) are skipped. Figures and how to read them: RESULTS.md.
import { readdirSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"
import { dirname, join } from "node:path"

const here = dirname(fileURLToPath(import.meta.url))
const wanted = process.argv.slice(2)
const files = readdirSync(here)
  // world-process.ts is the child side of World.startRemote: importing it here would make this process a world.
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "run.ts" && f !== "world-process.ts")
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort()
for (const file of files) {
  console.log(`\n# ${file}`)
  const mod = await import(pathToFileURL(join(here, file)).href)
  if (typeof mod.main === "function") await mod.main()
}
