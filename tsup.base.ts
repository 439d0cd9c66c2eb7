import { existsSync } from "node:fs"
import { readFile, rename, writeFile } from "node:fs/promises"
import { basename, dirname, join, relative, resolve } from "node:path"
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

// `import { Either } from "effect"` (or `effect/Either`) is checked when the module graph is linked, before any
// module evaluates: with effect 4 installed, Node reports a missing export or module and the guard never runs. So
// each public ESM entry is a small module that evaluates the guard and only then imports the entry's real code
// (`<entry>.impl.js`) and re-exports it: the real graph links after the guard has run. The code itself imports
// effect by module (`effect/Effect`, …), so a gate loads only the effect modules it uses, not effect's index
// (which loads all of them). CommonJS runs requires in order, so there requiring the guard first is enough.
const exportList = /\nexport \{([^}]*)\};\n/

const wrapEntry = async (outDir: string, name: string): Promise<void> => {
  const file = join(outDir, `${name}.js`)
  const impl = join(outDir, `${name}.impl.js`)
  const code = await readFile(file, "utf8")
  const list = exportList.exec(code)
  if (list === null) throw new Error(`packageBuild: ${file} has no export list to re-export`)
  const names = list[1]!.split(",").map((s) => s.trim()).filter((s) => s !== "").map((s) => s.split(/\s+as\s+/).pop()!)
  let guard = relative(dirname(file), join(outDir, `${guardName}.js`)).replaceAll("\\", "/")
  if (!guard.startsWith(".")) guard = `./${guard}`
  const implName = `${basename(name)}.impl.js`
  await writeFile(impl, code.replace(/sourceMappingURL=[^\n]*\.js\.map/, `sourceMappingURL=${implName}.map`))
  if (existsSync(`${file}.map`)) await rename(`${file}.map`, `${impl}.map`)
  const named = names.filter((n) => n !== "default")
  await writeFile(
    file,
    `import ${JSON.stringify(guard)};\n` +
      `const entry = await import(${JSON.stringify(`./${implName}`)});\n` +
      (named.length > 0 ? `export const { ${named.join(", ")} } = entry;\n` : "") +
      (names.includes("default") ? "export default entry.default;\n" : "")
  )
}

const effectGuard: Plugin = {
  name: "launchgate-effect-version",
  renderChunk(code, info) {
    if (!/\.cjs$/.test(info.path) || /(^|[\\/])effect-version\.cjs$/.test(info.path)) return
    const target = join(resolve(this.options.outDir ?? "dist"), `${guardName}.cjs`)
    let guard = relative(dirname(info.path), target).replaceAll("\\", "/")
    if (!guard.startsWith(".")) guard = `./${guard}`
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
    onSuccess: async () => {
      for (const name of Object.keys(entries)) await wrapEntry(resolve("dist"), name)
    },
    ...extra
  })
}
