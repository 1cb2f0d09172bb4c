import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'

/**
 * Fails closed unless `rng` may draw DP noise and sampling decisions. A seeded
 * generator is predictable from its seed, and whoever can predict the noise can
 * subtract it: the (ε, δ) guarantee would be void. So only a CSPRNG is accepted,
 * except in a reproducible simulation that says so explicitly (`simulation: true`),
 * where no real person's data is at stake and runs must replay bit for bit.
 * Poisson sampling needs the same secrecy: amplification by subsampling assumes the
 * adversary does not know which records a step used.
 */
export function assertNoiseRng(rng: Rng, simulation: boolean | undefined, where: string): void {
  if (rng.kind === 'csprng') return
  if (simulation === true) return
  throw new MsflError(
    'CONFIG_INVALID',
    `${where}: differential-privacy noise needs a CSPRNG, got a ${rng.kind} Rng; ` +
      'a seeded Rng is allowed only in a reproducible simulation (simulation: true)',
  )
}
