/**
 * The launch scope in the report: `LaunchScope.declare` over the GitHub emulator and `Files.localScope` over task
 * files put `LaunchScope.summarize` of the same items in `report.launchScope`, and reading it costs no request
 * when the checks already listed the scope (the emulator's log is the witness).
 */
import { Gate, Runner } from "@launchgate/core"
import { withEmulator } from "@launchgate/core/testing"
import { Effect, Either } from "effect"
import { describe, expect, it } from "vitest"
import { GitHubEmulator, issue, repo } from "../src/emulator/index.js"
import * as Files from "../src/Files.js"
import * as GitHub from "../src/GitHub.js"
import * as LaunchScope from "../src/LaunchScope.js"
import { task, withBacklog, withTasks } from "./support.js"

const scope = { milestone: "launch" }
const NOW = new Date("2026-03-01T00:00:00Z")
const deferral = (followUp: string) => ({
  check: "backlog.launch-scope.no-open-blocker",
  owner: "eng",
  reason: "billing is late",
  risk: "card payments fail",
  followUp,
  expires: "2026-12-31"
})

const makeGate = (
  layer: Gate.Gate<any>["layer"],
  followUp: string,
  launchScope?: Gate.LaunchScopeDeclaration
): Gate.Gate<any> => {
  const gate: Gate.Gate<any> = Gate.make({
    name: "backlog launch scope",
    items: [
      { check: LaunchScope.classified({ scope }), tier: "launch-adjacent", owner: "eng" },
      { check: LaunchScope.noOpenBlocker({ scope, gate: () => gate }), tier: "launch-critical", owner: "eng" }
    ],
    deferrals: [deferral(followUp)],
    rollback: { "backlog.launch-scope": { none: "process check" } },
    layer,
    ...(launchScope ? { launchScope } : {})
  })
  return gate
}

const withoutTime = ({ readAt: _readAt, source: _source, ...rest }: Record<string, unknown>) => rest

describe("report.launchScope", () => {
  it("over the GitHub emulator: equals summarize of the same items, and costs no extra request", async () => {
    await withEmulator(GitHubEmulator, {
      repos: [repo("acme/api", {
        issues: [
          issue({ number: 1, title: "live mode", labels: ["launch-critical"], assignees: ["dana"], milestone: "launch" }),
          issue({ number: 2, title: "webhooks", labels: ["launch-critical"], milestone: "launch" }),
          issue({ number: 3, title: "done thing", state: "done", labels: ["launch-critical"], milestone: "launch" }),
          issue({ number: 4, title: "docs", labels: ["post-launch"], milestone: "launch" }),
          issue({ number: 5, title: "unlabelled", milestone: "launch" }),
          issue({ number: 6, title: "follow-up of 2", body: "Follow-up of: #2\n\n## Risk\nlate", assignees: ["eve"] })
        ]
      })]
    }, async (gh) => {
      const layer = GitHub.layer(GitHubEmulator.clientOptions(gh))
      const declared = LaunchScope.declare({ scope, source: "GitHub acme/api, milestone launch" })

      const before = gh.log.length
      const checksOnly = await Runner.runPromise(makeGate(layer, "#2"), { now: NOW })
      const checksRequests = gh.log.length - before
      const mid = gh.log.length
      const gate = makeGate(layer, "#2", declared)
      const report = await Runner.runPromise(gate, { now: NOW })
      const withScopeRequests = gh.log.length - mid

      expect(checksOnly.launchScope).toBeUndefined()
      expect(checksRequests).toBeGreaterThan(0)
      // The summary was answered by the run's per-run reads: not one more request than the checks alone.
      expect(withScopeRequests).toBe(checksRequests)
      expect(report.run.notes).toBeUndefined()

      const items = await withBacklog(layer, (b) => b.list(scope))
      const expected = LaunchScope.summarize(Either.getOrThrow(items), gate)
      const got = report.launchScope!
      expect(got.source).toBe("GitHub acme/api, milestone launch")
      expect(withoutTime(got as Record<string, unknown>)).toEqual(JSON.parse(JSON.stringify(expected)))
      expect(got.openLaunchCritical?.map((i) => [i.ref, i.deferredBy]).sort()).toEqual([
        ["acme/api#1", undefined],
        ["acme/api#2", "backlog.launch-scope.no-open-blocker"]
      ])
    })
  })

  it("over the GitHub emulator: an unknown milestone is launchScope.error and a note, never an empty scope", async () => {
    await withEmulator(GitHubEmulator, {
      repos: [repo("acme/api", { issues: [issue({ number: 1, labels: ["launch-critical"], milestone: "launch" })] })]
    }, async (gh) => {
      const layer = GitHub.layer(GitHubEmulator.clientOptions(gh))
      const declared = LaunchScope.declare({ scope: { milestone: "lauch" } })
      const report = await Runner.runPromise(makeGate(layer, "#1", declared), { now: NOW })
      expect(report.launchScope?.error).toMatch(/lauch/)
      expect(report.launchScope?.tiers).toBeUndefined()
      expect(report.run.notes?.some((n) => n.includes("could not be read"))).toBe(true)
    })
  })

  it("over task files: Files.localScope equals summarize of the same items, in a run and without one", async () => {
    const files = {
      "tasks/LG-1.md": task({ id: "LG-1", title: "live mode", status: "in_progress", tier: "launch-critical",
        owner: "payments", milestone: "launch" }),
      "tasks/LG-2.md": task({ id: "LG-2", title: "webhooks", status: "wont_do", tier: "launch-critical",
        milestone: "launch" }),
      "tasks/LG-3.md": task({ id: "LG-3", title: "docs", status: "done", tier: "post-launch", milestone: "launch" }),
      "tasks/LG-4.md": task({ id: "LG-4", title: "follow-up", status: "todo", owner: "eng", follow_up_of: "LG-2" },
        "## Risk\nlate")
    }
    await withTasks(files, async (dir) => {
      const directory = `${dir}/tasks`
      const layer = Files.layer({ directory })
      const declared = Files.localScope({ directory, scope })
      expect(declared.local).toBe(true)
      expect(declared.source).toBe(`task files in ${directory}`)
      const gate = makeGate(layer, "LG-4", declared)
      const report = await Runner.runPromise(gate, { now: NOW })
      const items = Either.getOrThrow(await withBacklog(layer, (b) => b.list(scope)))
      const expected = JSON.parse(JSON.stringify(LaunchScope.summarize(items, gate)))
      expect(withoutTime(report.launchScope as Record<string, unknown>)).toEqual(expected)
      expect(report.launchScope?.tiers?.["launch-critical"]).toEqual({ total: 2, open: 1, done: 0, notPlanned: 1 })
      // Local: it needs nothing from the gate's layer, so plan and docs can read it (with only the run context).
      const alone = await Effect.runPromise(Runner.readLaunchScope(declared).pipe(
        Effect.provideService(Gate.RunContext, { gate: gate.name, deferrals: gate.deferrals })
      ))
      expect(withoutTime(alone as Record<string, unknown>)).toEqual(expected)
    })
  })
})
