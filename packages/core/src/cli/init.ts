/**
 * `launchgate init`: scaffold a launch gate into an existing repository — the gate file, a vitest smoke file and a
 * CI workflow — for the surfaces chosen by flags. It only writes files: no gate is loaded, so neither tsx nor the
 * library is imported. It never overwrites a file without `--force`.
 */
import { existsSync, readFileSync, statSync } from "node:fs"
import { mkdir, writeFile } from "node:fs/promises"
import * as nodePath from "node:path"
import * as Args from "./args.js"
import type { Context } from "./command.js"
import { initOptions } from "./commands.js"
import { ConfigError, EXIT_READY, type Io, UsageError } from "./io.js"
import * as Templates from "./initTemplates.js"

/** Where each generated file goes, relative to `--dir`. */
export const GATE_FILE = "launch.gate.ts"
export const SMOKE_FILE = "test/launch.smoke.test.ts"
export const GITHUB_FILE = ".github/workflows/launchgate.yml"
export const CLOUD_BUILD_FILE = "cloudbuild.launchgate.yaml"

const CI = ["github", "cloudbuild"] as const
type Ci = (typeof CI)[number]

interface Planned {
  readonly path: string
  readonly what: string
  readonly text: string
}

/** The gate's name: the repository's package name when it has one, else the folder's name. */
const projectName = (dir: string): string => {
  const fallback = nodePath.basename(dir) || "service"
  try {
    const pkg = JSON.parse(readFileSync(nodePath.join(dir, "package.json"), "utf8")) as { name?: unknown }
    return typeof pkg.name === "string" && pkg.name.trim() !== "" ? pkg.name : fallback
  } catch {
    return fallback
  }
}

export const execute = async (args: ReadonlyArray<string>, io: Io, _context: Context): Promise<number> => {
  const { values, positionals } = Args.parse(args, initOptions)
  if (positionals.length > 0) throw new UsageError(`init takes no arguments, got: ${positionals.join(" ")}`)
  const chosen = Templates.surfaces.filter((s) => values[s] === true)
  if (chosen.length === 0) {
    throw new UsageError("choose at least one surface: --gcp, --fivetran, --stripe or --http (--http needs no credentials)")
  }
  const ci = (values.ci ?? "github") as Ci
  if (!CI.includes(ci)) throw new UsageError(`--ci expects github or cloudbuild, got ${JSON.stringify(values.ci)}`)
  const dir = nodePath.resolve(io.cwd, values.dir ?? ".")
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ConfigError(`--dir ${values.dir}: no such directory (${dir})`)

  const files: ReadonlyArray<Planned> = [
    {
      path: GATE_FILE,
      what: `the gate: ${chosen.map(Templates.label).join("; ")}`,
      text: Templates.gateFile(projectName(dir), chosen)
    },
    { path: SMOKE_FILE, what: "the gate as a vitest suite (describeGate)", text: Templates.smokeFile() },
    ci === "github"
      ? { path: GITHUB_FILE, what: "GitHub Actions: plan --strict, then run", text: Templates.githubWorkflow(chosen) }
      : { path: CLOUD_BUILD_FILE, what: "Cloud Build: plan --strict, then run", text: Templates.cloudBuild(chosen) }
  ]

  // All or nothing: name every file in the way before writing any.
  const existing = files.filter((f) => existsSync(nodePath.join(dir, f.path)))
  if (existing.length > 0 && values.force !== true) {
    throw new ConfigError(
      `would overwrite ${existing.map((f) => shown(io.cwd, dir, f.path)).join(", ")}; nothing was written ` +
        "(move them away, or pass --force to replace them)"
    )
  }
  for (const file of files) {
    const target = nodePath.join(dir, file.path)
    await mkdir(nodePath.dirname(target), { recursive: true })
    await writeFile(target, file.text)
  }

  const width = Math.max(...files.map((f) => shown(io.cwd, dir, f.path).length))
  const here = nodePath.relative(io.cwd, dir)
  const out = [
    `launchgate init: wrote ${files.length} files${existing.length > 0 ? ` (replaced ${existing.length})` : ""}`,
    ...files.map((f) => `  ${shown(io.cwd, dir, f.path).padEnd(width)}  ${f.what}`),
    "",
    "Next:",
    ...(here === "" ? [] : [`  cd ${here}`]),
    `  ${Templates.installLine(chosen)}`,
    `  npx launchgate plan ${GATE_FILE} --strict`,
    `  npx launchgate run ${GATE_FILE}`,
    `  npx vitest run ${SMOKE_FILE}`,
    "",
    `Replace the constants and TODOs in ${GATE_FILE}; the credentials it reads are listed at its top.`
  ]
  io.stdout.write(`${out.join("\n")}\n`)
  return EXIT_READY
}

/** A generated file's path as the user typed the folder: relative to the working directory. */
const shown = (cwd: string, dir: string, path: string): string => nodePath.relative(cwd, nodePath.join(dir, path))
