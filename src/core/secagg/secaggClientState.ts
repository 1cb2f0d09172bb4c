import { MsflError } from '../errors/msflError.ts'
import type { SecaggKeyPair } from '../ports/secaggCrypto.ts'
import type { SecaggVerifier } from '../ports/secaggIdentity.ts'
import type { SecaggParameters } from './secaggParameters.ts'
import type { ShareBundle } from './shareBundle.ts'

/**
 * What one client of secure aggregation holds between the steps of secaggClient.ts and
 * secaggClientReveal.ts. The state holds the client's secrets and never leaves the client.
 */
interface Base {
  readonly clientId: string
  readonly index: number
  readonly parameters: SecaggParameters
  /** c_u: agreement keys for share encryption. */
  readonly encryption: SecaggKeyPair
  /** s_u: agreement keys for pairwise masks; s_u^SK is Shamir-shared. */
  readonly mask: SecaggKeyPair
}

/** After advertise-keys: the two fresh key pairs. */
export interface AdvertisedState extends Base {
  readonly phase: 'advertised'
}

/** What a client knows of the roster once it verified every signed advertisement. */
interface Verified {
  /** Digest of the verified roster U1: the graph's seed, bound into the consistency signature. */
  readonly rosterDigest: Uint8Array
  /** The client's verifier of each neighbour's (and its own) signatures. */
  readonly verifiers: ReadonlyMap<string, SecaggVerifier>
  /** Every client of U1 by id, with its index (to check the survivor set the server names). */
  readonly members: ReadonlyMap<string, number>
}

/** After share-keys: the roster checked, b_u drawn and shared, bundle keys derived. */
export interface SharedState extends Base, Verified {
  readonly phase: 'shared'
  /** The neighbourhood, by client id (itself included). */
  readonly peers: ReadonlyMap<
    string,
    { readonly index: number; readonly encryptionKey: Uint8Array; readonly maskKey: Uint8Array }
  >
  /** b_u, the self-mask seed. */
  readonly selfMaskSeed: Uint8Array
  /** The client's own shares of s_u^SK and b_u. */
  readonly ownBundle: ShareBundle
  /** The key shared with each peer for bundles (derived once, used both ways). */
  readonly bundleKeys: ReadonlyMap<string, Uint8Array>
}

/** After masked-input: only the shares it holds for others (itself included) remain secret. */
export interface MaskedState extends Base, Verified {
  readonly phase: 'masked'
  /** Shares held for each client paired with this one (itself included): U2 ∩ neighbourhood. */
  readonly held: ReadonlyMap<string, ShareBundle>
}

/** After consistency-check: the one survivor set U3 this client signed, and will ever act on. */
export interface SignedState extends Omit<MaskedState, 'phase'> {
  readonly phase: 'signed'
  /** U3 as the server named it, in index order. */
  readonly survivors: readonly string[]
  readonly statement: Uint8Array
}

export type SecaggClientState = AdvertisedState | SharedState | MaskedState | SignedState

/** Throws MsflError('PROTOCOL'): the client refuses to continue the round. */
export function fail(message: string): never {
  throw new MsflError('PROTOCOL', message)
}

/** Best-effort erasure of the secrets a state holds (JavaScript cannot promise more). */
export function eraseClientState(state: SecaggClientState): void {
  state.encryption.secretKey.fill(0)
  state.mask.secretKey.fill(0)
  if (state.phase === 'shared') {
    state.selfMaskSeed.fill(0)
    for (const key of state.bundleKeys.values()) key.fill(0)
  }
}
