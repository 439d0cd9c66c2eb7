/**
 * Which clocks sleep in real time. Code that needs a timer on a hot path (the HTTP transport's per-attempt
 * timeout, once per request) can then use a plain `setTimeout` under such a clock, instead of racing a sleeping
 * fibre, and keep the Effect sleep where a test clock must drive it.
 */
import * as Clock from "effect/Clock"

/** Set (to `true`) on a clock whose `sleep` is real time although its reading of "now" may be shifted. */
export const RealTimeSleep: unique symbol = Symbol.for("@launchgate/core/RealTimeSleep")

// Effect's own clock (what a program runs with unless a layer or a test replaces it).
const LiveClock = Clock.make().constructor

/** Whether `clock` sleeps in real time: Effect's live clock, or one marked with {@link RealTimeSleep}. */
export const sleepsInRealTime = (clock: Clock.Clock): boolean =>
  clock.constructor === LiveClock || (clock as { readonly [RealTimeSleep]?: unknown })[RealTimeSleep] === true
