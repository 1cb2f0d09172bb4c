import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'
import { shuffleInPlace } from '../rng/seededRng.ts'
import { resolveMinRows, toPartition } from './clientRows.ts'
import type { Dataset } from './dataset.ts'
import { assertConcentration, sampleSymmetricDirichlet } from './dirichlet.ts'

/** Full redraws before falling back to topping up the smallest clients. */
const MAX_ATTEMPTS = 100

/**
 * Label-skew partition (Hsu et al. 2019; the NIID-Bench variant of Li et al. 2022): for
 * every class, the share of its rows that each client gets is drawn from Dirichlet(α).
 * Small α (0.1) gives clients one or two dominant classes; large α (100) approaches IID.
 *
 * Like NIID-Bench, a client that already holds its fair share n/clients gets no further
 * rows from later classes, which keeps sizes from exploding while leaving the label mix
 * skewed. Every client must end with at least `minRows` rows: the whole draw is repeated
 * up to 100 times, keeping the draw with the largest minimum; if even that one falls
 * short, rows picked at random from the currently largest client are moved to the
 * smallest one until every client has minRows. Every row is assigned exactly once.
 */
export function partitionDirichlet(
  data: Dataset,
  clients: number,
  alpha: number,
  rng: Rng,
  minRows?: number,
): Int32Array[] {
  assertConcentration('dirichlet', 'alpha', alpha)
  if (data.numClasses < 1) {
    throw new MsflError(
      'CONFIG_INVALID',
      `dirichlet partition: ${data.name} has no class labels to skew`,
    )
  }
  const min = resolveMinRows(data.n, clients, minRows, 'dirichlet')
  const byClass: number[][] = Array.from({ length: data.numClasses }, () => [])
  for (let i = 0; i < data.n; i++) byClass[data.y[i]!]!.push(i)

  let best: number[][] = []
  let bestMin = -1
  for (let attempt = 0; attempt < MAX_ATTEMPTS && bestMin < min; attempt++) {
    const buckets = drawOnce(byClass, data.n, clients, alpha, rng)
    const smallest = Math.min(...buckets.map((b) => b.length))
    if (smallest > bestMin) {
      best = buckets
      bestMin = smallest
    }
  }
  if (bestMin < min) topUp(best, min, rng)
  return toPartition(best)
}

function drawOnce(
  byClass: readonly (readonly number[])[],
  n: number,
  clients: number,
  alpha: number,
  rng: Rng,
): number[][] {
  const buckets: number[][] = Array.from({ length: clients }, () => [])
  const fairShare = n / clients
  for (const classRows of byClass) {
    if (classRows.length === 0) continue
    const rows = shuffleInPlace([...classRows], rng)
    const p = sampleSymmetricDirichlet(alpha, clients, rng)
    let total = 0
    for (let c = 0; c < clients; c++) {
      if (buckets[c]!.length >= fairShare) p[c] = 0
      total += p[c]!
    }
    if (total === 0) {
      // With tiny alpha the draw can put all mass on clients that are already full (the
      // other shares underflow to 0). Some client is always below its fair share while
      // rows remain, so hand the whole class to one of those, as α → 0 would.
      const open = buckets.flatMap((bucket, c) => (bucket.length < fairShare ? [c] : []))
      p[open[rng.nextInt(open.length)]!] = 1
      total = 1
    }
    let cumulative = 0
    let start = 0
    for (let c = 0; c < clients; c++) {
      cumulative += p[c]!
      const end = c === clients - 1 ? rows.length : Math.round((cumulative / total) * rows.length)
      for (let k = start; k < end; k++) buckets[c]!.push(rows[k]!)
      start = Math.max(start, end)
    }
  }
  return buckets
}

/** Moves random rows from the largest client to the smallest until all have `min`. */
function topUp(buckets: number[][], min: number, rng: Rng): void {
  for (;;) {
    let smallest = 0
    let largest = 0
    for (let c = 1; c < buckets.length; c++) {
      if (buckets[c]!.length < buckets[smallest]!.length) smallest = c
      if (buckets[c]!.length > buckets[largest]!.length) largest = c
    }
    if (buckets[smallest]!.length >= min) return
    const donor = buckets[largest]!
    const pick = rng.nextInt(donor.length)
    buckets[smallest]!.push(donor[pick]!)
    donor[pick] = donor[donor.length - 1]!
    donor.pop()
  }
}
