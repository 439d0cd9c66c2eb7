/**
 * The emulator's list pages and copies: each page renders only the items it serves (issue 13: rendering a whole
 * list per page was most of the emulator's work), resources handed out are never the state's own objects, and
 * paging over a real list still yields every item once, in order.
 */
import { describe, expect, it } from "vitest"
import type { EmulatorRequest } from "@launchgate/core/emulator"
import { secret } from "../src/emulator/index.js"
import { copy, page } from "../src/emulator/internal/google.js"
import { NOW, TOKEN_VALUE, withEmulator } from "./support.js"

const requestFor = (query: Record<string, string>) =>
  ({ query: new URLSearchParams(query) }) as unknown as EmulatorRequest

describe("emulator list pages", () => {
  it("renders only the items of the page it serves", () => {
    const items = Array.from({ length: 45 }, (_, i) => ({ name: `r${i}` }))
    const rendered: Array<string> = []
    const render = (r: Record<string, unknown>) => {
      rendered.push(r["name"] as string)
      return { ...r, rendered: true }
    }
    const first = page(items, requestFor({ pageSize: "20" }), "things", 1000, render)
    expect(rendered).toEqual(items.slice(0, 20).map((r) => r.name))
    const json = first.json as { things: Array<{ name: string; rendered: boolean }>; nextPageToken: string }
    expect(json.things.every((t) => t.rendered)).toBe(true)
    rendered.length = 0
    const last = page(items, requestFor({ pageSize: "20", pageToken: Buffer.from("o:40").toString("base64url") }), "things", 1000, render)
    expect(rendered).toEqual(["r40", "r41", "r42", "r43", "r44"])
    expect(last.json).not.toHaveProperty("nextPageToken")
  })

  it("copies deeply: nested objects and arrays are new, values equal; a non-plain object keeps a structured copy", () => {
    const state = { name: "x", labels: { a: "1" }, list: [{ b: [1, 2] }], missing: undefined, when: new Date(0) }
    const out = copy(state)
    expect(out).toEqual(state)
    expect(out.labels).not.toBe(state.labels)
    expect(out.list[0]).not.toBe(state.list[0])
    expect(out.list[0]!.b).not.toBe(state.list[0]!.b)
    expect("missing" in out).toBe(true)
    expect(out.when).toBeInstanceOf(Date)
    expect(out.when).not.toBe(state.when)
  })

  it("pages over a project's secrets: every secret once, in order, however small the page", () =>
    withEmulator({ fixtures: Array.from({ length: 7 }, (_, i) => secret({ now: NOW, name: `s${i}` })) }, async (gcp) => {
      const names: Array<string> = []
      let token: string | undefined
      do {
        const url = new URL(`${gcp.url}/v1/projects/demo-project/secrets`)
        url.searchParams.set("pageSize", "3")
        if (token !== undefined) url.searchParams.set("pageToken", token)
        const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN_VALUE}` } })
        const body = (await res.json()) as { secrets?: Array<{ name: string }>; nextPageToken?: string }
        names.push(...(body.secrets ?? []).map((s) => s.name.split("/").pop()!))
        token = body.nextPageToken
      } while (token !== undefined)
      expect(names).toEqual(["s0", "s1", "s2", "s3", "s4", "s5", "s6"])
    }))
})
