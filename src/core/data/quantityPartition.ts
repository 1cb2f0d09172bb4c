import type { Rng } from '../rng/rng.ts'
import { shuffleInPlace } from '../rng/seededRng.ts'
import { resolveMinRows } from './clientRows.ts'
import { assertConcentration, sampleSymmetricDirichlet } from './dirichlet.ts'

/**
 * Quantity-skew partition: client sizes are minRows plus a Dirichlet(β) share of the
 * remaining rows, and rows are dealt from one shuffle, so labels stay IID while sizes
 * differ (small β: a few large clients and many small ones). Rounding leftovers go to
 * the clients with the largest fractional parts, so sizes sum to n exactly.
 */
export function partitionQuantity(
  n: number,
  clients: number,
  beta: number,
  rng: Rng,
  minRows?: number,
): Int32Array[] {
  assertConcentration('quantity', 'beta', beta)
  const min = resolveMinRows(n, clients, minRows, 'quantity')
  const spare = n - clients * min
  const shares = sampleSymmetricDirichlet(beta, clients, rng)
  const sizes = new Array<number>(clients)
  const fractions: { client: number; fraction: number }[] = []
  let assigned = 0
  for (let c = 0; c < clients; c++) {
    const exact = shares[c]! * spare
    sizes[c] = min + Math.floor(exact)
    assigned += sizes[c]!
    fractions.push({ client: c, fraction: exact - Math.floor(exact) })
  }
  fractions.sort((a, b) => b.fraction - a.fraction || a.client - b.client)
  for (let k = 0; assigned < n; k++, assigned++) sizes[fractions[k % clients]!.client]! += 1

  const order = shuffleInPlace(
    Int32Array.from({ length: n }, (_, i) => i),
    rng,
  )
  const parts: Int32Array[] = []
  let start = 0
  for (let c = 0; c < clients; c++) {
    parts.push(order.slice(start, start + sizes[c]!).sort())
    start += sizes[c]!
  }
  return parts
}
