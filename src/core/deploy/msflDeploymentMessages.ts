import { z } from 'zod'
import { messageSchema } from '../wire/messageSchema.ts'

/**
 * Messages an MS-FL job needs across processes besides the protocol's own
 * (msfl/msflMessages.ts): each party's Ethereum address, proven with its certificate key,
 * and the run's terms — the chain and contract, the requestor's CKKS public material
 * (signed by the requestor, checked by every owner) and, for the requestor, the agreed
 * feature scaling it evaluates with.
 *
 *   from      to                   message                 reply
 *   provider  requestor, owners    ledger-address-request  ledger-address
 *   provider  requestor            msfl-requestor-terms    msfl-public-key
 *   provider  data owner           msfl-owner-terms        msfl-owner-terms-accepted
 *
 * Only the provider listens, so every statement another party must check travels
 * through it — signed, so the provider can forward it but not forge or swap it.
 */

const runId = z.string().min(1).max(200)
const participant = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a participant name')
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'a 20-byte 0x-hex address')
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes')
const credential = bytes.refine((b) => b.length > 0 && b.length <= 16_384, 'expected 1 B..16 KiB')
const signature = bytes.refine((b) => b.length === 64, 'expected 64 bytes (P1363)')

export const ledgerAddressRequestSchema = messageSchema('ledger-address-request', { runId })
/** The provider's question to the requestor and each owner: your address on the run's chain. */
export type LedgerAddressRequest = z.infer<typeof ledgerAddressRequestSchema>

export const ledgerAddressSchema = messageSchema('ledger-address', {
  runId,
  /** The party's node id: the CN of `credential`. */
  clientId: participant,
  address,
  /** The party's certificate (DER). */
  credential,
  /** ECDSA P-256 with the certificate key over ledgerAddressStatement(runId, clientId, address). */
  signature,
})
/** A party's Ethereum address, bound to its certificate for this run. */
export type LedgerAddress = z.infer<typeof ledgerAddressSchema>

/** The chain and contract a run settles on, as the provider deployed it. */
export const ledgerTermsSchema = z
  .object({
    chainId: z
      .number()
      .int()
      .min(1)
      .max(2 ** 53 - 1),
    contract: address,
    /** The block the contract was deployed in: logs are read from there on. */
    fromBlock: z.bigint().min(0n),
    /** Wei per selected (component, owner) cell: the job's `msfl.pricePerComponent`. */
    pricePerComponent: z.bigint().min(1n),
  })
  .strict()
/** Where a deployed MS-FL run settles. */
export type LedgerTerms = z.infer<typeof ledgerTermsSchema>

export const msflRequestorTermsSchema = messageSchema('msfl-requestor-terms', {
  runId,
  ledger: ledgerTermsSchema,
  /** The provider's own signed address: the only account the contract lets deliver. */
  provider: ledgerAddressSchema,
  /** Every owner's signed address, in the job's owner order: whom the requestor pays. */
  owners: z.array(ledgerAddressSchema).min(1).max(10_000),
  /** The owners' agreed feature scaling (absent when the dataset needs none): the requestor scales its test rows with it. */
  scaling: z
    .object({ mean: z.array(z.number()).max(100_000), std: z.array(z.number()).max(100_000) })
    .strict()
    .optional(),
})
/** What the requestor needs before round 1: the chain, the parties' addresses, the scaling. */
export type MsflRequestorTerms = z.infer<typeof msflRequestorTermsSchema>

export const msflPublicKeySchema = messageSchema('msfl-public-key', {
  runId,
  /** The requestor's node id: the CN of `credential`. */
  clientId: participant,
  /** CKKS public material (context, public, relinearisation and Galois keys): never the secret key. */
  material: bytes.refine(
    (b) => b.length > 0 && b.length <= 256 * 1024 * 1024,
    'expected 1 B..256 MiB',
  ),
  /** The requestor's certificate (DER). */
  credential,
  /** ECDSA P-256 with the requestor's certificate key over msflPublicKeyStatement(runId, clientId, material). */
  signature,
})
/** The requestor's CKKS public material, signed so the owners can check it is the requestor's. */
export type MsflPublicKey = z.infer<typeof msflPublicKeySchema>

export const msflOwnerTermsSchema = messageSchema('msfl-owner-terms', {
  runId,
  ledger: ledgerTermsSchema,
  /** The key the model arrives encrypted under; each owner checks the signature itself. */
  publicKey: msflPublicKeySchema,
})
/** What an owner needs before round 1: the requestor's public key and the chain it is paid on. */
export type MsflOwnerTerms = z.infer<typeof msflOwnerTermsSchema>

export const msflOwnerTermsAcceptedSchema = messageSchema('msfl-owner-terms-accepted', {
  runId,
  clientId: participant,
})

/** Every request of an MS-FL deployment, as `ProtocolMessage` lists them. */
export type MsflDeploymentMessage = LedgerAddressRequest | MsflRequestorTerms | MsflOwnerTerms

const encoder = new TextEncoder()

/**
 * The bytes a party signs to claim an address: a fixed label, the run, its name and the
 * address (lower case), so a claim is worthless for another run, name or address.
 */
export function ledgerAddressStatement(runId: string, name: string, addr: string): Uint8Array {
  return encoder.encode(`msfl ledger address v1\0${runId}\0${name}\0${addr.toLowerCase()}`)
}

/** The bytes the requestor signs over its CKKS public material, for one run. */
export function msflPublicKeyStatement(
  runId: string,
  name: string,
  material: Uint8Array,
): Uint8Array {
  const head = encoder.encode(`msfl requestor public material v1\0${runId}\0${name}\0`)
  const statement = new Uint8Array(head.length + material.length)
  statement.set(head)
  statement.set(material, head.length)
  return statement
}
