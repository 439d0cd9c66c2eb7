/**
 * Escaping for GitHub-flavoured Markdown, so text from checks renders as the
 * text it is: no accidental emphasis, links, headings or HTML, no table
 * broken by a `|` or a line break, no code block closed early.
 */

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g

/** Escape HTML-significant characters (for `<summary>` and other inline HTML). */
export const html = (text: string): string =>
  text.replace(CONTROL, "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

/**
 * Text for a table cell or a list item: Markdown punctuation backslash-escaped,
 * HTML escaped, `|` escaped (GFM splits cells on it even inside code), line
 * breaks as `<br>`.
 */
export const text = (value: string): string =>
  html(value)
    .replace(/[\\`*_[\]~#|!]/g, (c) => `\\${c}`)
    .replace(/\r\n|\r|\n/g, "<br>")

/** An inline code span that holds any text (fence longer than any backtick run inside; `|` escaped for tables). */
export const code = (value: string): string => {
  const flat = value.replace(CONTROL, "").replace(/\r\n|\r|\n/g, " ")
  const fence = "`".repeat(longestRun(flat) + 1)
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : ""
  return `${fence}${pad}${flat.replace(/\|/g, "\\|")}${pad}${fence}`
}

/** A fenced code block that no content can close early. */
export const block = (value: string, language = ""): string => {
  const fence = "`".repeat(Math.max(3, longestRun(value) + 1))
  return `${fence}${language}\n${value.replace(CONTROL, "")}\n${fence}`
}

/** A table from a header row and body rows whose cells are already escaped. */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.map((c) => (c.length === 0 ? " " : c)).join(" | ")} |`)
  ].join("\n")

const longestRun = (value: string): number => Math.max(0, ...(value.match(/`+/g) ?? []).map((run) => run.length))
