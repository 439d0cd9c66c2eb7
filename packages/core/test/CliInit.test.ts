// `launchgate init` through the real bin in a child process. The scaffold is written under the repository's .tmp/
// folder, so the generated gate resolves @launchgate/* and effect from the workspace's root node_modules, as it
// would from a user's after `npm install`; then `launchgate plan <file> --strict` must accept it as written.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { parse as parseYaml } from "yaml"
import { launchgate } from "./helpers/cliProcess.js"

const repoTmp = fileURLToPath(new URL("../../../.tmp/", import.meta.url))
let root: string
beforeAll(async () => {
  await mkdir(repoTmp, { recursive: true })
  root = await mkdtemp(join(repoTmp, "cli-init-"))
})
afterAll(() => rm(root, { recursive: true, force: true }))

let n = 0
const freshDir = async () => {
  const dir = join(root, `repo-${n++}`)
  await mkdir(dir)
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "acme-api", private: true, type: "module" }))
  return dir
}

const exists = (path: string) => stat(path).then(() => true, () => false)

// Each child process loads tsx and the gate's packages: generous, and never a bound on speed.
const SLOW = 120_000

describe("launchgate init", () => {
  const cases: ReadonlyArray<ReadonlyArray<string>> = [["--http"], ["--gcp"], ["--fivetran"], ["--stripe"], ["--gcp", "--fivetran", "--stripe", "--http"]]
  for (const flags of cases) {
    it(`${flags.join(" ")}: writes the gate, the smoke file and the workflow, and plan --strict accepts the gate`, async () => {
      const dir = await freshDir()
      const init = await launchgate(["init", ...flags], {}, dir)
      expect(init.stderr).toBe("")
      expect(init.code).toBe(0)
      expect(init.stdout).toContain("launch.gate.ts")
      expect(init.stdout).toContain("npx launchgate plan launch.gate.ts --strict")
      expect(init.stdout).toMatch(/npm install --save-dev launchgate @launchgate\/core .*effect@\^3/)

      const gate = await readFile(join(dir, "launch.gate.ts"), "utf8")
      expect(gate).toContain('name: "acme-api launch"')
      expect(gate).toContain("// deferrals: [{")
      expect(gate).toMatch(/unsupported: \["TODO: /)
      for (const line of gate.split("\n")) expect(line.length, line).toBeLessThanOrEqual(120)
      if (flags.includes("--gcp")) expect(gate).toContain("Gcp.layerConfig()")
      if (flags.includes("--fivetran")) expect(gate).toContain("Fivetran.layerConfig()")
      if (flags.includes("--stripe")) expect(gate).toContain("Billing.layerConfig()")
      if (flags.length === 1 && flags[0] === "--http") {
        expect(gate).not.toContain("layer:")
        expect(gate).toContain("(HTTP checks need no credentials.)")
      }
      const smoke = await readFile(join(dir, "test", "launch.smoke.test.ts"), "utf8")
      expect(smoke).toContain("describeGate(gate)")
      const workflow = parseYaml(await readFile(join(dir, ".github", "workflows", "launchgate.yml"), "utf8"))
      const runs = (workflow.jobs.launchgate.steps as Array<{ run?: string }>).map((s) => s.run ?? "").join("\n")
      expect(runs).toContain("npx launchgate plan launch.gate.ts --strict")
      expect(runs).toContain("npx launchgate run launch.gate.ts")

      const plan = await launchgate(["plan", "launch.gate.ts", "--strict"], {}, dir)
      expect(plan.stderr).toBe("")
      expect(plan.code).toBe(0)
      expect(plan.stdout).toContain("Gate: acme-api launch")
      expect(plan.stdout).toContain("Nothing expired or expiring")
    }, SLOW)
  }

  it("--ci cloudbuild writes cloudbuild.launchgate.yaml, with the Fivetran and Stripe secrets from Secret Manager", async () => {
    const dir = await freshDir()
    const init = await launchgate(["init", "--fivetran", "--stripe", "--ci", "cloudbuild"], {}, dir)
    expect(init.code).toBe(0)
    expect(await exists(join(dir, ".github"))).toBe(false)
    const build = parseYaml(await readFile(join(dir, "cloudbuild.launchgate.yaml"), "utf8"))
    const run = (build.steps as Array<{ id: string; secretEnv?: Array<string>; args: Array<string> }>).find((s) => s.id === "run")!
    expect(run.secretEnv).toEqual(["FIVETRAN_API_KEY", "FIVETRAN_API_SECRET", "STRIPE_API_KEY"])
    expect(run.args.join(" ")).toContain("npx launchgate run launch.gate.ts")
    expect(build.availableSecrets.secretManager.map((s: { env: string }) => s.env)).toEqual(run.secretEnv)
  }, SLOW)

  it("never overwrites without --force: exit 2 naming every file in the way, nothing written; --force replaces", async () => {
    const dir = await freshDir()
    await mkdir(join(dir, "test"))
    await writeFile(join(dir, "launch.gate.ts"), "// mine\n")
    await writeFile(join(dir, "test", "launch.smoke.test.ts"), "// mine too\n")
    const refused = await launchgate(["init", "--http"], {}, dir)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("would overwrite launch.gate.ts, test/launch.smoke.test.ts")
    expect(refused.stdout).toBe("")
    expect(await readFile(join(dir, "launch.gate.ts"), "utf8")).toBe("// mine\n")
    expect(await readFile(join(dir, "test", "launch.smoke.test.ts"), "utf8")).toBe("// mine too\n")
    expect(await exists(join(dir, ".github"))).toBe(false)

    const forced = await launchgate(["init", "--http", "--force"], {}, dir)
    expect(forced.code).toBe(0)
    expect(forced.stdout).toContain("(replaced 2)")
    expect(await readFile(join(dir, "launch.gate.ts"), "utf8")).toContain("HealthCheck.make")
  }, SLOW)

  it("--dir writes elsewhere and says to cd there; usage errors: no surface, a bad --ci, an unknown flag", async () => {
    const dir = await freshDir()
    const elsewhere = await launchgate(["init", "--http", "--dir", "sub"], {}, root)
    expect(elsewhere.code).toBe(2) // no such directory: nothing is created
    expect(elsewhere.stderr).toContain("--dir sub: no such directory")
    const relative = await launchgate(["init", "--http", "--dir", dir.slice(root.length + 1)], {}, root)
    expect(relative.code).toBe(0)
    expect(relative.stdout).toContain(`cd ${dir.slice(root.length + 1)}`)
    expect(await exists(join(dir, "launch.gate.ts"))).toBe(true)

    const none = await launchgate(["init"], {}, dir)
    expect(none.code).toBe(2)
    expect(none.stderr).toContain("choose at least one surface")
    const ci = await launchgate(["init", "--http", "--ci", "gitlab"], {}, dir)
    expect(ci.code).toBe(2)
    expect(ci.stderr).toContain("--ci expects github or cloudbuild")
    const typo = await launchgate(["init", "--fivetrn"], {}, dir)
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain("Unknown option '--fivetrn'. Did you mean `--fivetran`?")
  }, SLOW)
})

describe("launchgate init's module graph", () => {
  it("imports nothing of the library and no TypeScript loader: only node builtins and the command table", async () => {
    const cliDir = fileURLToPath(new URL("../src/cli/", import.meta.url))
    const seen = new Set<string>()
    const visit = async (file: string): Promise<void> => {
      if (seen.has(file)) return
      seen.add(file)
      const source = await readFile(join(cliDir, file), "utf8")
      // The module's import block (the templates' text further down holds import lines of the generated files).
      const head = source.split(/^(?:export|const|interface|type|let|function) /m)[0]!
      // Value imports only: `import type` is erased.
      for (const [, specifier] of head.matchAll(/^import (?!type )[^"]*"([^"]+)"/gm)) {
        if (specifier!.startsWith("node:")) continue
        expect(specifier, `${file} imports ${specifier}`).toMatch(/^\.\/[a-zA-Z]+\.js$/)
        await visit(specifier!.slice(2).replace(/\.js$/, ".ts"))
      }
      for (const [, lazy] of source.matchAll(/import\("([^"]+)"\)/g)) expect(lazy, file).toMatch(/^\.\/[a-zA-Z]+\.js$/)
    }
    await visit("init.ts")
    expect([...seen].sort()).toEqual(["args.ts", "commands.ts", "init.ts", "initTemplates.ts", "io.ts", "suggest.ts"])
  })
})
