#!/usr/bin/env node
// The launchgate CLI. Runs the built CLI when present (published package), and the
// TypeScript sources through tsx inside the workspace, so no build step is needed there.
import { existsSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"

const dist = fileURLToPath(new URL("../dist/cli.js", import.meta.url))
let main
if (existsSync(dist)) {
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
