import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { keccak256 } from 'viem'
import {
  binomial,
  countSelections,
  decodeContributionTable,
  encodeContributionTable,
  hashContributionTable,
  packCombinatorial,
  packSelection,
  rankSubset,
  subsetRankBits,
  TableFormat,
  uniformSelectionSize,
  unpackCombinatorial,
  unrankSubset,
  verifyCommittedTable,
} from '../../src/adapters/ledger-evm/index.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'

/** Every component selects k of the t owners at random. */
function uniformSelection(t: number, k: number, components: number, seed: number) {
  const rng = createSeededRng(seed)
  const selected = new Uint8Array(t * components)
  const order = Array.from({ length: t }, (_, i) => i)
  for (let j = 0; j < components; j++)
    for (let m = 0; m < k; m++) {
      const pick = m + rng.nextInt(t - m)
      ;[order[m], order[pick]] = [order[pick]!, order[m]!]
      selected[j * t + order[m]!] = 1
    }
  return selected
}

describe('combinatorial number system', () => {
  it('binomial coefficients, and the bits a rank needs', () => {
    assert.equal(binomial(10, 7), 120n)
    assert.equal(binomial(0, 0), 1n)
    assert.equal(binomial(5, 6), 0n)
    assert.equal(binomial(100, 50), 100891344545564193334812497256n)
    const c = binomial(255, 127)
    assert.ok(c > 2n ** 250n && c < 2n ** 251n, 'the contract relies on C(255, k) < 2^251')
    let sum = 0n
    for (let k = 0; k <= 255; k++) sum += binomial(255, k)
    assert.equal(sum, 2n ** 255n)
    assert.equal(subsetRankBits(10, 7), 7)
    assert.equal(subsetRankBits(10, 5), 8)
    assert.equal(subsetRankBits(10, 1), 4)
    assert.equal(subsetRankBits(4, 2), 3)
    assert.equal(subsetRankBits(2, 1), 1)
    assert.equal(subsetRankBits(255, 127), 251)
    for (let t = 2; t <= 255; t++)
      for (let k = 1; k < t; k++)
        assert.ok(subsetRankBits(t, k) < t, `fewer bits than t at ${t}, ${k}`)
  })

  it('ranks every k-subset of small t exactly once, 0 … C(t, k) − 1, and unranks back', () => {
    for (let t = 2; t <= 9; t++)
      for (let k = 1; k < t; k++) {
        const limit = Number(binomial(t, k))
        const seen = new Set<string>()
        for (let r = 0; r < limit; r++) {
          const members = unrankSubset(BigInt(r), t, k)
          assert.equal(members.length, k)
          members.forEach((c, m) => {
            assert.ok(c >= 0 && c < t && (m === 0 || c > members[m - 1]!))
          })
          assert.equal(rankSubset(members), BigInt(r))
          seen.add(members.join(','))
        }
        assert.equal(seen.size, limit, `t = ${t}, k = ${k}`)
        // The table with one component per rank round-trips through the bit stream.
        const selected = new Uint8Array(t * limit)
        for (let r = 0; r < limit; r++)
          for (const c of unrankSubset(BigInt(r), t, k)) selected[r * t + c] = 1
        const packed = packCombinatorial(selected, t, limit, k)
        assert.equal(packed.length, Math.ceil((limit * subsetRankBits(t, k)) / 8))
        assert.deepEqual(unpackCombinatorial(packed, t, limit, k), selected)
      }
  })

  it('rejects ranks out of range and malformed subsets', () => {
    assert.throws(() => unrankSubset(6n, 4, 2), /rank 6 is not below C\(4, 2\) = 6/)
    assert.throws(() => unrankSubset(-1n, 4, 2), /not below/)
    assert.throws(() => rankSubset([1, 1]), /distinct/)
    assert.throws(() => rankSubset([-1]), /distinct/)
    assert.deepEqual(rankSubset([3, 1]), 4n)
  })
})

describe('combinatorial table format', () => {
  it('writes each component’s rank in b bits, least significant bit first, one stream', () => {
    // t = 4, k = 2, b = 3: {1, 3} has rank C(1,1) + C(3,2) = 4, {0, 1} rank 0, {2, 3} rank 5.
    // biome-ignore format: one row per component
    const selected = Uint8Array.from([
      0, 1, 0, 1,
      1, 1, 0, 0,
      0, 0, 1, 1,
    ])
    const packed = packCombinatorial(selected, 4, 3, 2)
    // bits 0–2 = 100, bits 3–5 = 000, bits 6–8 = 101
    assert.deepEqual(packed, Uint8Array.from([0b0100_0100, 0b1]))
    assert.deepEqual(unpackCombinatorial(packed, 4, 3, 2), selected)
  })

  it('round-trips random tables, with ranks of up to 251 bits', () => {
    for (const [t, k, components] of [
      [2, 1, 1],
      [3, 2, 17],
      [10, 7, 785],
      [10, 1, 100],
      [10, 9, 33],
      [36, 18, 40], // 34-bit ranks: past the 32-bit fast path
      [100, 67, 20],
      [255, 127, 9],
      [255, 254, 3],
    ] as const) {
      const selected = uniformSelection(t, k, components, t * k + components)
      const packed = packCombinatorial(selected, t, components, k)
      assert.equal(packed.length, Math.ceil((components * subsetRankBits(t, k)) / 8))
      assert.deepEqual(unpackCombinatorial(packed, t, components, k), selected, `${t}, ${k}`)
      assert.equal(uniformSelectionSize(selected, t, components), k)
    }
  })

  it('the issue’s table: 7,850 components, 7 of 10 owners, 6,869 bytes instead of 9,813', () => {
    const selected = uniformSelection(10, 7, 7850, 1)
    const encoded = encodeContributionTable(selected, 10, 7850)
    assert.equal(encoded.format, TableFormat.combinatorial)
    assert.equal(encoded.k, 7)
    assert.equal(encoded.table.length, 6869)
    assert.equal(packSelection(selected, 10, 7850).length, 9813)
  })

  it('rejects out-of-range ranks, set padding bits, wrong sizes and tables it cannot hold', () => {
    // t = 4, k = 2: 3-bit ranks, 6 and 7 are not subsets.
    assert.throws(
      () => unpackCombinatorial(Uint8Array.from([6]), 4, 1, 2),
      /component 0 has rank 6, not below C\(4, 2\) = 6/,
    )
    assert.throws(
      () => unpackCombinatorial(Uint8Array.from([0b111_000]), 4, 2, 2),
      /component 1 has rank 7/,
    )
    assert.throws(() => unpackCombinatorial(Uint8Array.from([0b1000]), 4, 1, 2), /padding bits/)
    assert.throws(
      () => unpackCombinatorial(Uint8Array.from([0, 0]), 4, 1, 2),
      /has 2 bytes, 1 components of 3 bits need 1/,
    )
    assert.throws(() => unpackCombinatorial(new Uint8Array(0), 4, 1, 2), /need 1/)
    const uneven = Uint8Array.from([1, 1, 0, 0, 1, 0, 0, 0])
    assert.throws(() => packCombinatorial(uneven, 4, 2, 2), /component 1 selects 1 owners/)
    assert.throws(() => packCombinatorial(Uint8Array.from([2, 0]), 2, 1, 1), /is 2, not 0 or 1/)
    assert.throws(() => packCombinatorial(new Uint8Array(3), 2, 1, 1), /expected owners/)
    for (const [t, k] of [
      [4, 0],
      [4, 4],
      [1, 1],
      [256, 128],
    ])
      assert.throws(() => unpackCombinatorial(new Uint8Array(1), t!, 1, k!), /combinatorial format/)
  })
})

describe('choosing and decoding the table format', () => {
  it('takes the combinatorial format iff every component selects the same 0 < k < t ≤ 255 owners', () => {
    const uniform = uniformSelection(5, 3, 20, 2)
    assert.deepEqual(
      { ...encodeContributionTable(uniform, 5, 20), table: undefined },
      { format: 1, k: 3, table: undefined },
    )
    const uneven = Uint8Array.from([1, 1, 0, 1, 0, 0])
    const bitmap = (selected: Uint8Array, t: number, components: number) => {
      const encoded = encodeContributionTable(selected, t, components)
      assert.equal(encoded.format, TableFormat.bitmap)
      assert.equal(encoded.k, 0)
      assert.deepEqual(encoded.table, packSelection(selected, t, components))
    }
    bitmap(uneven, 3, 2)
    bitmap(new Uint8Array(6), 3, 2) // k = 0
    bitmap(new Uint8Array(6).fill(1), 3, 2) // k = t
    bitmap(Uint8Array.from([1, 1]), 1, 2) // one owner
    bitmap(uniformSelection(256, 200, 2, 3), 256, 2) // more owners than the format holds
    const forced = encodeContributionTable(uniform, 5, 20, TableFormat.bitmap)
    assert.equal(forced.format, TableFormat.bitmap)
    assert.throws(
      () => encodeContributionTable(uneven, 3, 2, TableFormat.combinatorial),
      /needs the same 0 < k < t/,
    )
  })

  it('decodes what it encodes and refuses unknown formats and a bitmap with k', () => {
    for (const [selected, t, components] of [
      [uniformSelection(6, 2, 11, 4), 6, 11],
      [Uint8Array.from([1, 0, 1, 1, 1, 0]), 3, 2],
    ] as const) {
      const { format, k, table } = encodeContributionTable(selected, t, components)
      assert.deepEqual(decodeContributionTable(table, t, components, format, k), selected)
    }
    assert.throws(() => decodeContributionTable(new Uint8Array(1), 3, 2, 2, 0), /unknown format 2/)
    assert.throws(() => decodeContributionTable(new Uint8Array(1), 3, 2, 0, 1), /k = 0, got k = 1/)
  })

  it('hashes the format and k with the table, as the contract does', () => {
    const table = Uint8Array.from([0xab, 0xcd])
    assert.equal(hashContributionTable(1, 7, table), keccak256('0x0107abcd'))
    assert.notEqual(hashContributionTable(1, 7, table), hashContributionTable(1, 6, table))
    assert.notEqual(hashContributionTable(0, 0, table), hashContributionTable(1, 0, table))
  })
})

describe('verifyCommittedTable on a combinatorial table', () => {
  const owners = 4
  const components = 30
  const selected = uniformSelection(owners, 2, components, 5)
  const { format, k, table } = encodeContributionTable(selected, owners, components)
  const counts = countSelections(selected, owners)
  const committed = {
    components,
    format,
    k,
    contributions: BigInt(2 * components),
    tableHash: hashContributionTable(format, k, table),
    counts,
  }

  it('decodes the committed table and checks its counts', () => {
    assert.equal(format, TableFormat.combinatorial)
    assert.deepEqual(verifyCommittedTable(table, committed, owners), selected)
  })

  it('refuses the same bytes under another k, a rank out of range, and counts not the table’s', () => {
    assert.throws(
      () => verifyCommittedTable(table, { ...committed, k: 1 }, owners),
      /does not hash to the committed tableHash/,
    )
    // A requestor could commit a rank the contract does not decode: 7 ≥ C(4, 2).
    const forged = Uint8Array.from(table)
    forged[0]! |= 0b111
    assert.throws(
      () =>
        verifyCommittedTable(
          forged,
          { ...committed, tableHash: hashContributionTable(format, k, forged) },
          owners,
        ),
      /component 0 has rank 7, not below C\(4, 2\) = 6/,
    )
    const moved = [...counts]
    moved[0]! += 1
    moved[1]! -= 1
    assert.throws(
      () => verifyCommittedTable(table, { ...committed, counts: moved }, owners),
      /owner 0 has \d+ selected components in the table but \d+ in the committed counts/,
    )
  })
})
