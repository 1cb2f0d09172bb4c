import { type Dataset, type DatasetSplit, selectRows } from '../../core/data/dataset.ts'
import { stratifiedSplitRows } from '../../core/data/stratifiedSplit.ts'
import { createSeededRng, deriveSeed } from '../../core/rng/seededRng.ts'
import type { DefencePlan } from '../config/planRun.ts'

/** Validation rows the model requestor keeps for ADRM's model manager when SMPC does not set them. */
export const DEFAULT_VALIDATION_ROWS = 1000
/** Never hold back more than this share of the training rows. */
const MAX_VALIDATION_SHARE = 0.2

/**
 * The model requestor's validation set for `--defence` and `--verify`, and FLTrust's clean
 * root data (`forAggregator`): a stratified sample of the training rows that no data owner
 * gets (the test set stays untouched, so reported accuracy is not tuned on). Without any of
 * them the data is unchanged.
 */
export function holdOutValidation(
  defences: DefencePlan | undefined,
  seed: number,
  data: DatasetSplit,
  forAggregator = false,
): { data: DatasetSplit; validation?: Dataset } {
  const kept = ownerTrainingRows(defences, seed, data.train, forAggregator)
  if (kept === undefined) return { data }
  return {
    data: { ...data, train: selectRows(data.train, kept.trainRows) },
    validation: { ...selectRows(data.train, kept.testRows), name: `${data.train.name} validation` },
  }
}

/**
 * The training rows left to the data owners (`trainRows`) and the validation rows the
 * model requestor holds back (`testRows`), as indices into `train`, or undefined when the
 * job has no defence that needs validation rows. A deployment splits the owners' files with
 * it, so each owner holds exactly the rows its simulated twin trains on.
 */
export function ownerTrainingRows(
  defences: DefencePlan | undefined,
  seed: number,
  train: Dataset,
  /** FLTrust: the aggregator's clean root data are held back the same way. */
  forAggregator = false,
): { readonly trainRows: readonly number[]; readonly testRows: readonly number[] } | undefined {
  if (defences === undefined && !forAggregator) return undefined
  const rows = defences?.verify?.samples ?? DEFAULT_VALIDATION_ROWS
  const share = Math.min(MAX_VALIDATION_SHARE, rows / train.n)
  return stratifiedSplitRows(train, share, createSeededRng(deriveSeed(seed, 'validation')))
}
