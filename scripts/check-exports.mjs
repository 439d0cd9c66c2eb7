// After a build, every subpath a package publishes (publishConfig.exports) must exist in
// dist for both ESM and CJS with their type declarations. Core's entries are also loaded
// (ESM and CJS). The integration packages' dist imports @launchgate/core, which inside the
// workspace resolves to core's sources (development exports), so they are only checked
// for presence here; `vitest` loads only inside a vitest run. Every entry must load the
// effect-version guard first (see tsup.base.ts).
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"

const require = createRequire(import.meta.url)
let problems = 0
let loaded = 0
for (const dir of readdirSync("packages")) {
  const pkg = JSON.parse(readFileSync(join("packages", dir, "package.json"), "utf8"))
  for (const [subpath, conditions] of Object.entries(pkg.publishConfig?.exports ?? {})) {
    for (const [condition, targets] of Object.entries(conditions)) {
      for (const target of Object.values(targets)) {
        const file = resolve("packages", dir, target)
        if (!existsSync(file)) {
          console.log(`${pkg.name} ${subpath}: ${target} was not built`)
          problems++
          continue
        }
        if (file.endsWith(".d.ts") || file.endsWith(".d.cts")) continue
        // The effect-version guard (tsup.base.ts) must be the first thing every entry loads.
        const first = readFileSync(file, "utf8").split("\n", 1)[0]
        if (!/^(?:"use strict";require\("|import ")\.{1,2}\/(?:\.\.\/)*effect-version\.c?js"/.test(first)) {
          console.log(`${pkg.name} ${subpath} (${condition}): ${target} does not load the effect-version guard first`)
          problems++
        }
        if (pkg.name !== "@launchgate/core" || subpath === "./vitest") continue
        try {
          const mod = condition === "require" ? require(file) : await import(pathToFileURL(file).href)
          if (Object.keys(mod).length === 0 && subpath !== "./emulator") throw new Error("exports nothing")
          loaded++
        } catch (error) {
          const why = error instanceof Error ? error.message : error
          console.log(`${pkg.name} ${subpath} (${condition}): ${target} does not load: ${why}`)
          problems++
        }
      }
    }
  }
}
if (problems > 0) process.exit(1)
console.log(`every published export was built, and ${loaded} ESM/CJS entries load`)
