import { afterAll, describe, expect, it } from "@effect/vitest"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import {
  assertEffectVersion,
  EffectVersionError,
  effectVersionProblem,
  installedEffectVersion
} from "../src/internal/effectVersion.js"

// Real projects on disk: a consumer file next to node_modules/effect, as npm lays it out.
const root = mkdtempSync(join(tmpdir(), "launchgate-effect-version-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const project = (name: string, effectPackage: Record<string, unknown> | undefined): string => {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  if (effectPackage !== undefined) {
    const effect = join(dir, "node_modules", "effect")
    mkdirSync(join(effect, "dist"), { recursive: true })
    writeFileSync(join(effect, "package.json"), JSON.stringify({ name: "effect", ...effectPackage }))
    writeFileSync(join(effect, "dist", "index.js"), "export const x = 1\n")
  }
  const consumer = join(dir, "consumer.js")
  writeFileSync(consumer, "")
  return consumer
}

describe("installedEffectVersion", () => {
  it("reads effect/package.json when effect exports it (effect 3 and 4 do)", () => {
    const from = project("exported", {
      version: "4.1.0",
      type: "module",
      exports: { "./package.json": "./package.json", ".": "./dist/index.js" }
    })
    expect(installedEffectVersion(from)).toBe("4.1.0")
    expect(installedEffectVersion(pathToFileURL(from))).toBe("4.1.0")
  })

  it("walks up from the resolved entry when the exports map hides package.json", () => {
    const from = project("hidden", { version: "5.0.0", type: "module", exports: { ".": "./dist/index.js" } })
    expect(installedEffectVersion(from)).toBe("5.0.0")
  })

  it("is undefined when no effect is installed", () => {
    expect(installedEffectVersion(project("none", undefined))).toBeUndefined()
  })
})

describe("assertEffectVersion", () => {
  it("lets effect 3 through", () => {
    const from = project("three", { version: "3.22.4", main: "./dist/index.js" })
    expect(() => assertEffectVersion(from)).not.toThrow()
  })

  it("refuses effect 4 with one sentence that says what to install", () => {
    const from = project("four", { version: "4.1.0", exports: { ".": "./dist/index.js" } })
    let thrown: unknown
    try {
      assertEffectVersion(from)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(EffectVersionError)
    const error = thrown as EffectVersionError
    expect(error._tag).toBe("EffectVersionError")
    expect(error.message).toBe("launchgate 0.x needs effect 3.x; found 4.1.0 — install effect@^3")
    expect(error.stack).toBe(`EffectVersionError: ${error.message}`)
    // Node prints an uncaught error's own enumerable fields after it: there are none.
    expect(Object.keys(error)).toEqual([])
    expect(error.found).toBe("4.1.0")
  })

  it("refuses an older major too, and leaves a missing effect to Node's own error", () => {
    expect(effectVersionProblem("2.4.19")?.found).toBe("2.4.19")
    expect(effectVersionProblem("3.0.0")).toBeUndefined()
    expect(effectVersionProblem(undefined)).toBeUndefined()
    expect(() => assertEffectVersion(project("absent", undefined))).not.toThrow()
  })
})
