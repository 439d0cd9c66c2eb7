/**
 * A WHATWG `fetch` for google-auth-library's own requests (the OAuth token exchange behind
 * Application Default Credentials), sent through core's `HttpTransport`. Without it the library
 * uses its own HTTP stack: those sockets sit outside the run's dispatcher, so closing the run does
 * not close them, and neither the body cap nor the proxy/CA options apply.
 *
 * @internal
 */
import type { HttpTransport } from "@launchgate/core"
import type * as Duration from "effect/Duration"
import * as Runtime from "effect/Runtime"

type Method = NonNullable<HttpTransport.HttpRequest["method"]>

/** Statuses whose responses carry no body (the Fetch standard's null body statuses). */
const NULL_BODY = new Set([101, 103, 204, 205, 304])

/**
 * The callers waiting for credentials. google-auth-library shares one token request among
 * concurrent callers, so the request is abandoned only once every caller waiting for it has been
 * interrupted (its check timed out, or the run ended), never because one of them was.
 */
export class Waiters {
  private readonly signals = new Set<AbortSignal>()

  /** Run `f` for a caller whose interruption aborts `signal`. */
  async wait<A>(signal: AbortSignal, f: () => Promise<A>): Promise<A> {
    this.signals.add(signal)
    try {
      return await f()
    } finally {
      this.signals.delete(signal)
    }
  }

  /** A signal aborted once every caller waiting now has been interrupted. */
  abandoned(): AbortSignal {
    const waiting = [...this.signals]
    const controller = new AbortController()
    const check = () => {
      if (waiting.every((s) => s.aborted)) controller.abort(new Error("every caller waiting for the token was interrupted"))
    }
    for (const s of waiting) s.addEventListener("abort", check, { once: true })
    return controller.signal
  }
}

/**
 * `fetch` over `transport` (Google's token endpoint, or the emulator's): one attempt per call
 * (token exchanges are POSTs, which the transport does not retry), each bounded by `timeout`.
 * `runtime` carries the run's context; gaxios's abort signal (its own timeout) interrupts the
 * request, and so does the interruption of every caller waiting for it.
 */
export const transportFetch = (
  transport: HttpTransport.Service,
  runtime: Runtime.Runtime<never>,
  timeout: Duration.DurationInput | undefined,
  waiters: Waiters
) =>
async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  // A Request normalises what gaxios passes (URLSearchParams, Buffer, stream) into bytes and a content type.
  const request = new Request(input, init)
  const body = request.body === null ? undefined : new Uint8Array(await request.arrayBuffer())
  const res = await Runtime.runPromise(runtime)(
    transport.request({
      method: request.method as Method,
      url: request.url,
      headers: Object.fromEntries(request.headers),
      ...(body !== undefined ? { body } : {}),
      ...(timeout !== undefined ? { timeout } : {})
    }),
    { signal: AbortSignal.any([request.signal, waiters.abandoned()]) }
  )
  return new Response(NULL_BODY.has(res.status) ? null : res.body, { status: res.status, headers: res.headers })
}
