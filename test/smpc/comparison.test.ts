import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import {
  randomRing,
  reconstructBits,
  reconstructRing,
  shareRing,
} from '../../src/core/smpc/additiveSharing.ts'
import { andAcrossBlocks } from '../../src/core/smpc/andAcrossBlocks.ts'
import { borrowTreeGates, planComparisons } from '../../src/core/smpc/comparisonPlan.ts'
import { countSetBits } from '../../src/core/smpc/countSetBits.ts'
import { dealMaterial } from '../../src/core/smpc/dealMaterial.ts'
import { createAndTripleSource } from '../../src/core/smpc/nodeMaterial.ts'
import type { ProtocolRun } from '../../src/core/smpc/protocolStep.ts'
import { ringFromBigInts, ringGetSigned, ringToBigInts } from '../../src/core/smpc/ring64.ts'
import { secureSignBits } from '../../src/core/smpc/secureSignBits.ts'
import { runLockstep } from './lockstep.ts'

const BOUND = 2n ** 62n
/** Edge values of the documented range (−2^62, 2^62) and of the ring itself. */
const EDGES = [
  0n,
  1n,
  -1n,
  2n,
  -2n,
  BOUND - 1n,
  -(BOUND - 1n),
  BOUND,
  -BOUND,
  2n ** 63n - 1n,
  -(2n ** 63n),
  2n ** 32n,
  -(2n ** 32n),
  2n ** 32n - 1n,
  -(2n ** 32n) + 1n,
]

function values(count: number, seed: number): bigint[] {
  const random = ringToBigInts(randomRing(count, createSeededRng(seed))).map((v) =>
    BigInt.asIntN(64, v),
  )
  return [...EDGES, ...random].slice(0, count)
}

/** Runs `protocol` for every party on fresh shares of `secret` and dealer material. */
function lockstep<T>(
  secret: bigint[],
  plan: ReturnType<typeof planComparisons>,
  parties: number,
  protocol: (
    party: number,
    share: Uint32Array,
    material: ReturnType<typeof dealMaterial>[number],
  ) => ProtocolRun<T>,
) {
  const rng = createSeededRng(secret.length * 31 + parties)
  const materials = dealMaterial({ comparisons: plan }, parties, rng)
  const shares = shareRing(ringFromBigInts(secret), parties, rng)
  return runLockstep(materials.map((m, p) => protocol(p, shares[p]!, m)))
}

describe('secure sign test [x < 0] on shares', () => {
  for (const parties of [2, 3, 5])
    it(`is exact on edge and random values with ${parties} nodes`, () => {
      const secret = values(32 * 4, parties)
      const plan = planComparisons([{ blocks: 1, length: secret.length }])
      const { results, openings } = lockstep(secret, plan, parties, (p, share, m) =>
        secureSignBits(
          { index: p, parties },
          share,
          m.maskRing,
          m.maskPlanes,
          createAndTripleSource(m),
        ),
      )
      const signs = reconstructBits(results)
      secret.forEach((x, i) => {
        assert.equal((signs[i >> 5]! >>> (i & 31)) & 1, x < 0n ? 1 : 0, `x = ${x}`)
      })
      // One masked opening, then one AND layer per level of the borrow tree.
      assert.deepEqual(
        openings.map((o) => o.phase),
        ['mask', ...borrowTreeGates().map(() => 'borrow')],
      )
      assert.equal(
        borrowTreeGates().reduce((s, g) => s + g, 0),
        118,
      )
    })

  it('reveals only the masked values c = x + r, which differ from x', () => {
    const secret = values(64, 1)
    const plan = planComparisons([{ blocks: 1, length: 64 }])
    const { openings } = lockstep(secret, plan, 3, (p, share, m) =>
      secureSignBits(
        { index: p, parties: 3 },
        share,
        m.maskRing,
        m.maskPlanes,
        createAndTripleSource(m),
      ),
    )
    const opened = ringToBigInts(openings[0]!.opened).map((v) => BigInt.asIntN(64, v))
    assert.equal(opened.filter((c, i) => c === secret[i]).length, 0)
  })
})

describe('AND across blocks and counting', () => {
  it('counts positions where every block of a group is negative, per group', () => {
    // Group 0: 3 blocks × 40 positions; group 1: 2 blocks × 5; group 2: 1 block × 33.
    const shapes = [
      { blocks: 3, length: 40 },
      { blocks: 2, length: 5 },
      { blocks: 1, length: 33 },
    ]
    const plan = planComparisons(shapes)
    const rng = createSeededRng(11)
    const secret: bigint[] = new Array(plan.values).fill(0n)
    const expected: number[] = []
    plan.groups.forEach((g) => {
      let count = 0
      for (let i = 0; i < g.length; i++) {
        let all = true
        for (let b = 0; b < g.blocks; b++) {
          const negative = rng.next() < 0.8
          all &&= negative
          const magnitude = BigInt(rng.nextInt(2 ** 30)) * 2n ** 30n
          secret[32 * (g.wordOffset + b * g.wordsPerBlock) + i] = negative
            ? -magnitude - 1n
            : magnitude
        }
        if (all) count++
      }
      expected.push(count)
    })
    const { results } = lockstep(secret, plan, 3, function* (p, share, m) {
      const party = { index: p, parties: 3 }
      const triples = createAndTripleSource(m)
      const signs = yield* secureSignBits(party, share, m.maskRing, m.maskPlanes, triples)
      const passed = yield* andAcrossBlocks(party, triples, plan, signs)
      const counts = yield* countSetBits(party, plan, passed, m.daBitWords, m.daBitRing)
      assert.equal(triples.remaining(), 0)
      return counts
    })
    const counts = reconstructRing(results)
    assert.deepEqual(
      expected.map((_, g) => Number(ringGetSigned(counts, g))),
      expected,
    )
    assert.ok(expected[0]! > 0 && expected[0]! < 40, 'the fixture exercises both outcomes')
  })
})
