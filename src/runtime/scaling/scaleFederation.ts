import type { Dataset } from '../../core/data/dataset.ts'
import {
  applyFeatureScaling,
  type FeatureScaling,
  type FeatureScalingPlan,
  rangeScaling,
} from '../../core/data/featureScaling.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { SecaggCrypto } from '../../core/ports/secaggCrypto.ts'
import type { MessageHandler, Transport } from '../../core/ports/transport.ts'
import { createScalingOwner, type StatisticsNoise } from '../../core/scaling/createScalingOwner.ts'
import { agreeFeatureScaling } from './agreeFeatureScaling.ts'

/** Where the agreed scaling came from. */
export type ScalingSource = 'secure-aggregation' | 'declared-ranges'

export interface ScaleFederationParameters {
  readonly runId: string
  /** Features still on their own scale; without a plan there is nothing to agree on. */
  readonly plan: FeatureScalingPlan | undefined
  /** Each owner's own rows, unscaled. */
  readonly owners: readonly { readonly id: string; readonly data: Dataset }[]
  /**
   * `ranges`: scale by the declared ranges, releasing no statistic (client-level DP);
   * `statistics`: the sum of the owners' statistics, by secure aggregation (a single
   * owner sends its own: there is no one to hide it among, as with its model updates).
   */
  readonly source: 'statistics' | 'ranges'
  /** Builds the transport between the requestor and the owners' scaling handlers. */
  readonly createTransport: (handlers: ReadonlyMap<string, MessageHandler>) => Transport
  /** The owners' and the requestor's secure-aggregation primitives. */
  readonly crypto: SecaggCrypto | undefined
  /** Sample-level DP: each owner's noise on its statistics (undefined: none). */
  readonly noise?: (clientId: string) => StatisticsNoise | undefined
  readonly stageTimeoutMs: number
}

export interface ScaledFederation {
  /** The agreed scaling (undefined when the dataset needed none). */
  readonly scaling?: FeatureScaling
  readonly source?: ScalingSource
  /** Every owner's rows under the agreed scaling, in the given order. */
  readonly owners: ReadonlyMap<string, Dataset>
  /** Applies the agreed scaling to the requestor's own rows (test, validation). */
  scale(data: Dataset): Dataset
}

/**
 * The job-level feature agreement of a simulation, on the same path a deployment takes:
 * every owner runs createScalingOwner behind the transport, the requestor runs
 * agreeFeatureScaling, and each owner's scaled rows are what it then trains on.
 */
export async function scaleFederation(p: ScaleFederationParameters): Promise<ScaledFederation> {
  const { plan } = p
  if (!plan || plan.features.length === 0)
    return { owners: new Map(p.owners.map((o) => [o.id, o.data])), scale: (data) => data }
  const scaleWith = (
    scaling: FeatureScaling,
    source: ScalingSource,
    owners: ReadonlyMap<string, Dataset>,
  ) => ({
    scaling,
    source,
    owners,
    scale: (data: Dataset) => applyFeatureScaling(data, plan, scaling),
  })
  if (p.source === 'ranges') {
    const scaling = rangeScaling(plan)
    const owners = new Map(p.owners.map((o) => [o.id, applyFeatureScaling(o.data, plan, scaling)]))
    return scaleWith(scaling, 'declared-ranges', owners)
  }
  if (!p.crypto)
    throw new MsflError(
      'CONFIG_INVALID',
      'dataset: its numeric features are standardised by secure aggregation, and this runner has no secure-aggregation crypto',
    )
  const session = `${p.runId}/feature-statistics`
  const handlers = new Map(
    p.owners.map((o) => {
      const noise = p.noise?.(o.id)
      return [
        o.id,
        createScalingOwner({
          clientId: o.id,
          data: o.data,
          plan,
          session,
          crypto: p.crypto!,
          soleOwner: p.owners.length === 1,
          ...(noise ? { noise } : {}),
        }),
      ] as const
    }),
  )
  const agreement = await agreeFeatureScaling({
    session,
    transport: p.createTransport(handlers),
    owners: p.owners.map((o) => o.id),
    plan,
    maxRows: Math.max(...p.owners.map((o) => o.data.n)),
    threshold: Math.floor(p.owners.length / 2) + 1,
    crypto: p.crypto,
    stageTimeoutMs: p.stageTimeoutMs,
  })
  const owners = new Map([...handlers].map(([id, owner]) => [id, owner.scaled()]))
  return scaleWith(agreement.scaling, 'secure-aggregation', owners)
}
