import { spawn } from "node:child_process"
import { copyFile, mkdtemp, readdir, readFile, realpath, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { XMLParser } from "fast-xml-parser"
import { afterAll, describe, expect, it } from "vitest"

const core = fileURLToPath(new URL("..", import.meta.url))
const fixtures = join(core, "test", "fixtures", "vitest")

/** The vitest versions under test: the workspace's 3.2 and the current 4 (installed as `vitest4`). */
const versions = [
  { label: "vitest 3.2", dir: join(core, "node_modules", "vitest") },
  { label: "vitest 4", dir: join(core, "node_modules", "vitest4") }
] as const

interface Assertion {
  readonly title: string
  readonly ancestorTitles: ReadonlyArray<string>
  readonly status: string
  readonly failureMessages: ReadonlyArray<string>
}

const dirs: Array<string> = []
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

/**
 * Run a vitest version in a child process on a copy of the fixture project.
 * `vitest` is aliased to that version's entry so the fixture, and core's
 * `@launchgate/core/vitest` it imports, share the running vitest's module.
 */
const runVitest = async (vitestDir: string) => {
  const dir = await mkdtemp(join(tmpdir(), "launchgate-vitest-"))
  dirs.push(dir)
  for (const file of await readdir(fixtures)) await copyFile(join(fixtures, file), join(dir, file))
  const pkg = await realpath(vitestDir)
  const effect = await realpath(join(core, "node_modules", "effect"))
  const version = JSON.parse(await readFile(join(pkg, "package.json"), "utf8")).version as string
  await writeFile(
    join(dir, "vitest.config.mjs"),
    `export default {
  resolve: { alias: [
    { find: /^vitest$/, replacement: ${JSON.stringify(join(pkg, "dist", "index.js"))} },
    { find: /^@launchgate\\/core\\/vitest$/, replacement: ${JSON.stringify(join(core, "src", "vitest.ts"))} },
    { find: /^@launchgate\\/core$/, replacement: ${JSON.stringify(join(core, "src", "index.ts"))} },
    { find: /^effect$/, replacement: ${JSON.stringify(join(effect, "dist", "esm", "index.js"))} }
  ] },
  test: { include: ["*.test.ts"] }
}
`
  )
  const env: Record<string, string> = { LAUNCHGATE_FIXTURE_LOG: join(dir, "runs.log"), NO_COLOR: "1" }
  // The parent vitest's variables would make the child think it is a nested worker.
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(VITEST|TINYPOOL|NODE_OPTIONS$)/.test(key)) env[key] ??= value
  }
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [
      join(pkg, "vitest.mjs"), "run", "--root", dir,
      "--reporter=json", `--outputFile.json=${join(dir, "results.json")}`,
      "--reporter=junit", `--outputFile.junit=${join(dir, "junit.xml")}`
    ], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    child.stdout.on("data", (d) => (output += d))
    child.stderr.on("data", (d) => (output += d))
    child.on("error", reject)
    child.on("close", (c) => (c === null ? reject(new Error(output)) : resolve(c)))
  })
  const results = JSON.parse(await readFile(join(dir, "results.json"), "utf8")) as {
    testResults: ReadonlyArray<{ name: string; assertionResults: ReadonlyArray<Assertion> }>
  }
  const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name) => ["testsuite", "testcase", "property"].includes(name) })
    .parse(await readFile(join(dir, "junit.xml"), "utf8"))
  const runs = (await readFile(join(dir, "runs.log"), "utf8")).trim().split("\n")
  const byTitle = new Map<string, Assertion>()
  for (const file of results.testResults) for (const a of file.assertionResults) byTitle.set(a.title, a)
  const properties = new Map<string, ReadonlyArray<{ name: string; value: string }>>()
  for (const suite of junit.testsuites.testsuite) {
    for (const testcase of suite.testcase) properties.set(testcase.name.split(" > ").at(-1), testcase.properties?.property ?? [])
  }
  return { code, version, byTitle, properties, runs }
}

describe.concurrent("describeGate in a real vitest run", { timeout: 120_000 }, () => {
  for (const { label, dir } of versions) {
    it(`${label}: one test per check and one verdict; blocking fails with evidence, deferred skips, warnings pass`, async () => {
      const { byTitle, code, properties, runs, version } = await runVitest(dir)
      expect(version.split(".")[0]).toBe(label === "vitest 4" ? "4" : "3")
      expect(code).toBe(1)

      const status = (title: string) => byTitle.get(title)?.status
      expect(status("[launch-critical] API is healthy (fixture.api.healthy)")).toBe("passed")
      expect(status("[launch-critical] attestation: Rollback rehearsed (fixture.process.rehearsal)")).toBe("passed")
      expect(status("[launch-critical] Kill switch answers (fixture.api.kill-switch)")).toBe("passed")
      expect(status("[launch-adjacent] Alerts on 5xx (fixture.api.alerts)")).toBe("passed")
      expect(status("[launch-critical] Load tested at 2x peak (fixture.api.load-test)")).toBe("skipped")
      expect(status("[post-launch] Purge job runs (fixture.api.purge)")).toBe("skipped")

      const failed = byTitle.get("[launch-critical] API keeps a warm instance (fixture.api.min-instances)")!
      expect(failed.status).toBe("failed")
      expect(failed.failureMessages.join("\n")).toMatch(/min instances is 0[\s\S]*observed: 0[\s\S]*expected: ">= 1"[\s\S]*remediation: Set min instances to 1\./)
      const verdict = byTitle.get("verdict: vitest fixture (blocked)")!
      expect(verdict.status).toBe("failed")
      expect(verdict.failureMessages.join("\n")).toContain("fixture.api.min-instances [launch-critical] fail")
      expect(verdict.ancestorTitles).toEqual(["launch gate: vitest fixture (blocked)"])

      // An async gate function of the environment, ready; and policy "block" failing a launch-adjacent check.
      expect(status("[launch-critical] Target is staging (fixture.api.staging)")).toBe("passed")
      expect(status("[launch-adjacent] Dashboards exist (fixture.api.dashboards)")).toBe("passed")
      expect(status("verdict: vitest fixture (environments)")).toBe("passed")
      expect(byTitle.get("verdict: vitest fixture (environments)")?.ancestorTitles).toEqual(["launch gate (staging)"])
      expect(status("[launch-adjacent] SLO defined (fixture.api.slo)")).toBe("failed")
      expect(status("verdict: vitest fixture (adjacent blocks)")).toBe("failed")
      // Effect style: the check's service comes from the gate's layer.
      expect(status("[launch-critical] Warm instances (Effect) (fixture.effect.min-instances)")).toBe("passed")
      expect(status("verdict: vitest fixture (effect)")).toBe("passed")

      // Evidence reaches vitest's own JUnit report through annotations.
      const prop = (title: string) => properties.get(title) ?? []
      expect(prop("[launch-critical] API is healthy (fixture.api.healthy)")).toEqual([
        { name: "evidence", value: "PASS: 200 OK\n  observed: 200\n  expected: 200" }
      ])
      expect(prop("[launch-adjacent] Alerts on 5xx (fixture.api.alerts)")[0]).toMatchObject({ name: "warning", value: expect.stringContaining("no alert policy for 5xx") })
      expect(prop("[launch-critical] Load tested at 2x peak (fixture.api.load-test)")[0]?.value).toContain("deferral (active): load environment not ready")
      expect(prop("[launch-critical] attestation: Rollback rehearsed (fixture.process.rehearsal)")[0]?.value).toContain("attested by Dana on 2029-12-01")

      // Each gate ran once per file, not once per test; the active check was not run.
      const counts = runs.reduce<Record<string, number>>((acc, id) => ({ ...acc, [id]: (acc[id] ?? 0) + 1 }), {})
      expect(counts).toEqual({
        "fixture.api.healthy": 1,
        "fixture.api.min-instances": 1,
        "fixture.api.load-test": 1,
        "fixture.api.alerts": 1,
        "fixture.api.kill-switch": 1,
        "fixture.api.staging": 1,
        "fixture.api.dashboards": 1,
        "fixture.api.slo": 1,
        "fixture.effect.min-instances": 1
      })
    })
  }
})
