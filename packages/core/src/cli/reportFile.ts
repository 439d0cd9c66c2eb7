/** Reading a JSON report file for `diff`, `docs --report` and `run --baseline`. */
import { readFile } from "node:fs/promises"
import * as nodePath from "node:path"
import * as JsonReporter from "../JsonReporter.js"
import type * as Report from "../Report.js"
import { ConfigError } from "./io.js"

/** Read and decode a report written by `launchgate run --json`; every problem is a ConfigError naming the file. */
export const readReport = async (cwd: string, file: string, flag: string): Promise<Report.Report> => {
  const path = nodePath.resolve(cwd, file)
  let text: string
  try {
    text = await readFile(path, "utf8")
  } catch (error) {
    throw new ConfigError(`${flag}: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`)
  }
  try {
    return JsonReporter.parse(text)
  } catch (error) {
    throw new ConfigError(`${flag}: ${file} is not a launchgate JSON report: ${error instanceof Error ? error.message : String(error)}`)
  }
}
