import { beaverLogits, type SharedLogits } from './beaverLogits.ts'
import { finishLogits } from './finishLogits.ts'
import type { ProtocolRun } from './protocolStep.ts'
import {
  type RingVector,
  ringAddConstantInto,
  ringAddSmallAt,
  ringNegate,
  ringSlice,
  ringSub,
  ringZeros,
} from './ring64.ts'
import { multiplyPublicByRing, multiplyRingScalar } from './ringLimbProducts.ts'
import { accuracyGroup, rangeGroup } from './verificationPlan.ts'
import type { PublicValidation, VerifierInputs } from './verifierInputs.ts'

/**
 * This node's shares of every value whose sign the batch tests (a value < 0 means
 * "check passed"), laid out as the comparison plan says:
 * - accuracy of softmax model m, block c, sample i: z'_c − z'_y − [c = y], negative iff
 *   c = y or the true class y beats c (so the AND over c says "predicted y");
 * - accuracy of logistic model m, sample i: (1 − 2y)·z − y, negative iff the prediction
 *   [z ≥ 0] equals y;
 * - range of model m, parameter j: w_j − 2^B and −w_j − 2^B − 1, both negative iff
 *   −2^B ≤ w_j < 2^B.
 * With public data everything here is local; secret data takes two Beaver rounds.
 */
export function* secureComparisonValues(inputs: VerifierInputs): ProtocolRun<RingVector> {
  const { plan, party, validation } = inputs
  const { samples: n, outputDim: k, kind } = plan.shape
  const first = party.index === 0
  const values = ringZeros(plan.comparisons.values)

  const { logits, selected } =
    validation.mode === 'secret' ? yield* beaverLogits(inputs) : publicLogits(inputs, validation)

  logits.forEach((z, m) => {
    const group = plan.comparisons.groups[accuracyGroup(m)]!
    const base = 32 * group.wordOffset
    const blockLength = 32 * group.wordsPerBlock
    const sel = selected[m]!
    let compared: RingVector
    if (kind === 'logistic') {
      // z − 2·(y ⊙ z) − y
      compared = ringSub(z, multiplyRingScalar(sel, 2n))
    } else {
      // z'_c − Σ_c (y ⊙ z')_c, then − y_c below
      const truth = ringZeros(n * k)
      for (let i = 0; i < n; i++) {
        let lo = 0
        let hi = 0
        for (let c = 0; c < k; c++) {
          lo += sel[2 * (i * k + c)]!
          hi = (hi + sel[2 * (i * k + c) + 1]!) >>> 0
        }
        const carry = Math.floor(lo / 4294967296)
        for (let c = 0; c < k; c++) {
          truth[2 * (i * k + c)] = lo - carry * 4294967296
          truth[2 * (i * k + c) + 1] = hi + carry
        }
      }
      compared = ringSub(z, truth)
    }
    if (validation.mode === 'secret') compared = ringSub(compared, validation.labels)
    else if (first)
      for (let i = 0; i < n; i++) {
        const y = validation.labels[i]!
        if (kind === 'logistic') ringAddSmallAt(compared, i, -y)
        else ringAddSmallAt(compared, i * k + y, -1)
      }
    // Sample-major (n × k) to class-major blocks.
    for (let i = 0; i < n; i++)
      for (let c = 0; c < k; c++) {
        const to = 2 * (base + c * blockLength + i)
        values[to] = compared[2 * (i * k + c)]!
        values[to + 1] = compared[2 * (i * k + c) + 1]!
      }
  })

  const bound = 2n ** BigInt(inputs.weightBoundBits)
  inputs.modelShares.forEach((w, m) => {
    const group = plan.comparisons.groups[rangeGroup(m)]!
    const base = 32 * group.wordOffset
    const blockLength = 32 * group.wordsPerBlock
    const below = Uint32Array.from(w)
    const above = ringNegate(w)
    if (first) {
      ringAddConstantInto(below, below, -bound)
      ringAddConstantInto(above, above, -bound - 1n)
    }
    values.set(below, 2 * base)
    values.set(above, 2 * (base + blockLength))
  })
  return values
}

/** Logits on public data: local products, and the true class's logit picked by its public label. */
function publicLogits(inputs: VerifierInputs, validation: PublicValidation): SharedLogits {
  const { plan, party } = inputs
  const { samples: n, inputDim: d, outputDim: k, kind } = plan.shape
  const logits = inputs.modelShares.map((share) =>
    finishLogits(
      party,
      multiplyPublicByRing(validation.x, ringSlice(share, 0, d * k), n, d, k),
      ringSlice(share, d * k, k),
      n,
      kind,
      inputs.fractionBits,
    ),
  )
  const selected = logits.map((z) => {
    const out = ringZeros(n * k)
    for (let i = 0; i < n; i++) {
      // Logistic: y ⊙ z is z where y = 1; softmax: the true class's entry.
      if (k === 1 && validation.labels[i] === 0) continue
      const q = i * k + (k === 1 ? 0 : validation.labels[i]!)
      out[2 * q] = z[2 * q]!
      out[2 * q + 1] = z[2 * q + 1]!
    }
    return out
  })
  return { logits, selected }
}
