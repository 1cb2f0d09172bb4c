import { MsflError } from '../../core/errors/msflError.ts'
import type { TransportStats } from '../../core/ports/transport.ts'
import { acceptanceThreshold } from '../../core/smpc/acceptanceThreshold.ts'
import { decodeFixedPoint } from '../../core/smpc/fixedPoint.ts'
import type { MajorityVerdict } from '../../core/smpc/majorityOutcome.ts'
import { ringFromWire } from '../../core/smpc/ring64.ts'
import type { VerificationPlan } from '../../core/smpc/verificationPlan.ts'

/** The verifier nodes' verdict on one submitted model. */
export interface SmpcModelVerdict {
  readonly clientId: string
  readonly numExamples: number
  /** Correctly classified validation samples, as the majority of nodes opened it. */
  readonly correct: number
  readonly samples: number
  readonly accuracy: number
  readonly parametersInRange: number
  readonly parameters: number
  readonly accepted: boolean
  /** Why the model was excluded (absent when accepted). */
  readonly reason?: string
}

/** Something the runtime can turn into an event or a log line. */
export interface SmpcNotice {
  readonly kind: 'model-excluded' | 'node-outvoted' | 'no-model-accepted'
  /** The client or node concerned. */
  readonly subject: string
  readonly message: string
}

/** Messages and bytes the SMPC verification moved. */
export interface SmpcTraffic extends TransportStats {
  readonly participant: string
  readonly role: 'node' | 'dealer' | 'coordinator' | 'owner'
}

/**
 * The outcome of SMPC verification: the verdict on every model, the aggregate of the accepted ones,
 * notices and traffic.
 */
export interface SmpcVerificationResult {
  readonly session: string
  readonly models: readonly SmpcModelVerdict[]
  readonly accepted: readonly string[]
  readonly excluded: readonly { readonly clientId: string; readonly reason: string }[]
  /** Example-weighted mean of the accepted models (decoded); undefined when none passed. */
  readonly globalParams?: Float64Array
  /** |globalParams − plaintext FedAvg| ≤ this per parameter (fixed-point rounding, 2^−(f+1)). */
  readonly aggregateErrorBound: number
  /** Largest |parameter| a model may have to be verifiable: 2^(B − f). */
  readonly weightBound: number
  readonly nodes: readonly { readonly nodeId: string; readonly agrees: boolean }[]
  readonly outvoted: readonly string[]
  /** Bytes each participant sent (requests) and received (replies) over its own transport. */
  readonly traffic: readonly SmpcTraffic[]
  readonly notices: readonly SmpcNotice[]
}

/** Turns the nodes' agreed outcome into per-model verdicts, the decoded aggregate and notices. */
export function summariseVerification(p: {
  readonly session: string
  readonly verdict: MajorityVerdict
  readonly nodeIds: readonly string[]
  readonly models: readonly { readonly clientId: string; readonly numExamples: number }[]
  readonly plan: VerificationPlan
  readonly threshold: number
  readonly drop: number
  readonly fractionBits: number
  readonly weightBoundBits: number
  readonly traffic: readonly SmpcTraffic[]
}): SmpcVerificationResult {
  const { agreed } = p.verdict
  const samples = p.plan.shape.samples
  const parameters = p.plan.paramsPerModel
  const weightBound = 2 ** (p.weightBoundBits - p.fractionBits)
  if (agreed.aggregate.length !== 2 * parameters)
    throw new MsflError(
      'PROTOCOL',
      `the agreed aggregate has ${agreed.aggregate.length / 2} parameters, not ${parameters}`,
    )
  const notices: SmpcNotice[] = []
  const floor = acceptanceThreshold(
    p.models.map((_, i) => agreed.correct[i]! / samples),
    p.threshold,
    p.drop,
  )
  const verdicts = p.models.map((m, i): SmpcModelVerdict => {
    const correct = agreed.correct[i]!
    const inRange = agreed.inRange[i]!
    const accuracy = correct / samples
    let reason: string | undefined
    if (inRange !== parameters)
      reason = `${parameters - inRange} of ${parameters} parameters outside the verifiable range |w| < ${weightBound}`
    else if (accuracy < floor)
      reason = `accuracy ${accuracy.toFixed(4)} below the threshold ${floor.toFixed(4)}${floor > p.threshold ? ` (the round's median accuracy − ${p.drop})` : ''}`
    // The nodes applied the same rule; a majority that did not is not to be trusted.
    if ((reason === undefined) !== agreed.accepted[i])
      throw new MsflError(
        'PROTOCOL',
        `the nodes' decision on ${m.clientId} contradicts their own counts`,
      )
    if (reason !== undefined)
      notices.push({
        kind: 'model-excluded',
        subject: m.clientId,
        message: `model of ${m.clientId} excluded by SMPC verification: ${reason}`,
      })
    return {
      clientId: m.clientId,
      numExamples: m.numExamples,
      correct,
      samples,
      accuracy,
      parametersInRange: inRange,
      parameters,
      accepted: reason === undefined,
      ...(reason !== undefined ? { reason } : {}),
    }
  })
  for (const node of p.verdict.outvoted)
    notices.push({
      kind: 'node-outvoted',
      subject: node,
      message: `verifier ${node} reported an outcome the majority (${p.verdict.agreeing.join(', ')}) did not`,
    })
  const accepted = verdicts.filter((v) => v.accepted)
  const totalExamples = accepted.reduce((s, v) => s + v.numExamples, 0)
  if (accepted.length === 0)
    notices.push({
      kind: 'no-model-accepted',
      subject: p.session,
      message: `no model reached the accuracy threshold ${p.threshold}: no aggregate this round`,
    })
  return {
    session: p.session,
    models: verdicts,
    accepted: accepted.map((v) => v.clientId),
    excluded: verdicts.flatMap((v) =>
      v.reason ? [{ clientId: v.clientId, reason: v.reason }] : [],
    ),
    ...(accepted.length > 0
      ? {
          globalParams: decodeFixedPoint(
            ringFromWire(agreed.aggregate),
            p.fractionBits,
            totalExamples,
          ),
        }
      : {}),
    aggregateErrorBound: 2 ** -(p.fractionBits + 1),
    weightBound,
    nodes: p.nodeIds.map((nodeId) => ({ nodeId, agrees: p.verdict.agreeing.includes(nodeId) })),
    outvoted: p.verdict.outvoted,
    traffic: p.traffic,
    notices,
  }
}
