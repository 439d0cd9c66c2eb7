#!/usr/bin/env node
// The launchgate CLI. An installed package (under node_modules) runs its built CLI; inside
// the launchgate workspace the TypeScript sources run through tsx, so no build step is
// needed there and a stale dist/ is never picked up by mistake.
import { existsSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"

const here = fileURLToPath(import.meta.url)
const dist = fileURLToPath(new URL("../dist/cli.js", import.meta.url))
const source = fileURLToPath(new URL("../src/cli.ts", import.meta.url))
const installed = here.split(/[\\/]/).includes("node_modules")
let main
if (existsSync(dist) && (installed || !existsSync(source))) {
  main = (await import(pathToFileURL(dist).href)).main
} else {
  const { register } = await import("tsx/esm/api")
  register()
  main = (await import(new URL("../src/cli.ts", import.meta.url).href)).main
}
const code = await main(process.argv.slice(2))
// Exit explicitly once the output is flushed: a gate may leave handles open (keep-alive
// sockets, emulators, pools) that would otherwise keep the process alive after the report.
const flush = (stream) => new Promise((resolve) => (stream.writableLength === 0 ? resolve() : stream.write("", resolve)))
await Promise.all([flush(process.stdout), flush(process.stderr)])
process.exit(code)
