import { createSealEvaluator, type SealEvaluator } from './createSealEvaluator.ts'
import { loadSeal } from './loadSeal.ts'
import { openPublicMaterial } from './openPublicMaterial.ts'

/**
 * The evaluator of a data owner or the service provider, built from the requestor's
 * public material only (validated as untrusted input, see openPublicMaterial). It holds
 * no secret key, and its type has no way to decrypt.
 */
export async function createCkksEvaluator(publicMaterial: Uint8Array): Promise<SealEvaluator> {
  const seal = await loadSeal()
  const { context, keys } = openPublicMaterial(seal, publicMaterial)
  return createSealEvaluator(context, keys).evaluator
}
