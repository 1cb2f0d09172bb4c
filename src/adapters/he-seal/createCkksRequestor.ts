import { MsflError } from '../../core/errors/msflError.ts'
import type { HeDecryptor } from '../../core/ports/he.ts'
import { createSealEvaluator, type SealEvaluator } from './createSealEvaluator.ts'
import { generateKeyMaterial } from './generateKeyMaterial.ts'
import { loadSeal } from './loadSeal.ts'
import { openPublicMaterial } from './openPublicMaterial.ts'
import { resolvePreset } from './presets.ts'
import { createSealContext } from './sealContext.ts'

/** What the model requestor holds: the only party that can decrypt. */
export interface CkksRequestor {
  /** Also counts live ciphertexts (SealEvaluator extends HeEvaluator). */
  readonly evaluator: SealEvaluator
  readonly decryptor: HeDecryptor
  /** The bundle for data owners and the service provider (see openPublicMaterial). */
  readonly publicMaterial: Uint8Array
  /** Releases every ciphertext and deletes all keys, the secret key included. */
  dispose(): void
}

/**
 * Creates a CKKS key set for a preset (CONFIG_INVALID if unknown) with Galois keys for
 * exactly the given rotations. The requestor's own evaluator is built from its public
 * material through the same checks as everyone else's, so all parties compute alike.
 */
export async function createCkksRequestor(
  preset: string,
  options: { readonly rotations: readonly number[] },
): Promise<CkksRequestor> {
  const parameters = resolvePreset(preset)
  const seal = await loadSeal()
  const context = createSealContext(seal, parameters)
  let generated: ReturnType<typeof generateKeyMaterial>
  try {
    generated = generateKeyMaterial(context, options.rotations)
  } catch (error) {
    context.delete()
    throw error
  }
  const { secretKey, publicMaterial } = generated
  let parts: ReturnType<typeof createSealEvaluator>
  let opened: ReturnType<typeof openPublicMaterial>
  try {
    opened = openPublicMaterial(seal, publicMaterial, context)
    parts = createSealEvaluator(opened.context, opened.keys)
  } catch (error) {
    secretKey.delete()
    context.delete()
    throw error
  }
  const evaluator: SealEvaluator = parts.evaluator
  const decryptor = seal.Decryptor(context.context, secretKey)
  const symmetric = seal.Encryptor(context.context, opened.keys.publicKey, secretKey)
  let disposed = false

  return {
    evaluator,
    publicMaterial,
    decryptor: {
      decrypt(ct) {
        const sealCt = parts.ciphertextOf(ct, 'decrypt')
        const pt = seal.PlainText()
        try {
          decryptor.decrypt(sealCt, pt)
          return Float64Array.from(context.encoder.decode(pt))
        } catch (cause) {
          throw new MsflError('PROTOCOL', 'decrypt: SEAL failed to decrypt', { cause })
        } finally {
          pt.delete()
        }
      },
      encryptSeeded(values) {
        if (disposed) throw new MsflError('PROTOCOL', 'encryptSeeded: the requestor was disposed')
        return parts.saveFresh(values, 'encryptSeeded', (pt) => {
          const serializable = symmetric.encryptSymmetricSerializable(pt)
          try {
            return serializable.saveArray(seal.ComprModeType.none)
          } finally {
            serializable.delete()
          }
        })
      },
    },
    dispose() {
      if (disposed) return
      disposed = true
      decryptor.delete()
      symmetric.delete()
      secretKey.delete()
      evaluator.dispose()
    },
  }
}
