import { MsflError } from '../errors/msflError.ts'
import { fixedPointIntegers } from './fixedPoint.ts'
import type { Party } from './protocolStep.ts'
import type { SetupMessage } from './smpcMessages.ts'
import { planVerification, type VerificationPlan } from './verificationPlan.ts'
import type { PublicValidation } from './verifierInputs.ts'
import { maxRowAbsSum, weightBoundBits } from './weightBoundBits.ts'

/** What a node derives from the public setup, identically on every node. */
export interface VerifierSession {
  readonly setup: SetupMessage
  readonly plan: VerificationPlan
  readonly party: Party
  readonly weightBoundBits: number
  readonly publicValidation?: PublicValidation
}

/** Checks a parsed smpc-setup against itself and the receiving node, and derives the session. */
export function sessionFromSetup(setup: SetupMessage, nodeId: string): VerifierSession {
  const fail = (why: string): never => {
    throw new MsflError('PROTOCOL', `${nodeId}: smpc-setup ${why}`)
  }
  if (new Set(setup.nodes).size !== setup.nodes.length) fail('lists a node twice')
  if (setup.nodes[setup.nodeIndex] !== nodeId)
    fail(`names ${JSON.stringify(setup.nodes[setup.nodeIndex])} at this node's index`)
  if (new Set(setup.models.map((m) => m.clientId)).size !== setup.models.length)
    fail('lists a model owner twice')
  const { kind, inputDim: d, outputDim: k } = setup.model
  const validation = setup.validation
  const n = validation.samples
  let plan: VerificationPlan
  try {
    plan = planVerification({
      kind,
      inputDim: d,
      outputDim: k,
      samples: n,
      models: setup.models.length,
      validation: validation.mode,
    })
  } catch (cause) {
    throw new MsflError('PROTOCOL', `${nodeId}: smpc-setup: ${(cause as Error).message}`, { cause })
  }
  const totalExamples = setup.models.reduce((s, m) => s + m.numExamples, 0)
  if (totalExamples > 2 ** 53) fail('has more examples than can be counted exactly')

  let publicValidation: PublicValidation | undefined
  let rowBound: number
  if (validation.mode === 'public') {
    if (validation.x.length !== n * d) fail(`has ${validation.x.length} features for ${n} × ${d}`)
    if (validation.y.length !== n) fail(`has ${validation.y.length} labels for ${n} samples`)
    for (let i = 0; i < validation.x.length; i++)
      if (!Number.isFinite(validation.x[i]!)) fail(`has a non-finite feature at ${i}`)
    const x = fixedPointIntegers(validation.x, setup.fractionBits)
    const labels = new Int32Array(n)
    for (let i = 0; i < n; i++) {
      const y = validation.y[i]!
      if (kind === 'logistic') {
        if (!Number.isFinite(y)) fail(`has a non-finite label at ${i}`)
        labels[i] = y >= 0.5 ? 1 : 0
      } else {
        if (!Number.isInteger(y) || y < 0 || y >= k) fail(`has label ${y} outside 0..${k - 1}`)
        labels[i] = y
      }
    }
    rowBound = maxRowAbsSum(x, n, d)
    // multiplyPublicByRing sums |x|·2^16 exactly in doubles.
    if (rowBound * 65536 >= 2 ** 53)
      fail(`rows sum to ${rowBound} in fixed point: too large (use fewer fraction bits)`)
    publicValidation = { mode: 'public', x, labels }
  } else {
    rowBound = validation.rowBound
  }
  let bound: number
  try {
    bound = weightBoundBits({
      kind,
      outputDim: k,
      dataRowBound: rowBound,
      fractionBits: setup.fractionBits,
      totalExamples,
    })
  } catch (cause) {
    throw new MsflError('PROTOCOL', `${nodeId}: smpc-setup: ${(cause as Error).message}`, { cause })
  }
  return {
    setup,
    plan,
    party: { index: setup.nodeIndex, parties: setup.nodes.length },
    weightBoundBits: bound,
    ...(publicValidation ? { publicValidation } : {}),
  }
}
