import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'
import { shuffleInPlace } from '../rng/seededRng.ts'

/** How many of the available clients a round asks to train. */
export interface ClientSampling {
  /** Share of available clients asked to train each round, in (0, 1]. */
  readonly fraction: number
  /** Never fewer than this many clients per round. */
  readonly minClients: number
}

/** How many clients a round selects out of `available`. */
export function sampleSize(available: number, sampling: ClientSampling): number {
  if (available < sampling.minClients)
    throw new MsflError(
      'PROTOCOL',
      `only ${available} clients available, the round needs at least ${sampling.minClients}`,
    )
  return Math.min(
    available,
    Math.max(sampling.minClients, Math.ceil(sampling.fraction * available - 1e-9)),
  )
}

/** Selects clients uniformly without replacement; the result keeps the input order. */
export function sampleClients(
  available: readonly string[],
  sampling: ClientSampling,
  rng: Rng,
): string[] {
  const count = sampleSize(available.length, sampling)
  if (count === available.length) return [...available]
  const order = shuffleInPlace(
    Array.from(available, (_, i) => i),
    rng,
  )
  const chosen = new Set(order.slice(0, count))
  return available.filter((_, i) => chosen.has(i))
}
