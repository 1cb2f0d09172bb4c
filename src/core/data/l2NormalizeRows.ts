import type { Dataset } from './dataset.ts'

/**
 * A copy with every row scaled to unit L2 norm (all-zero rows stay zero). The MS-FL
 * protocol trains on such rows: with |x| = 1, |z| = |w·x + b| ≤ |w| + |b|, which the
 * requestor's weight decay keeps in the range where the cubic sigmoid is accurate.
 */
export function l2NormalizeRows(data: Dataset): Dataset {
  const x = data.x.slice()
  for (let i = 0; i < data.n; i++) {
    let sum = 0
    for (let j = 0; j < data.d; j++) sum += x[i * data.d + j]! ** 2
    if (sum === 0) continue
    const scale = 1 / Math.sqrt(sum)
    for (let j = 0; j < data.d; j++) x[i * data.d + j]! *= scale
  }
  return { ...data, x }
}
