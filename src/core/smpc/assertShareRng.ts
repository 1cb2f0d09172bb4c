import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'

/**
 * Fails closed unless `rng` may draw secret shares and the dealer's correlated
 * randomness. A share is only as hidden as the generator is unpredictable: whoever
 * knows a seeded generator's seed can recompute every share a node did not receive
 * and rebuild the model. So only a CSPRNG is accepted, except in a reproducible
 * simulation that says so explicitly (`simulation: true`).
 */
export function assertShareRng(rng: Rng, simulation: boolean | undefined, where: string): void {
  if (rng.kind === 'csprng') return
  if (simulation === true) return
  throw new MsflError(
    'CONFIG_INVALID',
    `${where}: secret shares and SMPC masks need a CSPRNG, got a ${rng.kind} Rng; ` +
      'a seeded Rng is allowed only in a reproducible simulation (simulation: true)',
  )
}
