import type { Dataset } from '../core/data/dataset.ts'
import { MsflError } from '../core/errors/msflError.ts'
import { parseModelSpec } from '../core/model/createModel.ts'
import type { ModelSpec } from '../core/model/model.ts'

/** The model spec for a config's `model` string on this data; errors name the `model` field. */
export function resolveModelSpec(model: string, train: Dataset): ModelSpec {
  try {
    return parseModelSpec(model, train.d, train.numClasses)
  } catch (error) {
    if (error instanceof MsflError)
      throw new MsflError('CONFIG_INVALID', `model: ${error.message}`, { cause: error })
    throw error
  }
}
