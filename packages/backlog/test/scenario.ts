/**
 * One backlog scenario, served two ways: as issues in the GitHub emulator and as task files, so every check is
 * tested over real HTTP and over files with the same facts.
 */
import { withEmulator } from "@launchgate/core/testing"
import type { Layer } from "effect"
import type { Gate } from "@launchgate/core"
import type * as Backlog from "../src/Backlog.js"
import type { BacklogError } from "../src/BacklogError.js"
import { GitHubEmulator, issue, repo } from "../src/emulator/index.js"
import * as Files from "../src/Files.js"
import * as GitHub from "../src/GitHub.js"
import { task, withTasks } from "./support.js"

export interface Task {
  readonly n: number
  readonly title?: string
  readonly state?: "open" | "done" | "not_planned"
  readonly tiers?: ReadonlyArray<string>
  readonly surface?: string
  readonly owners?: ReadonlyArray<string>
  readonly body?: string
  readonly milestone?: string
  readonly labels?: ReadonlyArray<string>
  /** The task this one follows up. */
  readonly followUpOf?: number
}

export interface Provider {
  readonly name: "github" | "files"
  /** Serve `tasks` and run `body` with the backlog layer and a function giving the canonical ref of task n. */
  readonly serve: <A>(
    tasks: ReadonlyArray<Task>,
    body: (layer: Layer.Layer<Backlog.Backlog, BacklogError, Gate.Provided>, ref: (n: number) => string) => Promise<A>
  ) => Promise<A>
}

const github: Provider = {
  name: "github",
  serve: (tasks, body) =>
    withEmulator(GitHubEmulator, {
      repos: [repo("acme/api", {
        issues: tasks.map((t) =>
          issue({
            number: t.n,
            title: t.title ?? `task ${t.n}`,
            state: t.state ?? "open",
            labels: [...(t.tiers ?? []), ...(t.surface ? [`surface:${t.surface}`] : []), ...(t.labels ?? [])],
            assignees: t.owners ?? [],
            body: t.followUpOf !== undefined ? `Follow-up of: #${t.followUpOf}\n\n${t.body ?? ""}` : t.body ?? null,
            ...(t.milestone ? { milestone: t.milestone } : {})
          })
        )
      })]
    }, (gh) => body(GitHub.layer(GitHubEmulator.clientOptions(gh)), (n) => `acme/api#${n}`))
}

const files: Provider = {
  name: "files",
  serve: (tasks, body) =>
    withTasks(
      Object.fromEntries(tasks.map((t) => [
        `tasks/LG-${t.n}.md`,
        task({
          id: `LG-${t.n}`,
          title: t.title ?? `task ${t.n}`,
          status: t.state === "done" ? "done" : t.state === "not_planned" ? "wont_do" : "in_progress",
          ...(t.tiers?.[0] ? { tier: t.tiers[0] } : {}),
          labels: [...(t.tiers ?? []).slice(1), ...(t.labels ?? [])],
          ...(t.owners?.[0] ? { owner: t.owners[0] } : {}),
          ...(t.surface ? { surface: t.surface } : {}),
          ...(t.milestone ? { milestone: t.milestone } : {}),
          ...(t.followUpOf !== undefined ? { follow_up_of: `LG-${t.followUpOf}` } : {})
        }, t.body ?? "")
      ])),
      (dir) => body(Files.layer({ directory: `${dir}/tasks` }), (n) => `LG-${n}`)
    )
}

export const providers: ReadonlyArray<Provider> = [github, files]
