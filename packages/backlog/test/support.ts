/** Shared helpers for the backlog tests: run an Effect against a backlog layer over real loopback HTTP. */
import { Gate, HttpTransport } from "@launchgate/core"
import { Effect, Either, Layer } from "effect"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import type * as Backlog from "../src/Backlog.js"
import { Backlog as BacklogTag } from "../src/Backlog.js"
import type { BacklogError } from "../src/BacklogError.js"

const provided = Layer.merge(HttpTransport.layer(), Layer.succeed(Gate.RunContext, { gate: "test" }))

/** Run `f` with the backlog service of `layer`; returns Either so tests can assert on failures. */
export const withBacklog = <A>(
  layer: Layer.Layer<Backlog.Backlog, BacklogError, Gate.Provided>,
  f: (backlog: Backlog.Service) => Effect.Effect<A, BacklogError>
): Promise<Either.Either<A, BacklogError>> =>
  Effect.runPromise(
    Effect.flatMap(BacklogTag, f).pipe(Effect.provide(layer), Effect.provide(provided), Effect.scoped, Effect.either)
  )

/** A temporary directory of task files, removed afterwards. */
export const withTasks = async <A>(files: Record<string, string>, body: (dir: string) => Promise<A>): Promise<A> => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "lg-backlog-"))
  try {
    for (const [name, text] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true })
      await fs.writeFile(path.join(dir, name), text)
    }
    return await body(dir)
  } finally {
    await fs.rm(dir, { recursive: true, force: true })
  }
}

/** A task file's text. */
export const task = (fields: Record<string, unknown>, body = ""): string =>
  `---\n${Object.entries(fields).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join("\n")}\n---\n${body}`
