/**
 * Every emulator response validates against GitHub's published OpenAPI description (the npm package
 * `@octokit/openapi`, api.github.com): the operations the backlog reads, and the 401/404 error bodies.
 * A small validator: $ref, allOf/oneOf/anyOf, type, nullable, required, properties, items, enum.
 */
import { createRequire } from "node:module"
import { describe, expect, it } from "vitest"
import { withEmulator } from "@launchgate/core/testing"
import { GitHubEmulator, issue, repo } from "../src/emulator/index.js"

const require = createRequire(import.meta.url)
const spec = require("@octokit/openapi/generated/api.github.com.json") as {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, any> }>>
  components: Record<string, Record<string, any>>
}

const resolve = (node: any): any => {
  let n = node
  while (n && typeof n.$ref === "string") {
    const [, kind, name] = /^#\/components\/(\w+)\/(.+)$/.exec(n.$ref)!
    n = spec.components[kind!]![name!]
  }
  return n
}

const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v)

const validate = (schema: any, value: unknown, path = "$"): Array<string> => {
  const s = resolve(schema)
  if (!s) return []
  if (value === null) return s.nullable || s.type === "null" ? [] : [`${path}: null but not nullable`]
  if (s.allOf) return s.allOf.flatMap((part: any) => validate(part, value, path))
  if (s.oneOf || s.anyOf) {
    const options = s.oneOf ?? s.anyOf
    const ok = options.some((o: any) => validate(o, value, path).length === 0)
    return ok ? [] : [`${path}: matches none of ${options.length} alternatives`]
  }
  const issues: Array<string> = []
  if (s.enum && !s.enum.includes(value)) issues.push(`${path}: ${JSON.stringify(value)} not in enum`)
  const t = typeOf(value)
  if (s.type === "integer") {
    if (!Number.isInteger(value)) issues.push(`${path}: expected integer, got ${t}`)
  } else if (s.type !== undefined && s.type !== t) issues.push(`${path}: expected ${s.type}, got ${t}`)
  if (t === "object" && (s.type === "object" || s.properties)) {
    const obj = value as Record<string, unknown>
    for (const key of s.required ?? []) if (!(key in obj)) issues.push(`${path}.${key}: required but missing`)
    for (const [key, v] of Object.entries(obj)) {
      if (s.properties?.[key]) issues.push(...validate(s.properties[key], v, `${path}.${key}`))
    }
  }
  if (t === "array" && s.items) (value as Array<unknown>).forEach((v, i) => issues.push(...validate(s.items, v, `${path}[${i}]`)))
  return issues
}

const operation = (id: string) => {
  for (const methods of Object.values(spec.paths)) {
    for (const op of Object.values(methods)) if (op?.operationId === id) return op
  }
  throw new Error(`no operation ${id} in the OpenAPI description`)
}

const responseSchema = (id: string, status: string) => {
  const response = resolve(operation(id).responses[status])
  expect(response, `${id} documents ${status}`).toBeDefined()
  return response.content["application/json"].schema
}

const fetchJson = async (url: string, token = "ghp_emulator") => {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
  return { status: res.status, body: (await res.json()) as unknown, headers: res.headers }
}

describe("emulator responses match GitHub's OpenAPI description", () => {
  it("serves every operation in a shape the description accepts", async () => {
    await withEmulator(GitHubEmulator, {
      repos: [repo("acme/api", {
        labels: ["launch-critical"],
        issues: [
          issue({ number: 1, labels: ["launch-critical", "surface:gcp"], assignees: ["ana"], milestone: "launch",
            body: "## Risk\nx" }),
          issue({ number: 2, state: "not_planned" }),
          issue({ number: 3, state: "done", milestone: "launch" }),
          issue({ number: 4, pullRequest: true })
        ]
      })]
    }, async (gh) => {
      const cases: Array<[string, string]> = [
        ["issues/list-for-repo", "/repos/acme/api/issues?state=all&per_page=2"],
        ["issues/list-for-repo", "/repos/acme/api/issues?milestone=1&labels=launch-critical"],
        ["issues/get", "/repos/acme/api/issues/1"],
        ["issues/get", "/repos/acme/api/issues/4"],
        ["issues/list-labels-for-repo", "/repos/acme/api/labels"],
        ["issues/list-milestones", "/repos/acme/api/milestones?state=all"],
        ["search/issues-and-pull-requests", `/search/issues?q=${encodeURIComponent("repo:acme/api is:issue")}`]
      ]
      for (const [id, path] of cases) {
        const res = await fetchJson(gh.url + path)
        expect(res.status, `${id} ${path}`).toBe(200)
        expect(validate(responseSchema(id, "200"), res.body), `${id} ${path}`).toEqual([])
      }
      // The first list page advertises the next one, as GitHub does.
      const first = await fetch(`${gh.url}/repos/acme/api/issues?state=all&per_page=2`, {
        headers: { authorization: "Bearer ghp_emulator" }
      })
      expect(first.headers.get("link")).toMatch(/rel="next"/)
      expect(first.headers.get("x-ratelimit-remaining")).toMatch(/^\d+$/)
    })
  })

  it("401 and 404 bodies are GitHub's basic-error", async () => {
    await withEmulator(GitHubEmulator, { repos: [repo("acme/api")] }, async (gh) => {
      const unauthorized = await fetchJson(`${gh.url}/repos/acme/api/issues/1`, "wrong")
      expect(unauthorized.status).toBe(401)
      expect(validate(responseSchema("search/issues-and-pull-requests", "401"), unauthorized.body)).toEqual([])
      expect(unauthorized.body).toMatchObject({ message: "Bad credentials", status: "401" })
      const missing = await fetchJson(`${gh.url}/repos/acme/api/issues/9`)
      expect(missing.status).toBe(404)
      expect(validate(responseSchema("issues/get", "404"), missing.body)).toEqual([])
      expect(Object.keys(missing.body as object).sort()).toEqual(["documentation_url", "message", "status"])
    })
  })

  it("the validator can fail (negative control)", () => {
    const schema = responseSchema("issues/get", "200")
    expect(validate(schema, { number: "1" }).length).toBeGreaterThan(0)
    expect(validate(responseSchema("issues/list-milestones", "200"), [{ title: 1 }]).length).toBeGreaterThan(0)
  })
})
