import { type ParseArgsConfig, parseArgs } from 'node:util'

/** A negative number as a user types it: -3, -0.5, -.5, -1e-3. */
const NEGATIVE_NUMBER = /^-(\d|\.\d)/

/**
 * `parseArgs` for a command's argv, except that a negative number after a flag that
 * takes a value is that flag's value. Node's parser reads `--rounds -3` as a flag
 * followed by an unknown option and rejects it as ambiguous, so the range check that
 * `--rounds=-3` reaches would never run; `--rounds -3` now means `--rounds=-3`.
 */
export function parseCommandArgs<T extends ParseArgsConfig & { readonly args: string[] }>(
  config: T,
): ReturnType<typeof parseArgs<T>> {
  const takesValue = new Set(
    Object.entries(config.options ?? {})
      .filter(([, option]) => option.type === 'string')
      .map(([name]) => `--${name}`),
  )
  const args: string[] = []
  for (let i = 0; i < config.args.length; i++) {
    const arg = config.args[i]!
    const next = config.args[i + 1]
    if (takesValue.has(arg) && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      args.push(`${arg}=${next}`)
      i += 1
    } else args.push(arg)
    // After `--` everything is positional: leave it exactly as given.
    if (arg === '--') {
      args.push(...config.args.slice(i + 1))
      break
    }
  }
  return parseArgs({ ...config, args })
}
