import { keccak256, parseEther, toHex } from 'viem'
import {
  attachSettlementContract,
  countSelections,
  createInProcessChain,
  deriveLedgerAccount,
  encodeContributionTable,
  type LedgerAccount,
  type SettlementContract,
  settlementBytecode,
  TableFormat,
} from '../src/adapters/ledger-evm/index.ts'
import { createSeededRng } from '../src/core/rng/seededRng.ts'
import { type BenchRow, fmt } from './measure.ts'

/** The per-round budget the issue sets for 7,850 components and 10 owners, deploy excluded. */
const roundTarget = 500_000n

/**
 * Gas of the settlement contract on the in-process EVM (Shanghai rules, the hardfork the
 * contract is compiled for). Tables are what the MS-FL rule produces with f = ⌊(t − 1)/3⌋:
 * t − f of the t owners selected per component, at random. Owner accounts already exist
 * (they hold ether for their own transactions); paying a never-used address costs 25,000
 * gas more per owner.
 */
export async function benchLedger(): Promise<BenchRow[]> {
  const seed = new Uint8Array(32).fill(7)
  const requestor = deriveLedgerAccount(seed, 'model-requestor')
  const provider = deriveLedgerAccount(seed, 'service-provider')
  const owners = Array.from({ length: 100 }, (_, i) => deriveLedgerAccount(seed, `do-${i}`))
  const chain = await createInProcessChain({
    genesis: [requestor, provider, ...owners].map((a) => ({
      address: a.address,
      balance: parseEther('1000'),
    })),
  })
  const deployment = await chain.send(requestor, { data: settlementBytecode })
  const contract = attachSettlementContract(
    chain,
    deployment.contractAddress!,
    deployment.blockNumber,
  )
  const rows: BenchRow[] = []
  const gas = (name: string, used: bigint, detail: string) =>
    rows.push({ name, value: `${fmt(Number(used))} gas`, detail })
  gas(
    'deploy MsflSettlement',
    deployment.gasUsed,
    'once per contract; not part of the round budget',
  )

  const { bitmap, combinatorial } = TableFormat
  const pick = owners.slice(0, 10)
  const small = await runRound(contract, requestor, provider, pick, 1000, 1, combinatorial)
  const smallBitmap = await runRound(contract, requestor, provider, pick, 1000, 2, bitmap)
  gas('open (10 owners)', small.open, 'deposit, provider, 10 owner addresses, deadline')
  gas('commit table, 1,000 × 10, combinatorial', small.commit, tableDetail(small))
  gas('commit table, 1,000 × 10, bitmap', smallBitmap.commit, tableDetail(smallBitmap))
  const large = await runRound(contract, requestor, provider, pick, 7850, 3, combinatorial)
  const largeBitmap = await runRound(contract, requestor, provider, pick, 7850, 4, bitmap)
  gas('commit table, 7,850 × 10, combinatorial', large.commit, tableDetail(large))
  gas('commit table, 7,850 × 10, bitmap', largeBitmap.commit, tableDetail(largeBitmap))
  gas('deliver + payout, 10 owners', large.deliver, 'one push per owner, events per payment')
  const hundred = await runRound(contract, requestor, provider, owners, 1000, 5, combinatorial)
  gas('deliver + payout, 100 owners', hundred.deliver, 'one push per owner, events per payment')
  gas('registerModel', large.register, 'once per round, first write of its slot')
  for (const [round, format] of [
    [large, 'combinatorial table, the default'],
    [largeBitmap, 'bitmap table'],
  ] as const) {
    const total = round.open + round.commit + round.deliver + round.register
    gas(
      `round: open + commit + deliver + registerModel (7,850 × 10), ${format}`,
      total,
      `target ≤ ${fmt(Number(roundTarget))} gas: ${total <= roundTarget ? `met, ${fmt(Number(roundTarget - total))} to spare` : `missed by ${fmt(Number(total - roundTarget))}`}`,
    )
  }
  await chain.close()
  return rows
}

const tableDetail = (round: { tableBytes: number; k: number }) =>
  `${fmt(round.tableBytes)}-byte table in calldata and in the event${round.k ? `, ${round.k} of 10 owners per component` : ''}`

/** One full round with an MS-FL-shaped table in `format`; returns the gas of each step. */
async function runRound(
  contract: SettlementContract,
  requestor: LedgerAccount,
  provider: LedgerAccount,
  owners: readonly LedgerAccount[],
  components: number,
  round: number,
  format: TableFormat,
) {
  const t = owners.length
  const keep = t - Math.floor((t - 1) / 3)
  const rng = createSeededRng(round)
  const selected = new Uint8Array(t * components)
  const order = Array.from({ length: t }, (_, i) => i)
  for (let j = 0; j < components; j++) {
    for (let k = 0; k < keep; k++) {
      const pick = k + rng.nextInt(t - k)
      ;[order[k], order[pick]] = [order[pick]!, order[k]!]
      selected[j * t + order[k]!] = 1
    }
  }
  const counts = countSelections(selected, t)
  const price = 1_000_000_000n
  const contributions = counts.reduce((s, c) => s + BigInt(c), 0n)
  const deadline = (await contract.chain.latestTimestamp()) + 3600n
  const addresses = owners.map((o) => o.address)
  const opened = await contract.open(requestor, {
    protocolRound: BigInt(round),
    provider: provider.address,
    deadline,
    price,
    owners: addresses,
    deposit: contributions * price,
  })
  const encoded = encodeContributionTable(selected, t, components, format)
  const committed = await contract.commitTable(requestor, opened.roundId, opened.terms, {
    components,
    counts,
    ...encoded,
  })
  const delivered = await contract.deliver(provider, opened.roundId, committed.terms, {
    owners: addresses,
    counts,
    resultHash: keccak256(toHex(`aggregate ${round}`)),
    uri: '',
  })
  const register = await contract.registerModel(
    requestor,
    BigInt(round),
    keccak256(toHex(`model ${round}`)),
  )
  return {
    open: opened.receipt.gasUsed,
    commit: committed.receipt.gasUsed,
    deliver: delivered.receipt.gasUsed,
    register: register.gasUsed,
    tableBytes: encoded.table.length,
    k: encoded.k,
  }
}
