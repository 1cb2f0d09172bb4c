import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createMemorySettlement } from '../../src/adapters/ledger-memory/index.ts'
import { sampleTable } from './ledgerWorld.ts'

// The in-memory ledger keeps the contract's semantics, so simulations and chains agree.
it('memory ledger: deposit floor, deadline, refund after it, decline, model registry, nothing to withdraw', async () => {
  let now = 1_000_000
  const ledger = createMemorySettlement({
    pricePerComponent: 1000n,
    requestor: 'mr',
    roundTimeoutSeconds: 600,
    now: () => now,
  })
  await assert.rejects(ledger.openRound(sampleTable(), 999n), /cannot pay one contribution/)
  await assert.rejects(ledger.openRound(sampleTable(), 0n), /cannot pay one contribution/)

  const poor = await ledger.openRound(sampleTable(), 7999n)
  assert.equal(await ledger.isFunded(poor), false)
  await assert.rejects(ledger.refundAfterDeadline(poor), /before its deadline/)
  const late = await ledger.openRound(sampleTable(), 8000n)
  now += 601_000
  await assert.rejects(ledger.settle(late, new Uint8Array(32)), /passed its deadline/)
  assert.equal(await ledger.refundAfterDeadline(poor), 7999n)
  await assert.rejects(ledger.refundAfterDeadline(poor), /already refunded/)
  assert.equal(await ledger.refundAfterDeadline(late), 8000n)
  assert.deepEqual(ledger.balances(), { mr: 0n })

  const paid = await ledger.openRound(sampleTable(), 8000n)
  const receipt = await ledger.settle(paid, new Uint8Array(32))
  assert.deepEqual(receipt.payouts, { 'do-0': 4000n, 'do-1': 3000n, 'do-2': 1000n, 'do-3': 0n })
  await assert.rejects(ledger.refundAfterDeadline(paid), /already settled/)
  await assert.rejects(ledger.decline(paid, 'too late'), /already settled/)
  const declined = await ledger.openRound(sampleTable(), 8000n)
  assert.equal(await ledger.decline(declined, 'a component below k owners'), 8000n)
  await assert.rejects(ledger.settle(declined, new Uint8Array(32)), /already refunded/)
  assert.equal(await ledger.withdrawable('do-0'), 0n)
  assert.equal(await ledger.withdraw('do-0'), 0n)

  assert.equal(await ledger.modelDigest(1), undefined)
  await ledger.registerModel(1, new Uint8Array(32).fill(9))
  assert.deepEqual(await ledger.modelDigest(1), new Uint8Array(32).fill(9))
  await assert.rejects(ledger.registerModel(1, new Uint8Array(32).fill(1)), /already registered/)
  await assert.rejects(ledger.registerModel(3, new Uint8Array(32)), /must not be all zero/)
  await assert.rejects(ledger.registerModel(2, new Uint8Array(31)), /32 bytes/)
})
