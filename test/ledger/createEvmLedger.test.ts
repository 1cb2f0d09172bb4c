import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createEvmLedger, generateLedgerSeed } from '../../src/adapters/ledger-evm/index.ts'
import { ownerIds, sampleTable } from './ledgerWorld.ts'

it('createEvmLedger: one call gives accounts, a deployed contract and the Settlement port', async () => {
  const ledger = await createEvmLedger({
    chain: { kind: 'evm' },
    seed: generateLedgerSeed(),
    owners: [...ownerIds],
    pricePerComponent: 5n,
  })
  const before = await ledger.settlement.balances()
  const roundId = await ledger.settlement.openRound(sampleTable(2), 40n)
  assert.equal(await ledger.settlement.isFunded(roundId), true)
  const receipt = await ledger.settlement.settle(roundId, new Uint8Array(32).fill(1))
  assert.deepEqual(receipt, {
    round: 2,
    payouts: { 'do-0': 20n, 'do-1': 15n, 'do-2': 5n, 'do-3': 0n },
    refund: 0n,
  })
  const after = await ledger.settlement.balances()
  for (const id of ownerIds) assert.equal(after[id]! - before[id]!, receipt.payouts[id])
  assert.equal(after['contract'], 0n)
  await assert.rejects(
    createEvmLedger({
      chain: { kind: 'evm' },
      seed: generateLedgerSeed(),
      owners: ['do-0', 'do-0'],
      pricePerComponent: 5n,
    }),
    /owners: the id "do-0" is taken/,
  )
  await assert.rejects(
    createEvmLedger({
      chain: { kind: 'evm' },
      seed: generateLedgerSeed(),
      owners: ['do-0'],
      pricePerComponent: 0n,
    }),
    /pricePerComponent must be at least 1 wei/,
  )
  await ledger.close()
})
