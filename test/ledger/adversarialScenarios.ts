import assert from 'node:assert/strict'
import { it } from 'node:test'
import { encodeFunctionData, hexToBytes, keccak256, toHex } from 'viem'
import type { Hex } from '../../src/adapters/ledger-evm/index.ts'
import {
  countSelections,
  describeRevert,
  encodeContributionTable,
  packSelection,
  type SettlementRevertError,
  settlementAbi,
  TableFormat,
  verifyTableCommittedEvent,
} from '../../src/adapters/ledger-evm/index.ts'
import {
  balancesOf,
  createLedgerWorld,
  deployReceiver,
  driveReceiver,
  type OpenChain,
  openDirect,
  ownerIds,
  readReceiver,
  sampleTable,
  uniformTable,
} from './ledgerWorld.ts'

const digest = (text: string) => hexToBytes(keccak256(toHex(text)))

/**
 * The adversarial scenarios of issue 5 (acceptance 2) on the contract itself, run against
 * any chain: refusals, an owner that rejects payments, a re-entrant owner, tampered counts.
 */
export function registerAdversarialScenarios(open: OpenChain): void {
  it('deliver refuses: before the table, from a non-provider, with altered terms, after the deadline, twice', async () => {
    const world = await createLedgerWorld(open)
    const addresses = ownerIds.map((id) => world.owners[id]!.address)
    const deadline = (await world.chain.latestTimestamp()) + 600n
    const bare = await world.contract.open(world.mr, {
      protocolRound: 3n,
      provider: world.sp.address,
      deadline,
      price: world.price,
      owners: addresses,
      deposit: 10_000n,
    })
    const delivery = {
      owners: addresses,
      counts: [0, 0, 0, 0],
      resultHash: keccak256('0x01'),
      uri: '',
    }
    await assert.rejects(
      world.contract.deliver(world.sp, bare.roundId, bare.terms, delivery),
      /TableNotCommitted/,
    )
    const table = sampleTable()
    const { roundId, terms, counts } = await openDirect(
      world,
      addresses,
      table.selected,
      table.components,
      8n * world.price,
    )
    const good = { ...delivery, counts }
    await assert.rejects(
      world.contract.deliver(world.owners['do-0']!, roundId, terms, good),
      /is not the service provider.*NotProvider/,
    )
    await assert.rejects(
      world.contract.deliver(world.sp, roundId, { ...terms, price: terms.price * 2n }, good),
      /TermsMismatch/,
    )
    // The contract hashes the terms' calldata as it is: the same terms with a dirty high
    // byte in the requestor's word (not a canonical encoding) do not match either.
    const data = encodeFunctionData({
      abi: settlementAbi,
      functionName: 'deliver',
      args: [roundId, terms, good.owners, good.counts, good.resultHash, good.uri],
    })
    const requestorWord = 2 + 2 * (4 + 32)
    const dirty: Hex = `0x${data.slice(2, requestorWord)}ff${data.slice(requestorWord + 2)}`
    const refused = await world.chain
      .send(world.sp, { to: world.contract.address, data: dirty })
      .catch((error: unknown) => describeRevert('deliver', error))
    assert.equal((refused as SettlementRevertError).errorName, 'TermsMismatch')
    await assert.rejects(
      world.contract.deliver(world.sp, roundId, terms, { ...good, counts: [8, 0, 0, 0] }),
      /CountsMismatch/,
    )
    await world.contract.deliver(world.sp, roundId, terms, good)
    await assert.rejects(
      world.contract.deliver(world.sp, roundId, terms, good),
      /already settled.*RoundClosed/,
    )
    const late = await openDirect(world, addresses, table.selected, table.components, 8000n)
    await world.chain.increaseTime(601)
    await assert.rejects(
      world.contract.deliver(world.sp, late.roundId, late.terms, { ...good, counts: late.counts }),
      /DeadlinePassed/,
    )
    await world.contract.refund(world.mr, late.roundId, late.terms)
    await world.contract.refund(world.mr, bare.roundId, bare.terms)
    assert.equal(await world.chain.getBalance(world.contract.address), 0n)
  })

  it('commitTable refuses malformed tables, other senders and a second table', async () => {
    const world = await createLedgerWorld(open)
    const addresses = ownerIds.map((id) => world.owners[id]!.address)
    const deadline = (await world.chain.latestTimestamp()) + 600n
    const { roundId, terms } = await world.contract.open(world.mr, {
      protocolRound: 5n,
      provider: world.sp.address,
      deadline,
      price: world.price,
      owners: addresses,
      deposit: 8n * world.price,
    })
    const table = sampleTable()
    const bitmap = packSelection(table.selected, 4, 5)
    const good = {
      components: 5,
      format: TableFormat.bitmap,
      k: 0,
      counts: [4, 3, 1, 0],
      table: bitmap,
    }
    const refusals: [Parameters<typeof world.contract.commitTable>[3], RegExp][] = [
      [{ ...good, table: bitmap.slice(0, 2) }, /TableSizeMismatch/],
      [
        { ...good, table: Uint8Array.from([...bitmap.slice(0, 2), 0b1_0000]) },
        /TablePaddingNotZero/,
      ],
      [{ ...good, counts: [4, 3, 1] }, /CountsLengthMismatch/],
      [{ ...good, counts: [6, 3, 1, 0] }, /CountExceedsComponents/],
      [{ ...good, components: 0, table: new Uint8Array(0) }, /EmptyTable/],
      [{ ...good, k: 2 }, /table format 0 with k = 2 is not defined.*UnsupportedTableFormat/],
      [{ ...good, format: 2 }, /UnsupportedTableFormat/],
    ]
    for (const [input, error] of refusals)
      await assert.rejects(world.contract.commitTable(world.mr, roundId, terms, input), error)
    await assert.rejects(
      world.contract.commitTable(world.sp, roundId, terms, good),
      /is not the model requestor.*NotRequestor/,
    )
    const committed = await world.contract.commitTable(world.mr, roundId, terms, good)
    assert.equal(committed.funded, true)
    await assert.rejects(
      world.contract.commitTable(world.mr, roundId, committed.terms, good),
      /already has its contribution table/,
    )
    await assert.rejects(
      world.contract.commitTable(world.mr, roundId, terms, good),
      /TermsMismatch/,
    )
  })

  it('commitTable checks a combinatorial table’s k, size, padding and Σ counts = k × components', async () => {
    const world = await createLedgerWorld(open)
    const addresses = ownerIds.map((id) => world.owners[id]!.address)
    const deadline = (await world.chain.latestTimestamp()) + 600n
    const { roundId, terms } = await world.contract.open(world.mr, {
      protocolRound: 6n,
      provider: world.sp.address,
      deadline,
      price: world.price,
      owners: addresses,
      deposit: 12n * world.price,
    })
    // 6 components of 2 of 4 owners: 3-bit ranks, 18 bits, 3 bytes with 6 padding bits.
    const table = uniformTable()
    const encoded = encodeContributionTable(table.selected, 4, 6)
    assert.deepEqual([encoded.format, encoded.k, encoded.table.length], [1, 2, 3])
    const good = { components: 6, counts: [4, 3, 3, 2], ...encoded }
    const padded = Uint8Array.from(encoded.table)
    padded[2]! |= 0b100
    const refusals: [Parameters<typeof world.contract.commitTable>[3], RegExp][] = [
      [{ ...good, k: 0 }, /UnsupportedTableFormat/],
      [{ ...good, k: 4 }, /table format 1 with k = 4 is not defined for 4 owners/],
      [{ ...good, k: 1 }, /ContributionsMismatch/],
      [{ ...good, k: 3 }, /counts add up to 12, but k owners in every component make 18/],
      [{ ...good, counts: [4, 3, 3, 1] }, /ContributionsMismatch/],
      [{ ...good, table: encoded.table.slice(0, 2) }, /TableSizeMismatch\(3, 2\)/],
      [{ ...good, table: padded }, /TablePaddingNotZero/],
      [{ ...good, format: TableFormat.bitmap }, /UnsupportedTableFormat/],
    ]
    for (const [input, error] of refusals)
      await assert.rejects(world.contract.commitTable(world.mr, roundId, terms, input), error)
    await world.contract.commitTable(world.mr, roundId, terms, good)
    const { committed } = await world.contract.record(roundId)
    assert.deepEqual(
      [committed?.format, committed?.k, committed?.contributions, committed?.table],
      [1, 2, 12n, toHex(encoded.table)],
    )
    assert.deepEqual(verifyTableCommittedEvent(committed!, 4), table.selected)
  })

  it('a combinatorial rank the contract cannot check is caught by table(), settle() and the owners’ check', async () => {
    const world = await createLedgerWorld(open)
    const table = uniformTable(7)
    const addresses = ownerIds.map((id) => world.owners[id]!.address)
    const encoded = encodeContributionTable(table.selected, 4, 6)
    // Component 0 gets rank 7 ≥ C(4, 2) = 6: right size, right padding, right Σ counts.
    const forged = Uint8Array.from(encoded.table)
    forged[0]! |= 0b111
    const deadline = (await world.chain.latestTimestamp()) + 600n
    const opened = await world.contract.open(world.mr, {
      protocolRound: 7n,
      provider: world.sp.address,
      deadline,
      price: world.price,
      owners: addresses,
      deposit: 12n * world.price,
    })
    await world.contract.commitTable(world.mr, opened.roundId, opened.terms, {
      components: 6,
      counts: [4, 3, 3, 2],
      ...encoded,
      table: forged,
    })
    const id = opened.roundId.toString()
    const rank = /component 0 has rank 7, not below C\(4, 2\) = 6/
    await assert.rejects(world.settlement.table(id), rank)
    await assert.rejects(world.settlement.settle(id, digest('agg')), rank)
    const record = await world.contract.record(opened.roundId)
    assert.throws(() => verifyTableCommittedEvent(record.committed!, 4), rank)
    assert.equal((await world.contract.roundState(opened.roundId)).status, 'funded')
  })

  it('an owner that reverts on receive does not block the others and withdraws later', async () => {
    const world = await createLedgerWorld(open)
    const reverting = await deployReceiver(world, 'RevertingReceiver')
    const owners = [world.owners['do-0']!.address, reverting, world.owners['do-1']!.address]
    const selected = Uint8Array.from([1, 1, 1, 1, 1, 0, 0, 1, 0])
    const before = await balancesOf(world, owners)
    const { roundId, terms, counts } = await openDirect(
      world,
      owners,
      selected,
      3,
      6n * world.price,
    )
    assert.deepEqual(counts, [2, 3, 1])
    const { events } = await world.contract.deliver(world.sp, roundId, terms, {
      owners,
      counts,
      resultHash: keccak256('0x02'),
      uri: 'msfl://aggregate/1',
    })
    assert.deepEqual(
      events.filter((e) => e.name === 'PaymentDeferred').map((e) => [e.account, e.amount]),
      [[reverting, 3000n]],
    )
    const after = await balancesOf(world, owners)
    assert.deepEqual(
      after.map((b, i) => b - before[i]!),
      [2000n, 0n, 1000n],
    )
    assert.equal(await world.contract.withdrawable(reverting), 3000n)
    assert.equal(await world.chain.getBalance(world.contract.address), 3000n)

    const collected = await world.chain.getBalance(world.collector.address)
    await driveReceiver(world, 'RevertingReceiver', reverting, 'withdrawFrom', [
      world.contract.address,
      world.collector.address,
    ])
    assert.equal(await world.chain.getBalance(world.collector.address), collected + 3000n)
    assert.equal(await world.contract.withdrawable(reverting), 0n)
    assert.equal(await world.chain.getBalance(world.contract.address), 0n)
    await assert.rejects(
      world.contract.withdraw(world.owners['do-0']!, world.owners['do-0']!.address),
      /has nothing to withdraw.*NothingToWithdraw/,
    )
  })

  it('a re-entrant owner gains nothing: its callbacks into deliver and withdraw fail and it gets exactly its share', async () => {
    const world = await createLedgerWorld(open)
    const attacker = await deployReceiver(world, 'ReentrantReceiver')
    const owners = [world.owners['do-0']!.address, attacker]
    const selected = Uint8Array.from([1, 1, 0, 1, 1, 1])
    const { roundId, terms, counts } = await openDirect(
      world,
      owners,
      selected,
      3,
      5n * world.price,
    )
    const delivery = { owners, counts, resultHash: keccak256('0x03'), uri: '' }
    // The attacker replays the provider's own delivery from inside its receive.
    await driveReceiver(world, 'ReentrantReceiver', attacker, 'arm', [
      encodeFunctionData({
        abi: settlementAbi,
        functionName: 'deliver',
        args: [roundId, terms, owners, counts, delivery.resultHash, delivery.uri],
      }),
    ])
    await world.contract.deliver(world.sp, roundId, terms, delivery)
    // With the 2,300-gas stipend its receive cannot even write storage: the push fails.
    assert.equal(await world.contract.withdrawable(attacker), 3000n)
    assert.equal(await readReceiver(world, attacker, 'attempts'), 0n)

    await driveReceiver(world, 'ReentrantReceiver', attacker, 'withdrawFrom', [attacker])
    assert.equal(await readReceiver(world, attacker, 'attempts'), 1n, 'it did call back')
    assert.equal(await readReceiver(world, attacker, 'successes'), 0n, 'no callback succeeded')
    assert.equal(await world.chain.getBalance(attacker), 3000n, 'exactly its share')
    assert.equal(await world.contract.withdrawable(attacker), 0n)
    assert.equal(await world.chain.getBalance(world.contract.address), 0n)
  })

  it('counts that disagree with the committed table are caught by table(), settle() and the owners’ check', async () => {
    const world = await createLedgerWorld(open)
    const table = sampleTable(4)
    const addresses = ownerIds.map((id) => world.owners[id]!.address)
    // The requestor moves one contribution from do-0 to do-3 in the counts it commits.
    const { roundId } = await openDirect(
      world,
      addresses,
      table.selected,
      table.components,
      8n * world.price,
      [3, 3, 1, 1],
    )
    const id = roundId.toString()
    await assert.rejects(world.settlement.table(id), /owner 0 has 4 selected components.*but 3/)
    await assert.rejects(world.settlement.settle(id, digest('agg')), /owner 0 has 4/)
    const record = await world.contract.record(roundId)
    assert.throws(() => verifyTableCommittedEvent(record.committed!, 4), /committed counts/)
    assert.equal((await world.contract.roundState(roundId)).status, 'funded', 'nothing was paid')
  })

  it('a round opened at another price or for another provider is not funded on the run’s terms', async () => {
    const world = await createLedgerWorld(open)
    const addresses = ownerIds.map((id) => world.owners[id]!.address)
    const table = sampleTable()
    const counts = countSelections(table.selected, addresses.length)
    const openAt = async (price: bigint, provider: Hex) => {
      const opened = await world.contract.open(world.mr, {
        protocolRound: 1n,
        provider,
        deadline: (await world.chain.latestTimestamp()) + 600n,
        price,
        owners: addresses,
        // Enough for the run's price too: only the terms differ.
        deposit: 8n * world.price,
      })
      await world.contract.commitTable(world.mr, opened.roundId, opened.terms, {
        components: table.components,
        counts,
        ...encodeContributionTable(table.selected, addresses.length, table.components),
      })
      return opened.roundId.toString()
    }
    // The contract itself calls each of them funded: deposit ≥ contributions × its own price.
    const cheap = await openAt(1n, world.sp.address)
    const elsewhere = await openAt(world.price, world.tester.address)
    const fair = await openAt(world.price, world.sp.address)
    for (const id of [cheap, elsewhere, fair])
      assert.equal(await world.contract.isFunded(BigInt(id)), true, `contract: round ${id}`)
    assert.equal(await world.settlement.isFunded(cheap), false, 'opened at 1 wei a component')
    assert.equal(await world.settlement.isFunded(elsewhere), false, 'opened for another provider')
    assert.equal(await world.settlement.isFunded(fair), true)
  })
}
