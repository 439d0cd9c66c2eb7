/**
 * Console reporter: the report as terminal text, and live progress while a
 * gate runs.
 *
 * {@link render} lists items by tier (one line each: what the result means
 * for the launch in a word — BLOCKING, NON-BLOCKING, DEFERRED, ATTESTED,
 * PASSED, SKIPPED — then id, title, owner, message; evidence and remediation
 * under anything that did not plainly pass), with a one-line legend, then
 * deferrals, rollback plans, unsupported cases, a summary by tier and the
 * verdict with each blocker's owner and first fix line. Lines are cut to
 * `width` when given (the full text stays in `verbose` and the files). {@link progress}
 * rewrites one status line on a TTY and prints one plain line per finished
 * item elsewhere (CI logs), so the log never fills with carriage returns.
 *
 * Output is scrubbed of secrets, and text from checks is stripped of control
 * characters, so a message cannot move the cursor or recolour the terminal.
 *
 * @since 0.1.0
 */
import * as Format from "./internal/reporters/format.js"
import type { Json } from "./Outcome.js"
import type * as Report from "./Report.js"
import type * as Runner from "./Runner.js"

export interface RenderOptions {
  /** ANSI colours. Default: off. */
  readonly color?: boolean | undefined
  /** Show evidence for passing items too, and evidence values uncut. */
  readonly verbose?: boolean | undefined
  /** Cut each line to this many columns (the CLI passes the terminal's, 80 off a terminal). Default: uncut. */
  readonly width?: number | undefined
}

/** Options of {@link progress}. */
export interface ProgressOptions {
  /** Force TTY mode on or off. Default: the stream's `isTTY`. */
  readonly isTTY?: boolean | undefined
  /** ANSI colours on the TTY. Default: off. Never used when the stream is not a TTY. */
  readonly color?: boolean | undefined
}

/**
 * A progress handler for `Runner` options' `onEvent`. `done()` clears the
 * live line (call it before printing anything else when a run may end
 * early, e.g. on interruption); the line also clears itself when the last
 * item finishes.
 */
export interface Progress {
  (event: Runner.Event): void
  readonly done: () => void
}

type Paint = (text: string) => string

const ANSI = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, dim: 2, bold: 1 } as const
type Style = keyof typeof ANSI

const painter = (color: boolean) => (style: Style): Paint =>
  color ? (text) => `\u001b[${ANSI[style]}m${text}\u001b[0m` : (text) => text

/** The word a reader sees for an item: what its result means for the launch, not only its status. */
type Label = "BLOCKING" | "NON-BLOCKING" | "DEFERRED" | "ATTESTED" | "PASSED" | "WARNING" | "SKIPPED"

const STYLE: Record<Label, Style> = {
  BLOCKING: "red",
  "NON-BLOCKING": "yellow",
  DEFERRED: "magenta",
  ATTESTED: "green",
  PASSED: "green",
  WARNING: "yellow",
  SKIPPED: "dim"
}

const LABEL_WIDTH = Math.max(...Object.keys(STYLE).map((l) => l.length))

const labelOf = (item: Report.ItemReport): Label => {
  switch (item.disposition) {
    case "blocking":
      return "BLOCKING"
    case "deferred":
      return "DEFERRED"
    case "skipped":
      return "SKIPPED"
    case "warning":
      return item.status === "warn" ? "WARNING" : "NON-BLOCKING"
    case "info":
      return item.status === "fail" || item.status === "error" ? "NON-BLOCKING" : item.status === "warn" ? "WARNING" : "PASSED"
    case "ok":
      return item.status === "warn" ? "WARNING" : item.kind === "attestation" ? "ATTESTED" : "PASSED"
  }
}

/** What each word means, for the legend: short, so the words one report uses fit in two lines of 80 columns. */
const MEANING: Record<Label | "(error)", string> = {
  BLOCKING: "stops the launch",
  "NON-BLOCKING": "does not",
  DEFERRED: "has a deferral",
  WARNING: "has a caveat",
  ATTESTED: "signed off",
  PASSED: "fine",
  SKIPPED: "not run",
  "(error)": "could not decide"
}

/** Every word and its meaning on one line (the legend of a report that uses them all). */
export const LEGEND = Object.entries(MEANING).map(([word, meaning]) => `${word} ${meaning}`).join(" · ")

/**
 * The legend for the words a report uses, packed into as few lines of `width` columns as it takes (first fit, in
 * the order of {@link MEANING}): one or two lines in practice.
 */
const legendLines = (words: ReadonlySet<Label | "(error)">, width: number): Array<string> => {
  const lines: Array<string> = []
  for (const [word, meaning] of Object.entries(MEANING)) {
    if (!words.has(word as Label)) continue
    const entry = `${word} ${meaning}`
    const at = lines.findIndex((l) => l.length + 3 + entry.length <= width)
    if (at === -1) lines.push(entry)
    else lines[at] = `${lines[at]} · ${entry}`
  }
  return lines
}

const EVIDENCE_MAX = 300

/**
 * Text from a check on one line, without control characters: line breaks
 * become ` ↵ `, tabs spaces, and other controls (ANSI escapes included) a
 * visible `\uXXXX`.
 */
const clean = (text: string): string =>
  text
    .replace(/\r\n|\r|\n/g, " ↵ ")
    .replace(/\t/g, " ")
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

/** `GET url: GET url failed …` → `GET url failed …`: a message that starts by repeating its own prefix says it once. */
const unrepeat = (text: string): string => text.replace(/^(.{6,}?): \1(?=[ :])/, "$1")

const itemLine = (item: Report.ItemReport, paint: (s: Style) => Paint, idWidth: number): string => {
  const label = labelOf(item)
  const status = paint(STYLE[label])(label.padEnd(LABEL_WIDTH))
  const error = item.status === "error" ? "(error) " : ""
  return `${status} ${clean(item.id).padEnd(idWidth)}  ${clean(item.title)} ${paint("dim")(`[${clean(item.owner)}]`)}: ${
    error}${clean(unrepeat(item.message))}`
}

const ESCAPE = /^\u001b\[[0-9;]*m/
const MAX_ROWS = 3

/**
 * Fit a line to `width` visible columns (ANSI colour codes do not count): wrap at spaces onto rows indented under
 * the text, and cut what is left after `maxRows` rows (default {@link MAX_ROWS}) with `…` — a 1,000-character message stays readable
 * without filling the screen. The full text is one `--verbose` or one report file away.
 */
const fit = (line: string, width: number, maxRows: number = MAX_ROWS): Array<string> => {
  const indent = " ".repeat(Math.min(line.length - line.trimStart().length + 2, Math.floor(width / 2)))
  const rows: Array<string> = []
  let rest = line
  while (rows.length < maxRows) {
    let visible = 0
    let i = 0
    let lastSpace = -1
    for (; i < rest.length && visible < width; i++) {
      const escape = ESCAPE.exec(rest.slice(i))
      if (escape) {
        i += escape[0].length - 1
        continue
      }
      if (rest[i] === " " && visible > indent.length) lastSpace = i
      visible++
    }
    if (i >= rest.length) {
      rows.push(rest)
      return rows
    }
    if (rows.length === maxRows - 1) {
      const cut = rest.slice(0, i - 1)
      rows.push(`${cut}…${cut.includes("\u001b[") ? "\u001b[0m" : ""}`)
      return rows
    }
    const at = lastSpace > 0 ? lastSpace : i
    rows.push(rest.slice(0, at).trimEnd())
    rest = `${indent}${rest.slice(at).trimStart()}`
  }
  return rows
}

const evidenceLines = (evidence: Readonly<Record<string, Json>>, verbose: boolean): Array<string> =>
  Format.evidenceEntries(evidence).map(([key, value]) => {
    const text = clean(Format.inlineJson(value))
    return `${clean(key)}: ${verbose ? text : Format.truncate(text, EVIDENCE_MAX)}`
  })

const detailLines = (item: Report.ItemReport, verbose: boolean, paint: (s: Style) => Paint): Array<string> => {
  const out: Array<string> = []
  const attention = Format.needsAttention(item)
  if (item.deferral) {
    out.push(paint("magenta")(`deferral ${clean(Format.deferralNote(item.deferral))}`))
  }
  if (attention || verbose) out.push(...evidenceLines(item.evidence, verbose))
  if (item.remediation !== undefined && attention) out.push(`fix: ${clean(item.remediation)}`)
  if (item.docs !== undefined && attention) out.push(`docs: ${clean(item.docs)}`)
  for (const s of item.subjects ?? []) {
    const failing = s.status !== "pass"
    if (!failing && !verbose) continue
    out.push(`${s.status.toUpperCase().padEnd(5)} ${clean(s.subject)}: ${clean(unrepeat(s.message))}`)
    out.push(...evidenceLines(s.evidence, verbose).map((l) => `  ${l}`))
    if (s.remediation !== undefined && failing) out.push(`  fix: ${clean(s.remediation)}`)
  }
  return out
}

const header = (report: Report.Report, paint: (s: Style) => Paint): Array<string> => {
  const run = report.run
  const target = report.gate.environment !== undefined ? ` → ${clean(report.gate.environment)}` : ""
  const facts = [
    run.startedAt,
    Format.humanDuration(run.durationMs),
    `launchgate ${clean(run.launchgateVersion)}`,
    ...(run.gitCommit !== undefined ? [`commit ${clean(run.gitCommit.slice(0, 12))}`] : []),
    `node ${clean(run.nodeVersion)}`
  ]
  const out = [paint("bold")(`launchgate: ${clean(report.gate.name)}${target}`), paint("dim")(facts.join(" · "))]
  if (run.interrupted) {
    // The runner's reason already reads "interrupted: SIGINT"; do not say it twice.
    const reason = clean(run.interruptReason ?? "the run was stopped")
    out.push(paint("red")(reason.startsWith("interrupted") ? reason : `interrupted: ${reason}`))
  }
  for (const note of run.notes ?? []) out.push(paint("yellow")(`note: ${clean(note)}`))
  if (run.insecureOrigins !== undefined && run.insecureOrigins.length > 0) {
    out.push(paint("yellow")(`TLS verification was off for: ${run.insecureOrigins.map(clean).join(", ")}`))
  }
  return out
}

const section = (title: string, lines: ReadonlyArray<string>, paint: (s: Style) => Paint): Array<string> =>
  lines.length === 0 ? [] : ["", paint("bold")(title), ...lines.map((l) => `  ${l}`)]

/** Refs of a few items, and how many more. */
const refs = (items: ReadonlyArray<Report.LaunchScopeItem>, max = 5): string =>
  items.slice(0, max).map((i) => `${clean(i.ref)} [${clean(Format.ownersPhrase(i))}]`).join(", ") +
  (items.length > max ? `, … ${items.length - max} more` : "")

/** At most three lines: counts per tier, the open launch-critical items not deferred, and those deferred. */
const launchScopeLines = (
  scope: Report.LaunchScope | undefined,
  summary: (scope: Report.LaunchScope) => string = Format.launchScopeLine
): Array<string> => {
  if (scope === undefined) return []
  const open = scope.openLaunchCritical ?? []
  const notDeferred = open.filter((i) => i.deferredBy === undefined)
  const deferred = open.filter((i) => i.deferredBy !== undefined)
  return [
    clean(summary(scope)),
    ...(notDeferred.length > 0 ? [`not done, not deferred: ${refs(notDeferred)}`] : []),
    ...(deferred.length > 0 ? [`deferred: ${refs(deferred)}`] : [])
  ]
}

const firstLine = (text: string | undefined): string | undefined =>
  text?.split("\n").map((l) => l.trim()).find((l) => l !== "")

/** The first line of a blocker's fix: its own remediation, else the first failing subject's. */
const firstFix = (item: Report.ItemReport): string | undefined =>
  firstLine(item.remediation) ??
    firstLine((item.subjects ?? []).find((s) => s.status !== "pass" && s.remediation !== undefined)?.remediation)

/** Reasons for the verdict that are not about one blocking item (an interrupted run, …). */
const otherReasons = (r: Report.Report, blockers: ReadonlyArray<Report.ItemReport>): ReadonlyArray<string> =>
  r.reasons.filter((reason) => !blockers.some((i) => reason.startsWith(`${i.id} `)))

/** The blocking reasons, each blocker with its owner and the first line of its fix (the full report's list). */
const reasonLines = (r: Report.Report): Array<string> => {
  const blockers = r.items.filter((i) => i.disposition === "blocking")
  return r.reasons.flatMap((reason) => {
    const item = blockers.find((i) => reason.startsWith(`${i.id} `))
    const fix = item ? firstFix(item) : undefined
    return [
      `- ${clean(unrepeat(reason))}`,
      ...(item ? [`    owner: ${clean(item.owner)}${fix !== undefined ? `; fix: ${clean(fix)}` : ""}`] : [])
    ]
  })
}

/** Labels in the order the tier counts name them. */
const COUNT_ORDER: ReadonlyArray<Label> = [
  "PASSED", "ATTESTED", "BLOCKING", "NON-BLOCKING", "DEFERRED", "WARNING", "SKIPPED"
]

/** One tier's items counted by the word the report shows them with, e.g. `31 passed, 2 blocking (1 error), 1 deferred`. */
const tierCounts = (items: ReadonlyArray<Report.ItemReport>): string => {
  if (items.length === 0) return "no items"
  return COUNT_ORDER.flatMap((label) => {
    const these = items.filter((i) => labelOf(i) === label)
    const errors = these.filter((i) => i.status === "error").length
    const word = label === "WARNING" && these.length > 1 ? "warnings" : label.toLowerCase()
    return these.length === 0 ? [] : [`${these.length} ${word}${errors > 0 ? ` (${errors} error)` : ""}`]
  }).join(", ")
}

const tierCountLines = (r: Report.Report): Array<string> =>
  Format.TIERS.map((tier) => `${tier}: ${tierCounts(r.items.filter((i) => i.tier === tier))}`)

/** Every word the report's items are shown with, and `(error)` when a check could not decide. */
const wordsOf = (r: Report.Report): Set<Label | "(error)"> => {
  const words = new Set<Label | "(error)">(r.items.map(labelOf))
  if (r.items.some((i) => i.status === "error")) words.add("(error)")
  return words
}

/** Groups a compact report lists after the blockers, in this order. */
const COMPACT_GROUPS: ReadonlyArray<Label> = ["DEFERRED", "NON-BLOCKING", "WARNING", "SKIPPED"]

/**
 * Is this item listed in a compact report (besides the blockers)? Not plain passes and attestations, and not the
 * skips a check chose itself ("not applicable here"); the runner's own skips ("not run: prerequisite … ended
 * fail", an active check not allowed) are listed, because they hide a result.
 */
const listedCompact = (item: Report.ItemReport): boolean => {
  const label = labelOf(item)
  if (label === "SKIPPED") return item.message.startsWith("not run")
  return COMPACT_GROUPS.includes(label)
}

/** A compact line: word, id, then `[owner]` (and the deferral's expiry) unless the caller prints them below, message. */
const compactLine = (item: Report.ItemReport, paint: (s: Style) => Paint, owner = true): string => {
  const label = labelOf(item)
  const error = item.status === "error" ? "(error) " : ""
  const when = label === "DEFERRED" && item.deferral !== undefined ? `, until ${Format.day(item.deferral.expires)}` : ""
  return `${paint(STYLE[label])(label.padEnd(LABEL_WIDTH))} ${clean(item.id)}${
    owner ? ` [${clean(item.owner)}${when}]` : ""}: ${error}${clean(unrepeat(item.message))}`
}

/**
 * The short report: blockers with tier, owner and first fix line, then the other items that need a look (one
 * line each, grouped by word), the launch scope, and one line of counts per tier. Passes are counted, not listed.
 */
const compactBody = (r: Report.Report, paint: (s: Style) => Paint, cut: (line: string) => string): Array<string> => {
  const lines: Array<string> = []
  const blockers = r.items.filter((i) => i.disposition === "blocking")
  const indent = " ".repeat(LABEL_WIDTH + 1)
  const attention: Array<string> = []
  for (const item of blockers) {
    // The message gets the first row; tier, owner and the fix share the second.
    attention.push(cut(compactLine(item, paint, false)))
    const fix = firstFix(item)
    attention.push(cut(`${indent}${item.tier} · ${clean(item.owner)}${fix !== undefined ? ` · fix: ${clean(fix)}` : ""}`))
  }
  for (const reason of otherReasons(r, blockers)) {
    attention.push(cut(`${paint("red")("BLOCKING".padEnd(LABEL_WIDTH))} ${clean(unrepeat(reason))}`))
  }
  for (const label of COMPACT_GROUPS) {
    for (const item of r.items) if (labelOf(item) === label && listedCompact(item)) attention.push(cut(compactLine(item, paint)))
  }
  if (attention.length > 0) lines.push("", ...attention)
  if (r.launchScope !== undefined) {
    const [first, ...rest] = launchScopeLines(r.launchScope, Format.launchScopeShort)
    lines.push("", cut(`Launch scope: ${first}`), ...rest.map((l) => cut(`  ${l}`)))
  }
  lines.push("", ...tierCountLines(r))
  return lines
}

/** Items a compact report counts without listing. */
const unlistedCount = (r: Report.Report): number =>
  r.items.filter((i) => i.disposition !== "blocking" && !listedCompact(i)).length

/** The full report: every item by tier with its details, deferrals, launch scope, rollback, unsupported, counts. */
const fullBody = (r: Report.Report, paint: (s: Style) => Paint, verbose: boolean): Array<string> => {
  const lines: Array<string> = []
  const idWidth = Math.min(40, Math.max(0, ...r.items.map((i) => clean(i.id).length)))
  for (const { items, tier } of Format.itemsByTier(r)) {
    lines.push("", paint("bold")(`${Format.tierTitle[tier]} (${Format.countsPhrase(r.summary.byTier[tier])})`))
    for (const item of items) {
      lines.push(`  ${itemLine(item, paint, idWidth)}`)
      lines.push(...detailLines(item, verbose, paint).map((l) => `        ${l}`))
    }
  }
  lines.push(...section(
    "Deferrals",
    r.deferrals.flatMap((d) => [
      `${d.state.padEnd(7)} ${clean(d.check)} [${clean(d.owner)}] ${Format.deferralWhen(d)}: ${clean(d.reason)}`,
      `        ${Format.deferralStateNote[d.state]}; risk: ${clean(d.risk)}; follow-up: ${clean(d.followUp)}${
        d.approvedBy !== undefined ? `; approved by ${clean(d.approvedBy)}` : ""
      }`
    ]),
    paint
  ))
  lines.push(...section("Launch scope", launchScopeLines(r.launchScope), paint))
  lines.push(...section(
    "Rollback plans",
    r.rollback.map((p) => {
      const verification = Format.rollbackVerification(r, p)
      return `${clean(p.surface)}: ${clean(Format.rollbackPhrase(p))}${verification ? ` (${verification.status})` : ""}`
    }),
    paint
  ))
  lines.push(...section(
    "Unsupported",
    r.unsupported.map((u) => `- ${clean(u.case)}${u.reason !== undefined ? `: ${clean(u.reason)}` : ""}`),
    paint
  ))
  lines.push(...section("Summary", tierCountLines(r), paint))
  lines.push(...section("Blocking", reasonLines(r), paint))
  return lines
}

/**
 * The report as text, ending with the verdict line.
 *
 * By default it is short: the header, a legend of the words used, each blocker with its tier, owner and the first
 * line of its fix, the other items that need a look (deferred, non-blocking, warnings, checks the runner did not
 * run: one line each), the launch scope, and one line of counts per tier. Passed items are counted, not listed.
 * With `verbose: true` it lists every item by tier with its evidence, then deferrals, launch scope, rollback plans,
 * unsupported cases, counts and the blocking reasons.
 *
 * @example
 * const report = await Runner.runPromise(gate)
 * process.stdout.write(ConsoleReporter.render(report, { color: process.stdout.isTTY }))
 */
export const render = (report: Report.Report, options: RenderOptions = {}): string => {
  const r = Format.scrubReport(report)
  const paint = painter(options.color === true)
  const verbose = options.verbose === true
  // Verbose keeps every line whole; otherwise item lines are cut to one row, the rest wrap (see fit).
  const width = verbose ? undefined : options.width
  const cut = (line: string): string => (width === undefined ? line : fit(line, width, 1)[0]!)
  const lines = header(r, paint)
  // The run's facts (time, duration, versions) are in the files too: on screen they get one row.
  lines[1] = cut(lines[1]!)
  if (r.items.length > 0) lines.push(...legendLines(wordsOf(r), width ?? 120).map((l) => paint("dim")(l)))
  if (r.items.length === 0) lines.push("", "No items: this gate checks nothing, so it proves nothing.")
  lines.push(...(verbose ? fullBody(r, paint, true) : compactBody(r, paint, cut)))
  const fitted = width === undefined ? lines : lines.flatMap((l) => fit(l, width))
  const wasCut = fitted.some((l) => l.endsWith("…") || l.endsWith("…\u001b[0m"))
  const unlisted = verbose ? 0 : unlistedCount(r)
  if (wasCut || unlisted > 0) {
    const left = [
      ...(unlisted > 0 ? [`${unlisted} item${unlisted === 1 ? "" : "s"} not listed`] : []),
      ...(wasCut ? ["long lines cut"] : [])
    ]
    fitted.push(cut(paint("dim")(`(${left.join(", ")}: --verbose and the report files have it all)`)))
  }
  fitted.push("", paint(r.verdict === "ready" ? "green" : "red")(paint("bold")(Format.verdictLine(r))))
  return Format.scrubOutput(`${fitted.join("\n")}\n`)
}

/**
 * A live progress handler for `Runner` options' `onEvent`. On a TTY it keeps
 * one rewritten line (`[3/10] running: …`) and prints a permanent line for
 * each item that did not plainly pass; elsewhere it prints one plain line per
 * finished item and no control characters at all.
 *
 * @example
 * const onEvent = ConsoleReporter.progress(process.stderr)
 * const report = await Runner.runPromise(gate, { onEvent })
 * onEvent.done()
 */
export const progress = (
  stream: NodeJS.WritableStream & { readonly isTTY?: boolean | undefined; readonly columns?: number | undefined },
  options: ProgressOptions = {}
): Progress => {
  const tty = options.isTTY ?? stream.isTTY === true
  const paint = painter(tty && options.color === true)
  const running = new Map<number, string>()
  let finished = 0
  let shown = false

  const write = (text: string) => {
    stream.write(Format.scrubOutput(text))
  }
  const clear = () => {
    if (shown) write("\r\u001b[2K")
    shown = false
  }
  const draw = (total: number) => {
    // One column short of the width: a line that fills it wraps, and `\r` then rewrites only its tail.
    const width = Math.max(20, (stream.columns ?? 80) - 1)
    const ids = [...running.values()].map(clean).join(", ")
    const line = `[${finished}/${total}] ${ids.length > 0 ? `running: ${ids}` : "waiting"}`
    write(line.length > width ? `${line.slice(0, width - 1)}…` : line)
    shown = true
  }

  const handle = (event: Runner.Event): void => {
    if (event.type === "start") {
      running.set(event.index, event.id)
      if (tty) {
        clear()
        draw(event.total)
      }
      return
    }
    running.delete(event.index)
    finished++
    const line = `[${finished}/${event.total}] ${itemLine(event.item, paint, 0)}`
    if (!tty) {
      write(`${line}\n`)
      return
    }
    clear()
    if (Format.needsAttention(event.item)) write(`${line}\n`)
    if (finished < event.total) draw(event.total)
  }
  return Object.assign(handle, { done: clear })
}
