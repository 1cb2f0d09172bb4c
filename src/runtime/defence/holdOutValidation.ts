import type { Dataset, DatasetSplit } from '../../core/data/dataset.ts'
import { stratifiedSplit } from '../../core/data/stratifiedSplit.ts'
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
  if (defences === undefined && !forAggregator) return { data }
  const rows = defences?.verify?.samples ?? DEFAULT_VALIDATION_ROWS
  const share = Math.min(MAX_VALIDATION_SHARE, rows / data.train.n)
  const { train, test } = stratifiedSplit(
    data.train,
    share,
    createSeededRng(deriveSeed(seed, 'validation')),
  )
  return {
    data: { ...data, train },
    validation: { ...test, name: `${data.train.name} validation` },
  }
}
