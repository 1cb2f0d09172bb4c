import type { PrivacySummary } from '../../runtime/runSimulation.ts'
import { clientLevelJson } from './clientLevelJson.ts'

/**
 * `--json`'s `privacy` object: the protection's spec and bytes, dropouts, and with DP the
 * (ε, δ) spent per round and, at client level, the mechanism.
 */
export function privacyJson(privacy: PrivacySummary, numParams: number): Record<string, unknown> {
  return {
    spec: privacy.spec,
    bytes_per_client_per_round: Math.round(privacy.bytesPerClientPerRound),
    bytes_per_parameter: privacy.bytesPerClientPerRound / numParams,
    dropped: privacy.dropped,
    ...(privacy.epsilon === undefined
      ? {}
      : {
          epsilon: privacy.epsilon,
          delta: privacy.delta,
          epsilon_per_round: privacy.epsilonPerRound,
        }),
    ...(privacy.level === 'client' ? { level: privacy.level } : {}),
    ...clientLevelJson(privacy),
  }
}
