import { MsflError } from '../errors/msflError.ts'
import { checkQuantisation, type Quantisation } from './quantisation.ts'

/**
 * The public parameters of one secure-aggregation round, chosen by the server and sent
 * to every client in the setup message. Clients check them too: a client must never
 * mask its input under parameters that could overflow or reveal it.
 */
export interface SecaggParameters {
  /** Unique per round; binds every derived key and encrypted share to this round. */
  readonly session: string
  /** n: clients invited, indexed 1..n (their Shamir x-coordinates). */
  readonly clients: number
  /**
   * t: shares needed to reconstruct a secret, and the fewest clients (per
   * neighbourhood, with a graph) that may remain at any stage before the round aborts.
   * More than half of the holders of each secret (checkSecaggParameters).
   */
  readonly threshold: number
  /** Length of every input vector. */
  readonly dimension: number
  readonly quantisation: Quantisation
  /**
   * SecAgg+: the even degree k of the neighbourhood graph (each client pairs with and
   * shares its secrets among k neighbours); null pairs every client with every other.
   */
  readonly degree: number | null
}

/** Largest input length (4 bytes each must fit the wire's 256 MiB message limit). */
export const MAX_DIMENSION = 2 ** 25

/** Clients holding shares of one client's secrets, itself included. */
export function neighbourhoodSize(p: SecaggParameters): number {
  return p.degree === null ? p.clients : p.degree + 1
}

/** Throws MsflError('CONFIG_INVALID') naming the first unusable field. */
export function checkSecaggParameters(p: SecaggParameters): void {
  if (typeof p.session !== 'string' || p.session.length < 1 || p.session.length > 200)
    throw new MsflError('CONFIG_INVALID', 'secagg session must be a string of 1 to 200 characters')
  if (!Number.isSafeInteger(p.clients) || p.clients < 2)
    throw new MsflError('CONFIG_INVALID', `secagg clients must be an integer ≥ 2, got ${p.clients}`)
  if (!Number.isSafeInteger(p.dimension) || p.dimension < 1 || p.dimension > MAX_DIMENSION)
    throw new MsflError(
      'CONFIG_INVALID',
      `secagg dimension must be an integer in 1..${MAX_DIMENSION}, got ${p.dimension}`,
    )
  if (p.degree !== null) {
    if (
      !Number.isSafeInteger(p.degree) ||
      p.degree < 2 ||
      p.degree % 2 !== 0 ||
      p.degree >= p.clients
    )
      throw new MsflError(
        'CONFIG_INVALID',
        `secagg degree must be an even integer in 2..${p.clients - 1} (below the number of clients), got ${p.degree}`,
      )
  }
  const holders = neighbourhoodSize(p)
  // More than half of the holders: against an active server two disjoint sets of t holders
  // (one told "v survived", one "v dropped") would hand it both of v's secrets; 2t > holders
  // makes them overlap in an owner that reveals only one (Bonawitz et al. 2017, §6; per
  // neighbourhood for SecAgg+, Bell et al. 2020). It also keeps t ≥ 2: one share would be
  // the secret itself.
  const least = Math.floor(holders / 2) + 1
  if (!Number.isSafeInteger(p.threshold) || p.threshold < least || p.threshold > holders)
    throw new MsflError(
      'CONFIG_INVALID',
      `secagg threshold must be an integer in ${least}..${holders}, more than half of the ${holders} holders of each secret (${p.degree === null ? 'the number of clients' : 'degree + 1'}), got ${p.threshold}`,
    )
  checkQuantisation(p.quantisation, p.clients)
}
