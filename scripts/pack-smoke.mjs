// The steps of scripts/pack-smoke.sh that need more than a shell line; pack-smoke.sh copies it into each
// project, so that `import("@launchgate/…")` resolves there as in a user's project. Modes:
//   tarballs <dir> <since> <dirs…>  every publishable package was packed, built by its prepack, with every export
//   load                             (in the effect 3 project) every entry loads as ESM and CJS; a gate runs
//   consumer <root> <dir>            writes the strict TypeScript consumer importing every entry (ESM and CJS)
//   wrong-effect                     (in the effect 4 project) every entry and the CLI refuse with one sentence
import assert from "node:assert/strict"
import { execFileSync, spawnSync } from "node:child_process"
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join, resolve } from "node:path"

const [mode, ...args] = process.argv.slice(2)
const readJson = (file) => JSON.parse(readFileSync(file, "utf8"))
const require = createRequire(join(process.cwd(), "package.json"))

/** Every export target of a package.json's exports map (`./dist/index.js`, `./dist/index.d.ts`, …). */
const targets = (exports) =>
  Object.values(exports ?? {}).flatMap((conditions) =>
    typeof conditions === "string"
      ? [conditions]
      : Object.values(conditions).flatMap((t) => typeof t === "string" ? [t] : Object.values(t)))

// What the README's `npm install --save-dev …` recorded (dependencies too, for a project that installs so).
const recorded = () => {
  const pkg = readJson("package.json")
  return { ...pkg.dependencies, ...pkg.devDependencies }
}

/** The installed launchgate packages (this project's dependencies but effect) and their public subpaths. */
const installed = () =>
  Object.keys(recorded()).filter((name) => name !== "effect").map((name) => {
    const pkg = readJson(join("node_modules", name, "package.json"))
    const subpaths = Object.keys(pkg.exports ?? {}).filter((subpath) => subpath !== "./package.json")
    return { name, pkg, entries: subpaths.map((subpath) => ({ subpath, spec: name + subpath.slice(1) })) }
  })

// `./vitest` imports vitest, which only loads inside a vitest run: its types are compiled, it is not loaded.
const loadable = (entry) => entry.subpath !== "./vitest"

if (mode === "tarballs") {
  const [dir, started, ...packageDirs] = args
  const since = Number(started) * 1000 - 1000
  const tarballs = readdirSync(dir)
  assert.equal(tarballs.length, packageDirs.length, `expected one tarball per publishable package, got ${tarballs}`)
  for (const packageDir of packageDirs) {
    const pkg = readJson(join(packageDir, "package.json"))
    const tarball = `${pkg.name.replace(/^@/, "").replace("/", "-")}-${pkg.version}.tgz`
    assert.ok(tarballs.includes(tarball), `${pkg.name}: no ${tarball} in ${tarballs}`)
    const files = new Set(execFileSync("tar", ["-tzf", join(dir, tarball)], { encoding: "utf8" }).split("\n"))
    for (const bin of Object.values(typeof pkg.bin === "string" ? { [pkg.name]: pkg.bin } : pkg.bin ?? {})) {
      assert.ok(files.has(`package/${bin.replace(/^\.\//, "")}`), `${pkg.name}: the tarball lacks its bin ${bin}`)
    }
    for (const target of targets(pkg.publishConfig?.exports ?? pkg.exports)) {
      assert.ok(files.has(`package/${target.replace(/^\.\//, "")}`), `${pkg.name}: the tarball lacks ${target}`)
      // The pack built it (prepack), so a fresh clone's tarball is complete and never stale.
      assert.ok(statSync(join(packageDir, target)).mtimeMs > since, `${pkg.name}: ${target} was not rebuilt by prepack`)
    }
  }
  console.log(`packed ${tarballs.length} publishable packages, each built by its prepack: ${tarballs.join(", ")}`)
} else if (mode === "load") {
  let count = 0
  for (const { entries } of installed()) {
    for (const entry of entries.filter(loadable)) {
      const esm = await import(entry.spec)
      const cjs = require(entry.spec)
      assert.ok(Object.keys(esm).length > 0, `${entry.spec} (ESM) exports nothing`)
      const names = (mod) => Object.keys(mod).sort()
      assert.deepEqual(names(cjs), names(esm), `${entry.spec}: ESM and CJS export different names`)
      count++
    }
  }
  // A gate runs from the built code, and a registered secret never reaches the report.
  const { Check, Gate, Outcome, Redaction, Runner } = await import("@launchgate/core")
  Redaction.register("pack-smoke-secret-value")
  const gate = Gate.make({
    name: "pack smoke",
    items: [{
      check: Check.fromAsync({
        id: "smoke.x.y", title: "t", surface: "smoke.x", category: "capacity",
        run: async () => Outcome.pass("saw pack-smoke-secret-value")
      }),
      tier: "post-launch",
      owner: "ci"
    }]
  })
  const report = await Runner.runPromise(gate)
  assert.equal(report.verdict, "ready")
  assert.equal(report.items[0].message, "saw <redacted>")
  const effect = readJson("node_modules/effect/package.json").version
  console.log(`with effect ${effect}: ${count} entries load as ESM and CJS, and a gate runs`)
} else if (mode === "consumer") {
  const [root, out] = args
  mkdirSync(out, { recursive: true })
  const template = readJson(join(root, "scripts", "consumer", "tsconfig.json"))
  // Node's types come from the workspace (the same @types/node the packages are built with).
  template.compilerOptions.typeRoots = [resolve(root, "node_modules/@types")]
  writeFileSync(join(out, "tsconfig.json"), JSON.stringify(template, null, 2))
  const entries = installed().flatMap(({ entries }) => entries)
  const lines = (statement) => entries.map((entry, i) => statement(`e${i}`, JSON.stringify(entry.spec))).join("\n")
  // Every entry through the "import" condition (.d.ts) and the "require" condition (.d.cts).
  writeFileSync(join(out, "entries.mts"), `${lines((id, spec) => `import * as ${id} from ${spec}`)}\n` +
    `export const all = [${entries.map((_, i) => `e${i}`).join(", ")}]\n`)
  writeFileSync(join(out, "entries.cts"), `${lines((id, spec) => `import ${id} = require(${spec})`)}\n` +
    `export const all = [${entries.map((_, i) => `e${i}`).join(", ")}]\n`)
  console.log(`strict consumer: ${entries.length} entry points, as ESM and CJS`)
} else if (mode === "wrong-effect") {
  const version = readJson("node_modules/effect/package.json").version
  assert.ok(!version.startsWith("3."), `this project must have an effect other than 3.x installed, found ${version}`)
  const sentence = `launchgate 0.x needs effect 3.x; found ${version} — install effect@^3`
  const refuses = (entry, how, load) => {
    assert.ok(load instanceof Error, `${entry.spec} (${how}) loaded with effect ${version}`)
    assert.equal(load.message, sentence, `${entry.spec} (${how}) failed with another error: ${load.stack}`)
  }
  let count = 0
  for (const { entries } of installed()) {
    for (const entry of entries.filter(loadable)) {
      refuses(entry, "ESM", await import(entry.spec).then(() => undefined, (error) => error))
      let thrown
      try {
        require(entry.spec)
      } catch (error) {
        thrown = error
      }
      refuses(entry, "CJS", thrown)
      count++
    }
  }
  // The CLI, as `npx launchgate` runs it: the sentence, no linking error, no stack trace.
  const cli = spawnSync(join("node_modules", ".bin", "launchgate"), ["--version"], { encoding: "utf8" })
  assert.notEqual(cli.status, 0, "the CLI succeeded with the wrong effect")
  assert.ok(cli.stderr.includes(sentence), `the CLI did not say the sentence:\n${cli.stderr}`)
  const noise = /does not provide an export named|\n\s+at /
  assert.ok(!noise.test(cli.stderr), `the CLI printed a link error or a stack:\n${cli.stderr}`)
  console.log(`with effect ${version}: ${count} entries (ESM and CJS) and the CLI say: ${sentence}`)
} else {
  console.error(`pack-smoke.mjs: unknown mode ${mode}`)
  process.exit(2)
}
