// The CI templates are code too: parse them and check the steps a post-deploy pipeline depends on, in order.
import { readFile } from "node:fs/promises"
import { describe, expect, test } from "vitest"
import { parse } from "yaml"
import { smokeGate, targetsFromEnv } from "../smoke.gate.js"

const read = async (name: string): Promise<any> => parse(await readFile(new URL(`../ci/${name}`, import.meta.url), "utf8"))

const ROLLBACK_CHECK = "gcp.cloud-run.rollback-target"
const REPORTS = "examples/post-deploy-smoke/reports"

/** Step ids must appear in this order (other steps may sit between them). */
const expectInOrder = (ids: ReadonlyArray<string>, wanted: ReadonlyArray<string>) => {
  const positions = wanted.map((id) => ids.indexOf(id))
  expect(positions.every((p) => p >= 0), `missing steps: ${wanted.filter((_, i) => positions[i]! < 0).join(", ")}`).toBe(true)
  expect([...positions].sort((a, b) => a - b)).toEqual(positions)
}

/** The smoke suite must accept the variables the template sets: a missing one would fail every deploy. */
const expectSmokeEnvComplete = (keys: ReadonlyArray<string>) => {
  const vars = Object.fromEntries(keys.map((k) => [k, k === "SERVICE_URL" ? "https://api.example.com" : "x"]))
  expect(keys).toContain("SMOKE_TARGET")
  const targets = targetsFromEnv("production", vars)
  expect(targets?.source).toBe("environment")
  // And the check whose evidence the rollback step reads is in that gate.
  expect(smokeGate(targets!, "production").items.map((i) => i.check.id)).toContain(ROLLBACK_CHECK)
}

describe("ci/github-actions.yml", async () => {
  const workflow = await read("github-actions.yml")
  const steps: Array<Record<string, any>> = workflow.jobs.deploy.steps
  const step = (id: string) => steps.find((s) => s.id === id)!

  test("deploy → smoke → rollback on failure → publish the summary → upload JUnit", () => {
    expectInOrder(steps.map((s) => s.id), ["deploy", "smoke", "rollback", "summary", "upload-junit"])
  })

  test("every step runs a non-empty script or uses an action", () => {
    for (const s of steps) {
      if ("run" in s) expect(typeof s.run === "string" && s.run.trim() !== "", `step ${s.id}: run`).toBe(true)
      else expect(s.uses, `step ${s.id}: neither run nor uses`).toMatch(/^[\w-]+\/[\w-]+@v\d+$/)
    }
  })

  test("deploys without traffic: moving traffic is the smoke suite's job", () => {
    expect(step("deploy").run).toMatch(/^gcloud run deploy .*--no-traffic/)
  })

  test("the smoke step runs the suite with a JUnit report and the variables it needs", () => {
    const smoke = step("smoke")
    expect(smoke.run).toContain("pnpm --filter @example/post-deploy-smoke exec vitest run test/smoke.test.ts")
    expect(smoke.run).toContain("--reporter=junit --outputFile.junit=reports/smoke-junit.xml")
    expect(smoke.if).toBeUndefined()
    expectSmokeEnvComplete(Object.keys(smoke.env))
  })

  test("the rollback runs only on failure, to the revision the report names", () => {
    const rollback = step("rollback")
    expect(rollback.if).toMatch(/^failure\(\) && steps\.deploy\.outcome == 'success'$/)
    expect(workflow.env.REPORTS).toBe(REPORTS)
    expect(rollback.run).toContain(`select(.id == "${ROLLBACK_CHECK}" and .status == "pass") | .evidence.observed.target' "$REPORTS/smoke.json"`)
    expect(rollback.run).toMatch(/gcloud run services update-traffic "\$SERVICE" --region "\$REGION" --project "\$PROJECT" --to-revisions "\$TARGET=100"/)
    // The revision is validated before it reaches the command line.
    expect(rollback.run.indexOf("=~ ^[a-z0-9-]+$")).toBeLessThan(rollback.run.indexOf("gcloud run services update-traffic"))
  })

  test("the CLI run annotates the job natively and writes the HTML and JSON reports, which are uploaded", () => {
    expectInOrder(steps.map((s) => s.id), ["smoke", "report", "upload-junit"])
    const report = step("report")
    expect(report.if).toMatch(/^always\(\) && steps\.deploy\.outcome == 'success'$/)
    expect(report.run).toMatch(/launchgate run smoke\.gate\.ts .*--html reports\/smoke\.html .*--json reports\/smoke-run\.json/)
    // GitHub output comes from GITHUB_ACTIONS=true, which every Actions runner sets: no flag, no summary step of its own.
    expect(report.run).not.toContain("GITHUB_STEP_SUMMARY")
    expectSmokeEnvComplete(Object.keys(report.env))
    expect(step("upload-junit").with.path).toContain(`${REPORTS}/smoke.html`)
    expect(step("upload-junit").with.path).toContain(`${REPORTS}/smoke-run.json`)
  })

  test("the Markdown report goes to the job summary and the JUnit file is uploaded, whatever happened", () => {
    expect(step("summary").if).toBe("always()")
    expect(step("summary").run).toContain('cat "$REPORTS/smoke.md" >> "$GITHUB_STEP_SUMMARY"')
    const upload = step("upload-junit")
    expect(upload.if).toBe("always()")
    expect(upload.uses).toMatch(/^actions\/upload-artifact@v\d+$/)
    expect(upload.with.path).toContain(`${REPORTS}/smoke-junit.xml`)
  })
})

describe("ci/cloudbuild.yaml", async () => {
  const build = await read("cloudbuild.yaml")
  const steps: Array<Record<string, any>> = build.steps
  const step = (id: string) => steps.find((s) => s.id === id)!
  /** What a step runs: the `bash -c` script, or the entrypoint and its arguments. */
  const script = (id: string): string => {
    const s = step(id)
    return s.entrypoint === "bash" ? s.args[1] : [s.entrypoint, ...s.args].join(" ")
  }

  test("deploy → smoke → rollback on failure → publish the summary → upload JUnit → fail the build", () => {
    expectInOrder(steps.map((s) => s.id), ["deploy", "smoke", "rollback", "summary", "upload-junit", "verdict"])
  })

  test("every step runs non-empty strings", () => {
    for (const s of steps) {
      expect(typeof s.name === "string" && s.name !== "", `step ${s.id}: name`).toBe(true)
      expect(Array.isArray(s.args) && s.args.length > 0, `step ${s.id}: args`).toBe(true)
      for (const arg of s.args) expect(typeof arg === "string" && arg.trim() !== "", `step ${s.id}: ${JSON.stringify(arg)}`).toBe(true)
      if (s.entrypoint === "bash") expect(s.args[0]).toBe("-c")
    }
  })

  test("deploys without traffic", () => {
    expect(script("deploy")).toMatch(/^gcloud run deploy .*--no-traffic/)
  })

  test("the smoke step records a failure instead of failing, so the rollback and the reports still run", () => {
    const smoke = script("smoke")
    expect(smoke).toMatch(/if ! pnpm --filter @example\/post-deploy-smoke exec vitest run test\/smoke\.test\.ts .*--outputFile\.junit=reports\/smoke-junit\.xml; then\n\s*touch \/workspace\/smoke-failed/)
    expect(smoke).toContain(`x.id === "${ROLLBACK_CHECK}" && x.status === "pass"`)
    expect(smoke).toContain("console.log(i.evidence.observed.target)")
    expectSmokeEnvComplete(step("smoke").env.map((e: string) => e.slice(0, e.indexOf("="))))
  })

  test("the rollback runs only when the smoke suite failed, with update-traffic --to-revisions …=100", () => {
    const rollback = script("rollback")
    expect(rollback.trimStart().startsWith("if [ -f /workspace/smoke-failed ]; then")).toBe(true)
    const command = rollback.search(/gcloud run services update-traffic "\$\{_SERVICE\}" --region "\$\{_REGION\}" --project "\$PROJECT_ID" --to-revisions "\$\$\{TARGET\}=100"/)
    expect(command).toBeGreaterThan(0)
    expect(rollback.indexOf("/workspace/rollback-revision")).toBeLessThan(command)
    expect(rollback.lastIndexOf("fi")).toBeGreaterThan(command)
  })

  test("publishes the Markdown report, uploads the JUnit file, then fails the build when the suite failed", () => {
    expect(script("summary")).toContain("cat examples/post-deploy-smoke/reports/smoke.md")
    expect(script("upload-junit")).toMatch(/^gcloud storage cp examples\/post-deploy-smoke\/reports\/smoke-junit\.xml /)
    expect(script("verdict")).toBe('if [ -f /workspace/smoke-failed ]; then echo "the post-deploy smoke suite failed (rolled back)"; exit 1; fi')
  })

  test("every $ is a declared substitution, a built-in one, or escaped for bash ($$)", () => {
    const declared = new Set(Object.keys(build.substitutions))
    const builtIn = new Set(["PROJECT_ID", "BUILD_ID"])
    for (const s of steps) {
      const text = [...s.args, ...(s.env ?? [])].join("\n").replaceAll("$$", "")
      for (const match of text.matchAll(/\$(\{?)([A-Za-z_][A-Za-z0-9_]*)?/g)) {
        const name = match[2] ?? ""
        expect(declared.has(name) || builtIn.has(name), `step ${s.id}: ${match[0]} is not a substitution; write $$ for bash`).toBe(true)
      }
    }
  })
})
