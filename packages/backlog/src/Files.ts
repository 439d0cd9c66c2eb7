/**
 * Task files as a {@link Backlog.Backlog}: one Markdown file per task under a
 * directory of the repository, with YAML front matter
 *
 * ```markdown
 * ---
 * id: LG-12
 * title: Turn on Stripe live mode
 * status: in_progress        # mapped to open / done / not-planned by `statuses`
 * priority: p1
 * milestone: public-launch
 * owner: payments
 * tier: launch-critical
 * surface: billing.stripe
 * labels: [billing]
 * follow_up_of: LG-7
 * ---
 * ## Risk
 * Card payments fail until …
 * ```
 *
 * The directory is read once per run (every `.md` file, recursively). A file
 * whose front matter is missing or wrong is an error naming the file and the
 * field, never a silently skipped task.
 *
 * @since 0.1.0
 */
import type { Gate } from "@launchgate/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { parse as parseYaml } from "yaml"
import * as Backlog from "./Backlog.js"
import { BacklogError, configError, fileError } from "./BacklogError.js"
import * as LaunchScope from "./LaunchScope.js"

/** The default status vocabulary. */
export const defaultStatuses: Readonly<Record<string, Backlog.Status>> = {
  not_started: "open",
  todo: "open",
  in_progress: "open",
  blocked: "open",
  in_review: "open",
  done: "done",
  wont_do: "not-planned",
  cancelled: "not-planned"
}

/** Options of {@link layer}. */
export interface Options {
  /** The directory holding the task files (relative to the working directory, or absolute). */
  readonly directory: string
  /** Status words and what they mean. Default {@link defaultStatuses}; given words replace it entirely. */
  readonly statuses?: Readonly<Record<string, Backlog.Status>> | undefined
}

const Text = Schema.String.pipe(Schema.filter((s) => s.trim().length > 0, { message: () => "expected a non-empty string" }))
  .annotations({ message: () => "expected a non-empty string" })
const Id = Schema.Union(Text, Schema.Number).annotations({ message: () => "expected a string or a number" })
const TextList = Schema.Array(Text).annotations({ message: () => "expected a list of strings" })

/** The front matter of a task file. Other fields are allowed and ignored. */
export const FrontMatter = Schema.Struct({
  id: Id,
  title: Text,
  status: Text,
  priority: Schema.optional(Schema.NullOr(Id)),
  milestone: Schema.optional(Schema.NullOr(Id)),
  owner: Schema.optional(Schema.NullOr(Schema.Union(Text, TextList))),
  tier: Schema.optional(Schema.NullOr(Text)),
  surface: Schema.optional(Schema.NullOr(Text)),
  labels: Schema.optional(Schema.NullOr(TextList)),
  follow_up_of: Schema.optional(Schema.NullOr(Id))
})

const FENCE = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/

/** Parse one task file. `file` is the name used in errors. */
export const parseTask = (
  file: string,
  text: string,
  statuses: Readonly<Record<string, Backlog.Status>> = defaultStatuses
): Either.Either<Backlog.Item, BacklogError> => {
  const fence = FENCE.exec(text.replace(/^\uFEFF/, ""))
  if (!fence) return Either.left(fileError(file, "front matter", "no YAML front matter (a block between --- lines)"))
  let data: unknown
  try {
    data = parseYaml(fence[1]!)
  } catch (error) {
    return Either.left(fileError(file, "front matter", `not valid YAML: ${(error as Error).message.split("\n")[0]}`))
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return Either.left(fileError(file, "front matter", "expected a mapping of fields"))
  }
  const decoded = Schema.decodeUnknownEither(FrontMatter)(data, { errors: "all" })
  if (Either.isLeft(decoded)) {
    const issue = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)
      .find((i) => !i.message.startsWith("Expected undefined")) ??
      ParseResult.ArrayFormatter.formatErrorSync(decoded.left)[0]!
    const field = issue.path.map(String).join(".") || "front matter"
    return Either.left(fileError(file, field, issue._tag === "Missing" ? "is required" : issue.message))
  }
  const fm = decoded.right
  const status = statuses[fm.status]
  if (status === undefined) {
    return Either.left(fileError(
      file,
      "status",
      `unknown status ${JSON.stringify(fm.status)}; known: ${Object.keys(statuses).join(", ")}`,
      `Use one of the configured statuses in ${file}, or add "${fm.status}" to the \`statuses\` option.`
    ))
  }
  const owners = fm.owner == null ? [] : typeof fm.owner === "string" ? [fm.owner] : [...fm.owner]
  const str = (v: string | number | null | undefined) => (v == null ? undefined : String(v))
  return Either.right({
    ref: String(fm.id),
    title: fm.title,
    status,
    rawStatus: fm.status,
    labels: fm.labels ?? [],
    milestone: str(fm.milestone),
    owners,
    tier: fm.tier ?? undefined,
    surface: fm.surface ?? undefined,
    priority: str(fm.priority),
    followUpOf: str(fm.follow_up_of),
    body: text.slice(fence[0].length),
    url: file
  })
}

const walk = async (dir: string): Promise<Array<string>> => {
  const entries = await fs.readdir(dir, { withFileTypes: true })
  const out: Array<string> = []
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) out.push(...await walk(full))
    else if (entry.isFile() && entry.name.endsWith(".md") && entry.name.toLowerCase() !== "readme.md") out.push(full)
  }
  return out
}

/** Does an item fall in a scope? */
export const inScope = (item: Backlog.Item, scope: Backlog.Scope): boolean => {
  if (scope.milestone !== undefined && item.milestone !== scope.milestone) return false
  if (scope.label !== undefined && !item.labels.includes(scope.label)) return false
  if (scope.query !== undefined) {
    const text = `${item.title}\n${item.body}`.toLowerCase()
    if (!scope.query.toLowerCase().split(/\s+/).filter((w) => w.length > 0).every((w) => text.includes(w))) return false
  }
  return true
}

/** Make the task-file backlog. The directory is read at most once per layer (once per run). */
export const make = (options: Options): Effect.Effect<Backlog.Service> =>
  Effect.gen(function*() {
    const statuses = options.statuses ?? defaultStatuses
    const read: Effect.Effect<ReadonlyArray<Backlog.Item>, BacklogError> = Effect.gen(function*() {
      const root = path.resolve(options.directory)
      const files = yield* Effect.tryPromise({
        try: () => walk(root),
        catch: (error) =>
          configError("files", "directory", `cannot read ${options.directory}: ${(error as Error).message}`,
            "Point `directory` at the folder of task files (relative to the working directory).")
      })
      const items: Array<Backlog.Item> = []
      const seen = new Map<string, string>()
      for (const full of files) {
        const name = path.relative(process.cwd(), full) || full
        const text = yield* Effect.tryPromise({
          try: () => fs.readFile(full, "utf8"),
          catch: (error) => fileError(name, "front matter", `cannot read: ${(error as Error).message}`)
        })
        const item = yield* parseTask(name, text, statuses)
        const other = seen.get(item.ref)
        if (other !== undefined) return yield* Effect.fail(fileError(name, "id", `duplicate id ${item.ref} (also ${other})`))
        seen.set(item.ref, name)
        items.push(item)
      }
      return items
    })
    const all = yield* Effect.cached(read)
    const normalizeRef = (ref: string) => {
      const text = ref.trim()
      return text.length === 0 ? undefined : text
    }
    return {
      provider: "files",
      list: (scope) => Effect.map(all, (items) => items.filter((i) => inScope(i, scope))),
      get: (ref) =>
        Effect.flatMap(all, (items) => {
          const key = normalizeRef(ref)
          const hit = items.find((i) => i.ref === key || (key !== undefined && i.url !== undefined && samePath(i.url, key)))
          return hit
            ? Effect.succeed(hit)
            : Effect.fail(
              new BacklogError({
                vendor: "files",
                reason: "not-found",
                message: `no task with id ${JSON.stringify(ref)} in ${options.directory}`,
                remediation: `Create the task file in ${options.directory}, or point the reference at an existing id.`,
                resource: ref
              })
            )
        }),
      normalizeRef
    } satisfies Backlog.Service
  })

const samePath = (a: string, b: string) => path.resolve(a) === path.resolve(b)

/**
 * The task-file backlog as a layer.
 *
 * @example
 * Files.layer({ directory: "docs/tasks", statuses: { ...Files.defaultStatuses, parked: "not-planned" } })
 */
export const layer = (options: Options): Layer.Layer<Backlog.Backlog, never, Gate.Provided> =>
  Layer.effect(Backlog.Backlog, make(options))

/** Options of {@link localScope}. */
export interface LocalScopeOptions extends Options {
  /** The launch scope among the task files (`{}` for all of them). */
  readonly scope: Backlog.Scope
  /** `tier` values of each tier. Default: the tier ids. */
  readonly tierNames?: Partial<Backlog.TierNames> | undefined
  /** Where the scope is read from, for people. Default: `task files in <directory>`. */
  readonly source?: string | undefined
}

/**
 * A `local` launch-scope declaration over task files (`Gate.make({ launchScope })`): it reads the directory
 * itself (its own {@link make}, no gate setup or layer), so `launchgate plan` and `launchgate docs` show the
 * counts and the open launch-critical items without starting or contacting anything. In a run the directory is
 * read once more for the summary (a local read; the checks' reads are not shared with it).
 *
 * @example
 * launchScope: Files.localScope({ directory: "backlog", scope: { milestone: "public-launch" } })
 */
export const localScope = (options: LocalScopeOptions): Gate.LaunchScopeDeclaration<never> => {
  const declared = LaunchScope.declare({
    scope: options.scope,
    tierNames: options.tierNames,
    source: options.source ?? `task files in ${options.directory}`
  })
  return {
    source: declared.source,
    local: true,
    summarize: Effect.provideServiceEffect(declared.summarize, Backlog.Backlog, make(options))
  }
}
