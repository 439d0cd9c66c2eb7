import { Effect, Either, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { withEmulator } from "@launchgate/core/testing"
import { GitHubEmulator, issue, repo } from "../src/emulator/index.js"
import * as GitHub from "../src/GitHub.js"
import { withBacklog } from "./support.js"

const many = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    issue({ number: i + 1, title: `task ${i + 1}`, milestone: "launch", labels: ["launch-adjacent"] }))

describe("GitHub backlog over the emulator", () => {
  it("lists a milestone through Link pagination (per_page=100), excluding pull requests", async () => {
    await withEmulator(GitHubEmulator, {
      repos: [repo("acme/api", {
        issues: [...many(230), issue({ number: 999, milestone: "launch", pullRequest: true }), issue({ number: 998 })]
      })]
    }, async (gh) => {
      const result = await withBacklog(GitHub.layer(GitHubEmulator.clientOptions(gh)), (b) => b.list({ milestone: "launch" }))
      const items = Either.getOrThrow(result)
      expect(items).toHaveLength(230)
      expect(items.some((i) => i.ref === "acme/api#999")).toBe(false)
      const pages = gh.requests({ path: "/repos/acme/api/issues" })
      expect(pages).toHaveLength(3)
      expect(pages.map((p) => p.query["per_page"])).toEqual(["100", "100", "100"])
      expect(pages[0]!.query["milestone"]).toBe("1")
      expect(pages[0]!.query["state"]).toBe("all")
      // The token was sent, and the log never shows it.
      expect(pages[0]!.headers["authorization"]).toBe("Bearer <redacted>")
    })
  })

  it("answers gets of listed items without another request, one request per resource per run", async () => {
    await withEmulator(GitHubEmulator, {
      repos: [repo("acme/api", { issues: [issue({ number: 1, milestone: "launch" }), issue({ number: 2 })] })]
    }, async (gh) => {
      const result = await withBacklog(GitHub.layer(GitHubEmulator.clientOptions(gh)), (b) =>
        Effect.all([
          b.list({ milestone: "launch" }),
          b.get("#1"),
          b.get("https://github.com/acme/api/issues/1"),
          b.get("acme/api#2"),
          b.get("acme/api#2"),
          b.list({ milestone: "launch" })
        ], { concurrency: "unbounded" }))
      const [, one, same, two] = Either.getOrThrow(result)
      expect(one.ref).toBe("acme/api#1")
      expect(same).toEqual(one)
      expect(two.ref).toBe("acme/api#2")
      expect(gh.requests({ path: "/repos/acme/api/issues/1" })).toHaveLength(0)
      expect(gh.requests({ path: "/repos/acme/api/issues/2" })).toHaveLength(1)
      expect(gh.requests({ path: "/repos/acme/api/issues" })).toHaveLength(1)
      expect(gh.requests({ path: "/repos/acme/api/milestones" })).toHaveLength(1)
      expect(gh.log.every((e) => e.method === "GET")).toBe(true)
    })
  })

  it("maps state_reason: completed is done, not_planned and duplicate are not-planned", async () => {
    await withEmulator(GitHubEmulator, {
      repos: [repo("acme/api", {
        issues: [
          issue({ number: 1, state: "done", labels: ["launch"] }),
          issue({ number: 2, state: "not_planned", labels: ["launch"] }),
          issue({ number: 3, state: "duplicate", labels: ["launch"] }),
          issue({ number: 4, labels: ["launch"], assignees: ["ana", "bo"], body: "Follow-up of: #1\n\n## Risk\nx" })
        ]
      })]
    }, async (gh) => {
      const items = Either.getOrThrow(
        await withBacklog(GitHub.layer(GitHubEmulator.clientOptions(gh)), (b) => b.list({ label: "launch" }))
      )
      const byRef = Object.fromEntries(items.map((i) => [i.ref, i]))
      expect(byRef["acme/api#1"]!.status).toBe("done")
      expect(byRef["acme/api#2"]!.status).toBe("not-planned")
      expect(byRef["acme/api#3"]!.status).toBe("not-planned")
      expect(byRef["acme/api#4"]!.owners).toEqual(["ana", "bo"])
      expect(byRef["acme/api#4"]!.followUpOf).toBe("acme/api#1")
      expect(gh.requests({ path: "/repos/acme/api/issues" })[0]!.query["labels"]).toBe("launch")
    })
  })

  it("searches with a query (repo-qualified, issues only)", async () => {
    await withEmulator(GitHubEmulator, {
      repos: [repo("acme/api", {
        issues: [issue({ number: 1, title: "billing go-live" }), issue({ number: 2, title: "billing PR", pullRequest: true }),
          issue({ number: 3, title: "docs" })]
      })]
    }, async (gh) => {
      const items = Either.getOrThrow(
        await withBacklog(GitHub.layer(GitHubEmulator.clientOptions(gh)), (b) => b.list({ query: "billing" }))
      )
      expect(items.map((i) => i.ref)).toEqual(["acme/api#1"])
      expect(gh.requests({ path: "/search/issues" })[0]!.query["q"]).toBe("repo:acme/api is:issue billing")
    })
  })

  it("401 is unauthenticated with a remediation; the token never appears in the error", async () => {
    await withEmulator(GitHubEmulator, { repos: [repo("acme/api", { issues: [issue({ number: 1 })] })] }, async (gh) => {
      const result = await withBacklog(
        GitHub.layer(GitHubEmulator.clientOptions(gh, { token: Redacted.make("ghp_wrong_secret") })),
        (b) => b.get("#1")
      )
      const error = Either.getLeft(result).pipe((o) => (o._tag === "Some" ? o.value : undefined))!
      expect(error.reason).toBe("unauthenticated")
      expect(error.status).toBe(401)
      expect(error.message).toContain("Bad credentials")
      expect(error.remediation).toContain("Issues: read")
      expect(JSON.stringify(error)).not.toContain("ghp_wrong_secret")
    })
  })

  it("404 is not-found (missing issue, unknown repository, pull request by get)", async () => {
    await withEmulator(GitHubEmulator, {
      repos: [repo("acme/api", { issues: [issue({ number: 1, pullRequest: true })] })]
    }, async (gh) => {
      const layer = GitHub.layer(GitHubEmulator.clientOptions(gh))
      for (const ref of ["#404", "acme/nope#1", "#1"]) {
        const result = await withBacklog(layer, (b) => b.get(ref))
        expect(Either.isLeft(result) && result.left.reason).toBe("not-found")
      }
    })
  })

  it("waits for a secondary rate limit's retry-after when it fits, then succeeds", async () => {
    await withEmulator(GitHubEmulator, {
      repos: [repo("acme/api", { issues: [issue({ number: 1 })] })],
      seed: (s) => {
        s.secondary = { status: 429, retryAfter: 0, times: 1 }
      }
    }, async (gh) => {
      const result = await withBacklog(GitHub.layer(GitHubEmulator.clientOptions(gh)), (b) => b.get("#1"))
      expect(Either.getOrThrow(result).ref).toBe("acme/api#1")
      expect(gh.requests({ path: "/repos/acme/api/issues/1" }).map((e) => e.status)).toEqual([429, 200])
    })
  })

  it("fails closed as rate-limited when the wait does not fit in the read's budget (403 secondary, 403 primary)", async () => {
    await withEmulator(GitHubEmulator, {
      repos: [repo("acme/api", { issues: [issue({ number: 1 })] })],
      seed: (s) => {
        s.secondary = { status: 403, retryAfter: 3600, times: 1 }
      }
    }, async (gh) => {
      const layer = GitHub.layer(GitHubEmulator.clientOptions(gh, { timeout: "5 seconds" }))
      const secondary = await withBacklog(layer, (b) => b.get("#1"))
      expect(Either.isLeft(secondary) && secondary.left.reason).toBe("rate-limited")
      expect(Either.isLeft(secondary) && secondary.left.retryAfter).toBe(3600)
      expect(gh.requests({ path: "/repos/acme/api/issues/1" })).toHaveLength(1)

      gh.state.rateLimit.remaining = 0
      gh.state.rateLimit.reset = Math.floor(Date.now() / 1000) + 3600
      const primary = await withBacklog(layer, (b) => b.get("#1"))
      expect(Either.isLeft(primary) && primary.left.reason).toBe("rate-limited")
      expect(Either.isLeft(primary) && primary.left.rateLimitReset).toBe(gh.state.rateLimit.reset)
      expect(gh.requests({ path: "/repos/acme/api/issues/1" })).toHaveLength(2)
    })
  })

  it("a plain 403 is permission-denied, not a rate limit", async () => {
    await withEmulator(GitHubEmulator, { repos: [repo("acme/api", { issues: [issue({ number: 1 })] })] }, async (gh) => {
      gh.faults.next({
        kind: "status",
        status: 403,
        json: { message: "Resource not accessible by personal access token", documentation_url: "x", status: "403" }
      }, { route: "issues/get" })
      const result = await withBacklog(GitHub.layer(GitHubEmulator.clientOptions(gh)), (b) => b.get("#1"))
      expect(Either.isLeft(result) && result.left.reason).toBe("permission-denied")
    })
  })

  it("rejects a malformed repository option as config", async () => {
    const result = await withBacklog(GitHub.layer({ repository: "not a repo" }), (b) => b.get("#1"))
    expect(Either.isLeft(result) && result.left.reason).toBe("config")
    expect(Either.isLeft(result) && result.left.path).toBe("repository")
  })

  it("normalizes references", () => {
    expect(GitHub.normalizeRef("#7", "acme/api")).toBe("acme/api#7")
    expect(GitHub.normalizeRef("Acme/API#7", "x/y")).toBe("acme/api#7")
    expect(GitHub.normalizeRef("https://github.example.com/acme/api/issues/7", "x/y")).toBe("acme/api#7")
    expect(GitHub.normalizeRef("LG-7", "x/y")).toBeUndefined()
  })
})
