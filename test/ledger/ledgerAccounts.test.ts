import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { it } from 'node:test'
import { inspect } from 'node:util'
import {
  deriveLedgerAccount,
  deriveLedgerAccounts,
  generateLedgerSeed,
} from '../../src/adapters/ledger-evm/index.ts'

const seed = Uint8Array.from({ length: 32 }, (_, i) => 200 - i)

it('derives the same account for the same seed and label, different ones otherwise', () => {
  const a = deriveLedgerAccount(seed, 'do-1')
  assert.equal(deriveLedgerAccount(seed, 'do-1').address, a.address)
  assert.notEqual(deriveLedgerAccount(seed, 'do-2').address, a.address)
  assert.notEqual(deriveLedgerAccount(generateLedgerSeed(), 'do-1').address, a.address)
  assert.match(a.address, /^0x[0-9a-fA-F]{40}$/)
  const all = deriveLedgerAccounts(seed, ['model-requestor', 'service-provider', 'do-1'])
  assert.equal(all['do-1']!.address, a.address)
  assert.throws(() => deriveLedgerAccounts(seed, ['x', 'x']), /label "x" repeats/)
})

it('never exposes the private key through printing or JSON', () => {
  const account = deriveLedgerAccount(seed, 'model-requestor')
  const key = createHmac('sha256', seed)
    .update('msfl/ledger-account/v1/model-requestor/0')
    .digest('hex')
  const printed = [
    inspect(account, { depth: 10, showHidden: true }),
    JSON.stringify(account),
    String(account),
  ].join('\n')
  assert.ok(!printed.toLowerCase().includes(key), 'the key must not be printable')
})

it('refuses seeds that are not 32 bytes, naming the field', () => {
  assert.throws(
    () => deriveLedgerAccount(new Uint8Array(16), 'do-1'),
    /seed must be 32 bytes, got 16/,
  )
  assert.throws(() => deriveLedgerAccount(seed, ''), /label must have 1 to 200 characters/)
})
