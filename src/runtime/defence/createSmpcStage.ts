import type { Dataset } from '../../core/data/dataset.ts'
import { createRunEmitter } from '../../core/events/createRunEmitter.ts'
import type { EventSink } from '../../core/events/runEvent.ts'
import type { Model } from '../../core/model/model.ts'
import type { MessageHandler, Transport } from '../../core/ports/transport.ts'
import type { Rng } from '../../core/rng/rng.ts'
import type { VerifyConfig } from '../../core/verification/parseVerifySpec.ts'
import type { RoundStages } from '../roundStages.ts'
import { verifyAndAggregate } from '../smpc/verifyAndAggregate.ts'

export interface SmpcStageParameters {
  readonly runId: string
  readonly config: VerifyConfig
  readonly model: Model
  readonly validation: Dataset
  /** Shares, masks and triples: the CSPRNG. */
  readonly rng: () => Rng
  readonly createTransport: (handlers: ReadonlyMap<string, MessageHandler>) => Transport
  /** The verifier nodes are processes the transport reaches (see verifyAndAggregate). */
  readonly remoteNodes?: boolean
  readonly emit: EventSink
  readonly now: () => number
}

/** What the verifier nodes decided in one round. */
export interface SmpcRoundRecord {
  readonly round: number
  /** Validation accuracy of each local model, as the majority of nodes opened it. */
  readonly accuracy: Readonly<Record<string, number>>
  readonly excluded: readonly { readonly clientId: string; readonly reason: string }[]
  readonly outvoted: readonly string[]
  /** Bytes all SMPC participants sent in the round. */
  readonly bytes: number
}

export interface SmpcStage extends Pick<RoundStages, 'aggregate'> {
  rounds(): readonly SmpcRoundRecord[]
}

/**
 * Seed 001's verification as the aggregation stage: every accepted local model is
 * secret-shared among the verifier nodes, which compute its validation accuracy on the
 * shares (only the accuracy is opened), drop models below the threshold (the larger of
 * the absolute floor and the round's median accuracy minus `drop`), and open the
 * example-weighted sum of the verified shares: that is the new global model. The
 * nodes' results are decided by majority; an outvoted node is reported.
 */
export function createSmpcStage(p: SmpcStageParameters): SmpcStage {
  const event = createRunEmitter(p)
  const records: SmpcRoundRecord[] = []
  return {
    async aggregate(round, params, accepted) {
      const result = await verifyAndAggregate({
        models: accepted.map((r) => ({
          clientId: r.clientId,
          params: r.vector,
          numExamples: r.numExamples,
        })),
        model: p.model.spec,
        validation: p.validation,
        validationVisibility: p.config.validation,
        threshold: p.config.threshold,
        drop: p.config.drop,
        nodes: p.config.nodes,
        rng: p.rng(),
        session: `${p.runId}-round-${round}`,
        makeTransport: p.createTransport,
        ...(p.remoteNodes ? { remoteNodes: true } : {}),
      })
      for (const verdict of result.models)
        event('model-verified', {
          round,
          clientId: verdict.clientId,
          accuracy: verdict.accuracy,
          accepted: verdict.accepted,
          ...(verdict.reason === undefined ? {} : { reason: verdict.reason }),
        })
      for (const nodeId of result.outvoted) event('verifier-outvoted', { round, nodeId })
      records.push({
        round,
        accuracy: Object.fromEntries(result.models.map((m) => [m.clientId, m.accuracy])),
        excluded: result.excluded,
        outvoted: result.outvoted,
        bytes: result.traffic.reduce((sum, t) => sum + t.bytesSent, 0),
      })
      return {
        // No model passed: the global model stays as it was.
        params: result.globalParams ?? Float64Array.from(params),
        excluded: result.excluded.map((e) => e.clientId),
      }
    },
    rounds: () => [...records],
  }
}
