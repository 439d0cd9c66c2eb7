// The post-deploy smoke suite: what CI runs right after `gcloud run deploy --no-traffic` (see ci/).
// With SERVICE_URL and the Cloud Run variables set it checks that deploy; without them, the bundled emulators.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises"
import { JsonReporter, MarkdownReporter } from "@launchgate/core"
import { describeGate } from "@launchgate/core/vitest"
import { expect, test } from "vitest"
import gate from "../smoke.gate.js"

// The CI templates publish smoke.md to the job summary and read the rollback target from smoke.json.
const reports = new URL("../reports/", import.meta.url)
// No stale report from an earlier run may stand in for this one (the rollback step reads it).
await Promise.all(["smoke.md", "smoke.json"].map((f) => rm(new URL(f, reports), { force: true })))

const env = process.env["SMOKE_TARGET"]

describeGate(gate, {
  name: `post-deploy smoke (${env ?? "local"})`,
  env,
  onReport: async (report) => {
    await mkdir(reports, { recursive: true })
    await writeFile(new URL("smoke.md", reports), MarkdownReporter.render(report))
    await writeFile(new URL("smoke.json", reports), JsonReporter.render(report))
  }
})

test("the reports the CI templates publish are written, with the rollback command", async () => {
  const report = JsonReporter.parse(await readFile(new URL("smoke.json", reports), "utf8"))
  const target = report.items.find((i) => i.id === "gcp.cloud-run.rollback-target")
  expect(target?.status).toBe("pass")
  // The rollback step reads evidence.observed.target; the command in the evidence is the same revision.
  const revision = (target?.evidence["observed"] as { target?: unknown } | undefined)?.target
  expect(revision).toMatch(/^[a-z0-9-]+$/)
  expect(target?.evidence["command"]).toMatch(new RegExp(`^gcloud run services update-traffic \\S+ --region \\S+ --project \\S+ --to-revisions ${String(revision)}=100$`))
  const markdown = await readFile(new URL("smoke.md", reports), "utf8")
  expect(markdown).toContain(report.gate.name)
})
