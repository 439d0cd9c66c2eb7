#!/usr/bin/env node
// The launchgate CLI of @launchgate/core. Users run the `launchgate` package's bin (it carries tsx); this one
// serves the workspace and installs that bring their own TypeScript loader. An installed package runs its built
// CLI; inside the launchgate workspace the TypeScript sources run through tsx, so no build step is needed there
// and a stale dist/ is never picked up by mistake.
// Node 22.1+ keeps compiled bytecode of the modules it loads (effect alone is ~600 modules) in a cache under the
// system temp directory; a later start skips their compilation. Node 20 lacks it; NODE_DISABLE_COMPILE_CACHE=1 opts out.
import module from "node:module"
module.enableCompileCache?.()
import { existsSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"

const here = fileURLToPath(import.meta.url)
const dist = fileURLToPath(new URL("../dist/cli.js", import.meta.url))
const source = fileURLToPath(new URL("../src/cli.ts", import.meta.url))
const installed = here.split(/[\\/]/).includes("node_modules")
// A variable, so no bundler or resolver mistakes tsx for a dependency of core: it is only needed for sources.
const TSX = "tsx/esm/api"
let main
if (existsSync(dist) && (installed || !existsSync(source))) {
  main = (await import(pathToFileURL(dist).href)).main
} else {
  ;(await import(TSX)).register()
  main = (await import(pathToFileURL(source).href)).main
}
const code = await main(process.argv.slice(2))
// Exit explicitly once the output is flushed: a gate may leave handles open (keep-alive
// sockets, emulators, pools) that would otherwise keep the process alive after the report.
const flush = (stream) => new Promise((resolve) => (stream.writableLength === 0 ? resolve() : stream.write("", resolve)))
await Promise.all([flush(process.stdout), flush(process.stderr)])
process.exit(code)
