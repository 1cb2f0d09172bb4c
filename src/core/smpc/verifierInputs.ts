import type { NodeMaterial } from './nodeMaterial.ts'
import type { Party } from './protocolStep.ts'
import type { RingVector } from './ring64.ts'
import type { VerificationPlan } from './verificationPlan.ts'

/** Everything one verifier node holds when the protocol starts. */
export interface VerifierInputs {
  readonly party: Party
  readonly plan: VerificationPlan
  readonly fractionBits: number
  /** B of weightBoundBits.ts: encoded parameters must lie in [−2^B, 2^B). */
  readonly weightBoundBits: number
  /** Minimum accuracy (fraction of validation samples) a model needs to be aggregated. */
  readonly threshold: number
  /** …and at least the median opened accuracy minus this (acceptanceThreshold). */
  readonly drop: number
  /** Public example counts, the FedAvg weights, one per model. */
  readonly numExamples: readonly number[]
  /** This node's share of every model's encoded parameters, in plan order. */
  readonly modelShares: readonly RingVector[]
  readonly material: NodeMaterial
  readonly validation: PublicValidation | SecretValidation
}

/** The validation set every node sees: features encoded at 2^f, labels as class indices. */
export interface PublicValidation {
  readonly mode: 'public'
  /** n × d encoded integers round(x·2^f), held exactly in doubles. */
  readonly x: Float64Array
  /** Class index per sample (logistic: 0 or 1). */
  readonly labels: Int32Array
}

/** This node's shares of a validation set nobody but its owner sees. */
export interface SecretValidation {
  readonly mode: 'secret'
  /** n × d shares of the encoded features. */
  readonly x: RingVector
  /** n × outputDim shares: the one-hot label (softmax) or the 0/1 label (logistic). */
  readonly labels: RingVector
}
