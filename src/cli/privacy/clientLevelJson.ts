/** The client-level DP fields a privacy summary carries (simulated or deployed). */
export interface ClientLevelFields {
  readonly level?: string | undefined
  readonly noise?: unknown
  readonly noiseMultiplier?: unknown
  readonly samplingRate?: unknown
  readonly minContributors?: number | undefined
}

/**
 * The client-level mechanism in `--json`'s `privacy` object, with the same keys for
 * `msfl simulate` and `msfl server`: noise, noise_multiplier, sampling_rate and, when set,
 * min_contributors; nothing at sample level.
 */
export function clientLevelJson(privacy: ClientLevelFields): Record<string, unknown> {
  if (privacy.level !== 'client') return {}
  return {
    noise: privacy.noise,
    noise_multiplier: privacy.noiseMultiplier,
    sampling_rate: privacy.samplingRate,
    ...(privacy.minContributors === undefined ? {} : { min_contributors: privacy.minContributors }),
  }
}
