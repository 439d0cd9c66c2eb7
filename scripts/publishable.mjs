// Prints the directory of every workspace package that would be published: those under
// packages/ whose package.json is not `private`. Read from the files, never listed by hand,
// so a new package (packages/launchgate, packages/backlog) is packed and tested as soon as it
// exists, and a private one (examples, fixtures) never is.
//
// A publishable package that ships dist/ must build when it is packed: `pnpm pack` / `npm pack` on a fresh
// clone has no dist/, and without a `prepack` build the tarball would ship without it.
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

const problems = []
const dirs = []
for (const name of readdirSync("packages").sort()) {
  const file = join("packages", name, "package.json")
  if (!existsSync(file)) continue
  const pkg = JSON.parse(readFileSync(file, "utf8"))
  if (pkg.private === true) continue
  const ships = (pkg.files ?? []).some((file) => file === "dist" || file.startsWith("dist/"))
  if (ships && !/\btsup\b/.test(pkg.scripts?.prepack ?? "")) {
    const why = "a fresh clone would pack it without dist/"
    problems.push(`${pkg.name}: no "prepack" script that builds (e.g. "prepack": "tsup"): ${why}`)
  }
  dirs.push(join("packages", name))
}
if (problems.length > 0) {
  console.error(problems.join("\n"))
  process.exit(1)
}
console.log(dirs.join("\n"))
