/**
 * A small XML writer: elements with attributes, child elements or text,
 * escaped for XML 1.0. Characters XML 1.0 cannot hold at all (most C0
 * controls, lone surrogates, U+FFFE/U+FFFF) are written as a visible
 * `\uXXXX`, so the evidence survives and the document stays well-formed.
 */

/** An element: attributes in order, then either children or text. */
export interface Element {
  readonly name: string
  readonly attributes?: ReadonlyArray<readonly [string, string | number | undefined]>
  readonly children?: ReadonlyArray<Element>
  readonly text?: string
}

const INVALID =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

const visible = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`

/** Escape character data. `\r` is kept as a reference: parsers would turn a raw one into `\n`. */
export const escapeText = (text: string): string =>
  text.replace(INVALID, visible).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /\r/g,
    "&#13;"
  )

/** Escape an attribute value (double-quoted); whitespace is kept as references, which parsers do not normalise. */
export const escapeAttribute = (text: string): string =>
  escapeText(text).replace(/"/g, "&quot;").replace(/\n/g, "&#10;").replace(/\t/g, "&#9;")

/** An element as indented XML (text content is written as is, never indented). */
export const serialize = (element: Element, indent = ""): string => {
  const attributes = (element.attributes ?? [])
    .filter((a): a is readonly [string, string | number] => a[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeAttribute(String(v))}"`)
    .join("")
  const open = `${indent}<${element.name}${attributes}`
  if (element.text !== undefined && element.text.length > 0) {
    return `${open}>${escapeText(element.text)}</${element.name}>`
  }
  if (element.children !== undefined && element.children.length > 0) {
    const inner = element.children.map((c) => serialize(c, `${indent}  `)).join("\n")
    return `${open}>\n${inner}\n${indent}</${element.name}>`
  }
  return `${open}/>`
}

/** A whole document with its XML declaration. */
export const document = (root: Element): string => `<?xml version="1.0" encoding="UTF-8"?>\n${serialize(root)}\n`
