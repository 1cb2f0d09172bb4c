import { MsflError } from '../errors/msflError.ts'
import type { ComparisonPlan } from './comparisonPlan.ts'
import type { AndTripleSource } from './nodeMaterial.ts'
import type { Party, ProtocolRun } from './protocolStep.ts'
import { secureAnd } from './secureAnd.ts'

/**
 * Per check group and position, the AND of the sign bits over the group's blocks
 * (a sample is classified correctly only if its true class beats every other class;
 * a parameter is in range only if both bound tests pass). Blocks are combined pairwise,
 * all groups in the same AND layer, so K classes take ⌈log2 K⌉ rounds. Returns one
 * block per group, laid out at the groups' resultOffset.
 */
export function* andAcrossBlocks(
  party: Party,
  triples: AndTripleSource,
  plan: ComparisonPlan,
  signs: Uint32Array,
): ProtocolRun<Uint32Array> {
  if (signs.length !== plan.words)
    throw new MsflError(
      'PROTOCOL',
      `expected ${plan.words} words of sign bits, got ${signs.length}`,
    )
  let blocks = plan.groups.map((g) =>
    Array.from({ length: g.blocks }, (_, b) =>
      signs.subarray(g.wordOffset + b * g.wordsPerBlock, g.wordOffset + (b + 1) * g.wordsPerBlock),
    ),
  )
  for (const levelWords of plan.blockLevelWords) {
    const x = new Uint32Array(levelWords)
    const y = new Uint32Array(levelWords)
    let offset = 0
    plan.groups.forEach((g, index) => {
      const list = blocks[index]!
      for (let j = 0; j + 1 < list.length; j += 2) {
        x.set(list[j]!, offset)
        y.set(list[j + 1]!, offset)
        offset += g.wordsPerBlock
      }
    })
    const z = yield* secureAnd(party, triples, x, y, 'block-and')
    offset = 0
    blocks = plan.groups.map((g, index) => {
      const list = blocks[index]!
      const next: Uint32Array[] = []
      for (let j = 0; j + 1 < list.length; j += 2) {
        next.push(z.subarray(offset, offset + g.wordsPerBlock))
        offset += g.wordsPerBlock
      }
      if (list.length % 2 === 1) next.push(list[list.length - 1]!)
      return next
    })
  }
  const result = new Uint32Array(plan.resultWords)
  plan.groups.forEach((g, index) => {
    result.set(blocks[index]![0]!, g.resultOffset)
  })
  return result
}
