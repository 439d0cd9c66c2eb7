/**
 * The running check's deadline, where the runner puts it and the transport
 * reads it. Public as `Check.Deadline`; internal here so the transport need
 * not import the check module.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import { globalValue } from "effect/GlobalValue"

/** Absolute deadline in milliseconds of the Effect `Clock`; `undefined` outside a run. */
export const currentDeadline: FiberRef.FiberRef<number | undefined> = globalValue(
  Symbol.for("@launchgate/core/Check/Deadline"),
  () => FiberRef.unsafeMake<number | undefined>(undefined)
)

/** Time left before the deadline (zero once passed); `None` when no deadline is set. */
export const remaining: Effect.Effect<Option.Option<Duration.Duration>> = Effect.flatMap(
  FiberRef.get(currentDeadline),
  (deadline) =>
    deadline === undefined
      ? Effect.succeedNone
      : Effect.map(Clock.currentTimeMillis, (now) => Option.some(Duration.millis(Math.max(0, deadline - now))))
)
