/**
 * Which major of `effect` launchgate runs on, checked when the built package loads.
 *
 * `effect` is a peer dependency, so the user's install picks its version: `npm install
 * effect` alone resolves to npm's latest major, whose API differs. Without this check the
 * first symptom is an obscure error from the middle of our code (a missing export at link
 * time, or `undefined is not a function`). The build (tsup.base.ts) runs
 * {@link assertEffectVersion} before any module of ours evaluates, in every entry point
 * of every package, so a wrong major gives one sentence that says what to install.
 *
 * Only Node built-ins are imported here: this module must load whatever `effect` is.
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"

/** The `effect` major every launchgate 0.x package is built and tested against. */
export const supportedMajor = 3

/** Thrown at load time when the installed `effect` is of another major. */
export class EffectVersionError extends Error {
  declare readonly _tag: "EffectVersionError"
  declare readonly found: string
  declare readonly remediation: string
  constructor(found: string) {
    const remediation = `install effect@^${supportedMajor}`
    super(`launchgate 0.x needs effect ${supportedMajor}.x; found ${found} — ${remediation}`)
    // Non-enumerable, and a stack that is only the sentence: an uncaught load error is then
    // printed by Node as that one sentence, not as a dump of fields and loader frames.
    Object.defineProperties(this, {
      _tag: { value: "EffectVersionError" },
      name: { value: "EffectVersionError" },
      found: { value: found },
      remediation: { value: remediation },
      stack: { value: `EffectVersionError: ${this.message}`, writable: true, configurable: true }
    })
  }
}

const readVersion = (file: string): string | undefined => {
  try {
    const pkg: unknown = JSON.parse(readFileSync(file, "utf8"))
    if (typeof pkg !== "object" || pkg === null) return undefined
    const { name, version } = pkg as { name?: unknown; version?: unknown }
    return name === "effect" && typeof version === "string" ? version : undefined
  } catch {
    return undefined
  }
}

/**
 * The version of the `effect` that a module at `from` (a path or file URL) resolves,
 * or `undefined` when no `effect` is found from there.
 *
 * `effect/package.json` is resolved first (effect 3 and 4 both export it); a later
 * release whose exports map hides it is handled by walking up from the resolved entry
 * to the directory whose package.json is named `effect`.
 */
export const installedEffectVersion = (from: string | URL): string | undefined => {
  const require = createRequire(from)
  try {
    const version = readVersion(require.resolve("effect/package.json"))
    if (version !== undefined) return version
  } catch {
    // Not exported (or not installed): fall through to the entry.
  }
  let entry: string
  try {
    entry = require.resolve("effect")
  } catch {
    return undefined
  }
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    const version = readVersion(join(dir, "package.json"))
    if (version !== undefined) return version
    if (dirname(dir) === dir || dir.endsWith("node_modules")) return undefined
  }
}

/**
 * The sentence to show for an installed `effect` version, or `undefined` when it is a
 * supported one. `undefined` (not found) is not a problem here: then importing `effect`
 * fails by itself with Node's own "Cannot find package 'effect'".
 */
export const effectVersionProblem = (found: string | undefined): EffectVersionError | undefined => {
  if (found === undefined) return undefined
  const major = Number(/^(\d+)\./.exec(found)?.[1])
  return major === supportedMajor ? undefined : new EffectVersionError(found)
}

/**
 * Throws {@link EffectVersionError} when the `effect` that `from` resolves is not the
 * supported major. A version that cannot be read (e.g. a bundle that dropped effect's
 * package.json) is let through: the check must never refuse a working install.
 */
export const assertEffectVersion = (from: string | URL): void => {
  const problem = effectVersionProblem(installedEffectVersion(from))
  if (problem !== undefined) throw problem
}
