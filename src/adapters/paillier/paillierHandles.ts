import { MsflError } from '../../core/errors/msflError.ts'
import { hexPrefix } from '../../core/paillier/packedCiphertextFormat.ts'
import type { PackingLayout } from '../../core/paillier/packingLayout.ts'
import type { PaillierCiphertext } from '../../core/ports/paillier.ts'

/** What a handle stands for: validated ciphertexts and the packing they carry. */
export interface PaillierCiphertextData {
  readonly fingerprint: Uint8Array
  readonly layout: PackingLayout
  readonly length: number
  readonly count: number
  readonly ciphertexts: readonly bigint[]
}

// Module-wide so that the key holder's secret accepts handles from any instance of the
// same key (its own loader included), and nothing outside this adapter can forge one.
const registry = new WeakMap<PaillierCiphertext, PaillierCiphertextData>()

export function wrapCiphertext(data: PaillierCiphertextData): PaillierCiphertext {
  const handle = Object.freeze({}) as PaillierCiphertext
  registry.set(handle, data)
  return handle
}

/** The data behind a handle, refused when it was made under another key. */
export function unwrapCiphertext(
  ct: PaillierCiphertext,
  fingerprint: Uint8Array,
): PaillierCiphertextData {
  const data = registry.get(ct)
  if (data === undefined)
    throw new MsflError('PROTOCOL', 'paillier: not a ciphertext handle of this adapter')
  if (data.fingerprint.some((b, i) => b !== fingerprint[i]))
    throw new MsflError(
      'CODEC',
      `paillier ciphertext: encrypted under another key (fingerprint ${hexPrefix(data.fingerprint)}…, this key is ${hexPrefix(fingerprint)}…)`,
    )
  return data
}
