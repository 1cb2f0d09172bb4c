import type { Dataset } from '../../core/data/dataset.ts'
import { applyFeatureScaling, rangeScaling } from '../../core/data/featureScaling.ts'
import { agreeFeatureScaling, announceFeatureScaling } from '../scaling/agreeFeatureScaling.ts'
import type { ServeFederationParameters } from './serveFederation.ts'

/**
 * The job's first step after the owners described their data: the feature scaling, agreed once
 * by secure aggregation (a resumed run takes the one its journal recorded), applied to the
 * provider's test rows and validation rows; an owner that joins later is given it too
 * (`onScalingKnown`).
 */
export async function scaleServerData(
  p: ServeFederationParameters,
  rows: readonly number[],
  byRanges: boolean,
): Promise<{ test: Dataset; validation: Dataset | undefined }> {
  const { runId, owners } = p
  const { basics } = p.plan
  let test = p.test
  let validation = p.verification?.validation ?? p.adrm?.validation
  let agreed = p.journal?.scaling
  // Client-level DP: no statistic of an owner's rows leaves it; everyone scales by the ranges.
  if (p.scaling && byRanges)
    return { test: applyFeatureScaling(test, p.scaling, rangeScaling(p.scaling)), validation }
  if (p.scaling && p.journal?.scaling) {
    test = applyFeatureScaling(test, p.scaling, p.journal.scaling)
    if (validation) validation = applyFeatureScaling(validation, p.scaling, p.journal.scaling)
  } else if (p.scaling && p.scaling.features.length > 0) {
    const agreement = await agreeFeatureScaling({
      session: `${runId}/feature-statistics`,
      transport: p.transport,
      owners,
      plan: p.scaling,
      maxRows: Math.max(...rows),
      threshold: Math.floor(owners.length / 2) + 1,
      crypto: p.crypto,
      stageTimeoutMs: basics.deadlineMs,
    })
    test = applyFeatureScaling(test, p.scaling, agreement.scaling)
    if (validation) validation = applyFeatureScaling(validation, p.scaling, agreement.scaling)
    await p.journal?.recordScaling(agreement.scaling)
    agreed = agreement.scaling
  }
  if (p.scaling && agreed) {
    const scaling = agreed
    p.onScalingKnown?.((owner) =>
      announceFeatureScaling(
        {
          session: `${runId}/feature-statistics`,
          transport: p.transport,
          owners: [owner],
          stageTimeoutMs: basics.deadlineMs,
        },
        scaling,
      ),
    )
  }
  return { test, validation }
}
