import type { AttackSpec } from '../attacks/attackCatalog.ts'
import type { Dataset } from '../data/dataset.ts'
import { describeZodError } from '../errors/describeZodError.ts'
import { MsflError } from '../errors/msflError.ts'
import type { HeEvaluator } from '../ports/he.ts'
import type { MessageHandler } from '../ports/transport.ts'
import type { Rng } from '../rng/rng.ts'
import type { BlockLayout } from './blockLayout.ts'
import { encryptedLogisticGradient } from './encryptedGradient.ts'
import { ownerInboxSchema } from './msflMessages.ts'
import { headLabels, type MsflModelShape } from './msflModel.ts'
import { ownerBatch, ownerTrainingData } from './ownerRounds.ts'

export interface MsflDataOwnerParameters {
  readonly clientId: string
  /** Public evaluation material only: a data owner can never decrypt the model. */
  readonly he: HeEvaluator
  readonly layout: BlockLayout
  readonly shape: MsflModelShape
  /** Local training data, already preprocessed as the protocol requires (L2-normalised rows). */
  readonly data: Dataset
  readonly batchSize: number
  /** Seeds the batch drawn each round (so a plaintext replay sees the same batches). */
  readonly seed: number
  /** Noise flooding before a gradient leaves the owner; must be a CSPRNG outside tests. */
  readonly floodRng: Rng
  /** Data attacks (label flipping, backdoor) for poisoning experiments. */
  readonly attack?: AttackSpec
}

/**
 * A data owner in MS-FL (SPEC C2 step 3): receives the encrypted model, computes its
 * logistic-regression gradient on a random batch of its plaintext data without ever
 * seeing the model, floods the result's noise and returns the ciphertexts.
 */
export function createMsflDataOwner(p: MsflDataOwnerParameters): MessageHandler {
  if (p.attack && p.attack.definition.kind !== 'data')
    throw new MsflError(
      'CONFIG_INVALID',
      `attack ${p.attack.name}: the msfl protocol simulates data attacks (label-flip, backdoor) only`,
    )
  if (p.attack?.name === 'backdoor' && p.attack.options['boost'] !== 1)
    throw new MsflError(
      'CONFIG_INVALID',
      'attack backdoor: boost scales a plaintext update; in the msfl protocol use boost=1',
    )
  const data = ownerTrainingData(p.data, p.attack, p.seed, p.clientId)
  const perHead = p.layout.ciphertexts
  const error = (message: string) => ({ type: 'error', clientId: p.clientId, message })

  return {
    async handle(message: unknown): Promise<unknown> {
      const parsed = ownerInboxSchema.safeParse(message)
      if (!parsed.success) return error(`invalid request: ${describeZodError(parsed.error)}`)
      const { round, ciphertexts } = parsed.data
      if (ciphertexts.length !== perHead * p.shape.heads)
        return error(
          `model has ${ciphertexts.length} ciphertexts, expected ${perHead * p.shape.heads}`,
        )
      const rows = ownerBatch(data.n, p.batchSize, p.seed, p.clientId, round)
      try {
        const out = p.he.scope(() => {
          const model = ciphertexts.map((bytes) => p.he.load(bytes))
          const gradients: Uint8Array[] = []
          for (let head = 0; head < p.shape.heads; head++) {
            const y = headLabels(data, rows, p.shape, head)
            const own = model.slice(head * perHead, (head + 1) * perHead)
            const batch = { x: data.x, d: data.d, y, rows }
            // Not compacted: the SP's mask and selection each need the one level left.
            for (const ct of encryptedLogisticGradient(p.he, own, p.layout, batch, {
              floodRng: p.floodRng,
            }))
              gradients.push(p.he.save(ct))
          }
          return gradients
        })
        return { type: 'msfl-encrypted-gradient', round, clientId: p.clientId, ciphertexts: out }
      } catch (e) {
        if (e instanceof MsflError) return error(e.message)
        throw e
      }
    },
  }
}
