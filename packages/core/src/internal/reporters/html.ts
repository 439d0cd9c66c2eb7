/**
 * A tiny HTML writer for the HTML reporter: text is always escaped, markup
 * only comes from {@link raw}, so text from checks can never become markup.
 * Control characters are shown as a visible `\uXXXX` (they carry no meaning
 * in HTML and some, like NUL, are parse errors).
 */

/** Markup that is already safe (built by this module or a literal of the reporter). */
export interface Html {
  readonly __html: string
}

/** Mark a literal of the reporter as markup. Never pass text from a report. */
export const raw = (markup: string): Html => ({ __html: markup })

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g

/** Escape text for element content and double- or single-quoted attributes. */
export const escape = (text: string): string =>
  text
    .replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;")

export type Child = Html | string | number | undefined | false | ReadonlyArray<Child>

const render = (child: Child): string => {
  if (child === undefined || child === false) return ""
  if (typeof child === "string") return escape(child)
  if (typeof child === "number") return String(child)
  if (Array.isArray(child)) return (child as ReadonlyArray<Child>).map(render).join("")
  return (child as Html).__html
}

/** Children joined into markup. */
export const join = (...children: ReadonlyArray<Child>): Html => raw(children.map(render).join(""))

// Attribute names are literals of the reporter; only values come from data.
type Attributes = Readonly<Record<string, string | number | boolean | undefined>>

const VOID = new Set(["br", "hr", "input", "meta", "wbr"])

/** An element with escaped attribute values and children. */
export const el = (tag: string, attributes: Attributes, ...children: ReadonlyArray<Child>): Html => {
  const attrs = Object.entries(attributes)
    .filter(([, v]) => v !== undefined && v !== false)
    .map(([k, v]) => (v === true ? ` ${k}` : ` ${k}="${escape(String(v))}"`))
    .join("")
  if (VOID.has(tag)) return raw(`<${tag}${attrs}>`)
  return raw(`<${tag}${attrs}>${children.map(render).join("")}</${tag}>`)
}

/** The markup of a child, for the final document. */
export const toString = (child: Child): string => render(child)
