import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { version } from "../src/internal/version.js"

describe("version", () => {
  it("the version in reports equals the package version (scripts/sync-version.mjs keeps them equal)", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
    expect(version).toBe(pkg.version)
  })
})
