/**
 * `@launchgate/core/cli`: the `launchgate` command. (Being implemented.)
 * @since 0.1.0
 */
export const main = async (_argv: ReadonlyArray<string>): Promise<number> => {
  process.stderr.write("launchgate: the CLI is being implemented\n")
  return 2
}
