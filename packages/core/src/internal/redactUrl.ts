const SENSITIVE_QUERY = /^(?:key|api[_-]?key|token|access[_-]?token|secret|signature|sig|password|auth)$/i

/** A URL as text, with userinfo and credential-like query parameters redacted. */
export const scrubUrl = (url: URL | string): string => {
  let parsed: URL
  try {
    parsed = new URL(url.toString())
  } catch {
    return String(url)
  }
  if (parsed.username || parsed.password) {
    parsed.username = parsed.username ? "redacted" : ""
    parsed.password = ""
  }
  for (const key of [...parsed.searchParams.keys()]) {
    if (SENSITIVE_QUERY.test(key)) parsed.searchParams.set(key, "redacted")
  }
  return parsed.toString()
}
