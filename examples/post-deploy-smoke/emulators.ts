/**
 * The bundled emulators the smoke suite runs against when no real target is
 * configured, all on 127.0.0.1 random ports:
 *
 * - the **app**: a stand-in for your service's own endpoints (a health
 *   document with its components, and one API route), built with the core
 *   emulator kit;
 * - **Google Cloud**: the `@launchgate/gcp` emulator with a Cloud Run service
 *   `api` just deployed the way the CI templates deploy (`--no-traffic`):
 *   revision 3 is Ready and serves nothing, revision 2 serves 100%. Its
 *   service URL answers from whichever revision the traffic split picks, so a
 *   traffic shift is visible to the zero-downtime probe.
 *
 * Seed options turn one property into a real problem (a failing database, a
 * new revision that answers 503 or never became Ready), which is how the
 * tests prove the suite can fail.
 */
import { Emulator, type Running } from "@launchgate/core/emulator"
import { cloudRunService, type CloudRunServiceOptions, GcpEmulator } from "@launchgate/gcp/emulator"

/** A component's health as the app reports it. */
export type Health = "pass" | "warn" | "fail"

/** The app's state: the health of what it depends on. */
export interface AppState {
  db: Health
  cache: Health
}

/** The stand-in app: `GET /healthz` (application/health+json) and `GET /v1/notes`. */
export const app = Emulator.define<AppState>({
  name: "app",
  initialState: () => ({ db: "pass", cache: "pass" }),
  routes: [
    Emulator.route<AppState>("GET", "/healthz", (_req, { state }) => {
      const worst: Health = [state.db, state.cache].includes("fail") ? "fail" : [state.db, state.cache].includes("warn") ? "warn" : "pass"
      return {
        // Like most health endpoints: 503 when unhealthy, so load balancers take the instance out too.
        status: worst === "fail" ? 503 : 200,
        headers: { "content-type": "application/health+json" },
        json: {
          status: worst,
          version: "3",
          checks: {
            db: [{ componentType: "datastore", status: state.db, observedValue: 4, observedUnit: "ms" }],
            cache: [{ componentType: "datastore", status: state.cache, observedValue: 1, observedUnit: "ms" }]
          }
        }
      }
    }),
    Emulator.route<AppState>("GET", "/v1/notes", () => ({ json: { notes: [{ id: 1, text: "hello" }] } }))
  ]
})

/**
 * The latency the app emulator injects into every `GET /v1/notes` (its latency fault): the latency SLO offline
 * measures this, not the machine's speed.
 */
export const NOTES_LATENCY_MS = 50

/** The Cloud Run service the emulators hold. */
export const SERVICE = "api"
export const PROJECT = GcpEmulator.DEFAULT_PROJECT
export const REGION = GcpEmulator.DEFAULT_REGION
export const SERVICE_NAME = `projects/${PROJECT}/locations/${REGION}/services/${SERVICE}`

/** Options of {@link startEmulators}. */
export interface EmulatorOptions {
  /** Change the app's state (e.g. `{ db: "fail" }`). */
  readonly app?: Partial<AppState> | undefined
  /** Change the Cloud Run service (e.g. `{ serving: { 3: 503 } }`: the new revision answers 503). */
  readonly cloudRun?: CloudRunServiceOptions | undefined
}

/** Both emulators, running. */
export interface Emulators {
  readonly app: Running<AppState>
  readonly gcp: Running<GcpEmulator.State>
  /** Closes both (idempotent). */
  readonly close: () => Promise<void>
}

/** Start the app and the Google Cloud emulator, seeded as after a `--no-traffic` deploy. */
export const startEmulators = async (options: EmulatorOptions = {}): Promise<Emulators> => {
  const appEmulator = await Emulator.start(app, { seed: (s) => Object.assign(s, options.app) })
  appEmulator.faults.add({ fault: { kind: "latency", ms: NOTES_LATENCY_MS }, method: "GET", path: "/v1/notes" })
  const gcp = await GcpEmulator.start({
    fixtures: [
      cloudRunService({
        name: SERVICE,
        revisions: 3,
        // `gcloud run deploy --no-traffic`: the new revision exists, the previous one keeps serving.
        traffic: [{ revision: 2, percent: 100 }],
        ...options.cloudRun
      })
    ]
  }).catch(async (error: unknown) => {
    await appEmulator.close()
    throw error
  })
  return {
    app: appEmulator,
    gcp,
    close: async () => {
      await Promise.all([appEmulator.close(), gcp.close()])
    }
  }
}
