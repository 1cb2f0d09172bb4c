import {
  type Abi,
  decodeFunctionResult,
  encodeDeployData,
  encodeFunctionData,
  parseEther,
} from 'viem'
import type { ChainClient, Hex } from '../../src/adapters/ledger-evm/index.ts'
import {
  type ChainSettlement,
  countSelections,
  createChainSettlement,
  deploySettlementContract,
  deriveLedgerAccount,
  encodeContributionTable,
  type LedgerAccount,
  type SettlementContract,
  type TableFormat,
} from '../../src/adapters/ledger-evm/index.ts'
import type { ContributionTable } from '../../src/core/ports/settlement.ts'
import receivers from './fixtures/testReceivers.artifact.json' with { type: 'json' }

/** Opens a chain on which every given account holds `balance` wei. */
export type OpenChain = (
  accounts: readonly LedgerAccount[],
  balance: bigint,
) => Promise<ChainClient>

export interface LedgerWorld {
  readonly chain: ChainClient
  readonly contract: SettlementContract
  readonly settlement: ChainSettlement
  readonly mr: LedgerAccount
  readonly sp: LedgerAccount
  /** Deploys and drives the test receivers; never a protocol participant. */
  readonly tester: LedgerAccount
  /** An EOA that receives what a reverting receiver withdraws. */
  readonly collector: LedgerAccount
  readonly owners: Readonly<Record<string, LedgerAccount>>
  readonly price: bigint
}

export const ownerIds = ['do-0', 'do-1', 'do-2', 'do-3'] as const
const seed = Uint8Array.from({ length: 32 }, (_, i) => i + 1)

/** A fresh contract with the requestor, provider, four owners and helpers funded. */
export async function createLedgerWorld(open: OpenChain): Promise<LedgerWorld> {
  const mr = deriveLedgerAccount(seed, 'model-requestor')
  const sp = deriveLedgerAccount(seed, 'service-provider')
  const tester = deriveLedgerAccount(seed, 'tester')
  const collector = deriveLedgerAccount(seed, 'collector')
  const owners = Object.fromEntries(ownerIds.map((id) => [id, deriveLedgerAccount(seed, id)]))
  const chain = await open([mr, sp, tester, collector, ...Object.values(owners)], parseEther('100'))
  const contract = await deploySettlementContract(chain, mr)
  const price = 1_000n
  const settlement = createChainSettlement({
    contract,
    pricePerComponent: price,
    requestor: mr,
    provider: sp,
    owners,
    roundTimeoutSeconds: 600,
  })
  return { chain, contract, settlement, mr, sp, tester, collector, owners, price }
}

/** 4 owners × 5 components; counts 4, 3, 1, 0 (8 contributions). Uneven: a bitmap. */
export function sampleTable(round = 1): ContributionTable {
  // biome-ignore format: one row per component
  const selected = Uint8Array.from([
    1, 1, 0, 0,
    1, 1, 1, 0,
    1, 0, 0, 0,
    1, 1, 0, 0,
    0, 0, 0, 0,
  ])
  return { round, owners: [...ownerIds], components: 5, selected }
}

/** 4 owners × 6 components, two owners each; counts 4, 3, 3, 2 (12 contributions). */
export function uniformTable(round = 1): ContributionTable {
  // biome-ignore format: one row per component
  const selected = Uint8Array.from([
    1, 1, 0, 0,
    1, 0, 1, 0,
    0, 1, 1, 0,
    1, 0, 0, 1,
    0, 1, 0, 1,
    1, 0, 1, 0,
  ])
  return { round, owners: [...ownerIds], components: 6, selected }
}

type ReceiverName = 'RevertingReceiver' | 'ReentrantReceiver'
const receiver = (name: ReceiverName) => {
  const artifact = receivers.find((r) => r.contractName === name)!
  return { abi: artifact.abi as Abi, bytecode: artifact.bytecode as Hex }
}

/** Deploys a test receiver from `tester`; the reentrant one is bound to the settlement. */
export async function deployReceiver(world: LedgerWorld, name: ReceiverName): Promise<Hex> {
  const { abi, bytecode } = receiver(name)
  const args = name === 'ReentrantReceiver' ? [world.contract.address] : []
  const receipt = await world.chain.send(world.tester, {
    data: encodeDeployData({ abi, bytecode, args }),
  })
  return receipt.contractAddress!
}

/** Calls a test receiver's function from `tester`. */
export async function driveReceiver(
  world: LedgerWorld,
  name: ReceiverName,
  address: Hex,
  functionName: string,
  args: readonly unknown[],
): Promise<void> {
  const { abi } = receiver(name)
  await world.chain.send(world.tester, {
    to: address,
    data: encodeFunctionData({ abi, functionName, args }),
  })
}

/** Reads a uint256 view of the reentrant receiver. */
export async function readReceiver(
  world: LedgerWorld,
  address: Hex,
  functionName: 'attempts' | 'successes',
): Promise<bigint> {
  const { abi } = receiver('ReentrantReceiver')
  const data = await world.chain.call({
    to: address,
    data: encodeFunctionData({ abi, functionName, args: [] }),
  })
  return decodeFunctionResult({ abi, functionName, data }) as bigint
}

/** Balances of several addresses, in order. */
export async function balancesOf(world: LedgerWorld, addresses: readonly Hex[]) {
  return Promise.all(addresses.map((a) => world.chain.getBalance(a)))
}

/**
 * Opens and commits a round on the contract directly, for owners that are not port
 * accounts; the table in `format`, by default the one the port would choose.
 */
export async function openDirect(
  world: LedgerWorld,
  owners: readonly Hex[],
  selected: Uint8Array,
  components: number,
  deposit: bigint,
  counts = countSelections(selected, owners.length),
  format?: TableFormat,
) {
  const deadline = (await world.chain.latestTimestamp()) + 600n
  const opened = await world.contract.open(world.mr, {
    protocolRound: 9n,
    provider: world.sp.address,
    deadline,
    price: world.price,
    owners,
    deposit,
  })
  const committed = await world.contract.commitTable(world.mr, opened.roundId, opened.terms, {
    components,
    counts,
    ...encodeContributionTable(selected, owners.length, components, format),
  })
  return { roundId: opened.roundId, terms: committed.terms, counts }
}
