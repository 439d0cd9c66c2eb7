// After a build, every subpath a package publishes (publishConfig.exports) must exist
// in dist, for both ESM and CJS and their type declarations.
import { existsSync, readFileSync, readdirSync } from "node:fs"
import { join } from "node:path"

let missing = 0
for (const dir of readdirSync("packages")) {
  const pkg = JSON.parse(readFileSync(join("packages", dir, "package.json"), "utf8"))
  for (const [subpath, conditions] of Object.entries(pkg.publishConfig?.exports ?? {})) {
    for (const condition of Object.values(conditions)) {
      for (const target of Object.values(condition)) {
        if (!existsSync(join("packages", dir, target))) {
          console.log(`${pkg.name} ${subpath}: ${target} was not built`)
          missing++
        }
      }
    }
  }
}
if (missing > 0) process.exit(1)
console.log("every published export was built")
