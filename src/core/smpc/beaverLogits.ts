import { MsflError } from '../errors/msflError.ts'
import { finishLogits } from './finishLogits.ts'
import type { ProtocolRun } from './protocolStep.ts'
import { type RingVector, ringAdd, ringAddInto, ringCount, ringSlice, ringSub } from './ring64.ts'
import { multiplyRingElementwise, multiplyRingMatrices } from './ringLimbProducts.ts'
import type { VerifierInputs } from './verifierInputs.ts'

export interface SharedLogits {
  /** Per model, n × k shares of the compared logits (tie-broken for softmax). */
  readonly logits: RingVector[]
  /** Per model, n × k shares of label ⊙ logits (the true class's logit, spread one-hot). */
  readonly selected: RingVector[]
}

/**
 * Logits of every model on secret-shared validation data, with Beaver triples.
 * X·W = (E + A)(F + B) with E = X − A and F = W − B opened, so
 * [X·W] = [C] + E·[B] + [A]·F + E·F (the public E·F added by party 0). E is opened
 * once for all models, since each model has its own fresh B_m; labels work the same way
 * element-wise. Two rounds: (data, labels, all weights masked) then (logits masked).
 * Every opened value is a secret minus an independent uniform mask, so uniform.
 */
export function* beaverLogits(inputs: VerifierInputs): ProtocolRun<SharedLogits> {
  const { plan, party, validation } = inputs
  const beaver = inputs.material.beaver
  if (validation.mode !== 'secret' || !beaver || !plan.beaver)
    throw new MsflError('PROTOCOL', 'Beaver evaluation needs secret validation data and triples')
  const { samples: n, inputDim: d, outputDim: k, models } = plan.beaver
  const first = party.index === 0
  const weights = inputs.modelShares.map((share) => ringSlice(share, 0, d * k))

  const masked = new Uint32Array(2 * (n * d + n * k + models * d * k))
  masked.set(ringSub(validation.x, beaver.matrixA), 0)
  masked.set(ringSub(validation.labels, beaver.labelA), 2 * n * d)
  for (let m = 0; m < models; m++) {
    const bm = ringSlice(beaver.matrixB, m * d * k, d * k)
    masked.set(ringSub(weights[m]!, bm), 2 * (n * d + n * k + m * d * k))
  }
  const opened = yield { phase: 'beaver-inputs', kind: 'ring', share: masked }
  const dataMask = ringSlice(opened, 0, n * d)
  const labelMask = ringSlice(opened, n * d, n * k)

  const logits: RingVector[] = []
  for (let m = 0; m < models; m++) {
    const bm = ringSlice(beaver.matrixB, m * d * k, d * k)
    const fm = ringSlice(opened, n * d + n * k + m * d * k, d * k)
    // Party 0 folds the public E·F into E·(B + F): one product instead of two.
    const product = multiplyRingMatrices(dataMask, first ? ringAdd(bm, fm) : bm, n, d, k)
    ringAddInto(product, product, multiplyRingMatrices(beaver.matrixA, fm, n, d, k))
    ringAddInto(product, product, ringSlice(beaver.matrixC, m * n * k, n * k))
    const bias = ringSlice(inputs.modelShares[m]!, d * k, k)
    logits.push(finishLogits(party, product, bias, n, plan.shape.kind, inputs.fractionBits))
  }

  const maskedLogits = new Uint32Array(2 * models * n * k)
  for (let m = 0; m < models; m++)
    maskedLogits.set(ringSub(logits[m]!, ringSlice(beaver.labelB, m * n * k, n * k)), 2 * m * n * k)
  const openedLogits = yield { phase: 'beaver-labels', kind: 'ring', share: maskedLogits }
  if (ringCount(openedLogits) !== models * n * k)
    throw new MsflError('PROTOCOL', 'opened logits have the wrong length')

  const selected: RingVector[] = []
  for (let m = 0; m < models; m++) {
    const lb = ringSlice(beaver.labelB, m * n * k, n * k)
    const delta = ringSlice(openedLogits, m * n * k, n * k)
    const product = multiplyRingElementwise(labelMask, first ? ringAdd(lb, delta) : lb)
    ringAddInto(product, product, multiplyRingElementwise(beaver.labelA, delta))
    ringAddInto(product, product, ringSlice(beaver.labelC, m * n * k, n * k))
    selected.push(product)
  }
  return { logits, selected }
}
