import assert from 'node:assert/strict'
import { it } from 'node:test'
import { toHex } from 'viem'
import {
  createInProcessChain,
  SettlementRevertError,
  subsetRankBits,
  TableFormat,
} from '../../src/adapters/ledger-evm/index.ts'
import { createLedgerWorld, type LedgerWorld } from './ledgerWorld.ts'

/** The error commitTable refuses an empty combinatorial table of 8 components with. */
async function refusal(world: LedgerWorld, t: number, ks: readonly number[]) {
  const owners = Array.from({ length: t }, (_, i) => toHex(i + 1, { size: 20 }))
  const deadline = (await world.chain.latestTimestamp()) + 600n
  const { roundId, terms } = await world.contract.open(world.mr, {
    protocolRound: BigInt(t),
    provider: world.sp.address,
    deadline,
    price: world.price,
    owners,
    deposit: world.price,
  })
  const errors: SettlementRevertError[] = []
  for (const k of ks) {
    const counts = Array.from({ length: t }, (_, i) => (i < k ? 8 : 0))
    const input = {
      components: 8,
      format: TableFormat.combinatorial,
      k,
      counts,
      table: new Uint8Array(0),
    }
    const error = await world.contract.commitTable(world.mr, roundId, terms, input).catch((e) => e)
    assert.ok(error instanceof SettlementRevertError, String(error))
    errors.push(error)
  }
  return errors
}

// The contract computes b = bit length of C(t, k) − 1 itself; with 8 components a table
// needs exactly b bytes, which TableSizeMismatch reports. Every k of small t, the edges and
// the middle (the largest binomials) of larger t up to 255.
it('the contract’s bits per rank are the encoder’s, up to t = 255 owners', async () => {
  const world = await createLedgerWorld((accounts, balance) =>
    createInProcessChain({ genesis: accounts.map((a) => ({ address: a.address, balance })) }),
  )
  const every = (t: number) => Array.from({ length: t - 1 }, (_, i) => i + 1)
  for (const [t, ks] of [
    ...[2, 3, 4, 7, 10, 16].map((t) => [t, every(t)] as const),
    [64, [1, 2, 31, 32, 33, 62, 63]],
    [255, [1, 2, 3, 8, 64, 126, 127, 128, 129, 200, 252, 253, 254]],
  ] as const) {
    const errors = await refusal(world, t, ks)
    errors.forEach((error, i) => {
      assert.equal(error.errorName, 'TableSizeMismatch', `t = ${t}, k = ${ks[i]}`)
      assert.equal(error.args[0], BigInt(subsetRankBits(t, ks[i]!)), `t = ${t}, k = ${ks[i]}`)
    })
  }
  const [tooMany] = await refusal(world, 256, [128])
  assert.equal(tooMany!.errorName, 'UnsupportedTableFormat')
  assert.deepEqual(tooMany!.args, [1, 128, 256n])
})
