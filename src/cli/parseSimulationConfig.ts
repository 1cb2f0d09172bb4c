import { readConfigFile } from '../adapters/config/index.ts'
import { MsflError } from '../core/errors/msflError.ts'
import { planRun, type RunPlan } from '../runtime/config/planRun.ts'
import {
  type SimulationConfig,
  simulationConfigSchema,
} from '../runtime/config/simulationConfig.ts'
import { applyFlags, fieldName } from './flags.ts'
import { simulationFlags } from './simulationFlags.ts'

/**
 * Config file (if any), then flags on top, then one validation. The error names
 * every bad field, with its flag when it has one, and the file it came from.
 */
export function parseSimulationConfig(
  values: Record<string, string | boolean | undefined>,
  defaults: Record<string, unknown> = {},
): SimulationConfig {
  const configPath = typeof values['config'] === 'string' ? values['config'] : undefined
  const fromFile = configPath ? readConfigFile(configPath) : {}
  if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile))
    throw new MsflError('CONFIG_INVALID', `${configPath}: the config must be an object of settings`)
  const merged = applyFlags(
    { ...defaults, ...(fromFile as Record<string, unknown>) },
    values,
    simulationFlags,
  )
  const parsed = simulationConfigSchema.safeParse(merged)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const path = issue.path.map(String).join('.')
      return `${path ? `${fieldName(path, simulationFlags)}: ` : ''}${issue.message}`
    })
    throw new MsflError(
      'CONFIG_INVALID',
      `${configPath ? `${configPath}: ` : ''}${problems.join('; ')}`,
    )
  }
  return parsed.data
}

/**
 * The CLI's one validation of a run: the config (file, flags, schema) and then its plan,
 * with every spec string parsed and every combination checked, before anything is written.
 */
export function parseRunConfig(
  values: Record<string, string | boolean | undefined>,
  defaults: Record<string, unknown> = {},
): { readonly config: SimulationConfig; readonly plan: RunPlan } {
  const config = parseSimulationConfig(values, defaults)
  return { config, plan: planRun(config) }
}
