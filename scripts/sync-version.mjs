// Keeps the version reported by `launchgate --version` and in every report equal to
// packages/core/package.json after `changeset version` bumps it.
import { readFileSync, writeFileSync } from "node:fs"

const { version } = JSON.parse(readFileSync("packages/core/package.json", "utf8"))
const file = "packages/core/src/internal/version.ts"
const text = readFileSync(file, "utf8").replace(/export const version = "[^"]*"/, `export const version = "${version}"`)
writeFileSync(file, text)
console.log(`launchgate version ${version}`)
