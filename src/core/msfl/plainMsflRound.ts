import type { Dataset } from '../data/dataset.ts'
import type { RobustRule } from '../robust/robustRule.ts'
import type { BlockLayout } from './blockLayout.ts'
import { plaintextLogisticGradient } from './encryptedGradient.ts'
import { headLabels, type MsflModelShape } from './msflModel.ts'
import { selectScreened } from './selectContributions.ts'

export interface PlainOwnerRound {
  readonly data: Dataset
  readonly rows: ArrayLike<number>
}

/** Every owner's gradient with the protocol's arithmetic (cubic sigmoid, same batch), all heads concatenated. */
export function plainOwnerGradients(
  weights: readonly Float64Array[],
  owners: readonly PlainOwnerRound[],
  layout: BlockLayout,
  shape: MsflModelShape,
): Float64Array[] {
  return owners.map(({ data, rows }) => {
    const out = new Float64Array(layout.components * shape.heads)
    for (let head = 0; head < shape.heads; head++) {
      const y = headLabels(data, rows, shape, head)
      out.set(
        plaintextLogisticGradient(weights[head]!, layout, { x: data.x, d: data.d, y, rows }),
        head * layout.components,
      )
    }
    return out
  })
}

/** Σ of the selected owners' values per component divided by their number (A_j / |S_j|). */
export function selectedMean(
  gradients: readonly Float64Array[],
  selected: Uint8Array,
): Float64Array {
  const t = gradients.length
  const components = gradients[0]!.length
  return Float64Array.from({ length: components }, (_, j) => {
    let sum = 0
    let count = 0
    for (let i = 0; i < t; i++)
      if (selected[j * t + i] === 1) {
        sum += gradients[i]![j]!
        count += 1
      }
    return count > 0 ? sum / count : 0
  })
}

/** G ← (1 − ηλ)G − η·gradient, per head. */
export function applyMsflStep(
  weights: readonly Float64Array[],
  gradient: Float64Array,
  components: number,
  eta: number,
  lambda: number,
): Float64Array[] {
  return weights.map((w, head) =>
    w.map((v, j) => (1 - eta * lambda) * v - eta * gradient[head * components + j]!),
  )
}

/**
 * One MS-FL round computed in plaintext: the same gradients, the same per-component
 * selection and the same update as the encrypted protocol, without encryption or
 * masks. It is the yardstick for the CKKS error and for "encrypted vs plaintext".
 */
const never = () => false

export function plainMsflRound(
  weights: readonly Float64Array[],
  owners: readonly PlainOwnerRound[],
  layout: BlockLayout,
  shape: MsflModelShape,
  options: {
    readonly rule: RobustRule
    readonly f: number
    /** k: a component selected by fewer owners gets no update, as in the protocol. */
    readonly minOwners: number
    readonly learningRate: number
    readonly weightDecay: number
    /** Owners (by index) the detection stage set aside this round. */
    readonly setAside?: (owner: number) => boolean
  },
): { weights: Float64Array[]; gradient: Float64Array; selected: Uint8Array } {
  const gradients = plainOwnerGradients(weights, owners, layout, shape)
  const selected = selectScreened(
    options.rule,
    gradients,
    options.f,
    options.setAside ?? never,
    options.minOwners,
  )
  const gradient = selectedMean(gradients, selected)
  return {
    weights: applyMsflStep(
      weights,
      gradient,
      layout.components,
      options.learningRate,
      options.weightDecay,
    ),
    gradient,
    selected,
  }
}
