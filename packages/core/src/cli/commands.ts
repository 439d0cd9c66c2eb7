/**
 * The command table: names, usage texts and options. Light on purpose: \`launchgate --help\` and option
 * suggestions read only this; a command's implementation is imported when it runs.
 */
import type { Command } from "./command.js"

/** `plan --within` default, in days. */
export const DEFAULT_WITHIN = 14

// ---- run
const runUsage = `Usage: launchgate run <gate-file> [options]

Run the gate exported by <gate-file> (TypeScript or JavaScript), print the
report, and write report files when asked.

Options:
  --env NAME            Target environment, passed to a gate module that exports
                        a function (env) => gate (staging, production, …)
  --only PATTERN        Run only these checks: ids or globs (fixture.api.*),
                        repeatable or comma-separated; the report says so
  --json FILE           Write the JSON report (schema version 1)
  --junit FILE          Write a JUnit XML report
  --junit-nonblocking failure|skipped
                        How JUnit shows a failure that does not block (default skipped)
  --markdown FILE       Write a Markdown report (for PR comments, job summaries)
  --html FILE           Write a self-contained HTML report
  --history DIR         Earlier JSON reports: adds a trend to the HTML report
  --console FILE        Also write the full console report (plain text, as --verbose)
  --github              GitHub Actions output: ::error/::warning lines and the
                        Markdown report in $GITHUB_STEP_SUMMARY (on by default
                        when GITHUB_ACTIONS=true)
  --concurrency N       Checks running at once (default 64)
  --timeout SECONDS     Timeout of one check unless it sets its own (default 30)
  --deadline SECONDS    Deadline for the whole run; unfinished checks end error
  --fail-fast           Stop at the first blocking result
  --allow-active IDS    Let these active checks run (comma-separated ids)
  --now ISO             Pin "now" for expiry and freshness rules
  --baseline FILE       Compare with a previous JSON report and print what changed;
                        a launch-critical regression exits 1
  --expect VERDICT      For demos: exit 0 when the verdict is VERDICT (ready or
                        blocked), 1 otherwise, and say what run alone would exit
  --progress            Print progress off a terminal too (on a terminal it always shows)
  --verbose             List every item with its evidence, lines uncut (by default
                        the report lists blockers and items that need a look)
  --color, --no-color   Force colours on or off (default: on for a terminal,
                        off when NO_COLOR is set)
  -h, --help            Show this help

Report files are written (directories created) even when the run is
interrupted (Ctrl-C); the report is then marked interrupted and the exit code
is 1.

Exit codes: 0 ready, 1 blocked (or interrupted, or a launch-critical regression
against --baseline), 2 configuration or usage error.`

export const runOptions = {
  env: { type: "string" },
  only: { type: "string", multiple: true },
  json: { type: "string" },
  junit: { type: "string" },
  "junit-nonblocking": { type: "string" },
  markdown: { type: "string" },
  html: { type: "string" },
  history: { type: "string" },
  console: { type: "string" },
  github: { type: "boolean" },
  concurrency: { type: "string" },
  timeout: { type: "string" },
  deadline: { type: "string" },
  "fail-fast": { type: "boolean" },
  "allow-active": { type: "string", multiple: true },
  now: { type: "string" },
  baseline: { type: "string" },
  expect: { type: "string" },
  progress: { type: "boolean" },
  verbose: { type: "boolean" },
  color: { type: "boolean" },
  "no-color": { type: "boolean" }
} as const

export const run: Command = {
  name: "run",
  summary: "Run a gate and print its report (exit 0 ready, 1 blocked)",
  usage: runUsage,
  options: runOptions,
  load: () => import("./run.js")
}

// ---- plan
const planUsage = `Usage: launchgate plan <gate-file> [options]

List the gate's checks with their tiers, owners and surfaces, its rollback
plans, deferrals and attestations, and what expires soon. Nothing is run and
no network is used (beyond what the gate module itself does when loaded).

Options:
  --env NAME       Target environment, passed to a gate module that exports
                   a function (env) => gate
  --within DAYS    Flag deferrals and attestations expiring within DAYS days
                   (default ${DEFAULT_WITHIN})
  --strict         Exit 1 when any deferral is expired or expiring within DAYS,
                   or any attestation is missing, stale, future-dated or
                   expiring within DAYS
  --now ISO        Pin "now" (default: the current time)
  -h, --help       Show this help

Exit codes: 0 listed (and, with --strict, nothing lapsing), 1 --strict found
something expired or expiring, 2 configuration or usage error.`

export const planOptions = {
  env: { type: "string" },
  within: { type: "string" },
  strict: { type: "boolean" },
  now: { type: "string" }
} as const

export const plan: Command = {
  name: "plan",
  summary: "List checks, owners, deferrals and what expires soon, without running anything",
  usage: planUsage,
  options: planOptions,
  load: () => import("./plan.js")
}

// ---- docs
const docsUsage = `Usage: launchgate docs <gate-file> [options]

Generate LAUNCH-READINESS.md from the gate definition: scope by tier with
owners, what each check proves, deferrals, rollback and kill-switch
procedures, unsupported cases, and coverage of the launch-review categories.
Nothing runs and nothing is fetched.

Options:
  --env NAME        Target environment, for gate modules that export (env) => gate
  --out FILE        Where to write (default: LAUNCH-READINESS.md beside the gate file)
  --report FILE     Add the verdict and last results from a JSON report
  --now ISO         The instant a local launch scope is judged at (expired deferrals); default: now
  --stdout          Print the document instead of writing it
  --check           Write nothing; exit 1 when FILE differs from what the gate
                    generates (a CI drift check: docs cannot drift from checks)
  -h, --help        Show this help

Exit codes: 0 written or up to date, 1 out of date (--check), 2 usage or
configuration error.`

export const docsOptions = {
  env: { type: "string" },
  now: { type: "string" },
  out: { type: "string" },
  report: { type: "string" },
  stdout: { type: "boolean" },
  check: { type: "boolean" }
} as const

export const docs: Command = {
  name: "docs",
  summary: "Write the launch-readiness document (LAUNCH-READINESS.md); --check for drift",
  usage: docsUsage,
  options: docsOptions,
  load: () => import("./docs.js")
}

// ---- diff
const diffUsage = `Usage: launchgate diff <previous.json> <current.json> [options]

Compare two JSON reports (written by \`launchgate run --json\`): checks newly
failing, fixed, still failing, new or removed; deferrals added, removed,
expired or now stale.

Options:
  --json         Print the comparison as JSON instead of text
  -h, --help     Show this help

Exit codes: 0 no launch-critical regression, 1 a launch-critical regression
(a launch-critical check blocks now and did not before, or the verdict went
from ready to blocked), 2 usage error or unreadable report.`

export const diffOptions = { json: { type: "boolean" } } as const

export const diff: Command = {
  name: "diff",
  args: "<previous.json> <current.json>",
  summary: "Compare two reports (exit 1 on a launch-critical regression)",
  usage: diffUsage,
  options: diffOptions,
  load: () => import("./diff.js")
}

// ---- init
const initUsage = `Usage: launchgate init --gcp|--fivetran|--stripe|--http [options]

Scaffold a launch gate into an existing repository: launch.gate.ts (the
checks of the chosen surfaces, credentials read from environment variables,
rollback plans, an example deferral), test/launch.smoke.test.ts (the gate as
a vitest suite) and a CI workflow. Its output passes \`launchgate plan
launch.gate.ts --strict\` as written. Nothing is overwritten without --force.

Surfaces (at least one):
  --gcp                 Google Cloud: Cloud Run service, uptime check and alert
  --fivetran            Fivetran: a group's connections and its destination
  --stripe              Stripe: key mode, account, webhook endpoint and delivery
  --http                HTTP: health endpoint, TLS certificate, security headers
                        (needs no credentials)

Options:
  --ci github|cloudbuild
                        The workflow: .github/workflows/launchgate.yml (default)
                        or cloudbuild.launchgate.yaml
  --dir DIR             Where to write (default: the current directory)
  --force               Replace files that exist
  -h, --help            Show this help

Exit codes: 0 written, 2 usage error or a file would be overwritten (nothing
is written then).`

export const initOptions = {
  gcp: { type: "boolean" },
  fivetran: { type: "boolean" },
  stripe: { type: "boolean" },
  http: { type: "boolean" },
  ci: { type: "string" },
  dir: { type: "string" },
  force: { type: "boolean" }
} as const

export const init: Command = {
  name: "init",
  args: "--http|--gcp|…",
  summary: "Scaffold a gate, a vitest smoke file and a CI workflow into this repository",
  usage: initUsage,
  options: initOptions,
  load: () => import("./init.js")
}
