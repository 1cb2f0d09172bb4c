import { z } from 'zod'
import type { PriorRelease } from './rdpAccountant.ts'

const mechanismSchema = z
  .object({
    samplingRate: z.number().gt(0).lte(1),
    noiseMultiplier: z.number().gt(0),
  })
  .strict()

const releaseOf = <K extends string, S extends z.ZodRawShape>(kind: K, shape: S) =>
  z
    .object({
      v: z.literal(1),
      runId: z.string().min(1),
      clientId: z.string().min(1),
      kind: z.literal(kind),
      ...shape,
    })
    .strict()

/**
 * One release of a deployed DP owner, as its privacy ledger keeps it (written before the
 * release leaves the process):
 *
 * - `statistics`: its noisy feature statistics (sample level, once per run);
 * - `dp-sgd-round`: one round of DP-SGD (sample level): its steps, the sampled Gaussian
 *   mechanism of each, and the ε its accountant reported after it;
 * - `client-update`: its clipped (and, with distributed noise, noised) update of a round
 *   (client level: the provider's accountant counts it, the owner answers each round once).
 */
export const privacyReleaseSchema = z.discriminatedUnion('kind', [
  releaseOf('statistics', {
    steps: z.number().int().min(1),
    mechanism: mechanismSchema,
  }),
  releaseOf('dp-sgd-round', {
    round: z.number().int().min(1),
    steps: z.number().int().min(1),
    mechanism: mechanismSchema,
    epsilon: z.number().min(0),
  }),
  releaseOf('client-update', { round: z.number().int().min(1) }),
])

export type PrivacyRelease = z.infer<typeof privacyReleaseSchema>

/** What an owner restarted on its ledger has already spent, for its accountant. */
export interface RestoredReleases {
  /** Its noisy feature statistics left it (they are composed first). */
  readonly statistics: PriorRelease | undefined
  /** Its DP-SGD rounds so far, in the order they were released. */
  readonly rounds: readonly (PriorRelease & { readonly round: number; readonly epsilon: number })[]
  /** Client level: the rounds whose update it released. */
  readonly clientRounds: ReadonlySet<number>
}

/** The releases of a ledger, grouped as an owner's accountant and its round guard take them. */
export function restoreReleases(releases: readonly PrivacyRelease[]): RestoredReleases {
  let statistics: PriorRelease | undefined
  const rounds: (PriorRelease & { round: number; epsilon: number })[] = []
  const clientRounds = new Set<number>()
  for (const release of releases) {
    if (release.kind === 'statistics')
      statistics = { steps: release.steps, mechanism: release.mechanism }
    else if (release.kind === 'dp-sgd-round')
      rounds.push({
        round: release.round,
        steps: release.steps,
        mechanism: release.mechanism,
        epsilon: release.epsilon,
      })
    else clientRounds.add(release.round)
  }
  return { statistics, rounds, clientRounds }
}
