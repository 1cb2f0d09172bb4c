import type { Dataset, DatasetSplit } from '../../core/data/dataset.ts'
import { stratifiedSplit } from '../../core/data/stratifiedSplit.ts'
import { createSeededRng, deriveSeed } from '../../core/rng/seededRng.ts'
import { parseVerifySpec } from '../../core/verification/parseVerifySpec.ts'
import type { SimulationConfig } from '../config/simulationConfig.ts'

/** Validation rows the model requestor keeps for ADRM's model manager when SMPC does not set them. */
export const DEFAULT_VALIDATION_ROWS = 1000
/** Never hold back more than this share of the training rows. */
const MAX_VALIDATION_SHARE = 0.2

/**
 * The model requestor's validation set for `--defence` and `--verify`: a stratified
 * sample of the training rows that no data owner gets (the test set stays untouched,
 * so reported accuracy is not tuned on). Without either option the data is unchanged.
 */
export function holdOutValidation(
  config: SimulationConfig,
  data: DatasetSplit,
): { data: DatasetSplit; validation?: Dataset } {
  if (config.defence === undefined && config.verify === undefined) return { data }
  const rows =
    config.verify === undefined ? DEFAULT_VALIDATION_ROWS : parseVerifySpec(config.verify).samples
  const share = Math.min(MAX_VALIDATION_SHARE, rows / data.train.n)
  const { train, test } = stratifiedSplit(
    data.train,
    share,
    createSeededRng(deriveSeed(config.seed, 'validation')),
  )
  return {
    data: { ...data, train },
    validation: { ...test, name: `${data.train.name} validation` },
  }
}
