import type { Dataset } from '../data/dataset.ts'
import type { Rng } from '../rng/rng.ts'
import type { AttackSpec } from './attackCatalog.ts'
import { poisonWithBackdoor, triggerGeometry } from './backdoor.ts'
import { flipLabels, parseLabelMapping } from './labelFlip.ts'

/** The owner's training data after a data attack (label flipping, backdoor); other attacks leave it as is. */
export function poisonLocalData(data: Dataset, attack: AttackSpec, rng: Rng): Dataset {
  const o = attack.options
  if (attack.name === 'label-flip')
    return flipLabels(
      data,
      parseLabelMapping(o['map'] as string, data.numClasses),
      o['fraction'] as number,
      rng,
    )
  if (attack.name === 'backdoor') {
    const geometry = triggerGeometry(data, {
      size: o['size'] as number,
      x: o['x'] as number,
      y: o['y'] as number,
      target: o['target'] as number,
    })
    return poisonWithBackdoor(data, geometry, o['fraction'] as number, rng)
  }
  return data
}
