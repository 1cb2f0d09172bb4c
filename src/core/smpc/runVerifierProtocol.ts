import { MsflError } from '../errors/msflError.ts'
import { acceptanceThreshold } from './acceptanceThreshold.ts'
import { andAcrossBlocks } from './andAcrossBlocks.ts'
import { countSetBits } from './countSetBits.ts'
import { createAndTripleSource } from './nodeMaterial.ts'
import type { ProtocolRun } from './protocolStep.ts'
import { type RingVector, ringAddInto, ringGetSigned, ringZeros } from './ring64.ts'
import { multiplyRingScalar } from './ringLimbProducts.ts'
import { secureComparisonValues } from './secureComparisonValues.ts'
import { secureSignBits } from './secureSignBits.ts'
import { accuracyGroup, rangeGroup } from './verificationPlan.ts'
import type { VerifierInputs } from './verifierInputs.ts'

/** What every honest node ends with; the runner compares nodes' outcomes by majority. */
export interface VerifierOutcome {
  /** Correctly classified validation samples, per model. */
  readonly correct: readonly number[]
  /** Parameters inside [−2^B, 2^B), per model (a model passes only with all of them). */
  readonly inRange: readonly number[]
  readonly accepted: readonly boolean[]
  /** Σ over accepted models of numExamples·params, encoded (opened, so public). */
  readonly aggregate: RingVector
}

/**
 * One verifier node's whole protocol: compared values → sign bits → AND across blocks
 * → counts, then the FedAvg numerator of the accepted models. What is opened, in
 * order: masked inputs (secret data only), masked values c, AND-gate masks, daBit
 * masks — all uniformly random — then the per-model counts and the aggregate, the only
 * values meant to be revealed.
 */
export function* runVerifierProtocol(inputs: VerifierInputs): ProtocolRun<VerifierOutcome> {
  const { party, plan, material } = inputs
  const triples = createAndTripleSource(material)
  const values = yield* secureComparisonValues(inputs)
  const signs = yield* secureSignBits(
    party,
    values,
    material.maskRing,
    material.maskPlanes,
    triples,
  )
  const passed = yield* andAcrossBlocks(party, triples, plan.comparisons, signs)
  const countShares = yield* countSetBits(
    party,
    plan.comparisons,
    passed,
    material.daBitWords,
    material.daBitRing,
  )
  if (triples.remaining() !== 0)
    throw new MsflError('PROTOCOL', `${triples.remaining()} AND-triple words left unused`)
  const opened = yield { phase: 'count', kind: 'ring', share: countShares }

  const models = plan.shape.models
  const count = (group: number, most: number) => {
    const value = ringGetSigned(opened, group)
    // Out of range only if some node broke the protocol: fail rather than guess.
    if (value < 0n || value > BigInt(most))
      throw new MsflError(
        'PROTOCOL',
        `opened count ${value} is outside 0..${most}: the nodes' shares are inconsistent`,
      )
    return Number(value)
  }
  const correct: number[] = []
  const inRange: number[] = []
  const accepted: boolean[] = []
  for (let m = 0; m < models; m++) {
    correct.push(count(accuracyGroup(m), plan.shape.samples))
    inRange.push(count(rangeGroup(m), plan.paramsPerModel))
  }
  const floor = acceptanceThreshold(
    correct.map((c) => c / plan.shape.samples),
    inputs.threshold,
    inputs.drop,
  )
  for (let m = 0; m < models; m++)
    accepted.push(inRange[m] === plan.paramsPerModel && correct[m]! / plan.shape.samples >= floor)

  const sum = ringZeros(plan.paramsPerModel)
  for (let m = 0; m < models; m++)
    if (accepted[m])
      ringAddInto(
        sum,
        sum,
        multiplyRingScalar(inputs.modelShares[m]!, BigInt(inputs.numExamples[m]!)),
      )
  const aggregate = yield { phase: 'aggregate', kind: 'ring', share: sum }
  return { correct, inRange, accepted, aggregate }
}
