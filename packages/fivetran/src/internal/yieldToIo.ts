/**
 * Cooperative yielding for long synchronous stretches (judging hundreds of connections as soon as the
 * account list arrives). Fibres that wake together run in one batch (the runner's scheduler polls I/O only
 * between batches; Effect's own, outside a run, only every 2,048 microtask turns), so however many checks wake at
 * once, the event loop reads no socket until all of them are done; meanwhile other vendors' responses wait and
 * their next requests (list pages, reads that need a list's ids) start late, which lengthens the run's
 * critical path by the whole stretch (issue 13). {@link yieldIfBusy} gives the loop a turn (`setImmediate`,
 * after pending I/O) once the current stretch has run {@link SLICE_MS}: the work is the same, but other
 * requests go out in between. Only when things run, never what they decide.
 *
 * @internal
 */
import * as Effect from "effect/Effect"

/** How long a synchronous stretch runs before it lets pending I/O through. */
export const SLICE_MS = 4

// When the current stretch began: reset whenever a yield resumes (the loop has just polled I/O).
let sliceStart = performance.now()

const toIo: Effect.Effect<void> = Effect.async<void>((resume) => {
  const handle = setImmediate(() => {
    sliceStart = performance.now()
    resume(Effect.void)
  })
  return Effect.sync(() => clearImmediate(handle))
})

/** Let pending I/O run if this stretch has been busy for {@link SLICE_MS}; otherwise go on at once. */
export const yieldIfBusy: Effect.Effect<void> = Effect.suspend(() =>
  performance.now() - sliceStart >= SLICE_MS ? toIo : Effect.void
)
