import { PassThrough } from "node:stream"
import { fileURLToPath } from "node:url"
import { main } from "../../src/cli.js"

/** packages/core: the CLI tests' working directory (fixture paths print as test/fixtures/cli/…). */
export const coreDir = fileURLToPath(new URL("../..", import.meta.url))

/** Run `main` in-process with captured output and no real signals. */
export const inProcess = async (argv: ReadonlyArray<string>) => {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ""
  let err = ""
  stdout.on("data", (d) => (out += d))
  stderr.on("data", (d) => (err += d))
  const code = await main(argv, { stdout, stderr, cwd: coreDir, env: {}, onInterrupt: () => () => {} })
  return { code, stdout: out, stderr: err }
}
