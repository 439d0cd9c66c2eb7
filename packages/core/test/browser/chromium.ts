/**
 * Finding a Chromium for the browser tests: `LAUNCHGATE_CHROMIUM`, then the
 * Debian and Ubuntu paths. Without one the test is skipped, except under
 * `CI=true`, where a missing browser must fail the build rather than hide it.
 */
import { existsSync } from "node:fs"

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]

/** The Chromium executable to drive, or undefined when none is installed. */
export const findChromium = (env: NodeJS.ProcessEnv = process.env): string | undefined => {
  const configured = env["LAUNCHGATE_CHROMIUM"]
  if (configured !== undefined && configured !== "") return existsSync(configured) ? configured : undefined
  return CANDIDATES.find((path) => existsSync(path))
}

/** Flags for a quiet, offline, sandbox-less headless Chromium (containers have no user namespaces). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]
