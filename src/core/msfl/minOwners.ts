import { MsflError } from '../errors/msflError.ts'

/**
 * The fewest data owners a released component may sum, by default: the sum over one owner
 * is that owner's gradient, which the requestor would decrypt in the clear. MS-FL's
 * counterpart of `assertSummedEnough` for `--privacy`.
 */
export const DEFAULT_MIN_OWNERS = 2

/** A component of a contribution table that sums at least one but fewer than k owners. */
export interface ThinComponent {
  /** Index of the component in the table (all heads concatenated). */
  readonly component: number
  /** How many owners the table selected on it. */
  readonly owners: number
}

/** Refuses a k below 2 (or not a whole number): with k = 1 one owner's gradient is released. */
export function assertMinOwners(minOwners: number): void {
  if (!Number.isInteger(minOwners) || minOwners < 2)
    throw new MsflError(
      'CONFIG_INVALID',
      `msfl.minOwners: must be a whole number ≥ 2 (a sum over fewer owners reveals an owner's gradient); got ${minOwners}`,
    )
}

/**
 * The first component that `selected` (selected[j·t + i] = 1 iff owner i counts for j)
 * aggregates over 1 to k − 1 owners, or undefined when every component sums none or at
 * least k. An empty component releases nothing and gets no update, so it is allowed.
 */
export function findThinComponent(
  selected: Uint8Array,
  owners: number,
  minOwners: number,
): ThinComponent | undefined {
  assertMinOwners(minOwners)
  if (owners < 1 || selected.length % owners !== 0)
    throw new MsflError(
      'PROTOCOL',
      `contribution table: ${selected.length} cells do not split into components of ${owners} owners`,
    )
  for (let j = 0; j < selected.length / owners; j++) {
    const count = countColumn(selected, owners, j)
    if (count > 0 && count < minOwners) return { component: j, owners: count }
  }
  return undefined
}

/**
 * The requestor's side of the rule: empties (in place) every component selected by fewer
 * than k owners, so it gets no update this round and its owners are not paid for it.
 * Returns how many components were emptied.
 */
export function dropThinComponents(
  selected: Uint8Array,
  owners: number,
  minOwners: number,
): number {
  assertMinOwners(minOwners)
  let dropped = 0
  for (let j = 0; j < selected.length / owners; j++) {
    const count = countColumn(selected, owners, j)
    if (count === 0 || count >= minOwners) continue
    selected.fill(0, j * owners, (j + 1) * owners)
    dropped++
  }
  return dropped
}

function countColumn(selected: Uint8Array, owners: number, component: number): number {
  let count = 0
  for (let i = 0; i < owners; i++) count += selected[component * owners + i] === 1 ? 1 : 0
  return count
}
