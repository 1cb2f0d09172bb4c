import { mapFitReplies } from '../fl/mapFitReplies.ts'
import type { MessageHandler } from '../ports/transport.ts'
import type { Rng } from '../rng/rng.ts'
import type { ClientLevelDp } from './clientLevelDp.ts'

/**
 * The client-side half of client-level DP, as a wrapper ("mod") around any honest
 * training client: it trains as usual, then replaces its parameters θᵢ by
 * θ + privatize(θᵢ − θ) (clip to S, plus its noise share with distributed noise) and
 * reports numExamples 1 and trainLoss 0, so that a weighted sum downstream (FedAvg, a
 * secure-aggregation protection) is the plain sum whose sensitivity is S and neither the
 * row count nor the loss of the client leaks. Other replies pass through unchanged.
 * `rng` is the client's own (a CSPRNG unless the DP options say simulation).
 */
export function wrapClientLevelDp(
  inner: MessageHandler,
  clientDp: ClientLevelDp,
  rng: Rng,
): MessageHandler {
  return mapFitReplies(inner, (instruction, fit) => {
    const global = instruction.params
    if (fit.kind !== 'params' || fit.vector.length !== global.length) return undefined
    const delta = new Float64Array(global.length)
    for (let j = 0; j < global.length; j++) delta[j] = fit.vector[j]! - global[j]!
    const noisy = clientDp.privatizeUpdate(delta, rng)
    const vector = new Float64Array(global.length)
    for (let j = 0; j < global.length; j++) vector[j] = global[j]! + noisy[j]!
    return { ...fit, vector, numExamples: 1, trainLoss: 0 }
  })
}
