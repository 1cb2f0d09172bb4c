import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { toHex } from 'viem'
import {
  countSelections,
  hashContributionTable,
  packSelection,
  unpackSelection,
  verifyCommittedTable,
} from '../../src/adapters/ledger-evm/index.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'

function randomSelection(owners: number, components: number, seed: number) {
  const rng = createSeededRng(seed)
  return Uint8Array.from({ length: owners * components }, () => (rng.next() < 0.7 ? 1 : 0))
}

describe('contribution bitmap', () => {
  it('packs component-major, one bit per owner, least significant bit first', () => {
    // Owner 1 of component 0 is cell 1; owner 0 of component 1 is cell 3 (3 owners).
    const selected = Uint8Array.from([0, 1, 0, 1, 0, 0, 0, 0, 1])
    assert.deepEqual(packSelection(selected, 3, 3), Uint8Array.from([0b0000_1010, 0b1]))
  })

  it('round-trips any table and counts selections per owner', () => {
    for (const [owners, components] of [
      [1, 1],
      [3, 7],
      [10, 785],
      [7, 8],
    ] as const) {
      const selected = randomSelection(owners, components, owners * components)
      const bitmap = packSelection(selected, owners, components)
      assert.equal(bitmap.length, Math.ceil((owners * components) / 8))
      assert.deepEqual(unpackSelection(bitmap, owners, components), selected)
      const counts = countSelections(selected, owners)
      for (let i = 0; i < owners; i++) {
        let expected = 0
        for (let j = 0; j < components; j++) expected += selected[j * owners + i]!
        assert.equal(counts[i], expected)
      }
    }
  })

  it('rejects wrong sizes, cells other than 0/1 and set padding bits', () => {
    assert.throws(() => packSelection(new Uint8Array(5), 2, 3), /expected owners × components = 6/)
    assert.throws(() => packSelection(Uint8Array.from([0, 2]), 1, 2), /selected\[1\] is 2/)
    assert.throws(
      () => unpackSelection(new Uint8Array(1), 3, 3),
      /has 1 bytes, 3 owners × 3 components need 2/,
    )
    assert.throws(() => unpackSelection(new Uint8Array(3), 3, 3), /need 2/)
    assert.throws(() => unpackSelection(Uint8Array.from([0, 0b10]), 3, 3), /padding bits/)
  })
})

describe('verifyCommittedTable on a bitmap (what owners run on the table they received)', () => {
  const owners = 4
  const components = 50
  const selected = randomSelection(owners, components, 3)
  const bitmap = packSelection(selected, owners, components)
  const counts = countSelections(selected, owners)
  const committed = {
    components,
    format: 0,
    k: 0,
    contributions: BigInt(counts.reduce((s, c) => s + c, 0)),
    tableHash: hashContributionTable(0, 0, bitmap),
    counts,
  }

  it('accepts the committed table and returns its cells', () => {
    assert.deepEqual(verifyCommittedTable(bitmap, committed, owners), selected)
  })

  it('detects a table altered in transit: one flipped bit changes the hash', () => {
    const tampered = Uint8Array.from(bitmap)
    tampered[3]! ^= 0b100
    assert.throws(
      () => verifyCommittedTable(tampered, committed, owners),
      /does not hash to the committed tableHash/,
    )
  })

  it('detects a table sent with another format or k: both are inside the hash', () => {
    assert.throws(
      () => verifyCommittedTable(bitmap, { ...committed, k: 3 }, owners),
      /does not hash to the committed tableHash/,
    )
    assert.throws(
      () => verifyCommittedTable(bitmap, { ...committed, format: 1 }, owners),
      /does not hash to the committed tableHash/,
    )
    const withK = { ...committed, k: 3, tableHash: hashContributionTable(0, 3, bitmap) }
    assert.throws(() => verifyCommittedTable(bitmap, withK, owners), /a bitmap has k = 0/)
  })

  it('detects counts that do not match the table, even with the same total', () => {
    const moved = [...counts]
    moved[0]! -= 1
    moved[2]! += 1
    assert.throws(
      () => verifyCommittedTable(bitmap, { ...committed, counts: moved }, owners),
      /owner 0 has \d+ selected components in the table but \d+ in the committed counts/,
    )
    assert.throws(
      () => verifyCommittedTable(bitmap, { ...committed, contributions: 1n }, owners),
      /committed total is 1/,
    )
    assert.throws(
      () => verifyCommittedTable(bitmap, committed, 5),
      /name 4 owners, the round has 5/,
    )
    assert.equal(toHex(bitmap).length, 2 + 2 * 25)
  })
})
