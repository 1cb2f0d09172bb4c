import type { SealSecretKey } from './loadSeal.ts'
import { encodePublicMaterial, normaliseRotations } from './openPublicMaterial.ts'
import { compressSealObject } from './sealCompression.ts'
import type { SealContext } from './sealContext.ts'

/**
 * Generates a fresh key set for a context: the secret key, which stays with the
 * caller, and the public material for everyone else. Galois keys are generated only
 * for the requested rotations (each costs 2·N·(primes)·8 bytes per data prime, 11 MB
 * at N = 16384); public, relinearisation and Galois keys are saved seeded (half of
 * each key is regenerated from a seed) and zlib-compressed, which together shrink
 * the Galois keys of `ckks-16384` from 143 MB to 59 MB.
 */
export function generateKeyMaterial(
  ctx: SealContext,
  rotations: readonly number[],
): { secretKey: SealSecretKey; publicMaterial: Uint8Array; rotations: number[] } {
  const { seal } = ctx
  const steps = normaliseRotations(ctx.parameters, rotations)
  const keygen = seal.KeyGenerator(ctx.context)
  const secretKey = keygen.secretKey()
  try {
    const save = (make: () => ReturnType<typeof keygen.createPublicKeySerializable>) => {
      const serializable = make()
      try {
        return compressSealObject(serializable.saveArray(seal.ComprModeType.none))
      } finally {
        serializable.delete()
      }
    }
    const publicMaterial = encodePublicMaterial({
      preset: ctx.parameters.preset,
      rotations: steps,
      publicKey: save(() => keygen.createPublicKeySerializable()),
      relinKeys: save(() => keygen.createRelinKeysSerializable()),
      // An empty step list would make SEAL generate keys for every power of two.
      ...(steps.length > 0
        ? { galoisKeys: save(() => keygen.createGaloisKeysSerializable(Int32Array.from(steps))) }
        : {}),
    })
    return { secretKey, publicMaterial, rotations: steps }
  } catch (error) {
    secretKey.delete()
    throw error
  } finally {
    keygen.delete()
  }
}
