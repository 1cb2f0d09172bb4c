import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { PACKED_HEADER_BYTES } from '../../src/core/paillier/packedCiphertextFormat.ts'
import { createPackingLayout } from '../../src/core/paillier/packingLayout.ts'

/** The packing table of docs/paillier.md, row by row, against the code it describes. */
describe('docs/paillier.md packing table', () => {
  it('every row matches createPackingLayout and the wire format at 2048 bits', () => {
    const text = readFileSync(new URL('../../docs/paillier.md', import.meta.url), 'utf8')
    const rows = text
      .split('\n')
      .filter((line) => /^\| \**\d+\** \| \**\d+\** \|/.test(line))
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.replaceAll('*', '').replaceAll(',', '').trim()),
      )
    assert.ok(rows.length >= 5, `found ${rows.length} rows`)
    const params = 100_000
    const ciphertextBytes = 512
    for (const [b, k, slotBits, slots, step, ciphertexts, perParameter] of rows) {
      const layout = createPackingLayout(2048, {
        valueBits: Number(b),
        maxClients: Number(k),
        range: 1,
      })
      const count = Math.ceil(params / layout.slots)
      const where = `b = ${b}, K = ${k}`
      assert.equal(layout.slotBits, Number(slotBits), where)
      assert.equal(layout.slots, Number(slots), where)
      assert.equal(layout.step.toExponential(1), Number(step).toExponential(1), where)
      assert.equal(count, Number(ciphertexts), where)
      const bytes = PACKED_HEADER_BYTES + count * ciphertextBytes
      assert.equal((bytes / params).toFixed(2), perParameter, where)
    }
  })
})
