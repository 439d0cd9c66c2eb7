/**
 * Document checks: a runbook or launch document exists in the repository,
 * has the required sections, and its relative links resolve, so "documented
 * rollback procedure" is a check rather than a promise.
 *
 * Sections are Markdown headings (`# …` to `###### …`, or underlined with
 * `===` / `---`), matched case-insensitively: a required section `Rollback`
 * is satisfied by a heading `Rollback` or one that starts with it as a whole
 * word (`Rollback procedure`). Relative links (`[x](./other.md)`,
 * `[x](other.md#anchor)`, `[x](#anchor)`, reference definitions) must point to
 * an existing file, and an anchor into a Markdown file must match one of its
 * headings (GitHub's slugs). External links (`https:`, `mailto:` …) are not
 * fetched: the check is read-only and offline.
 *
 * @since 0.1.0
 */
import { readFile, stat } from "node:fs/promises"
import * as nodePath from "node:path"
import { fileURLToPath } from "node:url"
import * as Effect from "effect/Effect"
import * as Check from "./Check.js"
import * as Outcome from "./Outcome.js"

/** Options of {@link make}. */
export interface Options {
  /** Stable dotted id, e.g. `acme.docs.runbook`. */
  readonly id: string
  readonly title: string
  /** Path of the document, relative to `baseDir`. */
  readonly path: string
  /**
   * Directory `path` is relative to: a path or a `file:` URL (pass
   * `new URL(".", import.meta.url)` to resolve next to the gate file).
   * Default: the current working directory when the check runs.
   */
  readonly baseDir?: string | URL | undefined
  /** Headings that must be present (case-insensitive), e.g. ["Rollback", "Kill switch", "Escalation"]. */
  readonly sections?: ReadonlyArray<string> | undefined
  /** Check relative links and anchors. Default `true`. */
  readonly checkLinks?: boolean | undefined
  /** Default `launch.docs`. */
  readonly surface?: string | undefined
  /** Default `rollout` (launch process). */
  readonly category?: Check.Category | undefined
  /** What a pass proves, in one sentence. */
  readonly description?: string | undefined
}

/** Default surface of document checks. */
export const DEFAULT_SURFACE = "launch.docs"

/** A Markdown heading. */
export interface Heading {
  readonly level: number
  readonly text: string
  readonly line: number
  /** GitHub's anchor for it (duplicates get `-1`, `-2` …). */
  readonly slug: string
}

/** A link found in a document. */
export interface Link {
  readonly target: string
  readonly line: number
}

/** What {@link parse} finds in a Markdown text (outside code blocks and code spans). */
export interface Parsed {
  readonly headings: ReadonlyArray<Heading>
  readonly links: ReadonlyArray<Link>
}

const normalise = (text: string): string =>
  text.toLowerCase().replace(/[*_`]/g, "").replace(/\s+/g, " ").replace(/[\s:.]+$/, "").trim()

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
export const slug = (text: string): string =>
  text
    .trim()
    .toLowerCase()
    .replace(/<[^>]*>/g, "")
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-")

const stripInlineCode = (line: string): string => line.replace(/(`+)[\s\S]*?\1/g, (m) => " ".repeat(m.length))

/** Headings and links of a Markdown text. */
export const parse = (markdown: string): Parsed => {
  const lines = markdown.split(/\r?\n/)
  const headings: Array<Heading> = []
  const links: Array<Link> = []
  const slugCounts = new Map<string, number>()
  const addHeading = (level: number, raw: string, line: number) => {
    const text = raw.replace(/\s+#+\s*$/, "").replace(/[*_`]/g, "").trim()
    const base = slug(text)
    const seen = slugCounts.get(base) ?? 0
    slugCounts.set(base, seen + 1)
    headings.push({ level, text, line, slug: seen === 0 ? base : `${base}-${seen}` })
  }
  let fence: string | undefined
  let previous: string | undefined
  lines.forEach((rawLine, index) => {
    const lineNo = index + 1
    const fenceMatch = /^ {0,3}(`{3,}|~{3,})/.exec(rawLine)
    if (fenceMatch) {
      const marker = fenceMatch[1]!
      if (fence === undefined) fence = marker
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = undefined
      previous = undefined
      return
    }
    if (fence !== undefined) return
    const line = stripInlineCode(rawLine)
    const atx = /^ {0,3}(#{1,6})(?:\s+(.*))?$/.exec(rawLine)
    if (atx) {
      addHeading(atx[1]!.length, atx[2] ?? "", lineNo)
    } else if (previous !== undefined && previous.trim() !== "" && /^ {0,3}(=+|-+)\s*$/.test(line)) {
      addHeading(line.trim().startsWith("=") ? 1 : 2, previous, lineNo - 1)
    }
    for (const match of line.matchAll(/!?\[[^\]]*\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+["'(][^)]*)?\)/g)) {
      links.push({ target: match[1]!.replace(/^<|>$/g, ""), line: lineNo })
    }
    const definition = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(line)
    if (definition) links.push({ target: definition[1]!.replace(/^<|>$/g, ""), line: lineNo })
    previous = atx ? undefined : rawLine
  })
  return { headings, links }
}

/** Does a heading satisfy a required section (same words, or starting with them)? */
export const matchesSection = (heading: string, section: string): boolean => {
  const h = normalise(heading)
  const s = normalise(section)
  return h === s || h.startsWith(`${s} `) || h.startsWith(`${s}:`) || h.startsWith(`${s} -`)
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")

const exists = async (path: string): Promise<"file" | "dir" | undefined> => {
  try {
    const s = await stat(path)
    return s.isDirectory() ? "dir" : "file"
  } catch {
    return undefined
  }
}

interface Broken {
  readonly line: number
  readonly target: string
  readonly reason: string
}

const checkLink = async (
  link: Link,
  documentPath: string,
  rootDir: string,
  own: Parsed,
  headingsOf: (path: string) => Promise<ReadonlyArray<Heading> | undefined>
): Promise<Broken | undefined> => {
  const hashAt = link.target.indexOf("#")
  const rawPath = hashAt === -1 ? link.target : link.target.slice(0, hashAt)
  const anchor = hashAt === -1 ? undefined : link.target.slice(hashAt + 1)
  let filePart: string
  try {
    filePart = decodeURIComponent(rawPath.split("?")[0]!)
  } catch {
    return { line: link.line, target: link.target, reason: "the link is not a valid URL path" }
  }
  let headings: ReadonlyArray<Heading> | undefined = own.headings
  if (filePart !== "") {
    const resolved = filePart.startsWith("/")
      ? nodePath.join(rootDir, filePart)
      : nodePath.resolve(nodePath.dirname(documentPath), filePart)
    const kind = await exists(resolved)
    if (kind === undefined) {
      return { line: link.line, target: link.target, reason: `${nodePath.relative(rootDir, resolved) || resolved} does not exist` }
    }
    headings = kind === "file" && /\.(md|markdown)$/i.test(resolved) ? await headingsOf(resolved) : undefined
  }
  if (anchor !== undefined && anchor !== "" && headings !== undefined) {
    let wanted = anchor.toLowerCase()
    try {
      wanted = decodeURIComponent(wanted)
    } catch {
      // keep the raw anchor: it simply will not match
    }
    if (!headings.some((h) => h.slug === wanted)) {
      return { line: link.line, target: link.target, reason: `no heading with anchor #${wanted}` }
    }
  }
  return undefined
}

/** The directory a `baseDir` option stands for. */
const dirOf = (baseDir: string | URL | undefined): string =>
  baseDir === undefined
    ? process.cwd()
    : baseDir instanceof URL || baseDir.startsWith("file:")
    ? fileURLToPath(baseDir)
    : nodePath.resolve(baseDir)

/**
 * A document check: fails when the file is missing, when a required section
 * heading is absent, or when a relative link points to a missing file or
 * heading. Evidence lists the sections found and missing and the broken links.
 *
 * @example
 * const runbook = Document.make({
 *   id: "acme.docs.runbook",
 *   title: "Runbook covers rollback, kill switch and escalation",
 *   path: "RUNBOOK.md",
 *   baseDir: new URL(".", import.meta.url),
 *   sections: ["Rollback", "Kill switch", "Escalation"]
 * })
 */
export const make = (options: Options): Check.Check => {
  const sections = options.sections ?? []
  const checkLinks = options.checkLinks ?? true
  const run = Effect.gen(function*() {
    const rootDir = dirOf(options.baseDir)
    const documentPath = nodePath.resolve(rootDir, options.path)
    const read = yield* Effect.tryPromise({
      try: () => readFile(documentPath, "utf8"),
      catch: (cause) => cause
    }).pipe(Effect.either)
    if (read._tag === "Left") {
      const code = (read.left as { code?: unknown }).code
      if (code === "ENOENT" || code === "ENOTDIR") {
        return Outcome.fail(`${options.path} does not exist`, {
          evidence: { path: options.path, baseDir: rootDir, exists: false, sectionsRequired: [...sections] },
          remediation: `Write ${options.path}${
            sections.length > 0 ? ` with the sections ${sections.join(", ")}` : ""
          }, or fix the path (it is resolved against ${rootDir}).`
        })
      }
      return yield* Effect.fail(read.left)
    }
    const parsed = parse(read.right)
    const found = sections.filter((s) => parsed.headings.some((h) => matchesSection(h.text, s)))
    const missing = sections.filter((s) => !found.includes(s))

    const cache = new Map<string, Promise<ReadonlyArray<Heading> | undefined>>()
    const headingsOf = (path: string) => {
      let cached = cache.get(path)
      if (!cached) {
        cached = readFile(path, "utf8").then((text) => parse(text).headings, () => undefined)
        cache.set(path, cached)
      }
      return cached
    }
    const relative = checkLinks ? parsed.links.filter((l) => !isExternal(l.target)) : []
    const broken = yield* Effect.promise(() =>
      Promise.all(relative.map((l) => checkLink(l, documentPath, rootDir, parsed, headingsOf)))
    ).pipe(Effect.map((all) => all.filter((b): b is Broken => b !== undefined)))

    const evidence = {
      path: options.path,
      exists: true,
      sectionsRequired: [...sections],
      sectionsFound: found,
      sectionsMissing: missing,
      headings: parsed.headings.map((h) => h.text),
      linksChecked: relative.length,
      brokenLinks: broken.map((b) => ({ line: b.line, target: b.target, reason: b.reason }))
    }
    const problems = [
      ...(missing.length > 0 ? [`missing section${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`] : []),
      ...(broken.length > 0
        ? [`${broken.length} broken link${broken.length > 1 ? "s" : ""} (${
          broken.slice(0, 3).map((b) => `line ${b.line}: ${b.target}`).join("; ")
        }${broken.length > 3 ? "; …" : ""})`]
        : [])
    ]
    if (problems.length > 0) {
      const headings = missing.map((s) => `"## ${s}"`).join(", ")
      return Outcome.fail(`${options.path}: ${problems.join("; ")}`, {
        evidence,
        remediation: [
          ...(missing.length > 0
            ? [`Add the heading${missing.length > 1 ? "s" : ""} ${headings} with the procedure.`]
            : []),
          ...(broken.length > 0 ? ["Fix or remove the broken relative links."] : [])
        ].join(" ")
      })
    }
    return Outcome.pass(
      `${options.path} ${
        sections.length > 0 ? `has all ${sections.length} required sections` : "exists"
      }${checkLinks ? ` and ${relative.length} relative link${relative.length === 1 ? "" : "s"} resolve` : ""}`,
      { evidence }
    )
  })
  return Check.make({
    id: options.id,
    title: options.title,
    surface: options.surface ?? DEFAULT_SURFACE,
    category: options.category ?? "rollout",
    kind: "document",
    description: options.description,
    meta: { path: options.path, sections: [...sections] },
    run
  })
}
