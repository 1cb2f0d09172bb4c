import type { HeDecryptor, HeEvaluator } from '../../core/ports/he.ts'
import type { SecaggCrypto } from '../../core/ports/secaggCrypto.ts'
import type { MessageHandler, Transport } from '../../core/ports/transport.ts'
import type { Rng } from '../../core/rng/rng.ts'
import type { MsflLedger } from '../msflLedger.ts'
import type { MsflOwners, MsflOwnersSpec } from '../msflOwners.ts'

/** The I/O the MS-FL simulation needs, supplied by the composition root. */
export interface MsflAdapters {
  /** Slots of a CKKS preset (the layout depends on it before any key exists). */
  slotsOf(preset: string): number
  /** The requestor's keys: secret key inside, public material out. */
  createRequestor(
    preset: string,
    rotations: readonly number[],
  ): Promise<{
    evaluator: HeEvaluator
    decryptor: HeDecryptor
    publicMaterial: Uint8Array
    /** Frees the keys' memory. */
    dispose(): void
  }>
  /** An evaluator from public material only (data owners, service provider). */
  createEvaluator(publicMaterial: Uint8Array): Promise<
    HeEvaluator & {
      /** Frees the evaluator's memory. */
      dispose(): void
    }
  >
  /** Stands up the data owners (in this thread, or in a worker-thread pool). */
  createOwners(spec: MsflOwnersSpec): Promise<MsflOwners>
  /** The ledger the run settles on (`plan.ledger`: memory, evm, rpc:<url>). */
  createLedger(spec: {
    readonly ledger: string
    readonly pricePerComponent: bigint
    readonly owners: readonly string[]
  }): Promise<MsflLedger>
  /** The digest the ledger records for a serialised model (keccak256). */
  modelDigest(bytes: Uint8Array): Uint8Array
  /** The transport between the MS-FL participants. */
  createTransport(handlers: ReadonlyMap<string, MessageHandler>): Transport
  /** A CSPRNG-backed Rng (masks, noise flooding). */
  csprng(): Rng
  /** A collision-resistant hash of the concatenated parts (SHA-256), for commitments. */
  digest(parts: readonly Uint8Array[]): Uint8Array
  /** The secure aggregation the owners agree on the feature scaling with (runtime/scaling). */
  readonly secaggCrypto: SecaggCrypto
}
