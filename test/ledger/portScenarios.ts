import assert from 'node:assert/strict'
import { it } from 'node:test'
import { hexToBytes, keccak256, toHex } from 'viem'
import {
  balancesOf,
  createLedgerWorld,
  type OpenChain,
  ownerIds,
  sampleTable,
  uniformTable,
} from './ledgerWorld.ts'

const digest = (text: string) => hexToBytes(keccak256(toHex(text)))

/**
 * The settlement acceptance scenarios through the Settlement port (issue 5, acceptance 1
 * and the funding rules), run against any chain. Each test deploys its own contract.
 */
export function registerPortScenarios(open: OpenChain): void {
  it('pays every owner count × price and refunds the rest: payouts + refund = deposit, contract ends empty', async () => {
    const world = await createLedgerWorld(open)
    const table = sampleTable()
    const addresses = ownerIds.map((id) => world.owners[id]!.address)
    const before = await balancesOf(world, addresses)
    const deposit = 8n * world.price + 77n
    const roundId = await world.settlement.openRound(table, deposit)
    assert.equal(await world.settlement.isFunded(roundId), true)
    assert.deepEqual(await world.settlement.table(roundId), table)
    assert.equal(await world.chain.getBalance(world.contract.address), deposit)

    const receipt = await world.settlement.settle(roundId, digest('aggregate'))
    assert.deepEqual(receipt.payouts, { 'do-0': 4000n, 'do-1': 3000n, 'do-2': 1000n, 'do-3': 0n })
    assert.equal(receipt.refund, 77n)
    assert.equal(receipt.round, 1)
    const paid = Object.values(receipt.payouts).reduce((s, x) => s + x, 0n)
    assert.equal(paid + receipt.refund, deposit, 'payouts + refund = deposit, to the wei')
    const after = await balancesOf(world, addresses)
    assert.deepEqual(
      after.map((b, i) => b - before[i]!),
      [4000n, 3000n, 1000n, 0n],
    )
    assert.equal(await world.chain.getBalance(world.contract.address), 0n)
    const record = await world.contract.record(BigInt(roundId))
    assert.equal(record.delivered?.resultHash, toHex(digest('aggregate')))
    assert.equal((await world.contract.roundState(BigInt(roundId))).status, 'delivered')

    await assert.rejects(world.settlement.settle(roundId, digest('again')), /already settled/)
    await assert.rejects(world.settlement.refundAfterDeadline(roundId), /already settled/)
  })

  it('a table with the same k owners in every component is committed in the combinatorial format and read back', async () => {
    const world = await createLedgerWorld(open)
    const table = uniformTable(3)
    const addresses = ownerIds.map((id) => world.owners[id]!.address)
    const before = await balancesOf(world, addresses)
    const roundId = await world.settlement.openRound(table, 12n * world.price)
    const { committed } = await world.contract.record(BigInt(roundId))
    // 6 ranks of 3 bits (C(4, 2) = 6) in 3 bytes, where the bitmap needs 3 as well but
    // 7,850 × 10 needs 6,869 instead of 9,813.
    assert.deepEqual([committed?.format, committed?.k, committed?.counts], [1, 2, [4, 3, 3, 2]])
    assert.deepEqual(await world.settlement.table(roundId), table)
    const receipt = await world.settlement.settle(roundId, digest('uniform'))
    assert.deepEqual(receipt.payouts, {
      'do-0': 4000n,
      'do-1': 3000n,
      'do-2': 3000n,
      'do-3': 2000n,
    })
    assert.equal(receipt.refund, 0n)
    const after = await balancesOf(world, addresses)
    assert.deepEqual(
      after.map((b, i) => b - before[i]!),
      [4000n, 3000n, 3000n, 2000n],
    )
    assert.equal(await world.chain.getBalance(world.contract.address), 0n)
    // An uneven table falls back to the bitmap.
    const uneven = await world.settlement.openRound(sampleTable(4), 8n * world.price)
    const bitmap = await world.contract.record(BigInt(uneven))
    assert.deepEqual([bitmap.committed?.format, bitmap.committed?.k], [0, 0])
    assert.deepEqual(await world.settlement.table(uneven), sampleTable(4))
  })

  it('an underfunded round is refused: the provider sees isFunded false, owners stay unpaid, the requestor refunds after the deadline', async () => {
    const world = await createLedgerWorld(open)
    const addresses = ownerIds.map((id) => world.owners[id]!.address)
    const before = await balancesOf(world, addresses)
    const deposit = 8n * world.price - 1n
    const roundId = await world.settlement.openRound(sampleTable(), deposit)
    assert.equal(await world.settlement.isFunded(roundId), false)
    await assert.rejects(world.settlement.settle(roundId, digest('x')), /is not funded.*NotFunded/)
    assert.deepEqual(await balancesOf(world, addresses), before, 'no owner was paid')
    await assert.rejects(world.settlement.refundAfterDeadline(roundId), /DeadlineNotReached/)
    await world.chain.increaseTime(601)
    assert.equal(await world.settlement.refundAfterDeadline(roundId), deposit)
    assert.equal(await world.chain.getBalance(world.contract.address), 0n)
    assert.equal((await world.contract.roundState(BigInt(roundId))).status, 'refunded')
    await assert.rejects(world.settlement.refundAfterDeadline(roundId), /already refunded/)
  })

  it('the provider declines a round it will not serve: the whole deposit returns to the requestor at once, nobody is paid, the reason is on chain', async () => {
    const world = await createLedgerWorld(open)
    const addresses = ownerIds.map((id) => world.owners[id]!.address)
    const before = await balancesOf(world, addresses)
    const deposit = 8n * world.price
    const roundId = await world.settlement.openRound(sampleTable(), deposit)
    assert.equal(await world.chain.getBalance(world.contract.address), deposit)
    const reason = 'component 2 aggregates 1 owner, fewer than 2'
    assert.equal(await world.settlement.decline(roundId, reason), deposit)
    assert.equal(await world.chain.getBalance(world.contract.address), 0n)
    assert.deepEqual(await balancesOf(world, addresses), before, 'no owner was paid')
    const record = await world.contract.record(BigInt(roundId))
    assert.equal(record.declined?.reason, reason)
    assert.deepEqual(
      record.refunded.map((e) => [e.requestor.toLowerCase(), e.amount]),
      [[world.mr.address.toLowerCase(), deposit]],
    )
    assert.equal(record.delivered, undefined)
    assert.equal((await world.contract.roundState(BigInt(roundId))).status, 'refunded')
    await assert.rejects(world.settlement.settle(roundId, digest('late')), /already refunded/)
    await assert.rejects(world.settlement.decline(roundId, reason), /already refunded/)
    // Only the provider may decline, and only a round with a committed table.
    const other = await world.settlement.openRound(sampleTable(2), deposit)
    const { terms } = await world.contract.verifiedTerms(BigInt(other))
    await assert.rejects(
      world.contract.decline(world.mr, BigInt(other), terms, 'mine'),
      /NotProvider/,
    )
    const bare = await world.contract.open(world.mr, {
      protocolRound: 3n,
      provider: world.sp.address,
      deadline: (await world.chain.latestTimestamp()) + 600n,
      price: world.price,
      owners: addresses,
      deposit,
    })
    await assert.rejects(
      world.contract.decline(world.sp, bare.roundId, bare.terms, 'no table'),
      /TableNotCommitted/,
    )
  })

  it('open refuses a deposit that cannot pay one contribution, or none at all', async () => {
    const world = await createLedgerWorld(open)
    await assert.rejects(
      world.settlement.openRound(sampleTable(), world.price - 1n),
      /cannot pay one contribution.*DepositTooSmall/,
    )
    await assert.rejects(world.settlement.openRound(sampleTable(), 0n), /DepositTooSmall/)
    assert.equal(await world.chain.getBalance(world.contract.address), 0n)
  })

  it('model hashes are registered once per round and read back', async () => {
    const world = await createLedgerWorld(open)
    assert.equal(await world.settlement.modelDigest(1), undefined)
    await world.settlement.registerModel(1, digest('model 1'))
    assert.deepEqual(await world.settlement.modelDigest(1), digest('model 1'))
    await assert.rejects(
      world.settlement.registerModel(1, digest('model 1b')),
      /already registered a model for round 1/,
    )
    await assert.rejects(world.settlement.registerModel(2, new Uint8Array(31)), /32 bytes/)
    await assert.rejects(world.settlement.registerModel(2, new Uint8Array(32)), /ZeroModelHash/)
  })
}
