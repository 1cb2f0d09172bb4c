import type { ServedFederation } from '../../runtime/deploy/serveFederation.ts'
import { clientLevelJson } from './clientLevelJson.ts'

/**
 * A deployed DP job's `privacy` object in `msfl server --json` and metrics.json, with the
 * keys `msfl simulate --json` uses (privacyJson), plus each owner's own (ε, δ) at sample level.
 */
export function deployedPrivacyJson(
  privacy: NonNullable<ServedFederation['privacy']>,
): Record<string, unknown> {
  return {
    spec: privacy.spec,
    level: privacy.level,
    epsilon: privacy.epsilon,
    delta: privacy.delta,
    epsilon_per_round: privacy.epsilonPerRound,
    ...(privacy.owners ? { owners: privacy.owners } : {}),
    ...(privacy.unreported ? { unreported: privacy.unreported } : {}),
    ...clientLevelJson(privacy),
  }
}
