import type { ServedFederation } from '../../runtime/deploy/serveFederation.ts'

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
    ...(privacy.level === 'client'
      ? {
          noise: privacy.noise,
          noise_multiplier: privacy.noiseMultiplier,
          sampling_rate: privacy.samplingRate,
          ...(privacy.minContributors === undefined
            ? {}
            : { min_contributors: privacy.minContributors }),
        }
      : {}),
  }
}
