/**
 * `@launchgate/core/emulator`: the kit every vendor emulator is built on.
 *
 * @since 0.1.0
 */
export * as Emulator from "./Emulator.js"
export { type Fault, type FaultRule, Faults } from "./Faults.js"
export type { Definition, EmulatorRequest, HandlerContext, LogEntry, Reply, Route, Running, StartOptions } from "./Emulator.js"
export { HttpFailure } from "./Emulator.js"
