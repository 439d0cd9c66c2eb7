/**
 * A small validator for the subset of OpenAPI 3.0 schema keywords Fivetran's
 * document uses ($ref, allOf, discriminator, type, required, properties,
 * items, enum, format date-time), strict about undeclared properties so the
 * emulator cannot invent fields.
 *
 * Fivetran's document has three known inconsistencies with its own examples
 * and the live API. They are tolerated by name and reported, so a test can
 * assert that nothing else was tolerated:
 *
 * - `integer-with-string-enum`: `sync_frequency` is `type: integer` with an
 *   enum of strings ("1", "5", … "1440"); the API sends numbers.
 * - `documented-null`: timestamps the descriptions say are "`null` if …"
 *   (`succeeded_at`, `failed_at`) are not marked nullable.
 * - `enum-case`: the destination `setup_status` enum is upper-case while the
 *   spec's own example and the live API are lower-case.
 * - `enum-typed-object`: per-service `config` fields that are string enums
 *   (e.g. Snowflake `auth`: PASSWORD | KEY_PAIR | OAUTH) are declared
 *   `type: object`; the spec's own example sends the string.
 *
 * Properties marked `writeOnly` must not appear in a response, and
 * properties with a `default` must be present (the server fills defaults).
 *
 * Map-like objects written as `{ title, properties: { <placeholder>: S } }`
 * (schema config `schemas`, `tables`, `columns`) are validated as maps of S.
 */

export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [k: string]: Json }

interface SchemaObject {
  readonly $ref?: string
  readonly type?: string
  readonly title?: string
  readonly description?: string
  readonly required?: ReadonlyArray<string>
  readonly properties?: Readonly<Record<string, SchemaObject>>
  readonly additionalProperties?: boolean | SchemaObject
  readonly items?: SchemaObject
  readonly allOf?: ReadonlyArray<SchemaObject>
  readonly enum?: ReadonlyArray<unknown>
  readonly format?: string
  readonly writeOnly?: boolean
  readonly default?: unknown
  readonly discriminator?: { readonly propertyName: string; readonly mapping?: Readonly<Record<string, string>> }
}

export interface Finding {
  readonly path: string
  readonly message: string
}

export type Quirk = "integer-with-string-enum" | "documented-null" | "enum-case" | "enum-typed-object"

export interface Result {
  readonly issues: ReadonlyArray<Finding>
  readonly tolerated: ReadonlyArray<Finding & { readonly quirk: Quirk }>
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/

export const makeValidator = (document: { components: { schemas: Record<string, SchemaObject> } }) => {
  const resolve = (ref: string): SchemaObject => {
    const name = ref.replace(/^#\/components\/schemas\//, "")
    const found = document.components.schemas[name]
    if (!found) throw new Error(`unresolved $ref ${ref}`)
    return found
  }
  const deref = (schema: SchemaObject): SchemaObject => (schema.$ref ? deref(resolve(schema.$ref)) : schema)

  /** Property names a schema declares, through allOf. */
  const declared = (schema: SchemaObject, into = new Set<string>()): Set<string> => {
    const s = deref(schema)
    for (const k of Object.keys(s.properties ?? {})) into.add(k)
    for (const sub of s.allOf ?? []) declared(sub, into)
    return into
  }

  const isMap = (s: SchemaObject) =>
    s.title !== undefined && s.properties !== undefined && Object.keys(s.properties).length === 1 && s.required === undefined

  return (root: SchemaObject, value: Json): Result => {
    const issues: Array<Finding> = []
    const tolerated: Array<Finding & { quirk: Quirk }> = []
    const visiting = new Set<string>()

    const walk = (schema: SchemaObject, v: Json, path: string, strict: boolean): void => {
      if (schema.$ref && visiting.has(schema.$ref)) {
        // Inside a discriminator's mapped schema, its base is validated structurally.
        return walkResolved(resolve(schema.$ref), v, path, strict, true)
      }
      walkResolved(deref(schema), v, path, strict, false)
    }

    const walkResolved = (s: SchemaObject, v: Json, path: string, strict: boolean, skipDiscriminator: boolean): void => {
      if (v === null) {
        if (/`?null`?/.test(s.description ?? "")) {
          tolerated.push({ path, message: "null where the description documents null", quirk: "documented-null" })
        } else issues.push({ path, message: "null is not allowed" })
        return
      }
      const mapped = !skipDiscriminator && s.discriminator && typeof v === "object" && !Array.isArray(v)
        ? s.discriminator.mapping?.[String((v as Record<string, Json>)[s.discriminator.propertyName])]
        : undefined
      if (mapped && !visiting.has(mapped)) {
        visiting.add(mapped)
        walk({ $ref: mapped }, v, path, strict)
        visiting.delete(mapped)
        return
      }
      if (s.allOf) {
        for (const sub of s.allOf) walk(sub, v, path, false)
        if (strict && typeof v === "object" && !Array.isArray(v)) {
          const known = declared(s)
          for (const k of Object.keys(v)) {
            if (!known.has(k)) issues.push({ path: `${path}.${k}`, message: "property not declared by the schema" })
          }
        }
      }
      const type = s.type ?? (s.properties ? "object" : undefined)
      switch (type) {
        case "string":
          if (typeof v !== "string") return void issues.push({ path, message: `expected a string, got ${JSON.stringify(v)}` })
          if (s.format === "date-time" && !ISO_DATE_TIME.test(v)) issues.push({ path, message: `not a date-time: ${v}` })
          break
        case "integer":
          if (!Number.isInteger(v)) return void issues.push({ path, message: `expected an integer, got ${JSON.stringify(v)}` })
          break
        case "number":
          if (typeof v !== "number") return void issues.push({ path, message: `expected a number, got ${JSON.stringify(v)}` })
          break
        case "boolean":
          if (typeof v !== "boolean") return void issues.push({ path, message: `expected a boolean, got ${JSON.stringify(v)}` })
          break
        case "array":
          if (!Array.isArray(v)) return void issues.push({ path, message: "expected an array" })
          if (s.items) (v as ReadonlyArray<Json>).forEach((x, i) => walk(s.items!, x, `${path}[${i}]`, true))
          break
        case "object": {
          if (typeof v === "string" && s.enum?.includes(v)) {
            tolerated.push({ path, message: `${v} is a value of an enum declared as an object`, quirk: "enum-typed-object" })
            return
          }
          if (typeof v !== "object" || Array.isArray(v)) return void issues.push({ path, message: "expected an object" })
          const o = v as Record<string, Json>
          if (isMap(s)) {
            const [inner] = Object.values(s.properties!)
            for (const [k, x] of Object.entries(o)) walk(inner!, x, `${path}.${k}`, true)
            break
          }
          for (const k of s.required ?? []) {
            if (o[k] === undefined) issues.push({ path: `${path}.${k}`, message: "required property missing" })
          }
          // A response never carries input-only fields, and fills what the document says defaults.
          for (const [k, p] of Object.entries(s.properties ?? {})) {
            const prop = deref(p)
            if (prop.writeOnly === true && o[k] !== undefined) {
              issues.push({ path: `${path}.${k}`, message: "write-only property served in a response" })
            }
            if (prop.default !== undefined && o[k] === undefined) {
              issues.push({ path: `${path}.${k}`, message: `documented default (${JSON.stringify(prop.default)}) not filled` })
            }
          }
          for (const [k, x] of Object.entries(o)) {
            const prop = s.properties?.[k]
            if (prop) walk(prop, x, `${path}.${k}`, true)
            else if (strict && !s.allOf && s.properties && s.additionalProperties === undefined) {
              issues.push({ path: `${path}.${k}`, message: "property not declared by the schema" })
            }
          }
          break
        }
      }
      if (s.enum && !s.enum.includes(v)) {
        if (type === "integer" && s.enum.includes(String(v))) {
          tolerated.push({ path, message: `${v} matches the string enum value "${v}"`, quirk: "integer-with-string-enum" })
        } else if (typeof v === "string" && s.enum.some((e) => typeof e === "string" && e.toLowerCase() === v.toLowerCase())) {
          tolerated.push({ path, message: `${v} matches the enum only case-insensitively`, quirk: "enum-case" })
        } else {
          issues.push({ path, message: `${JSON.stringify(v)} is not one of ${s.enum.map((e) => JSON.stringify(e)).join(", ")}` })
        }
      }
    }

    walk(root, value, "$", true)
    return { issues, tolerated }
  }
}
