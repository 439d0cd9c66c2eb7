const SENSITIVE_QUERY = /^(?:key|api[_-]?key|token|access[_-]?token|refresh[_-]?token|id[_-]?token|client[_-]?secret|secret|signature|sig|x-amz-signature|x-goog-signature|password|auth|code)$/i

/** Does a query-string parameter name look like it carries a credential? */
export const isSensitiveQueryKey = (key: string): boolean => SENSITIVE_QUERY.test(key)

/** A URL as text, with userinfo and credential-like query parameters redacted. */
export const scrubUrl = (url: URL | string): string => {
  let parsed: URL
  try {
    parsed = new URL(url.toString())
  } catch {
    // Not a URL, but it may still hold userinfo or a credential parameter.
    return String(url)
      .replace(/\/\/[^/@\s]*@/, "//redacted@")
      .replace(/([?&])([^=&#\s]+)=([^&#\s]*)/g, (all, sep: string, key: string) =>
        SENSITIVE_QUERY.test(key) ? `${sep}${key}=redacted` : all
      )
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
