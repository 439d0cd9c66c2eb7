import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Check, Document, Gate, Runner } from "../src/index.js"

let dir: string

const RUNBOOK = `# Checkout runbook

## Rollback procedure
Run \`deploy rollback\`. See [the deploy guide](./docs/deploy.md#rolling-back) and [escalation](#escalation).

## Kill switch
Flip \`checkout.enabled\` in [flags](docs/flags.md).

\`\`\`md
## Not a heading: in a code block
[not a link](./missing-in-code.md)
\`\`\`

Escalation
----------
Page [on-call](https://pager.example.com/checkout) or mail [us](mailto:team@example.com).

[ref]: ./docs/deploy.md
`

const run = (check: Check.Check) => Effect.runPromise(Check.runSafely(check))

const doc = (fields: Partial<Document.Options> = {}) =>
  Document.make({
    id: "acme.docs.runbook",
    title: "Runbook covers rollback, kill switch and escalation",
    path: "RUNBOOK.md",
    baseDir: dir,
    sections: ["Rollback", "Kill switch", "Escalation"],
    ...fields
  })

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "launchgate-document-"))
  await mkdir(join(dir, "docs"))
  await writeFile(join(dir, "RUNBOOK.md"), RUNBOOK)
  await writeFile(join(dir, "docs", "deploy.md"), "# Deploy\n\n## Rolling back\n")
  await writeFile(join(dir, "docs", "flags.md"), "# Flags\n")
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe("Document", () => {
  it("passes when the file exists, has every section (ATX and setext, case-insensitive) and its links resolve", async () => {
    const check = doc()
    expect(check.kind).toBe("document")
    expect(check.surface).toBe("launch.docs")
    const outcome = await run(check)
    expect(outcome.status).toBe("pass")
    expect(outcome.evidence).toMatchObject({
      sectionsFound: ["Rollback", "Kill switch", "Escalation"],
      sectionsMissing: [],
      linksChecked: 4,
      brokenLinks: []
    })
    // Headings inside code blocks do not count.
    expect(outcome.evidence["headings"]).not.toContain("Not a heading: in a code block")
  })

  it("accepts baseDir as a file URL", async () => {
    expect((await run(doc({ baseDir: pathToFileURL(`${dir}/`) }))).status).toBe("pass")
  })

  it("fails when the file is missing", async () => {
    const outcome = await run(doc({ path: "docs/RUNBOOK.md" }))
    expect(outcome.status).toBe("fail")
    expect(outcome.message).toBe("docs/RUNBOOK.md does not exist")
    expect(outcome.evidence["exists"]).toBe(false)
    expect(outcome.remediation).toContain("Rollback, Kill switch, Escalation")
  })

  it("fails naming the missing sections", async () => {
    const outcome = await run(doc({ sections: ["rollback", "Escalation", "Capacity", "Owners"] }))
    expect(outcome.status).toBe("fail")
    expect(outcome.message).toContain("missing sections Capacity, Owners")
    expect(outcome.evidence).toMatchObject({ sectionsFound: ["rollback", "Escalation"], sectionsMissing: ["Capacity", "Owners"] })
    expect(outcome.remediation).toContain(`"## Capacity"`)
  })

  it("fails on a relative link to a missing file or heading, with the line", async () => {
    await writeFile(
      join(dir, "BROKEN.md"),
      "# Rollback\n\nSee [gone](./docs/gone.md), [bad anchor](docs/deploy.md#nowhere) and [self](#rollback).\n\n![img](img/x.png)\n"
    )
    const outcome = await run(doc({ path: "BROKEN.md", sections: ["Rollback"] }))
    expect(outcome.status).toBe("fail")
    expect(outcome.evidence["brokenLinks"]).toEqual([
      { line: 3, target: "./docs/gone.md", reason: "docs/gone.md does not exist" },
      { line: 3, target: "docs/deploy.md#nowhere", reason: "no heading with anchor #nowhere" },
      { line: 5, target: "img/x.png", reason: "img/x.png does not exist" }
    ])
    expect(outcome.message).toContain("3 broken links")
    // With link checking off only the sections count.
    expect((await run(doc({ path: "BROKEN.md", sections: ["Rollback"], checkLinks: false }))).status).toBe("pass")
  })

  it("ends error (not pass) when the path cannot be read as a file", async () => {
    const outcome = await run(doc({ path: "docs" }))
    expect(outcome.status).toBe("error")
  })

  it("parses headings with GitHub slugs, duplicates numbered", () => {
    const parsed = Document.parse("# Kill switch: `flags`!\n## FAQ\n## FAQ\n")
    expect(parsed.headings.map((h) => h.slug)).toEqual(["kill-switch-flags", "faq", "faq-1"])
    expect(Document.matchesSection("Rollback procedure", "rollback")).toBe(true)
    expect(Document.matchesSection("Rollbacks", "rollback")).toBe(false)
  })

  it("runs in a gate without a rollback plan and is reported as a document", async () => {
    const gate = Gate.make({ name: "docs", items: [{ check: doc(), tier: "launch-critical", owner: "sre" }] })
    const report = await Runner.runPromise(gate)
    expect(report.items[0]).toMatchObject({ kind: "document", status: "pass" })
    expect(report.verdict).toBe("ready")
  })
})
