import { createHmac, randomBytes } from 'node:crypto'
import { bytesToHex, type LocalAccount } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { Hex } from './chainClient.ts'

/**
 * An Ethereum account of one participant. The private key lives only inside `signer`
 * (a viem local account, which keeps it in a closure): nothing here can print it.
 */
export interface LedgerAccount {
  /** The participant, e.g. "model-requestor", "service-provider", "do-3". */
  readonly label: string
  readonly address: Hex
  readonly signer: LocalAccount
}

/**
 * Another participant's account as this process knows it: its address only. In a
 * deployment each party holds its own key; the others are addresses it checked.
 */
export interface LedgerAddress {
  readonly label: string
  readonly address: Hex
}

const secp256k1Order = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

/** A fresh 32-byte key-store seed from the operating system's CSPRNG. */
export function generateLedgerSeed(): Uint8Array {
  return new Uint8Array(randomBytes(32))
}

/**
 * The account of `label` derived from a 32-byte key-store seed: the private key is
 * HMAC-SHA256(seed, "msfl/ledger-account/v1/<label>/<counter>") for the first counter that
 * gives a valid secp256k1 scalar (the first one, except with probability 2⁻¹²⁸).
 */
export function deriveLedgerAccount(seed: Uint8Array, label: string): LedgerAccount {
  if (seed.length !== 32)
    throw new MsflError('CONFIG_INVALID', `ledger key seed must be 32 bytes, got ${seed.length}`)
  if (label.length === 0 || label.length > 200)
    throw new MsflError('CONFIG_INVALID', 'ledger account label must have 1 to 200 characters')
  for (let counter = 0; ; counter++) {
    const key = createHmac('sha256', seed)
      .update(`msfl/ledger-account/v1/${label}/${counter}`)
      .digest()
    const scalar = BigInt(`0x${key.toString('hex')}`)
    if (scalar === 0n || scalar >= secp256k1Order) continue
    const signer = privateKeyToAccount(bytesToHex(key))
    key.fill(0)
    return { label, address: signer.address, signer }
  }
}

/**
 * A fresh account for one party of a deployment: the key is drawn from the CSPRNG (viem's
 * generatePrivateKey, crypto.getRandomValues) and lives only inside the returned signer, in
 * this process's memory; it is never written anywhere.
 */
export function generateLedgerAccount(label: string): LedgerAccount {
  const signer = privateKeyToAccount(generatePrivateKey())
  return { label, address: signer.address, signer }
}

/** One account per label, all from the same seed. */
export function deriveLedgerAccounts(
  seed: Uint8Array,
  labels: readonly string[],
): Readonly<Record<string, LedgerAccount>> {
  const out: Record<string, LedgerAccount> = {}
  for (const label of labels) {
    if (label in out)
      throw new MsflError('CONFIG_INVALID', `ledger account label ${JSON.stringify(label)} repeats`)
    out[label] = deriveLedgerAccount(seed, label)
  }
  return out
}
