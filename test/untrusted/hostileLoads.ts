import { deflateSync } from 'node:zlib'
import {
  createCkksEvaluator,
  createCkksRequestor,
  createSealContext,
  encodePublicMaterial,
  HE_PRESETS,
  kswitchKeysBytes,
  loadSeal,
  openPublicMaterial,
} from '../../src/adapters/he-seal/index.ts'
import {
  createPaillierPublic,
  generatePaillierKeyPair,
  loadModularBackend,
} from '../../src/adapters/paillier/index.ts'
import { PACKED_HEADER_BYTES } from '../../src/core/paillier/packedCiphertextFormat.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { decodeMessage } from '../../src/core/wire/decodeMessage.ts'

/**
 * Hostile inputs for the loaders of key material and ciphertexts, built from real
 * objects (ckks-8192 keys from node-seal, a 2048-bit Paillier key):
 * - `ckks-galois-zeros`: public material whose Galois keys (24 rotations, the most a
 *   ckks-8192 material may carry) are zeros of the real size, zlib-compressed about
 *   a thousandfold (the all-zero material of issue 14);
 * - `ckks-ciphertext-bomb`: a ciphertext whose zlib body inflates to `size` zeros;
 * - `paillier-ciphertexts`: a packed Paillier update of about `size` bytes whose header
 *   claims as many values as its body holds, ciphertexts random below n².
 */
export const HOSTILE_LOADS = [
  'ckks-galois-zeros',
  'ckks-ciphertext-bomb',
  'paillier-ciphertexts',
] as const
export type HostileLoad = (typeof HOSTILE_LOADS)[number]

export interface PreparedLoad {
  readonly input: Uint8Array
  /** Decodes or loads the input; returns what was built (kept alive by the caller). */
  attempt(): unknown
}

/** A SEAL object: the 16-byte header of `like`, compression zlib, then `body`. */
export function zlibSealObject(like: Uint8Array, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + body.length)
  out.set(like.subarray(0, 16))
  out.set(body, 16)
  out[5] = 1
  new DataView(out.buffer).setBigUint64(8, BigInt(out.length), true)
  return out
}

export async function prepareHostileLoad(kind: HostileLoad, size: number): Promise<PreparedLoad> {
  switch (kind) {
    case 'ckks-galois-zeros': {
      const seal = await loadSeal()
      const parameters = HE_PRESETS['ckks-8192']!
      const requestor = await createCkksRequestor('ckks-8192', { rotations: [] })
      const parts = decodeMessage(requestor.publicMaterial) as Record<string, Uint8Array>
      requestor.dispose()
      const context = createSealContext(seal, parameters)
      // 1, 2, 4, …, 2048, the same to the right (slots − 2^k, up to 1024), and 3: 24 steps.
      const rotations = [3]
      for (let k = 0; k < 12; k++) rotations.push(2 ** k)
      for (let k = 0; k < 11; k++) rotations.push(parameters.slots - 2 ** k)
      rotations.sort((a, b) => a - b)
      const raw = kswitchKeysBytes(
        {
          polyModulusDegree: parameters.polyModulusDegree,
          dataLevels: context.dataLevels,
          keyLevel: context.keyLevel,
          scale: 2 ** parameters.scaleBits,
        },
        rotations.length,
      )
      const galoisKeys = zlibSealObject(
        parts.relinKeys!,
        deflateSync(new Uint8Array(raw - 16), { level: 9 }),
      )
      const input = encodePublicMaterial({
        preset: 'ckks-8192',
        rotations,
        publicKey: parts.publicKey!,
        relinKeys: parts.relinKeys!,
        galoisKeys,
      })
      return { input, attempt: () => openPublicMaterial(seal, input, context) }
    }
    case 'ckks-ciphertext-bomb': {
      const requestor = await createCkksRequestor('ckks-8192', { rotations: [] })
      const he = await createCkksEvaluator(requestor.publicMaterial)
      const saved = requestor.evaluator.save(requestor.evaluator.encrypt(Float64Array.of(1)))
      requestor.dispose()
      const input = zlibSealObject(saved, deflateSync(new Uint8Array(size), { level: 9 }))
      return { input, attempt: () => he.load(input) }
    }
    case 'paillier-ciphertexts': {
      const keys = await generatePaillierKeyPair()
      const backend = await loadModularBackend()
      const packing = { valueBits: 16, maxClients: 4, range: 1 }
      const paillier = createPaillierPublic(keys.publicKey, packing, backend)
      const one = paillier.save(paillier.encryptPacked(new Float64Array(1)))
      const width = one.length - PACKED_HEADER_BYTES
      const count = Math.max(1, Math.floor(size / width))
      const slots = new DataView(one.buffer, one.byteOffset).getUint16(10)
      const input = new Uint8Array(PACKED_HEADER_BYTES + count * width)
      input.set(one.subarray(0, PACKED_HEADER_BYTES))
      new DataView(input.buffer).setUint32(20, count * slots)
      const rng = createSeededRng(14)
      for (let at = PACKED_HEADER_BYTES; at < input.length; at++) input[at] = rng.nextInt(256)
      // A zero top byte keeps every ciphertext below n² (n has 2048 bits).
      for (let at = PACKED_HEADER_BYTES; at < input.length; at += width) input[at] = 0
      return { input, attempt: () => paillier.load(input) }
    }
  }
}
