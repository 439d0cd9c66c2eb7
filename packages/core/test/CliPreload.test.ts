import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { pathToFileURL } from "node:url"
import { afterEach, describe, expect, it } from "vitest"
import { importsOf, preload, preloadable, resolvePackageFile } from "../src/cli/preload.js"

// A gate project on disk: files by relative path.
const project = (files: Record<string, string>): string => {
  const root = mkdtempSync(join(tmpdir(), "lg-preload-"))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  roots.push(root)
  return root
}
const roots: Array<string> = []
afterEach(() => roots.splice(0).forEach((root) => rmSync(root, { recursive: true, force: true })))

const pkg = (name: string, exports: unknown) => ({
  [`node_modules/${name}/package.json`]: JSON.stringify({ name, type: "module", exports })
})

describe("CLI preload: the packages a TypeScript gate imports, loaded before the TypeScript loader", () => {
  it("finds run-time imports and skips type-only ones", () => {
    const text = [
      `import { Gate } from "@launchgate/core"`,
      `import type { Report } from "@launchgate/core/report-types"`,
      `export { x } from "./x.js"`,
      `export type { Y } from "./y.js"`,
      `import "./side-effect.js"`,
      `import {`,
      `  a,`,
      `  b`,
      `} from "effect"`,
      `const lazy = () => import("@launchgate/gcp")`
    ].join("\n")
    expect(importsOf(text)).toEqual(["@launchgate/core", "./x.js", "./side-effect.js", "effect", "@launchgate/gcp"])
  })

  it("resolves a package the way Node's import does: from the gate's directory up, through exports conditions", () => {
    const root = project({
      ...pkg("@launchgate/vendor", {
        ".": { import: { types: "./dist/index.d.ts", default: "./dist/index.js" }, require: "./dist/index.cjs" },
        "./emulator": { require: "./dist/emulator.cjs", import: "./dist/emulator.js" }
      }),
      "node_modules/@launchgate/vendor/dist/index.js": "export const v = 1\n",
      "node_modules/@launchgate/vendor/dist/index.cjs": "exports.v = 1\n",
      "node_modules/@launchgate/vendor/dist/emulator.js": "export const e = 1\n",
      "gates/deep/gate.ts": ""
    })
    const from = join(root, "gates/deep")
    expect(resolvePackageFile("@launchgate/vendor", from)).toBe(join(root, "node_modules/@launchgate/vendor/dist/index.js"))
    expect(resolvePackageFile("@launchgate/vendor/emulator", from)).toBe(
      join(root, "node_modules/@launchgate/vendor/dist/emulator.js")
    )
    // Not exported, or not built JavaScript (workspace sources): left to the normal import.
    expect(resolvePackageFile("@launchgate/vendor/internal", from)).toBeUndefined()
    expect(resolvePackageFile("@launchgate/absent", from)).toBeUndefined()
  })

  it("leaves TypeScript sources (a workspace link) to the TypeScript loader", () => {
    const root = project({ ...pkg("@launchgate/src-only", { ".": "./src/index.ts" }), "node_modules/@launchgate/src-only/src/index.ts": "" })
    expect(resolvePackageFile("@launchgate/src-only", root)).toBeUndefined()
  })

  it("follows symlinks as Node does, so the preloaded module is the instance the gate gets", () => {
    const root = project({
      "store/effect/package.json": JSON.stringify({ name: "effect", exports: { ".": { import: "./esm/index.js" } } }),
      "store/effect/esm/index.js": "export {}\n",
      "app/gate.ts": ""
    })
    mkdirSync(join(root, "app/node_modules"))
    symlinkSync(join(root, "store/effect"), join(root, "app/node_modules/effect"), "dir")
    expect(resolvePackageFile("effect", join(root, "app"))).toBe(join(root, "store/effect/esm/index.js"))
  })

  it("walks the gate's relative TypeScript modules and keeps only effect and @launchgate/* packages", () => {
    const root = project({
      ...pkg("effect", { ".": { import: "./esm/index.js", default: "./cjs/index.js" } }),
      "node_modules/effect/esm/index.js": "export {}\n",
      ...pkg("@launchgate/core", { ".": { import: "./dist/index.js" } }),
      "node_modules/@launchgate/core/dist/index.js": "export {}\n",
      ...pkg("dotenv", { ".": { import: "./main.js" } }),
      "node_modules/dotenv/main.js": "export {}\n",
      "gate.ts": `import "dotenv"\nimport { world } from "./world.js"\nimport { Gate } from "@launchgate/core"\n`,
      "world.ts": `import { Effect } from "effect"\nimport { helper } from "./lib/helper"\n`,
      "lib/helper.ts": `import { Effect } from "effect"\nimport { Gate } from "@launchgate/core"\n`
    })
    expect(preloadable(join(root, "gate.ts"))).toEqual([
      pathToFileURL(join(root, "node_modules/effect/esm/index.js")).href,
      pathToFileURL(join(root, "node_modules/@launchgate/core/dist/index.js")).href
    ])
  })

  it("imports what it finds, and a package that fails to load is left for the gate's own import to report", async () => {
    const root = project({
      ...pkg("@launchgate/ok", { ".": "./index.js" }),
      "node_modules/@launchgate/ok/index.js": "globalThis.__lgPreloaded = (globalThis.__lgPreloaded ?? 0) + 1\n",
      ...pkg("@launchgate/broken", { ".": "./index.js" }),
      "node_modules/@launchgate/broken/index.js": "throw new Error('broken at load')\n",
      "gate.ts": `import "@launchgate/broken"\nimport "@launchgate/ok"\n`
    })
    await expect(preload(join(root, "gate.ts"))).resolves.toBeUndefined()
    expect((globalThis as { __lgPreloaded?: number }).__lgPreloaded).toBe(1)
    await expect(import(pathToFileURL(join(root, "node_modules/@launchgate/broken/index.js")).href)).rejects.toThrow(
      "broken at load"
    )
  })
})
