/**
 * The scheduler a gate runs on: fibre work in batches, and the event loop's pending I/O between two batches.
 *
 * Effect's default scheduler resumes fibres in microtasks, chaining up to 2,048 drains before a timer lets the
 * event loop in. A launch gate is I/O-bound: while a burst of fibres judges what came back, the responses
 * that have already arrived wait unread in their sockets, and the requests that depend on them (a list's next
 * page, the reads that need a list's ids) go out late, each one adding the burst to the run's critical path
 * (issue 13: at 40 ms of latency, a run spent about 40 % of its wall time with answers waiting). Here each batch
 * of tasks is one `setImmediate` callback, which Node runs right after polling I/O: what the fibres do and decide
 * is unchanged, only when they run.
 *
 * @internal
 */
import type * as Fiber from "effect/Fiber"
import * as Scheduler from "effect/Scheduler"
import * as timers from "node:timers"

type Task = () => void
type Turn = (run: () => void) => void

// Taken when this module loads, before a test can swap the globals for fake timers (vitest's `useFakeTimers`
// fakes `setImmediate` by default, and patches `node:timers` too): batching is about order, not time, like the
// microtasks it replaces, so a faked clock must not stop a run.
const loadedImmediate = timers.setImmediate

/** A fake timer function (@sinonjs/fake-timers, behind vitest and jest, marks each with its `clock`). */
const isFake = (f: unknown): boolean => typeof f === "function" && "clock" in f

/**
 * The next turn of the loop: `setImmediate`, or, when even the one taken at load time is fake (this module
 * loaded after the fake timers were installed), a microtask: no I/O between batches then, but a run that
 * never stalls, as under Effect's own scheduler.
 */
export const turnWith = (immediate: (run: () => void) => unknown): Turn =>
  isFake(immediate) ? (run) => queueMicrotask(run) : (run) => {
    immediate(run)
  }

/** Runs scheduled fibre tasks in `setImmediate` batches, by priority (lowest first, as Effect's own does). */
export class IoFirstScheduler implements Scheduler.Scheduler {
  // [priority, tasks in arrival order], sorted by priority.
  private buckets: Array<[number, Array<Task>]> = []
  private pending = false

  constructor(private readonly turn: Turn = turnWith(loadedImmediate)) {}

  private readonly drain = (): void => {
    this.pending = false
    const buckets = this.buckets
    this.buckets = []
    for (const [, tasks] of buckets) {
      for (let i = 0; i < tasks.length; i++) tasks[i]!()
    }
  }

  shouldYield(fiber: Fiber.RuntimeFiber<unknown, unknown>): number | false {
    return Scheduler.defaultScheduler.shouldYield(fiber)
  }

  scheduleTask(task: Task, priority: number): void {
    const buckets = this.buckets
    let index = 0
    while (index < buckets.length && buckets[index]![0] < priority) index++
    const bucket = buckets[index]
    if (bucket !== undefined && bucket[0] === priority) bucket[1].push(task)
    else buckets.splice(index, 0, [priority, [task]])
    if (!this.pending) {
      this.pending = true
      this.turn(this.drain)
    }
  }
}

/** One per process: its queue is only ever non-empty between two turns of the event loop. */
export const ioFirstScheduler: Scheduler.Scheduler = new IoFirstScheduler()
