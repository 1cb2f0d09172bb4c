import type { Dataset } from '../data/dataset.ts'
import { MsflError } from '../errors/msflError.ts'
import { createFitHandler } from '../fl/createFitHandler.ts'
import { createTrainingClient } from '../fl/createTrainingClient.ts'
import { type ClientMessage, fitResultSchema } from '../fl/messages.ts'
import { vectorDifference } from '../fl/vectorDifference.ts'
import type { Model } from '../model/model.ts'
import type { MessageHandler } from '../ports/transport.ts'
import { createSeededRng, deriveSeed } from '../rng/seededRng.ts'
import type { AttackSpec } from './attackCatalog.ts'
import { craftUpdate } from './craftUpdate.ts'
import type { Adversary } from './createAdversary.ts'
import { poisonLocalData } from './poisonLocalData.ts'

export interface MaliciousClientParameters {
  readonly clientId: string
  readonly model: Model
  /** The owner's real local data; data attacks poison a copy. */
  readonly data: Dataset
  readonly attack: AttackSpec
  /** Shared by colluding attackers; required for omniscient attacks. */
  readonly adversary?: Adversary
  /** Seeds the poisoning, the crafted noise and the local batch order (simulation only). */
  readonly seed: number
}

/**
 * A data owner that follows the protocol on the wire but attacks the model: it
 * speaks the same messages as an honest client, so every defence is tested against
 * exactly what a real attacker could send.
 */
export function createMaliciousClient(p: MaliciousClientParameters): MessageHandler {
  const { clientId, attack } = p
  const rngFor = (...labels: (string | number)[]) =>
    createSeededRng(deriveSeed(p.seed, 'attack', clientId, ...labels))
  const trainingData = poisonLocalData(p.data, attack, rngFor('poison'))
  const honest = createTrainingClient({
    clientId,
    model: p.model,
    data: trainingData,
    seed: p.seed,
  })
  if (attack.definition.omniscient(attack.options) && !p.adversary)
    throw new MsflError(
      'CONFIG_INVALID',
      `attack ${attack.name} needs omniscient mode (an adversary view of honest updates)`,
    )
  let previousGlobal: Float64Array | undefined

  return createFitHandler(clientId, async (instruction): Promise<ClientMessage> => {
    const global = instruction.params
    // SCAFFOLD: a well-formed reply carries a control variate change; the attacker sends
    // its honest one (or none moved, for a free-rider) so only the model update is attacked.
    const asReply = (
      update: Float64Array,
      trainLoss: number,
      controlDelta: Float64Array | undefined = instruction.control &&
        new Float64Array(global.length),
    ): ClientMessage => ({
      type: 'fit-result',
      round: instruction.round,
      clientId,
      kind: instruction.mode,
      // Params mode sends global + update; gradient mode sends the update itself.
      vector: instruction.mode === 'params' ? add(global, update) : update,
      numExamples: p.data.n,
      trainLoss,
      ...(controlDelta ? { controlDelta } : {}),
    })

    if (attack.definition.kind === 'free-rider') {
      const mode = attack.options['mode']
      const stale = previousGlobal
      previousGlobal = global
      if (mode === 'random') {
        const rng = rngFor('noise', instruction.round)
        const sigma = attack.options['sigma'] as number
        return asReply(
          Float64Array.from({ length: global.length }, () => sigma * rng.normal()),
          0,
        )
      }
      if (mode === 'stale' && stale && instruction.mode === 'params')
        return asReply(vectorDifference(stale, global), 0)
      return asReply(new Float64Array(global.length), 0)
    }

    const reply = fitResultSchema.safeParse(await honest.handle(instruction))
    if (!reply.success) return { type: 'error', clientId, message: 'local training failed' }
    if (attack.definition.kind === 'data' && attack.name !== 'backdoor') return reply.data
    const own =
      instruction.mode === 'params'
        ? vectorDifference(reply.data.vector, global)
        : reply.data.vector
    const view = p.adversary?.view(instruction.round)
    const crafted = craftUpdate(
      attack,
      {
        own,
        ...(view ? { honest: view.honest } : {}),
        participants: view?.participants ?? 1,
        attackers: view?.attackers ?? 1,
      },
      rngFor('craft', instruction.round),
    )
    return asReply(crafted, reply.data.trainLoss, reply.data.controlDelta)
  })
}

function add(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length)
  for (let j = 0; j < a.length; j++) out[j] = a[j]! + b[j]!
  return out
}
