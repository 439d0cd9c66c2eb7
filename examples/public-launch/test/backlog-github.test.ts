/**
 * The same backlog audit through the GitHub provider: the task files in backlog/ become issues in the GitHub
 * Issues emulator (tiers and `surface:*` as labels, the milestone, owners as assignees, `done` as closed/completed,
 * `follow_up_of` as a `Follow-up of: #N` body line, the `## Risk` sections in the bodies), the gate's deferrals
 * point at the issues, and the four backlog checks of the gate give the same statuses over real loopback HTTP as
 * over the files.
 */
import { Backlog, Files, GitHub } from "@launchgate/backlog"
import { GitHubEmulator, issue, type IssueRecord, repo } from "@launchgate/backlog/emulator"
import { Gate, type Report, Runner } from "@launchgate/core"
import { withEmulator } from "@launchgate/core/testing"
import { Either, type Layer } from "effect"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import makeGate, { backlogChecks, LAUNCH_SCOPE } from "../gate.js"
import { BACKLOG_DIRECTORY, DEMO_NOW } from "../world.js"

const REPOSITORY = "acme/analytics"

/** The task files as the Files provider parses them. */
const tasks: ReadonlyArray<Backlog.Item> = readdirSync(BACKLOG_DIRECTORY)
  .filter((name) => name.endsWith(".md") && name.toLowerCase() !== "readme.md")
  .map((name) => Either.getOrThrow(Files.parseTask(name, readFileSync(join(BACKLOG_DIRECTORY, name), "utf8"))))

/** Task `PAY-19` is issue #19 (the numbers are unique across the prefixes, checked below). */
const issueNumber = (taskId: string): number => Number(/^[A-Z]+-(\d+)$/.exec(taskId)![1])
const taskOf = new Map(tasks.map((t) => [`${REPOSITORY}#${issueNumber(t.ref)}`, t.ref]))

const asIssue = (task: Backlog.Item): IssueRecord =>
  issue({
    number: issueNumber(task.ref),
    title: task.title,
    state: task.status === "open" ? "open" : task.status === "done" ? "done" : "not_planned",
    labels: [
      ...(task.tier !== undefined ? [task.tier] : []),
      ...(task.surface !== undefined ? [`surface:${task.surface}`] : []),
      ...task.labels
    ],
    assignees: task.owners,
    ...(task.milestone !== undefined ? { milestone: task.milestone } : {}),
    body: `${task.followUpOf !== undefined ? `Follow-up of: #${issueNumber(task.followUpOf)}\n\n` : ""}${task.body}`
  })

/** Run the gate's four backlog checks (judging `view`: its deferrals, unsupported cases and checks) over `layer`. */
const audit = (view: Gate.Gate<any>, layer: Layer.Layer<Backlog.Backlog, unknown, Gate.Provided>) =>
  Runner.runPromise(
    Gate.make({
      name: "public launch backlog audit",
      items: backlogChecks(() => view),
      rollback: {
        "backlog.launch-scope": { none: "reads only" },
        "backlog.deferrals": { none: "reads only" }
      },
      layer
    }),
    { now: DEMO_NOW }
  )

/** Per check: its status and each subject's (GitHub refs named by their task id). */
const statuses = (report: Report.Report) =>
  Object.fromEntries(report.items.map((i) => [i.id, {
    status: i.status,
    subjects: Object.fromEntries((i.subjects ?? []).map((s) => [taskOf.get(s.subject) ?? s.subject, s.status]))
  }]))

describe("examples/public-launch backlog through GitHub Issues (emulator, loopback HTTP)", () => {
  it("gives the task files' statuses: PAY-19's deferral untracked, PAY-18, PAY-21, SEC-40 blocking", async () => {
    expect(tasks.map((t) => t.ref).sort()).toEqual([
      "DATA-76", "DATA-77", "DATA-80", "OPS-340", "OPS-342", "OPS-355", "PAY-18", "PAY-19", "PAY-21", "SEC-40"
    ])
    expect(new Set(tasks.map((t) => issueNumber(t.ref))).size).toBe(tasks.length)

    const gate = makeGate("production")
    const fromFiles = statuses(await audit(gate, Files.layer({ directory: BACKLOG_DIRECTORY })))

    // The same deferrals, their follow-ups named as issues of the repository.
    const onGitHub: Gate.Gate<any> = {
      ...gate,
      deferrals: gate.deferrals.map((d) => ({ ...d, followUp: `#${issueNumber(d.followUp)}` }))
    }
    const report = await withEmulator(GitHubEmulator, { repos: [repo(REPOSITORY, { issues: tasks.map(asIssue) })] },
      async (gh) => {
        const report = await audit(onGitHub, GitHub.layer(GitHubEmulator.clientOptions(gh)))
        // The checks read the emulator, not the files: issues were listed and follow-ups fetched over HTTP.
        expect(gh.log.length).toBeGreaterThan(0)
        return report
      })
    const fromGitHub = statuses(report)
    const byId = new Map(report.items.map((i) => [i.id, i]))
    const noOpenBlocker = byId.get("backlog.launch-scope.no-open-blocker")!
    const blockers = (noOpenBlocker.evidence as { blockers: Array<string> }).blockers
    expect([...blockers].sort()).toEqual(["acme/analytics#18", "acme/analytics#21", "acme/analytics#40"])
    expect(byId.get("backlog.deferrals.tracked")!.message).toContain(
      "billing.portal.configured (fail: follow-up acme/analytics#19 is closed (closed/completed))"
    )

    const expected = {
      "backlog.launch-scope.classified": { status: "pass", subjects: {} },
      "backlog.launch-scope.matches-gate": { status: "pass", subjects: {} },
      "backlog.launch-scope.no-open-blocker": {
        status: "fail",
        subjects: {
          "DATA-76": "pass", "DATA-77": "pass", "OPS-340": "pass", "OPS-342": "pass", "PAY-19": "pass",
          "PAY-18": "fail", "PAY-21": "fail", "SEC-40": "fail"
        }
      },
      "backlog.deferrals.tracked": {
        status: "fail",
        subjects: {
          "gcp.monitoring.notification-channels": "pass",
          "fivetran.connection.historical-sync": "pass",
          "billing.portal.configured": "fail"
        }
      }
    }
    expect(fromFiles).toEqual(expected)
    expect(fromGitHub).toEqual(fromFiles)
  }, 60_000)
})
