import { encodeMessage } from '../wire/encodeMessage.ts'

/**
 * The byte strings SecAgg owners sign and the digest the neighbour graph is drawn from.
 * Each is the wire-codec encoding of an array that starts with its own domain label, so a
 * signature made for one statement can never be read as another (nor as an envelope
 * signature made with the same certificate key), and every field is length-delimited.
 */

/** What owner `clientId` (index `index`) signs when it advertises its two public keys. */
export function advertisementStatement(
  session: string,
  clientId: string,
  index: number,
  encryptionKey: Uint8Array,
  maskKey: Uint8Array,
): Uint8Array {
  return encodeMessage(['msfl-secagg/v1/keys', session, clientId, index, encryptionKey, maskKey])
}

/** One signed advertisement, as the roster relays it. */
export interface SignedAdvertisement {
  readonly clientId: string
  readonly index: number
  readonly encryptionKey: Uint8Array
  readonly maskKey: Uint8Array
  readonly signature: Uint8Array
}

/**
 * The seed of the SecAgg+ neighbour graph: SHA-256 of the whole signed roster U1 (in
 * index order). The server cannot pick it — every key in it is fresh and signed by its
 * owner (the signatures themselves are left out: ECDSA signatures are malleable, so the
 * server could re-encode them to grind seeds) — and every owner recomputes it from the roster it verified, so the server can
 * neither place chosen clients next to a victim nor give two owners different graphs
 * without their consistency signatures disagreeing (consistencyStatement binds it).
 */
export function rosterDigest(
  hash: (bytes: Uint8Array) => Uint8Array,
  session: string,
  clients: number,
  degree: number | null,
  roster: readonly SignedAdvertisement[],
): Uint8Array {
  const entries = [...roster]
    .sort((a, b) => a.index - b.index)
    .map((a) => [a.clientId, a.index, a.encryptionKey, a.maskKey])
  return hash(encodeMessage(['msfl-secagg/v1/roster', session, clients, degree, entries]))
}

/**
 * What every survivor signs in the consistency-check round: the session, the roster it
 * verified (its digest) and U3, the survivors the server named, in index order.
 */
export function consistencyStatement(
  session: string,
  roster: Uint8Array,
  survivors: readonly string[],
): Uint8Array {
  return encodeMessage(['msfl-secagg/v1/consistency', session, roster, [...survivors]])
}
