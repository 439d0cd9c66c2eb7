/**
 * What `launchgate init` writes: the gate file, the vitest smoke file and the CI workflows, as text built from the
 * chosen surfaces. Plain strings, no library imports: `init` only writes files, so it loads neither tsx nor the
 * library. The gate file uses each package's public API as its README shows it (`layerConfig()` reads credentials
 * from the environment when the gate runs, never when it is planned).
 */

/** A surface `init` can scaffold, in the order the gate lists them. */
export type Surface = "http" | "gcp" | "fivetran" | "stripe"

export const surfaces: ReadonlyArray<Surface> = ["http", "gcp", "fivetran", "stripe"]

/** Per surface: the package to install, its imports, constants, items, rollback plans and environment variables. */
interface Part {
  readonly label: string
  /** The npm package to install besides core (none for HTTP: its checks are core's). */
  readonly pkg?: string
  readonly imports: ReadonlyArray<string>
  readonly constants: string
  readonly items: string
  readonly rollback: string
  /** The `layerConfig()` call, when the surface needs a client. */
  readonly layer?: string
  /** `NAME: what` lines for the header comment. */
  readonly variables: ReadonlyArray<string>
  /** Secrets the CI workflow passes (GitHub secret / Cloud Build Secret Manager name = variable name). */
  readonly secrets: ReadonlyArray<string>
  /** A launch-critical check id, for the commented-out example deferral. */
  readonly deferrable: string
}

const parts: Readonly<Record<Surface, Part>> = {
  http: {
    label: "HTTP (health, TLS, security headers)",
    imports: [`import { HealthCheck, SecurityHeaders, TlsCertificate } from "@launchgate/core/http"`],
    constants: `// The public URL of the service. Replace it: \`.invalid\` never resolves, so until then the HTTP checks end
// \`error\` (launchgate fails closed) instead of passing.
const APP_URL = "https://app.example.invalid"`,
    items: `    // HTTP: the app's own endpoints (no credentials needed).
    {
      check: HealthCheck.make({ id: "app.web.health", surface: "app.web", url: \`\${APP_URL}/healthz\` }),
      tier: "launch-critical",
      owner: "platform"
    },
    {
      check: TlsCertificate.make({ id: "app.web.tls-certificate", surface: "app.web", url: APP_URL }),
      tier: "launch-critical",
      owner: "platform"
    },
    {
      check: SecurityHeaders.make({ id: "app.web.security-headers", surface: "app.web", url: APP_URL }),
      tier: "launch-adjacent",
      owner: "security"
    },`,
    rollback: `    "app.web": {
      procedure: "TODO: how to return to the previous release (e.g. redeploy the last good tag)",
      killSwitch: "TODO: the flag or switch that turns the launched feature off"
    },`,
    variables: ["(HTTP checks need no credentials.)"],
    secrets: [],
    deferrable: "app.web.health"
  },
  gcp: {
    label: "Google Cloud (Cloud Run, Monitoring)",
    pkg: "@launchgate/gcp",
    imports: [`import { CloudRun, Gcp, Monitoring } from "@launchgate/gcp"`],
    constants: `// The Cloud Run service to check (in GOOGLE_CLOUD_REGION of GOOGLE_CLOUD_PROJECT). Replace it.
const SERVICE = "api"`,
    items: `    // Google Cloud: the Cloud Run service and the uptime check that pages someone.
    { check: CloudRun.healthy({ service: SERVICE }), tier: "launch-critical", owner: "platform" },
    { check: CloudRun.latestDeployLive({ service: SERVICE }), tier: "launch-critical", owner: "platform" },
    { check: CloudRun.rollbackTarget({ service: SERVICE }), tier: "launch-critical", owner: "platform" },
    { check: CloudRun.probes({ service: SERVICE }), tier: "launch-critical", owner: "platform" },
    { check: CloudRun.minInstances({ service: SERVICE }), tier: "launch-adjacent", owner: "platform" },
    { check: Monitoring.uptimeCheck({ service: SERVICE, path: "/healthz" }), tier: "launch-critical", owner: "sre" },
    { check: Monitoring.uptimeAlert({ service: SERVICE }), tier: "launch-critical", owner: "sre" },`,
    rollback: `    "gcp.cloud-run": {
      procedure: \`gcloud run services update-traffic \${SERVICE} --region REGION --to-revisions PREVIOUS=100\` +
        " (gcp.cloud-run.rollback-target's evidence names the revision and the exact command)"
    },
    "gcp.monitoring": { none: "configuration only: nothing to roll back" },`,
    layer: "Gcp.layerConfig()",
    variables: [
      "GOOGLE_CLOUD_PROJECT (required): the project the checks look at",
      "GOOGLE_CLOUD_REGION: the Cloud Run region",
      "GCP_ACCESS_TOKEN (optional): a token minted by CI; without it, Application Default Credentials",
      "  (gcloud auth application-default login, workload identity). Roles: roles/run.viewer, roles/monitoring.viewer"
    ],
    secrets: [],
    deferrable: "gcp.cloud-run.probes"
  },
  fivetran: {
    label: "Fivetran (connections, destination)",
    pkg: "@launchgate/fivetran",
    imports: [`import * as Fivetran from "@launchgate/fivetran"`],
    constants: `// The Fivetran group whose connections feed the product (the group id is also the destination id). Replace it.
const FIVETRAN_GROUP = "acme_production"`,
    items: `    // Fivetran: every connection in the group is connected, active, fresh and free of blocking tasks.
    {
      check: Fivetran.Group.coverage({
        groupId: FIVETRAN_GROUP,
        rules: [
          Fivetran.Connection.rules.connected(),
          Fivetran.Connection.rules.active(),
          Fivetran.Connection.rules.freshness({ factor: 2 }),
          Fivetran.Connection.rules.tasks()
        ]
      }),
      tier: "launch-critical",
      owner: "data-platform"
    },
    {
      check: Fivetran.Destination.connected({ destinationId: FIVETRAN_GROUP }),
      tier: "launch-critical",
      owner: "data-platform"
    },`,
    rollback: `    "fivetran.group": {
      procedure: "Pause the connections (PATCH /v1/connections/{id} paused: true); serve the last good data"
    },
    "fivetran.destination": { none: "the warehouse is not rolled back; connections are paused instead" },`,
    layer: "Fivetran.layerConfig()",
    variables: [
      "FIVETRAN_API_KEY, FIVETRAN_API_SECRET (required): the API key of a read-only Fivetran user",
      "FIVETRAN_BASE_URL (optional): default https://api.fivetran.com/v1"
    ],
    secrets: ["FIVETRAN_API_KEY", "FIVETRAN_API_SECRET"],
    deferrable: "fivetran.group.coverage"
  },
  stripe: {
    label: "Stripe (key, account, webhooks)",
    pkg: "@launchgate/billing",
    imports: [`import * as Billing from "@launchgate/billing"`],
    constants: `// The product's Stripe webhook receiver, as registered in Stripe, and the events it handles. Replace them.
const STRIPE_WEBHOOK_URL = "https://app.example.invalid/api/stripe/webhook"
const STRIPE_EVENTS = ["checkout.session.completed", "invoice.paid"]`,
    items: `    // Stripe: a live key, an account that can take money, an enabled webhook endpoint that receives events.
    { check: Billing.Key.mode(), tier: "launch-critical", owner: "payments" },
    { check: Billing.Account.chargesEnabled(), tier: "launch-critical", owner: "payments" },
    { check: Billing.Account.payoutsEnabled(), tier: "launch-adjacent", owner: "finance" },
    {
      check: Billing.Webhook.endpoint({ url: STRIPE_WEBHOOK_URL, events: STRIPE_EVENTS }),
      tier: "launch-critical",
      owner: "payments"
    },
    { check: Billing.Webhook.delivery({ window: "24 hours" }), tier: "launch-critical", owner: "payments" },`,
    rollback: `    "billing.key": { none: "configuration only" },
    "billing.account": { none: "account status is not deployed" },
    "billing.webhook": { procedure: "TODO: disable the new endpoint; the previous one keeps receiving" },`,
    // Expects live data unless the gate names a non-production environment.
    layer: "Billing.layerConfig()",
    variables: [
      "STRIPE_API_KEY (required): a restricted live key (rk_live_…) with Read on Account, Webhook Endpoints and Events"
    ],
    secrets: ["STRIPE_API_KEY"],
    deferrable: "billing.webhook.delivery"
  }
}

/** The npm install line for the chosen surfaces (effect 3: the library does not run on effect 4). */
export const installLine = (chosen: ReadonlyArray<Surface>): string =>
  [
    "npm install --save-dev launchgate @launchgate/core",
    ...chosen.flatMap((s) => (parts[s].pkg === undefined ? [] : [parts[s].pkg])),
    "effect@^3 vitest"
  ].join(" ")

export const label = (surface: Surface): string => parts[surface].label

/** `launch.gate.ts` for the chosen surfaces. */
export const gateFile = (name: string, chosen: ReadonlyArray<Surface>): string => {
  const used = chosen.map((s) => parts[s])
  const layers = used.flatMap((p) => (p.layer === undefined ? [] : [p.layer]))
  const imports = [
    `import { Gate } from "@launchgate/core"`,
    ...used.flatMap((p) => p.imports),
    ...(layers.length > 1 ? [`import { Layer } from "effect"`] : [])
  ]
  const layer =
    layers.length === 0
      ? ""
      : layers.length === 1
        ? `,\n  layer: ${layers[0]}`
        : `,\n  layer: Layer.mergeAll(\n    ${layers.join(",\n    ")}\n  )`
  const variables = used.flatMap((p) => p.variables).map((v) => ` *   ${v}`)
  const deferrable = used[0]!.deferrable
  return `/**
 * The launch gate of ${name}, scaffolded by \`launchgate init\`:
${used.map((p) => ` *   ${p.label}`).join("\n")}
 * Replace the constants and every TODO, then:
 *   npx launchgate plan launch.gate.ts --strict   # what is checked and by whom; runs nothing
 *   npx launchgate run launch.gate.ts             # exit 0 ready, 1 blocked, 2 configuration error
 *
 * Credentials come from environment variables, read when the gate runs (\`plan\` and \`docs\` read none):
${variables.join("\n")}
 * A missing variable is named before any check runs (exit 2). Never write a secret into this file.
 */
${imports.join("\n")}

${used.map((p) => p.constants).join("\n\n")}

export default Gate.make({
  name: ${JSON.stringify(`${name} launch`)},
  items: [
${used.map((p) => p.items).join("\n").replace(/,$/, "")}
  ],
  // Every surface with a launch-critical check needs a plan: a procedure (and kill switch), or why there is none.
  rollback: {
${used.map((p) => p.rollback).join("\n").replace(/,$/, "")}
  },
  // A launch-critical check that cannot pass in time may be deferred, with an owner, a tracked follow-up, the risk
  // and an expiry (\`launchgate plan --strict\` warns before it lapses; an expired deferral blocks again):
  // deferrals: [{
  //   check: ${JSON.stringify(deferrable)},
  //   owner: "platform",
  //   reason: "why it cannot pass before the launch",
  //   risk: "what may go wrong meanwhile, and how likely",
  //   followUp: "https://github.com/OWNER/REPO/issues/1",
  //   expires: "YYYY-MM-DD",
  //   approvedBy: "who accepted the risk"
  // }],
  // What this launch explicitly does not support (listed in the launch-readiness document).
  unsupported: ["TODO: what this launch does not support (e.g. multi-region failover)"]${layer}
})
`
}

/** `test/launch.smoke.test.ts`: the gate as a vitest suite. */
export const smokeFile = (): string =>
  `// The launch gate as a vitest suite: one test per check (rollback verifications included) and one for the verdict.
// npx vitest run test/launch.smoke.test.ts (the same environment variables as \`launchgate run\`).
import { describeGate } from "@launchgate/core/vitest"
import gate from "../launch.gate.js"

describeGate(gate)
`

const REPORTS = "reports/launchgate"

/** `.github/workflows/launchgate.yml`. */
export const githubWorkflow = (chosen: ReadonlyArray<Surface>): string => {
  const used = chosen.map((s) => parts[s])
  const secrets = used.flatMap((p) => p.secrets)
  const gcp = chosen.includes("gcp")
  const env = [
    ...(gcp
      ? ["GOOGLE_CLOUD_PROJECT: ${{ vars.GOOGLE_CLOUD_PROJECT }}", "GOOGLE_CLOUD_REGION: ${{ vars.GOOGLE_CLOUD_REGION }}"]
      : []),
    ...secrets.map((s) => `${s}: \${{ secrets.${s} }}`)
  ]
  const auth = gcp
    ? `
      - id: auth
        # Application Default Credentials through Workload Identity Federation (no long-lived keys). The service
        # account needs read-only roles: roles/run.viewer and roles/monitoring.viewer.
        uses: google-github-actions/auth@v2
        with:
          workload_identity_provider: \${{ secrets.WIF_PROVIDER }}
          service_account: \${{ secrets.LAUNCHGATE_SERVICE_ACCOUNT }}
`
    : ""
  const gcpSettings = [
    "vars.GOOGLE_CLOUD_PROJECT",
    "vars.GOOGLE_CLOUD_REGION",
    "secrets.WIF_PROVIDER",
    "secrets.LAUNCHGATE_SERVICE_ACCOUNT"
  ]
  const runEnv = env.length > 0 ? `\n        env:\n${env.map((e) => `          ${e}`).join("\n")}` : ""
  return `# The launch gate in CI, scaffolded by \`launchgate init\`. \`plan --strict\` fails when a deferral or attestation
# lapses (the schedule nags before a launch is blocked); \`run\` checks the launch and blocks on a launch-critical
# failure, with ::error annotations and the Markdown report in the job summary.${
    secrets.length + (gcp ? 1 : 0) > 0
      ? `\n# Set ${[...(gcp ? gcpSettings : []), ...secrets.map((s) => `secrets.${s}`)].join(", ")}.`
      : ""
  }
name: launchgate
on:
  pull_request:
  push:
    branches: [main]
  schedule:
    - cron: "0 7 * * 1-5"
  workflow_dispatch:

permissions:
  contents: read${gcp ? "\n  id-token: write # Workload Identity Federation" : ""}

jobs:
  launchgate:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    steps:
      - id: checkout
        uses: actions/checkout@v4

      - id: setup-node
        uses: actions/setup-node@v4
        with:
          node-version: 22

      - id: install
        run: npm ci
${auth}
      - id: plan
        name: Nothing expired or expiring (deferrals, attestations)
        run: npx launchgate plan launch.gate.ts --strict

      - id: run
        name: Run the launch gate
        if: always() && steps.install.outcome == 'success'${runEnv}
        # GITHUB_ACTIONS=true turns on the annotations and the job summary.
        run: >-
          npx launchgate run launch.gate.ts
          --json ${REPORTS}.json --junit ${REPORTS}-junit.xml --html ${REPORTS}.html

      - id: upload
        name: Upload the reports
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: launchgate-reports
          path: reports/
          if-no-files-found: warn
`
}

/** `cloudbuild.launchgate.yaml`. */
export const cloudBuild = (chosen: ReadonlyArray<Surface>): string => {
  const used = chosen.map((s) => parts[s])
  const secrets = used.flatMap((p) => p.secrets)
  const gcp = chosen.includes("gcp")
  const env = [
    ...(gcp ? ["GOOGLE_CLOUD_PROJECT=$PROJECT_ID", "GOOGLE_CLOUD_REGION=${_REGION}"] : [])
  ]
  const secretEnv = secrets.length > 0 ? `\n    secretEnv: [${secrets.join(", ")}]` : ""
  const available =
    secrets.length > 0
      ? `
# Secrets from Secret Manager (one secret per variable, same name); the build's service account needs
# roles/secretmanager.secretAccessor on them.
availableSecrets:
  secretManager:
${secrets.map((s) => `    - versionName: projects/$PROJECT_ID/secrets/${s}/versions/latest\n      env: ${s}`).join("\n")}
`
      : ""
  return `# The launch gate in Cloud Build, scaffolded by \`launchgate init\`:
#   gcloud builds submit --config cloudbuild.launchgate.yaml${gcp ? " --substitutions _REGION=europe-west1" : ""}
# \`plan --strict\` fails when a deferral or attestation lapses; \`run\` blocks on a launch-critical failure. A failure
# is recorded, not raised, so the reports are still printed and uploaded; the last step fails the build.${
    gcp
      ? "\n# The checks use the build's service account (Application Default Credentials from the metadata server); it" +
        "\n# needs read-only roles: roles/run.viewer and roles/monitoring.viewer."
      : ""
  }
substitutions:${gcp ? "\n  _REGION: europe-west1" : ""}
  _REPORTS_BUCKET: gs://\${PROJECT_ID}_cloudbuild/launchgate-reports

options:
  logging: CLOUD_LOGGING_ONLY
  dynamicSubstitutions: true # _REPORTS_BUCKET refers to $PROJECT_ID

steps:
  - id: install
    name: node:22
    entrypoint: npm
    args: [ci]

  - id: plan
    name: node:22
    entrypoint: bash
    args: [-c, "npx launchgate plan launch.gate.ts --strict || touch /workspace/launchgate-failed"]

  - id: run
    name: node:22
    entrypoint: bash${env.length > 0 ? `\n    env:\n${env.map((e) => `      - ${e}`).join("\n")}` : ""}${secretEnv}
    args:
      - -c
      - |
        npx launchgate run launch.gate.ts --console ${REPORTS}.txt \\
          --json ${REPORTS}.json --junit ${REPORTS}-junit.xml --html ${REPORTS}.html \\
          || touch /workspace/launchgate-failed

  - id: upload
    # An explicit step rather than \`artifacts:\`, which Cloud Build uploads only when the build succeeds.
    name: gcr.io/google.com/cloudsdktool/cloud-sdk:slim
    entrypoint: bash
    args: [-c, 'gcloud storage cp reports/launchgate* "\${_REPORTS_BUCKET}/$BUILD_ID/" || echo "no report was written"']

  - id: verdict
    name: gcr.io/google.com/cloudsdktool/cloud-sdk:slim
    entrypoint: bash
    args: [-c, 'if [ -f /workspace/launchgate-failed ]; then echo "the launch gate is blocked (see the reports)"; exit 1; fi']
${available}`
}
