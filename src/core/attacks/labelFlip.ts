import type { Dataset } from '../data/dataset.ts'
import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'

/** label → poisoned label, for every class (identity where unchanged). */
export type LabelMapping = readonly number[]

/**
 * `reverse` maps y → K−1−y (for binary data: 0 ↔ 1); `a>b/c>d` maps only the listed
 * classes. Classes out of range are errors, not silently ignored.
 */
export function parseLabelMapping(text: string, numClasses: number): LabelMapping {
  if (numClasses < 2)
    throw new MsflError('CONFIG_INVALID', 'attack label-flip needs a classification dataset')
  const mapping = Array.from({ length: numClasses }, (_, y) => y)
  if (text === 'reverse') return mapping.map((y) => numClasses - 1 - y)
  for (const pair of text.split('/')) {
    const [from, to] = pair.split('>').map(Number)
    for (const c of [from, to])
      if (!Number.isInteger(c) || c! < 0 || c! >= numClasses)
        throw new MsflError(
          'CONFIG_INVALID',
          `attack label-flip: class ${c} in map=${text} is not in 0..${numClasses - 1}`,
        )
    mapping[from!] = to!
  }
  return mapping
}

/** The classes the mapping changes (whose recall the attack aims to destroy). */
export function flippedClasses(mapping: LabelMapping): number[] {
  return mapping.flatMap((to, from) => (to !== from ? [from] : []))
}

/** A copy of `data` with a `fraction` of its rows (chosen by rng) relabelled through `mapping`. */
export function flipLabels(
  data: Dataset,
  mapping: LabelMapping,
  fraction: number,
  rng: Rng,
): Dataset {
  const y = data.y.slice()
  for (let i = 0; i < data.n; i++)
    if (fraction >= 1 || rng.next() < fraction) y[i] = mapping[y[i]!]!
  return { ...data, y }
}
