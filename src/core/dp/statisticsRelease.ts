import type { PriorRelease } from './rdpAccountant.ts'

/**
 * σ of the Gaussian mechanism a DP data owner applies to its feature statistics (count,
 * Σu, Σu², sensitivity √(1 + 2k)) before they are masked. At 8 the release costs
 * α/128 of RDP, a few per cent of an ε = 3 budget, while the noise on a sum over
 * thousands of rows moves the agreed means and deviations by a few per cent at most.
 */
export const STATISTICS_NOISE_MULTIPLIER = 8

/** The statistics release as the owner's accountant composes it: one Gaussian step (q = 1). */
export const STATISTICS_RELEASE: PriorRelease = {
  mechanism: { samplingRate: 1, noiseMultiplier: STATISTICS_NOISE_MULTIPLIER },
  steps: 1,
}
