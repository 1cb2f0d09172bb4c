import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { keccak256 } from 'viem'
import {
  countSelections,
  createInProcessChain,
  createRpcChain,
  encodeContributionTable,
} from '../../src/adapters/ledger-evm/index.ts'
import { findAnvil, type RunningAnvil, startAnvil } from '../../src/cli/deploy/startAnvil.ts'
import type { ContributionTable } from '../../src/core/ports/settlement.ts'
import {
  createLedgerWorld,
  type OpenChain,
  ownerIds,
  sampleTable,
  uniformTable,
} from './ledgerWorld.ts'
import { registerSettlementScenarios } from './settlementScenarios.ts'

const anvil = findAnvil()
const skip = 'missing' in anvil ? `anvil cannot run here: ${anvil.missing}` : false

describe('settlement contract on a real node (anvil, JSON-RPC through viem)', { skip }, () => {
  let node: RunningAnvil | undefined
  before(async () => {
    if ('path' in anvil) node = await startAnvil(anvil.path)
  })
  after(async () => {
    await node?.stop()
  })

  registerSettlementScenarios(async (accounts, balance) => {
    const chain = createRpcChain({ url: node!.url })
    for (const account of accounts) await chain.setBalance(account.address, balance)
    return chain
  })

  it('charges exactly the gas the in-process EVM charges for the same round (same rules)', async () => {
    const rpc = createRpcChain({ url: node!.url })
    assert.equal(await rpc.chainId(), 31337)
    for (const table of [sampleTable(), uniformTable()]) {
      const onNode = await gasOfOneRound(table, async (accounts, balance) => {
        for (const account of accounts) await rpc.setBalance(account.address, balance)
        return rpc
      })
      const inProcess = await gasOfOneRound(table, (accounts, balance) =>
        createInProcessChain({ genesis: accounts.map((a) => ({ address: a.address, balance })) }),
      )
      assert.deepEqual(onNode, inProcess)
    }
  })
})

/** Gas of deploy, open, commit, deliver and registerModel with every input fixed. */
async function gasOfOneRound(table: ContributionTable, open: OpenChain): Promise<bigint[]> {
  const world = await createLedgerWorld(open)
  const owners = ownerIds.map((id) => world.owners[id]!.address)
  const counts = countSelections(table.selected, owners.length)
  const opened = await world.contract.open(world.mr, {
    protocolRound: 1n,
    provider: world.sp.address,
    deadline: 0x7f_ffff_ffffn,
    price: world.price,
    owners,
    deposit: 12n * world.price,
  })
  const committed = await world.contract.commitTable(world.mr, opened.roundId, opened.terms, {
    components: table.components,
    counts,
    ...encodeContributionTable(table.selected, owners.length, table.components),
  })
  const delivered = await world.contract.deliver(world.sp, opened.roundId, committed.terms, {
    owners,
    counts,
    resultHash: keccak256('0x01'),
    uri: '',
  })
  const registered = await world.contract.registerModel(world.mr, 1n, keccak256('0x02'))
  return [opened.receipt, committed.receipt, delivered.receipt, registered].map((r) => r.gasUsed)
}
