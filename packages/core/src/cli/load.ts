/**
 * Loading a gate module (TypeScript or JavaScript) and picking the gate it
 * exports: `export default gate`, `export default (env) => gate`, or a named
 * `gate` export (a gate or such a function). Gate functions may be async.
 */
import { existsSync, statSync } from "node:fs"
import * as nodePath from "node:path"
import { pathToFileURL } from "node:url"
import * as Either from "effect/Either"
import * as Gate from "../Gate.js"
import type { Context } from "./command.js"
import { ConfigError } from "./io.js"
import { preload } from "./preload.js"

let tsRegistered = false

// A variable, so bundlers leave the import alone: tsx is the caller's (the `launchgate` package's), not core's.
const TSX = "tsx/esm/api"

const isTypeScript = (path: string): boolean => /\.(?:ts|mts|cts|tsx)$/i.test(path)

/**
 * Let Node import TypeScript for the rest of the process, once, and only when a TypeScript gate file is about
 * to load (so `plan` of a .js gate and `--help` never pay for it). The caller's `loadTs` wins (the `launchgate`
 * package passes tsx's); otherwise tsx is used when installed. Registration is global (not a tsx namespace) on
 * purpose, so the gate and the CLI share one instance of `@launchgate/core` and of `effect`.
 */
const registerTypeScript = async (shown: string, context: Context): Promise<void> => {
  if (tsRegistered) return
  if (context.loadTs !== undefined) {
    await context.loadTs()
  } else {
    let api: { readonly register: () => unknown }
    try {
      api = (await import(TSX)) as typeof api
    } catch {
      throw new ConfigError(
        `${shown} is TypeScript, and no TypeScript loader is installed: run it with the \`launchgate\` package ` +
          "(npx launchgate …, which carries tsx), install tsx beside @launchgate/core, or write the gate as .js/.mjs"
      )
    }
    api.register()
  }
  tsRegistered = true
}

/** A loaded gate and where it came from. */
export interface Loaded {
  readonly gate: Gate.Gate<any>
  /** The file, as resolved. */
  readonly path: string
  /** True when the module exported a function of the environment. */
  readonly perEnvironment: boolean
}

const isGateConfigError = (error: unknown): error is Gate.GateConfigError =>
  typeof error === "object" && error !== null && (error as { _tag?: unknown })._tag === "GateConfigError"

const describeError = (error: unknown): string =>
  error instanceof Error ? error.message : typeof error === "string" ? error : JSON.stringify(error)

/** A validated gate from whatever the module exported (a gate, or a definition to validate). */
const toGate = (value: unknown, shown: string, what: string): Gate.Gate<any> => {
  if (Gate.isGate(value)) return value
  if (typeof value === "object" && value !== null && "items" in value && "name" in value) {
    const validated = Gate.validate(value as Gate.Input<any>)
    if (Either.isLeft(validated)) throw new ConfigError(`${shown}: ${validated.left.message}`)
    return validated.right
  }
  throw new ConfigError(
    `${shown}: ${what} is not a gate (got ${value === null ? "null" : typeof value}); ` +
      "export default Gate.make({ … }), a function (env) => Gate.make({ … }), or export const gate = …"
  )
}

/**
 * Import a gate module and build its gate for `env`. Every problem (missing
 * file, syntax error, invalid gate, a module without a gate, an environment
 * the module does not serve) is a {@link ConfigError} naming the file.
 */
export const loadGate = async (
  file: string,
  cwd: string,
  env: string | undefined,
  context: Context = {}
): Promise<Loaded> => {
  const path = nodePath.resolve(cwd, file)
  const shown = nodePath.relative(cwd, path) || path
  if (!existsSync(path) || !statSync(path).isFile()) throw new ConfigError(`gate file not found: ${shown} (resolved to ${path})`)

  if (isTypeScript(path)) {
    // Natively, before the TypeScript loader's hooks would see each of their modules (preload.ts says why).
    if (!tsRegistered) await preload(path)
    await registerTypeScript(shown, context)
  }
  let module: Record<string, unknown>
  try {
    module = await import(pathToFileURL(path).href)
  } catch (error) {
    if (isGateConfigError(error)) throw new ConfigError(`${shown}: ${error.message}`)
    throw new ConfigError(`could not load ${shown}: ${describeError(error)}`)
  }

  const exported = module["default"] !== undefined ? module["default"] : module["gate"]
  const what = module["default"] !== undefined ? "the default export" : "the export `gate`"
  if (exported === undefined) {
    throw new ConfigError(
      `${shown} exports no gate; export default Gate.make({ … }), a function (env) => Gate.make({ … }), or export const gate = …`
    )
  }

  if (typeof exported === "function") {
    let built: unknown
    try {
      built = await (exported as (env: string | undefined) => unknown)(env)
    } catch (error) {
      if (isGateConfigError(error)) throw new ConfigError(`${shown}: ${error.message}`)
      throw new ConfigError(
        `${shown}: the gate function failed${env === undefined ? " (no --env given)" : ` for --env ${env}`}: ${describeError(error)}`
      )
    }
    const gate = toGate(built, shown, `what ${what} returned${env === undefined ? "" : ` for --env ${env}`}`)
    if (env !== undefined && gate.environment !== undefined && gate.environment !== env) {
      throw new ConfigError(`${shown}: asked for --env ${env}, but the gate function returned a gate for "${gate.environment}"`)
    }
    return { gate: env !== undefined && gate.environment === undefined ? { ...gate, environment: env } : gate, path, perEnvironment: true }
  }

  const gate = toGate(exported, shown, what)
  if (env !== undefined && gate.environment !== env) {
    // A fixed gate has fixed targets: running it "against production" would only relabel it.
    throw new ConfigError(
      `${shown}: --env ${env} was given, but ${what} is a single gate${
        gate.environment === undefined ? "" : ` for "${gate.environment}"`
      }; export a function (env) => Gate.make({ … }) to choose targets per environment, or drop --env`
    )
  }
  return { gate, path, perEnvironment: false }
}
