/**
 * A stand-in for the product itself (the "acme analytics" API), built on the
 * core emulator kit, so the demo has a real endpoint to check offline: a
 * health document, an API route to time, a kill-switch flag, and a Fivetran
 * webhook receiver that verifies signatures.
 *
 * Against a real deployment none of this runs: the gate points at APP_URL.
 */
import { Emulator } from "@launchgate/core/emulator"
import { WebhookSignature } from "@launchgate/fivetran"

export interface AppState {
  /** Flip to make the health endpoint report the database down. */
  databaseUp: boolean
  /** The checkout kill switch: `enabled: false` turns paid checkout off without a deploy. */
  checkoutEnabled: boolean
  /** The secret the Fivetran receiver verifies with. */
  fivetranWebhookSecret: string
  /** Fivetran deliveries the receiver accepted. */
  readonly deliveries: Array<{ readonly event: string; readonly connectionId: string }>
}

// Security headers a real deployment sends; the demo app leaves CSP out on purpose (a launch-adjacent warning).
const HEADERS = {
  "strict-transport-security": "max-age=31536000; includeSubDomains",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY"
}

export const app = Emulator.define<AppState>({
  name: "acme-analytics-app",
  initialState: () => ({ databaseUp: true, checkoutEnabled: true, fivetranWebhookSecret: "", deliveries: [] }),
  routes: [
    Emulator.route<AppState>("GET", "/healthz", (_req, { state }) => ({
      status: state.databaseUp ? 200 : 503,
      headers: { ...HEADERS, "content-type": "application/health+json" },
      json: {
        status: state.databaseUp ? "pass" : "fail",
        version: "1",
        checks: {
          "postgres:connections": [{ componentType: "datastore", status: state.databaseUp ? "pass" : "fail", observedValue: 12 }],
          "warehouse:responseTime": [{ componentType: "datastore", status: "pass", observedValue: 41, observedUnit: "ms" }]
        }
      }
    })),
    Emulator.route<AppState>("GET", "/api/v1/dashboards", () => ({
      headers: HEADERS,
      json: { data: [{ id: "dash_1", name: "Revenue" }, { id: "dash_2", name: "Activation" }] }
    })),
    Emulator.route<AppState>("GET", "/flags/checkout", (_req, { state }) => ({
      headers: HEADERS,
      json: { flag: "checkout", enabled: state.checkoutEnabled, killSwitch: true, updatedBy: "release-bot" }
    })),
    Emulator.route<AppState>("POST", "/webhooks/fivetran", (req, { state }) => {
      const signature = req.headers[WebhookSignature.HEADER.toLowerCase()]
      if (!signature || !WebhookSignature.verify(req.body, state.fivetranWebhookSecret, signature)) {
        return { status: 401, json: { error: "bad signature" } }
      }
      const payload = req.json() as { event?: string; connector_id?: string; connection_id?: string }
      state.deliveries.push({ event: String(payload.event), connectionId: String(payload.connection_id ?? payload.connector_id) })
      return { status: 200, json: { received: true } }
    })
  ]
})
