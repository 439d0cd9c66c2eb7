import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { defineConfig, type Options } from "tsup"

type Plugin = NonNullable<Options["plugins"]>[number]
type EsbuildPlugin = NonNullable<Options["esbuildPlugins"]>[number]

/**
 * The load-time check of the installed `effect` major (see effectVersion.ts), built into
 * every package as `dist/effect-version.{js,cjs}` and run first by every chunk that uses
 * `effect`.
 */
const effectVersionSource = fileURLToPath(new URL("./packages/core/src/internal/effectVersion.ts", import.meta.url))
const guardName = "effect-version"
const guardModule = "launchgate:effect-version"

// The guard entry: a virtual module, so no package carries a source file for it.
const guardEntry: EsbuildPlugin = {
  name: "launchgate-effect-version-entry",
  setup(build) {
    const from = build.initialOptions.format === "cjs" ? "__filename" : "import.meta.url"
    // tsup only accepts entries that exist on disk, so the guard joins esbuild's entries here.
    const entryPoints = build.initialOptions.entryPoints
    if (entryPoints === undefined || Array.isArray(entryPoints)) throw new Error("packageBuild: entries must be named")
    build.initialOptions.entryPoints = { ...entryPoints, [guardName]: guardModule }
    build.onResolve({ filter: /^launchgate:effect-version$/ }, () => ({ path: guardModule, namespace: "launchgate" }))
    build.onLoad({ filter: /.*/, namespace: "launchgate" }, () => ({
      contents: `import { assertEffectVersion } from ${JSON.stringify(effectVersionSource)}\n` +
        `assertEffectVersion(${from})\n`,
      resolveDir: dirname(effectVersionSource),
      loader: "ts"
    }))
  }
}

// `import { Either } from "effect"` is checked when the module graph is linked, before any
// module evaluates: with effect 4 installed, Node reports "does not provide an export named
// 'Either'" and the guard never runs. A namespace import never fails to link, so every
// import of effect (and effect/<Module>, which effect 3 also exports as a namespace of the
// root) becomes one, destructured in place; the guard is the chunk's first import, so it
// evaluates before any of our code. Rewrites stay on their line, so source maps still hold.
// Only import statements, which esbuild writes at the start of a line: text that merely looks like an import
// inside a string or template (the CLI's `init` templates write `import { Layer } from "effect"`) is left alone.
const namedImport = /^import\s*\{([^}]*)\}\s*from\s*"effect(?:\/(\w+))?";?/gm
const namespaceImport = /^import\s*\*\s*as\s+([\w$]+)\s+from\s*"effect\/(\w+)";?/gm
// An import of effect as esbuild writes it: on one line, or ending a multi-line one with `} from "effect"`.
const anyEffectImport = /^(?:(?:import|export)\b[^"`'\n]*(?:from\s*|import\s*)|\}\s*from\s*)"effect(?:\/[\w/]*)?"/m

const rewriteEsm = (code: string, guard: string): string => {
  let n = 0
  const ns = () => `__launchgate_effect${n++}`
  const rewritten = code
    .replace(namedImport, (_all, names: string, member: string | undefined) => {
      const id = ns()
      const bindings = names.split(",").map((name) => name.trim()).filter((name) => name !== "")
        .map((name) => name.replace(/\s+as\s+/, ": ")).join(", ")
      const source = member === undefined ? id : `(${id}.${member} ?? {})`
      return `import * as ${id} from "effect"; const { ${bindings} } = ${source};${"\n".repeat(lines(names))}`
    })
    .replace(namespaceImport, (_all, local: string, member: string) => {
      const id = ns()
      return `import * as ${id} from "effect"; const ${local} = ${id}.${member};`
    })
  const rewrittenImport = /^import \* as __launchgate_effect\d+ from "effect";/
  const left = rewritten.split("\n").find((line) => anyEffectImport.test(line) && !rewrittenImport.test(line))
  if (left !== undefined) throw new Error(`effect import the load-time guard cannot rewrite: ${left.trim()}`)
  return `import ${JSON.stringify(guard)};${rewritten}`
}

const lines = (text: string) => text.split("\n").length - 1

const effectGuard: Plugin = {
  name: "launchgate-effect-version",
  renderChunk(code, info) {
    if (!/\.(c?js)$/.test(info.path) || /(^|[\\/])effect-version\.c?js$/.test(info.path)) return
    const cjs = info.path.endsWith(".cjs")
    // Every entry (one that uses effect only in a lazily imported chunk too, like the CLI's
    // command table) and every chunk that imports effect.
    if (!cjs && info.entryPoint === undefined && !anyEffectImport.test(code)) return
    const target = join(resolve(this.options.outDir ?? "dist"), `${guardName}.${cjs ? "cjs" : "js"}`)
    let guard = relative(dirname(info.path), target).replaceAll("\\", "/")
    if (!guard.startsWith(".")) guard = `./${guard}`
    if (!cjs) return { code: rewriteEsm(code, guard) }
    // CommonJS runs requires in order: requiring the guard first is enough.
    const strict = code.startsWith("\"use strict\";") ? "\"use strict\";" : ""
    return { code: `${strict}require(${JSON.stringify(guard)});${code.slice(strict.length)}` }
  }
}

/** Source entry (`src/emulator/index.ts`) → output name (`emulator/index`). */
const outputName = (entry: string) => entry.replace(/^src\//, "").replace(/\.ts$/, "")

/**
 * The build every package shares: ESM + CJS + `.d.ts`, one explicit entry per public
 * subpath (no wildcards) so the exports map and the build agree, plus the effect-version
 * guard that every chunk using `effect` loads first.
 */
export const packageBuild = (entry: ReadonlyArray<string>, extra: Options = {}) => {
  const entries = Object.fromEntries(entry.map((file) => [outputName(file), file]))
  return defineConfig({
    entry: entries,
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    outDir: "dist",
    esbuildPlugins: [guardEntry],
    plugins: [effectGuard],
    ...extra
  })
}
