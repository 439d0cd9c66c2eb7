import { Either } from "effect"
import { describe, expect, it } from "vitest"
import * as Files from "../src/Files.js"
import { task, withBacklog, withTasks } from "./support.js"

describe("task files", () => {
  it("parses front matter, maps statuses and keeps the body", async () => {
    await withTasks({
      "t/a.md": task({ id: "LG-1", title: "A", status: "in_progress", owner: "ana", tier: "launch-critical",
        labels: ["x"], milestone: "launch", follow_up_of: "LG-0", priority: "p1" }, "## Risk\nr"),
      "t/nested/b.md": task({ id: 2, title: "B", status: "wont_do" }),
      "t/README.md": "not a task"
    }, async (dir) => {
      const items = Either.getOrThrow(await withBacklog(Files.layer({ directory: `${dir}/t` }), (b) => b.list({})))
      expect(items.map((i) => [i.ref, i.status])).toEqual([["LG-1", "open"], ["2", "not-planned"]])
      expect(items[0]).toMatchObject({ owners: ["ana"], tier: "launch-critical", followUpOf: "LG-0", milestone: "launch" })
      expect(items[0]!.body).toContain("## Risk")
    })
  })

  it.each([
    ["missing front matter", "# just a heading\n", "front matter"],
    ["missing title", task({ id: "LG-1", status: "done" }), "title"],
    ["bad labels", task({ id: "LG-1", title: "A", status: "done", labels: "x" }), "labels"],
    ["unknown status", task({ id: "LG-1", title: "A", status: "shipped" }), "status"],
    ["invalid YAML", "---\nid: [unclosed\n---\n", "front matter"]
  ])("%s is an error naming the file and the field", async (_, text, field) => {
    await withTasks({ "t/bad.md": text }, async (dir) => {
      const result = await withBacklog(Files.layer({ directory: `${dir}/t` }), (b) => b.list({}))
      expect(Either.isLeft(result)).toBe(true)
      const error = (result as Either.Left<any, any>).left
      expect(error.path).toBe(field)
      expect(error.resource).toContain("bad.md")
      expect(error.message).toContain("bad.md")
    })
  })

  it("configurable status vocabulary; duplicate ids are an error", async () => {
    await withTasks({ "t/a.md": task({ id: "LG-1", title: "A", status: "shipped" }) }, async (dir) => {
      const layer = Files.layer({ directory: `${dir}/t`, statuses: { shipped: "done" } })
      const items = Either.getOrThrow(await withBacklog(layer, (b) => b.list({})))
      expect(items[0]!.status).toBe("done")
    })
    await withTasks({ "t/a.md": task({ id: "X", title: "A", status: "done" }), "t/b.md": task({ id: "X", title: "B", status: "done" }) },
      async (dir) => {
        const result = await withBacklog(Files.layer({ directory: `${dir}/t` }), (b) => b.list({}))
        expect(Either.isLeft(result) && result.left.path).toBe("id")
      })
  })
})
