/**
 * Loading a TypeScript gate fast: import its `effect` and `@launchgate/*` packages before the TypeScript
 * loader is registered.
 *
 * Once tsx is registered, every module Node loads, a built `.js` file in node_modules included, passes
 * through tsx's resolve and load hooks (on Node 20 in a hooks thread, one message round trip each). A gate
 * of the public-launch kind pulls in about 1,300 modules (`effect` alone about 600, with fast-check); through
 * the hooks that roughly doubled `launchgate plan`'s CPU time (bench/RESULTS.md, CLI start-up). Modules already
 * in Node's module map are not loaded again, so importing the packages first, natively, leaves tsx only the
 * gate's own TypeScript files.
 *
 * Only `effect` and `@launchgate/*` are preloaded: their load order is known not to matter (no import-time
 * side effect that a gate's own module could set up first). Other packages keep their place in the gate's
 * import order. Each package is resolved the way the gate's own import will resolve it (from the gate's
 * directory up, through the package's `exports`, symlinks followed as Node does), so the preloaded instance
 * is the one the gate gets; anything that cannot be resolved that way (workspace sources in TypeScript, an
 * unusual exports map) is simply left to the normal import. Failures are ignored here on purpose: the gate's
 * own import meets the same error and reports it with the gate's context.
 *
 * @internal
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs"
import * as nodePath from "node:path"
import { pathToFileURL } from "node:url"

/** Packages whose import order cannot matter to a gate. */
const PRELOADABLE = /^(?:effect|@launchgate\/[^/]+)(?:\/[^'"]*)?$/

// `import … from "x"`, `export … from "x"` and `import "x"`, statement by statement (type-only statements load
// nothing at run time); `import("x")` anywhere.
const STATEMENT = /(?:^|[;\n}])\s*(?:(?:import|export)\s+(type\s+)?[^'";]*?\sfrom\s*|import\s+)["']([^"'\n]+)["']/g
const DYNAMIC = /(?<![\w$.])import\s*\(\s*["']([^"'\n]+)["']\s*\)/g

/** The specifiers a module's text imports at run time (a scan of the text, not a parse: misses cost only speed). */
export const importsOf = (text: string): ReadonlyArray<string> => {
  const found: Array<readonly [number, string]> = []
  for (const m of text.matchAll(STATEMENT)) if (m[1] === undefined) found.push([m.index, m[2]!])
  for (const m of text.matchAll(DYNAMIC)) found.push([m.index, m[1]!])
  return found.sort((a, b) => a[0] - b[0]).map(([, specifier]) => specifier)
}

const TS_EXTENSIONS = [".ts", ".mts", ".cts", ".tsx"]

/** A relative import of TypeScript source as tsx resolves it: `./world.js` → `./world.ts`, or the file itself. */
const relativeFile = (from: string, specifier: string): string | undefined => {
  const base = nodePath.resolve(nodePath.dirname(from), specifier)
  const stem = base.replace(/\.[mc]?[jt]sx?$/, "")
  const candidates = [base, ...TS_EXTENSIONS.map((e) => stem + e), ...TS_EXTENSIONS.map((e) => nodePath.join(base, `index${e}`))]
  return candidates.find((file) => existsSync(file) && statSync(file).isFile())
}

const packageName = (specifier: string): string =>
  specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!

// The conditions Node's ESM resolver uses for `import`, in the order an exports map may list them.
const CONDITIONS = new Set(["node", "import", "default"])

const target = (entry: unknown): string | undefined => {
  if (typeof entry === "string") return entry
  if (Array.isArray(entry)) return entry.map(target).find((t) => t !== undefined)
  if (entry === null || typeof entry !== "object") return undefined
  for (const [condition, value] of Object.entries(entry)) {
    if (!CONDITIONS.has(condition)) continue
    const found = target(value)
    if (found !== undefined) return found
  }
  return undefined
}

/** The file `import(specifier)` from `fromDir` would load, when it is a plain exports entry; else undefined. */
export const resolvePackageFile = (specifier: string, fromDir: string): string | undefined => {
  const name = packageName(specifier)
  const subpath = `.${specifier.slice(name.length)}`
  for (let dir = fromDir; ; dir = nodePath.dirname(dir)) {
    const root = nodePath.join(dir, "node_modules", name)
    const manifest = nodePath.join(root, "package.json")
    if (existsSync(manifest)) {
      let exports: unknown
      try {
        exports = (JSON.parse(readFileSync(manifest, "utf8")) as { exports?: unknown }).exports
      } catch {
        return undefined
      }
      const sugar = typeof exports === "string" || Array.isArray(exports) ||
        (exports !== null && typeof exports === "object" && !Object.keys(exports).some((k) => k.startsWith(".")))
      const entry = sugar ? (subpath === "." ? exports : undefined) : (exports as Record<string, unknown> | undefined)?.[subpath]
      const relative = target(entry)
      if (relative === undefined || !relative.startsWith("./")) return undefined
      const file = nodePath.join(root, relative)
      return /\.[mc]?js$/.test(file) && existsSync(file) ? realpathSync(file) : undefined
    }
    if (nodePath.dirname(dir) === dir) return undefined
  }
}

/**
 * The built `effect` and `@launchgate/*` modules a TypeScript gate file imports, directly or through its
 * relative TypeScript modules (at most `maxFiles` of them), as file URLs in first-import order.
 */
export const preloadable = (gateFile: string, maxFiles = 200): ReadonlyArray<string> => {
  const seen = new Set<string>()
  const urls = new Set<string>()
  const visit = (file: string): void => {
    if (seen.has(file) || seen.size >= maxFiles) return
    seen.add(file)
    let text: string
    try {
      text = readFileSync(file, "utf8")
    } catch {
      return
    }
    for (const specifier of importsOf(text)) {
      if (specifier.startsWith(".")) {
        const next = relativeFile(file, specifier)
        if (next !== undefined && TS_EXTENSIONS.includes(nodePath.extname(next))) visit(next)
      } else if (PRELOADABLE.test(specifier)) {
        const resolved = resolvePackageFile(specifier, nodePath.dirname(file))
        if (resolved !== undefined) urls.add(pathToFileURL(resolved).href)
      }
    }
  }
  visit(gateFile)
  return [...urls]
}

/** Import what {@link preloadable} finds, natively; errors are left for the gate's own import to report. */
export const preload = async (gateFile: string): Promise<void> => {
  for (const url of preloadable(gateFile)) {
    try {
      await import(url)
    } catch {
      // The gate's import of the same module fails the same way, and says which gate file.
    }
  }
}
