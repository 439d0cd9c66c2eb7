#!/usr/bin/env node
// `npx launchgate`: the CLI of @launchgate/core with tsx on board. tsx is registered only when a TypeScript gate
// file is about to load, so `--help`, `--version` and commands on .js gates start without it.
// Node 22.1+ keeps compiled bytecode of the modules it loads (effect alone is ~600 modules) in a cache under the
// system temp directory; a later start skips their compilation. Node 20 lacks it; NODE_DISABLE_COMPILE_CACHE=1 opts out.
import module from "node:module"
module.enableCompileCache?.()
const loadTs = async () => (await import("tsx/esm/api")).register()
// Inside the launchgate workspace @launchgate/core resolves to its TypeScript sources: they need tsx first.
// (Resolved first: a failed import would stay cached as failed.)
if (/\.[mc]?ts$/.test(import.meta.resolve("@launchgate/core/cli"))) await loadTs()
// A wrong effect major is refused with one sentence by core's version check; print that sentence alone.
const cli = await import("@launchgate/core/cli").catch((error) => {
  if (error?._tag !== "EffectVersionError") throw error
  process.stderr.write(`${error.message}\n`)
  process.exit(2)
})
const code = await cli.main(process.argv.slice(2), undefined, { loadTs })
// Exit once the output is flushed: a gate may leave handles open (keep-alive sockets, emulators, pools).
const flush = (stream) => new Promise((resolve) => (stream.writableLength === 0 ? resolve() : stream.write("", resolve)))
await Promise.all([flush(process.stdout), flush(process.stderr)])
process.exit(code)
