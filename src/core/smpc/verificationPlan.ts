import { MsflError } from '../errors/msflError.ts'
import { RING_BITS } from './bitPlanes.ts'
import { type ComparisonPlan, planComparisons } from './comparisonPlan.ts'
import type { OpeningPhase } from './protocolStep.ts'

/**
 * Everything public about one verification session that fixes its shape: what the
 * dealer must deal, what each node consumes, and the exact sequence of openings, so a
 * node can check the size of a peer's share the moment it arrives.
 */
export interface VerificationShape {
  readonly kind: 'softmax' | 'logistic'
  readonly inputDim: number
  /** Classes for softmax, 1 for logistic. */
  readonly outputDim: number
  readonly samples: number
  readonly models: number
  /** Public: every node holds the validation set. Secret: its owner secret-shares it. */
  readonly validation: 'public' | 'secret'
}

/** Sizes of the Beaver triples for secret validation data (see BeaverMaterial). */
export interface BeaverShape {
  readonly samples: number
  readonly inputDim: number
  readonly outputDim: number
  readonly models: number
}

export interface OpeningSlot {
  readonly phase: OpeningPhase
  readonly kind: 'ring' | 'bits'
  /** Ring elements for 'ring', 32-bit words for 'bits'. */
  readonly length: number
}

export interface VerificationPlan {
  readonly shape: VerificationShape
  /** (inputDim + 1)·outputDim: weights [inputDim][outputDim] then biases. */
  readonly paramsPerModel: number
  /** Check groups: 2m is model m's accuracy, 2m + 1 its parameter range check. */
  readonly comparisons: ComparisonPlan
  readonly beaver?: BeaverShape
  readonly openings: readonly OpeningSlot[]
}

export const MAX_SAMPLES = 2 ** 20
export const MAX_INPUT_DIM = 2 ** 19
export const MAX_MODELS = 1000

export function accuracyGroup(model: number): number {
  return 2 * model
}
export function rangeGroup(model: number): number {
  return 2 * model + 1
}

function checkInteger(value: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new MsflError(
      'CONFIG_INVALID',
      `${what} must be an integer in ${min}..${max}, got ${value}`,
    )
}

export function planVerification(shape: VerificationShape): VerificationPlan {
  if (shape.kind !== 'softmax' && shape.kind !== 'logistic')
    throw new MsflError('CONFIG_INVALID', `SMPC verification cannot evaluate a ${shape.kind} model`)
  checkInteger(shape.inputDim, 1, MAX_INPUT_DIM, 'inputDim')
  if (shape.kind === 'softmax') checkInteger(shape.outputDim, 2, 1000, 'softmax classes')
  else checkInteger(shape.outputDim, 1, 1, 'logistic outputDim')
  checkInteger(shape.samples, 1, MAX_SAMPLES, 'validation samples')
  checkInteger(shape.models, 1, MAX_MODELS, 'models')
  const { inputDim: d, outputDim: k, samples: n, models } = shape
  const paramsPerModel = (d + 1) * k
  const groups = []
  for (let m = 0; m < models; m++) {
    groups.push({ blocks: shape.kind === 'softmax' ? k : 1, length: n })
    groups.push({ blocks: 2, length: paramsPerModel })
  }
  const comparisons = planComparisons(groups)
  const openings: OpeningSlot[] = []
  let beaver: BeaverShape | undefined
  if (shape.validation === 'secret') {
    beaver = { samples: n, inputDim: d, outputDim: k, models }
    // Data, labels and every model's weights are masked and opened together.
    openings.push({ phase: 'beaver-inputs', kind: 'ring', length: n * d + n * k + models * d * k })
    openings.push({ phase: 'beaver-labels', kind: 'ring', length: models * n * k })
  }
  openings.push({ phase: 'mask', kind: 'ring', length: comparisons.values })
  for (const gates of comparisons.borrowGates)
    openings.push({ phase: 'borrow', kind: 'bits', length: 2 * gates * comparisons.words })
  for (const words of comparisons.blockLevelWords)
    openings.push({ phase: 'block-and', kind: 'bits', length: 2 * words })
  openings.push({ phase: 'dabit', kind: 'bits', length: comparisons.resultWords })
  openings.push({ phase: 'count', kind: 'ring', length: comparisons.groups.length })
  openings.push({ phase: 'aggregate', kind: 'ring', length: paramsPerModel })
  return { shape, paramsPerModel, comparisons, ...(beaver ? { beaver } : {}), openings }
}

/** Length of every field of one node's material, as 32-bit words (ring elements count 2). */
export function materialWords(plan: VerificationPlan): Record<string, number> {
  const c = plan.comparisons
  const sizes: Record<string, number> = {
    maskRing: 2 * c.values,
    maskPlanes: RING_BITS * c.words,
    andA: c.andWords,
    andB: c.andWords,
    andC: c.andWords,
    daBitWords: c.resultWords,
    daBitRing: 2 * 32 * c.resultWords,
  }
  const b = plan.beaver
  if (b) {
    sizes['matrixA'] = 2 * b.samples * b.inputDim
    sizes['matrixB'] = 2 * b.models * b.inputDim * b.outputDim
    sizes['matrixC'] = 2 * b.models * b.samples * b.outputDim
    sizes['labelA'] = 2 * b.samples * b.outputDim
    sizes['labelB'] = 2 * b.models * b.samples * b.outputDim
    sizes['labelC'] = 2 * b.models * b.samples * b.outputDim
  }
  return sizes
}
