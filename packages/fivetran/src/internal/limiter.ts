/**
 * At most N requests in flight, waiters served first come, first served, one woken per release.
 *
 * Why not `Effect.makeSemaphore`: in effect 3.x a release wakes every waiter, each of which re-checks and, all
 * but one, waits again. A run puts hundreds of reads in line at once (7 connection checks × 200 connections), so
 * that was O(waiters²) wake-ups: most of a 200-connection check's CPU time.
 *
 * @internal
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"

export interface Limiter {
  /** Run `self` holding one of the permits. */
  readonly withPermit: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Permits not held (for tests). */
  readonly free: () => number
  /** Fibres waiting for a permit (for tests). */
  readonly waiting: () => number
}

export const make = (permits: number): Limiter => {
  let free = Math.max(1, Math.floor(permits))
  // A waiter's deferred is completed when a permit is handed to it: the permit moves without passing through
  // `free`, so a newcomer cannot overtake the queue.
  const queue: Array<Deferred.Deferred<void>> = []

  /** Free a permit, or hand it to the first waiter: `true` when a waiter got it. */
  const release = (): boolean => {
    const next = queue.shift()
    if (next === undefined) {
      free++
      return false
    }
    Deferred.unsafeDone(next, Exit.void)
    return true
  }

  const acquire: Effect.Effect<void> = Effect.suspend(() => {
    if (free > 0) {
      free--
      return Effect.void
    }
    const handed = Deferred.unsafeMake<void>(FiberId.none)
    queue.push(handed)
    return Effect.onInterrupt(Deferred.await(handed), () =>
      Effect.sync(() => {
        const at = queue.indexOf(handed)
        // Still in line: leave it. Already handed a permit: pass that permit on instead of losing it.
        if (at >= 0) queue.splice(at, 1)
        else release()
      }))
  })

  return {
    withPermit: (self) =>
      Effect.suspend(() => {
        let handedOn = false
        return Effect.uninterruptibleMask((restore) =>
          Effect.zipRight(
            restore(acquire),
            Effect.ensuring(
              restore(self),
              Effect.sync(() => {
                handedOn = release()
              })
            )
          )
        ).pipe(
          // The waiter that got the permit is about to send its request: let it, before this fibre goes on to
          // parse and judge what it received (issue 13: otherwise each round of requests left only once the
          // previous round's answers were judged, about 18 ms late per round at 16 in flight).
          Effect.tap(() => (handedOn ? Effect.yieldNow() : Effect.void))
        )
      }),
    free: () => free,
    waiting: () => queue.length
  }
}
