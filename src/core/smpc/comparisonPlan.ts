import { MsflError } from '../errors/msflError.ts'
import { RING_BITS } from './bitPlanes.ts'

/**
 * The public shape of one batch of secure sign tests, computed identically by the
 * dealer (to know how much randomness to deal) and by every node (to consume it and to
 * check the size of every opening a peer sends).
 *
 * A batch is a list of check groups. A group has `blocks` blocks of `length` values;
 * its result is, per position i < length, the AND over its blocks of [value < 0], and
 * only the count of positions where that AND is 1 is ever opened. Accuracy of a
 * softmax model is one group (a block per class, a position per sample), the weight
 * range check another (two blocks, a position per parameter). Every block is padded to
 * a multiple of 32 values so blocks start on word boundaries of the bit-sliced planes.
 */
export interface CheckGroupShape {
  readonly blocks: number
  readonly length: number
}

export interface CheckGroup extends CheckGroupShape {
  /** ⌈length / 32⌉: words per block in bit-sliced form. */
  readonly wordsPerBlock: number
  /** First word of the group's first block among all compared values. */
  readonly wordOffset: number
  /** First word of the group's result among the per-position results (one block per group). */
  readonly resultOffset: number
}

export interface ComparisonPlan {
  readonly groups: readonly CheckGroup[]
  /** Words per bit plane: all values / 32. */
  readonly words: number
  /** Compared values including padding (= 32·words). */
  readonly values: number
  /** AND gates per word at each level of the borrow tree (see secureSignBits.ts). */
  readonly borrowGates: readonly number[]
  /** AND words at each level of the AND across blocks. */
  readonly blockLevelWords: readonly number[]
  /** Words of per-position results, one block per group. */
  readonly resultWords: number
  /** Every AND-triple word the batch consumes. */
  readonly andWords: number
}

/**
 * The borrow out of bits 0..62 of c − r is a prefix combination of 63 (generate,
 * propagate) pairs; combining neighbours pairwise takes 6 levels. A level with p
 * pairs needs p ANDs for the generate bits and p − 1 for the propagate bits (the
 * lowest group never needs its propagate bit): 61, 31, 15, 7, 3, 1 = 118 gates.
 */
export function borrowTreeGates(): number[] {
  const gates: number[] = []
  let groups = RING_BITS - 1
  while (groups > 1) {
    const pairs = Math.floor(groups / 2)
    gates.push(2 * pairs - 1)
    groups -= pairs
  }
  return gates
}

export function planComparisons(shapes: readonly CheckGroupShape[]): ComparisonPlan {
  const groups: CheckGroup[] = []
  let wordOffset = 0
  let resultOffset = 0
  for (const shape of shapes) {
    if (!Number.isInteger(shape.blocks) || shape.blocks < 1)
      throw new MsflError('PROTOCOL', `a check group needs ≥ 1 block, got ${shape.blocks}`)
    if (!Number.isInteger(shape.length) || shape.length < 1)
      throw new MsflError('PROTOCOL', `a check group needs ≥ 1 position, got ${shape.length}`)
    const wordsPerBlock = Math.ceil(shape.length / 32)
    groups.push({ ...shape, wordsPerBlock, wordOffset, resultOffset })
    wordOffset += shape.blocks * wordsPerBlock
    resultOffset += wordsPerBlock
  }
  const words = wordOffset
  const borrowGates = borrowTreeGates()
  const blockLevelWords: number[] = []
  const remaining = groups.map((g) => g.blocks)
  while (remaining.some((b) => b > 1)) {
    let levelWords = 0
    for (let g = 0; g < groups.length; g++) {
      levelWords += Math.floor(remaining[g]! / 2) * groups[g]!.wordsPerBlock
      remaining[g] = Math.ceil(remaining[g]! / 2)
    }
    blockLevelWords.push(levelWords)
  }
  const andWords =
    borrowGates.reduce((s, g) => s + g * words, 0) + blockLevelWords.reduce((s, w) => s + w, 0)
  return {
    groups,
    words,
    values: 32 * words,
    borrowGates,
    blockLevelWords,
    resultWords: resultOffset,
    andWords,
  }
}
