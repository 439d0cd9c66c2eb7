/**
 * Google's own Node clients as witnesses that the emulator serves what Google
 * serves: each is pointed at the emulator in REST mode (`fallback: true`,
 * plain http, a real google-auth-library `OAuth2Client` holding a fixed
 * token), lists every resource kind the checks read (pages included), and
 * its decoded objects are compared with the emulator's raw JSON: every field
 * served must survive decoding with the same value, and every enum must be
 * one the client knows. Then one error each (403, 429) must come out with the
 * right gRPC code.
 *
 * All four libraries ran on Node 20 over plain http here; none is skipped.
 * Two library behaviours found on the way (observed with these versions):
 * - google-gax 5.0.8's REST fallback sends through `authClient.fetch`; with a
 *   google-auth-library 10 `OAuth2Client`/`GoogleAuth` that is gaxios, which
 *   throws on any status >= 400, so the caller gets a `GaxiosError` whose
 *   `code` is the HTTP status (403), not the gRPC code. The gRPC mapping
 *   (`GoogleError.parseHttpError` of the google.rpc.Status body) only runs
 *   when `fetch` resolves with the error response, as the fetch-based auth
 *   client below does. Both are asserted.
 * - @google-cloud/billing-budgets 6.1.2's v1 protos lack `Budget.ownershipScope`,
 *   which the v1 discovery document (revision 20231029) has: the library drops it.
 */
import { BudgetServiceClient } from "@google-cloud/billing-budgets"
import { AlertPolicyServiceClient, NotificationChannelServiceClient, UptimeCheckServiceClient } from "@google-cloud/monitoring"
import { RevisionsClient, ServicesClient } from "@google-cloud/run"
import { SecretManagerServiceClient } from "@google-cloud/secret-manager"
import { OAuth2Client } from "google-auth-library"
import { describe, expect, it } from "vitest"
import { seedRealisticProject, type State } from "../src/emulator/index.js"
import type { Running } from "@launchgate/core/emulator"
import { NOW, TOKEN_VALUE, withEmulator } from "./support.js"

const LOCATION = "projects/demo-project/locations/us-central1"
const BILLING = "billingAccounts/012345-6789AB-CDEF01"

/** A real google-auth-library client holding a fixed token (what users pass). */
const oauth2 = () => {
  const client = new OAuth2Client()
  client.setCredentials({ access_token: TOKEN_VALUE, expiry_date: Date.now() + 3_600_000 })
  return client
}

/** An auth client whose `fetch` is the platform's: error responses reach gax's google.rpc.Status decoding. */
const fetchAuth = () => ({
  getRequestHeaders: async () => new Headers({ authorization: `Bearer ${TOKEN_VALUE}` }),
  fetch: (url: string, init: { method?: string; headers?: Headers; body?: string; signal?: AbortSignal }) => {
    const headers = new Headers(init.headers)
    headers.set("authorization", `Bearer ${TOKEN_VALUE}`)
    return fetch(url, {
      method: init.method ?? "GET",
      headers,
      ...(init.body ? { body: init.body } : {}),
      ...(init.signal ? { signal: init.signal } : {})
    })
  }
})

/** Options every official client takes to talk REST to the emulator. */
const clientOptions = (gcp: Running<State>, authClient: unknown = oauth2()) =>
  ({ fallback: true, protocol: "http", apiEndpoint: "127.0.0.1", port: Number(new URL(gcp.url).port), authClient }) as any

/**
 * Fields the library's protos do not know yet although Google documents them
 * (the library lags the API): dropped by the library, not a wrong emulator.
 */
const LIBRARY_LAG: Record<string, ReadonlyArray<string>> = {
  // billingbudgets v1 discovery (revision 20231029) has Budget.ownershipScope; billing-budgets 6.1.2's budget_model.proto does not.
  budgets: ["ownershipScope"]
}

/** Every item of a list, page by page, as the emulator serves it. */
const rawList = async (gcp: Running<State>, path: string, field: string): Promise<Array<unknown>> => {
  const items: Array<unknown> = []
  let token: string | undefined
  do {
    const url = `${gcp.url}${path}${token ? `?pageToken=${token}` : ""}`
    const json = (await (await fetch(url, { headers: { authorization: `Bearer ${TOKEN_VALUE}` } })).json()) as Record<string, any>
    items.push(...(json[field] ?? []))
    token = json["nextPageToken"]
  } while (token)
  return items
}

const isTimeLike = (v: unknown): v is { seconds?: unknown; nanos?: unknown } =>
  typeof v === "object" && v !== null && ("seconds" in v || "nanos" in v)

/**
 * Where the decoded message loses or changes what the JSON said. Timestamps
 * and durations decode to `{ seconds, nanos }`; int64 may decode to a string
 * or a Long; enums stay their names (an unknown one would not).
 */
const differences = (raw: unknown, decoded: unknown, where: string): Array<string> => {
  // Wrapper types (google.protobuf.BoolValue …) decode to { value }.
  if (raw !== null && typeof raw !== "object" && decoded !== null && typeof decoded === "object" && !Array.isArray(decoded) &&
    Object.keys(decoded).length === 1 && "value" in decoded) {
    return differences(raw, (decoded as { value: unknown }).value, where)
  }
  if (Array.isArray(raw)) {
    if (!Array.isArray(decoded) || decoded.length !== raw.length) {
      return [`${where}: array of ${raw.length} decoded as ${JSON.stringify(decoded)?.slice(0, 80)}`]
    }
    return raw.flatMap((r, i) => differences(r, decoded[i], `${where}[${i}]`))
  }
  if (raw !== null && typeof raw === "object") {
    if (decoded === null || typeof decoded !== "object") return [`${where}: object lost`]
    const fields = decoded as Record<string, unknown>
    return Object.entries(raw).flatMap(([k, v]) =>
      k === "@type" ? [] : fields[k] === undefined ? [`${where}.${k}: lost`] : differences(v, fields[k], `${where}.${k}`)
    )
  }
  if (typeof raw === "string" && isTimeLike(decoded)) {
    const seconds = Number(String(decoded.seconds ?? 0)) + Number(decoded.nanos ?? 0) / 1e9
    const expected = /^-?\d+(\.\d+)?s$/.test(raw) ? Number.parseFloat(raw) : Date.parse(raw) / 1000
    return Math.abs(seconds - expected) < 1e-6 ? [] : [`${where}: ${raw} decoded as ${seconds} s`]
  }
  if (typeof raw === "string" && /^-?\d+$/.test(raw) && typeof decoded !== "string") {
    return String(decoded) === raw ? [] : [`${where}: int64 ${raw} decoded as ${String(decoded)}`]
  }
  if (typeof raw === "number") return Number(decoded) === raw ? [] : [`${where}: ${raw} decoded as ${String(decoded)}`]
  return decoded === raw
    ? []
    : [`${where}: ${JSON.stringify(raw)} decoded as ${JSON.stringify(decoded)} (unknown enum or changed value)`]
}

interface Kind {
  readonly kind: string
  readonly path: string
  readonly field: string
  readonly list: (gcp: Running<State>) => Promise<ReadonlyArray<unknown>>
}

const kinds: ReadonlyArray<Kind> = [
  {
    kind: "Cloud Run services",
    path: `/v2/${LOCATION}/services`,
    field: "services",
    list: async (gcp) => (await new ServicesClient(clientOptions(gcp)).listServices({ parent: LOCATION }))[0]
  },
  {
    kind: "Cloud Run revisions",
    path: `/v2/${LOCATION}/services/api/revisions`,
    field: "revisions",
    list: async (gcp) => (await new RevisionsClient(clientOptions(gcp)).listRevisions({ parent: `${LOCATION}/services/api` }))[0]
  },
  {
    kind: "secrets",
    path: "/v1/projects/demo-project/secrets",
    field: "secrets",
    list: async (gcp) => (await new SecretManagerServiceClient(clientOptions(gcp)).listSecrets({ parent: "projects/demo-project" }))[0]
  },
  {
    kind: "secret versions",
    path: "/v1/projects/demo-project/secrets/db-password/versions",
    field: "versions",
    list: async (gcp) =>
      (await new SecretManagerServiceClient(clientOptions(gcp)).listSecretVersions({ parent: "projects/demo-project/secrets/db-password" }))[0]
  },
  {
    kind: "uptime checks",
    path: "/v3/projects/demo-project/uptimeCheckConfigs",
    field: "uptimeCheckConfigs",
    list: async (gcp) => (await new UptimeCheckServiceClient(clientOptions(gcp)).listUptimeCheckConfigs({ parent: "projects/demo-project" }))[0]
  },
  {
    kind: "alert policies",
    path: "/v3/projects/demo-project/alertPolicies",
    field: "alertPolicies",
    list: async (gcp) => (await new AlertPolicyServiceClient(clientOptions(gcp)).listAlertPolicies({ name: "projects/demo-project" }))[0]
  },
  {
    kind: "notification channels",
    path: "/v3/projects/demo-project/notificationChannels",
    field: "notificationChannels",
    list: async (gcp) =>
      (await new NotificationChannelServiceClient(clientOptions(gcp)).listNotificationChannels({ name: "projects/demo-project" }))[0]
  },
  {
    kind: "budgets",
    path: `/v1/${BILLING}/budgets`,
    field: "budgets",
    list: async (gcp) => (await new BudgetServiceClient(clientOptions(gcp)).listBudgets({ parent: BILLING }))[0]
  }
]

const seeded = (s: State) => seedRealisticProject(s, { now: NOW, problems: ["rotation-overdue", "unverified-channel"] })

describe("official Google clients decode what the emulator serves", () => {
  for (const k of kinds) {
    it(`${k.kind}: every served field survives decoding, pages followed`, () =>
      // One item per page, so the client must follow nextPageToken.
      withEmulator({ seed: seeded, settings: { maxPageSize: 1 } }, async (gcp) => {
        const raw = await rawList(gcp, k.path, k.field)
        expect(raw.length, `${k.kind}: the fixture must have something to compare`).toBeGreaterThan(0)
        gcp.clearLog()
        const decoded = await k.list(gcp)
        expect(decoded).toHaveLength(raw.length)
        const lag = LIBRARY_LAG[k.field] ?? []
        const lost = differences(raw, decoded, k.field).filter((d) => !lag.some((f) => d.endsWith(`.${f}: lost`)))
        expect(lost).toEqual([])
        // The client read through the pages with the bearer token, nothing else.
        expect(gcp.log.length).toBeGreaterThanOrEqual(raw.length)
        expect(gcp.log.every((e) => e.method === "GET" && e.headers["authorization"] === "Bearer <redacted>")).toBe(true)
      }))
  }
})

it("negative control: an unknown enum value and an unknown field are caught", () =>
  withEmulator({ seed: seeded }, async (gcp) => {
    const api = gcp.state.services.get(`${LOCATION}/services/api`)!
    api["terminalCondition"]["state"] = "CONDITION_SUSPENDED"
    api["notAGoogleField"] = "x"
    const raw = await rawList(gcp, `/v2/${LOCATION}/services`, "services")
    const decoded = await kinds[0]!.list(gcp)
    const found = differences(raw, decoded, "services")
    expect(found.some((d) => d.includes("terminalCondition.state"))).toBe(true)
    expect(found.some((d) => d.endsWith("notAGoogleField: lost"))).toBe(true)
  }))

// google.rpc.Code: 7 PERMISSION_DENIED, 8 RESOURCE_EXHAUSTED.
type Call = (gcp: Running<State>, auth?: unknown) => Promise<unknown>
const errorCases: ReadonlyArray<{ library: string; api: "run" | "secretManager" | "monitoring" | "budgets"; call: Call }> = [
  {
    library: "@google-cloud/run",
    api: "run",
    call: (gcp, auth) => new ServicesClient(clientOptions(gcp, auth)).getService({ name: `${LOCATION}/services/api` })
  },
  {
    library: "@google-cloud/secret-manager",
    api: "secretManager",
    call: (gcp, auth) =>
      new SecretManagerServiceClient(clientOptions(gcp, auth)).getSecret({ name: "projects/demo-project/secrets/db-password" })
  },
  {
    library: "@google-cloud/monitoring",
    api: "monitoring",
    call: (gcp, auth) =>
      new UptimeCheckServiceClient(clientOptions(gcp, auth)).listUptimeCheckConfigs({ parent: "projects/demo-project" })
  },
  {
    library: "@google-cloud/billing-budgets",
    api: "budgets",
    call: (gcp, auth) => new BudgetServiceClient(clientOptions(gcp, auth)).listBudgets({ parent: BILLING })
  }
]

describe("official Google clients raise the right gRPC code from the emulator's errors", () => {
  for (const c of errorCases) {
    it(`${c.library}: 403 → PERMISSION_DENIED (7)`, () =>
      withEmulator({ seed: seeded, settings: { deny: new Set([c.api]) } }, async (gcp) => {
        await expect(c.call(gcp, fetchAuth())).rejects.toMatchObject({ code: 7 })
        // Through gaxios (OAuth2Client.fetch) the HTTP status arrives instead, with Google's body.
        await expect(c.call(gcp)).rejects.toMatchObject({ status: 403 })
      }))

    it(`${c.library}: 429 (a fault without a body) → RESOURCE_EXHAUSTED (8)`, () =>
      withEmulator({ seed: seeded }, async (gcp) => {
        gcp.faults.add({ fault: { kind: "rate-limit", retryAfter: 0 } })
        await expect(c.call(gcp, fetchAuth())).rejects.toMatchObject({ code: 8 })
      }))
  }
})
