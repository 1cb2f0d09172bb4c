import { MsflError } from '../../core/errors/msflError.ts'
import type { RunEmitter } from '../../core/events/createRunEmitter.ts'
import type { BlockLayout } from '../../core/msfl/blockLayout.ts'
import { drawComponentMasks, type MaskMode, maskVectors } from '../../core/msfl/componentMasks.ts'
import type { HeCiphertext, HeEvaluator } from '../../core/ports/he.ts'
import type { Rng } from '../../core/rng/rng.ts'

/** What the service provider masks with: its evaluator, the layout, the mask mode and its CSPRNG. */
export interface MaskingContext {
  readonly he: HeEvaluator
  readonly layout: BlockLayout
  readonly heads: number
  readonly maskMode: MaskMode
  readonly maskRng: Rng
  /** D: shifts are drawn from [−D, D] (`maskShiftBound` of the CKKS parameters). */
  readonly shiftBound: number
  readonly event: RunEmitter
}

/**
 * The service provider's masking step (SPEC C2 step 4): loads every owner's encrypted
 * gradient, refusing (with an event) any that is not a valid ciphertext, draws one mask
 * per component from the CSPRNG and returns the masked ciphertexts' bytes in the owners'
 * order. Every loaded ciphertext is released with the HE scope; only bytes leave it.
 */
export function maskGradients(
  p: MaskingContext,
  round: number,
  replies: readonly { clientId: string; update: readonly Uint8Array[] }[],
): { owners: string[]; gradients: Uint8Array[][] } {
  const perHead = p.layout.gradientCiphertexts
  return p.he.scope(() => {
    const owners: string[] = []
    const gradients: HeCiphertext[][] = []
    for (const { clientId, update } of replies) {
      let loaded: HeCiphertext[]
      try {
        loaded = update.map((bytes) => p.he.load(bytes))
      } catch (error) {
        if (!(error instanceof MsflError)) throw error
        p.event('update-rejected', {
          round,
          clientId,
          reason: `invalid ciphertext: ${error.message}`,
        })
        continue
      }
      owners.push(clientId)
      gradients.push(loaded)
      p.event('update-received', { round, clientId, numExamples: 0, trainLoss: Number.NaN })
    }
    if (gradients.length === 0)
      throw new MsflError(
        'PROTOCOL',
        `round ${round}: no data owner returned a valid encrypted gradient`,
      )
    const masks = drawComponentMasks(
      p.layout.components * p.heads,
      p.maskMode,
      p.maskRng,
      p.shiftBound,
    )
    const masked = gradients.map((cts) =>
      cts.map((ct, index) => {
        const head = Math.floor(index / perHead)
        const vectors = maskVectors(p.layout, masks, head * p.layout.components)
        const c = index % perHead
        return p.he.save(
          p.he.addPlain(p.he.multiplyPlain(ct, vectors.multiply[c]!), vectors.add[c]!),
          { compact: true },
        )
      }),
    )
    return { owners, gradients: masked }
  })
}
