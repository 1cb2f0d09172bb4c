import { keccak256, parseEther, toHex } from 'viem'
import { countSelections, packSelection } from '../src/adapters/ledger-evm/contributionBitmap.ts'
import { createInProcessChain } from '../src/adapters/ledger-evm/createInProcessChain.ts'
import {
  deriveLedgerAccount,
  type LedgerAccount,
} from '../src/adapters/ledger-evm/ledgerAccounts.ts'
import { settlementBytecode } from '../src/adapters/ledger-evm/settlementArtifact.ts'
import {
  attachSettlementContract,
  type SettlementContract,
} from '../src/adapters/ledger-evm/settlementContract.ts'
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

  const small = await runRound(contract, requestor, provider, owners.slice(0, 10), 1000, 1)
  gas('open (10 owners)', small.open, 'deposit, provider, 10 owner addresses, deadline')
  gas('commit table, 1,000 components × 10 owners', small.commit, tableDetail(1000, 10))
  const large = await runRound(contract, requestor, provider, owners.slice(0, 10), 7850, 2)
  gas('commit table, 7,850 components × 10 owners', large.commit, tableDetail(7850, 10))
  gas('deliver + payout, 10 owners', large.deliver, 'one push per owner, events per payment')
  const hundred = await runRound(contract, requestor, provider, owners, 1000, 3)
  gas('deliver + payout, 100 owners', hundred.deliver, 'one push per owner, events per payment')
  gas('registerModel', large.register, 'once per round, first write of its slot')
  const total = large.open + large.commit + large.deliver + large.register
  gas(
    'round: open + commit + deliver + registerModel (7,850 × 10)',
    total,
    `target ≤ ${fmt(Number(roundTarget))} gas: ${total <= roundTarget ? 'met' : `missed by ${fmt(Number(total - roundTarget))}`}`,
  )
  await chain.close()
  return rows
}

const tableDetail = (components: number, t: number) =>
  `${fmt(Math.ceil((components * t) / 8))}-byte bitmap in calldata and in the event`

/** One full round with an MS-FL-shaped table; returns the gas of each step. */
async function runRound(
  contract: SettlementContract,
  requestor: LedgerAccount,
  provider: LedgerAccount,
  owners: readonly LedgerAccount[],
  components: number,
  round: number,
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
  const committed = await contract.commitTable(requestor, opened.roundId, opened.terms, {
    components,
    counts,
    bitmap: packSelection(selected, t, components),
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
  }
}
