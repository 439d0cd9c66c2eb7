/**
 * Fault injection for emulators: per route or global, for the next N
 * requests or for a time window, scriptable over time.
 *
 * @since 0.1.0
 */

/** What goes wrong. */
export type Fault =
  /** Add latency before the normal answer. */
  | { readonly kind: "latency"; readonly ms: number }
  /** Answer with a status (and optional JSON body) instead of the route. */
  | { readonly kind: "status"; readonly status: number; readonly json?: unknown; readonly headers?: Record<string, string> }
  /** 429 (or another status) with `Retry-After` as seconds or an HTTP-date. */
  | {
    readonly kind: "rate-limit"
    readonly retryAfter?: number | string | Date
    readonly status?: number
    readonly json?: unknown
    readonly headers?: Record<string, string>
  }
  /** Drop the connection without answering. */
  | { readonly kind: "reset" }
  /** Send the headers and half the body, then drop the connection. */
  | { readonly kind: "truncate" }
  /** Send a body that is not valid JSON. */
  | { readonly kind: "malformed-json" }
  /** Send the body a few bytes at a time. */
  | { readonly kind: "slow-drip"; readonly chunkMs: number; readonly chunkBytes?: number }
  /** Accept the request and never answer (the socket stays open until the client gives up or the emulator closes). */
  | { readonly kind: "hang" }
  /** Answer 200 with `content-type: application/json` and an HTML page (a proxy's or load balancer's error page). */
  | { readonly kind: "html-as-json"; readonly status?: number }
  /** Answer 200 with a JSON body of about `bytes` bytes (default 20 MiB), to test body caps. */
  | { readonly kind: "huge-body"; readonly bytes?: number }
  /** Redirect (default 302) to `location` (e.g. another origin) instead of answering. */
  | { readonly kind: "redirect"; readonly location: string; readonly status?: number }

/** When and where a fault applies. */
export interface FaultRule {
  readonly fault: Fault
  /** A route name (`"GET /v1/items/{id}"` or the route's own name), or omit for every route. */
  readonly route?: string | undefined
  /** Match by method and path instead of route name. */
  readonly method?: string | undefined
  readonly path?: string | RegExp | undefined
  /** Apply to the next N matching requests, then stop. Default: unlimited (use a window). */
  readonly times?: number | undefined
  /** Start this many ms after the rule is added. Default 0. */
  readonly afterMs?: number | undefined
  /** Stay active this many ms after it starts. Default: until `times` runs out or the rule is removed. */
  readonly forMs?: number | undefined
}

interface ActiveRule {
  readonly rule: FaultRule
  readonly startsAt: number
  readonly endsAt: number
  remaining: number
  hits: number
}

/** The fault controller of a running emulator. */
export class Faults {
  private rules: Array<ActiveRule> = []

  /** Add a rule; returns a function that removes it. */
  add(rule: FaultRule): () => void {
    const now = Date.now()
    const startsAt = now + (rule.afterMs ?? 0)
    const active: ActiveRule = {
      rule,
      startsAt,
      endsAt: rule.forMs === undefined ? Number.POSITIVE_INFINITY : startsAt + rule.forMs,
      remaining: rule.times ?? Number.POSITIVE_INFINITY,
      hits: 0
    }
    this.rules.push(active)
    return () => {
      this.rules = this.rules.filter((r) => r !== active)
    }
  }

  /** Shorthand: the next `times` requests (default 1) to `route` (or any route) get `fault`. */
  next(fault: Fault, options: { route?: string; times?: number } = {}): () => void {
    return this.add({ fault, route: options.route, times: options.times ?? 1 })
  }

  /** Remove every rule. */
  clear(): void {
    this.rules = []
  }

  /** How many requests each rule has hit, in insertion order. */
  hits(): ReadonlyArray<number> {
    return this.rules.map((r) => r.hits)
  }

  /** @internal Consume the fault for a request, if any (first matching rule wins). */
  take(method: string, path: string, routeName: string | undefined): Fault | undefined {
    const now = Date.now()
    for (const active of this.rules) {
      const { rule } = active
      if (now < active.startsAt || now >= active.endsAt || active.remaining <= 0) continue
      if (rule.route !== undefined && rule.route !== routeName) continue
      if (rule.method !== undefined && rule.method.toUpperCase() !== method) continue
      if (rule.path !== undefined && !(rule.path instanceof RegExp ? rule.path.test(path) : rule.path === path)) continue
      active.remaining--
      active.hits++
      return rule.fault
    }
    return undefined
  }
}
