import { bytesToHex, decodeFunctionResult, encodeFunctionData, toHex, zeroHash } from 'viem'
import { MsflError } from '../../core/errors/msflError.ts'
import type { ChainClient, ChainReceipt, Hex } from './chainClient.ts'
import { describeRevert } from './describeRevert.ts'
import type { LedgerAccount } from './ledgerAccounts.ts'
import {
  type RoundStatus,
  roundStatuses,
  settlementAbi,
  settlementBytecode,
} from './settlementArtifact.ts'
import {
  collectRoundRecord,
  decodeSettlementLogs,
  type RoundRecord,
  type SettlementEvent,
} from './settlementEvents.ts'
import { hashCounts, hashOwners, hashTerms, type SettlementTerms } from './settlementTerms.ts'

/**
 * The encoded contribution table (encodeContributionTable) and what the requestor claims
 * it contains. `format` and `k` go to the contract as they are (uint8), so tests can send
 * values the contract must refuse.
 */
export interface CommittedTableInput {
  readonly components: number
  /** TableFormat: 0 bitmap (k = 0), 1 combinatorial (k owners per component). */
  readonly format: number
  readonly k: number
  readonly counts: readonly number[]
  readonly table: Uint8Array
}

/**
 * Typed access to one deployed MsflSettlement: every function of the contract, its views,
 * and the per-round event history. Reverts surface as SettlementRevertError.
 */
export interface SettlementContract {
  readonly chain: ChainClient
  readonly address: Hex
  /** The block the contract was deployed in: log queries start there. */
  readonly fromBlock: bigint
  open(
    from: LedgerAccount,
    args: {
      readonly protocolRound: bigint
      readonly provider: Hex
      readonly deadline: bigint
      readonly price: bigint
      readonly owners: readonly Hex[]
      readonly deposit: bigint
    },
  ): Promise<{ roundId: bigint; terms: SettlementTerms; receipt: ChainReceipt }>
  commitTable(
    from: LedgerAccount,
    roundId: bigint,
    terms: SettlementTerms,
    table: CommittedTableInput,
  ): Promise<{ terms: SettlementTerms; funded: boolean; receipt: ChainReceipt }>
  deliver(
    from: LedgerAccount,
    roundId: bigint,
    terms: SettlementTerms,
    delivery: {
      readonly owners: readonly Hex[]
      readonly counts: readonly number[]
      readonly resultHash: Hex
      readonly uri: string
    },
  ): Promise<{ events: SettlementEvent[]; receipt: ChainReceipt }>
  refund(
    from: LedgerAccount,
    roundId: bigint,
    terms: SettlementTerms,
  ): Promise<{ events: SettlementEvent[]; receipt: ChainReceipt }>
  /** The provider declines a committed round: the deposit returns to the requestor at once. */
  decline(
    from: LedgerAccount,
    roundId: bigint,
    terms: SettlementTerms,
    reason: string,
  ): Promise<{ events: SettlementEvent[]; receipt: ChainReceipt }>
  withdraw(
    from: LedgerAccount,
    to: Hex,
  ): Promise<{ events: SettlementEvent[]; receipt: ChainReceipt }>
  registerModel(from: LedgerAccount, round: bigint, modelHash: Hex): Promise<ChainReceipt>
  isFunded(roundId: bigint): Promise<boolean>
  roundState(roundId: bigint): Promise<{ termsHash: Hex; status: RoundStatus }>
  withdrawable(account: Hex): Promise<bigint>
  /** The registered model hash, or the zero hash when none is. */
  modelHash(requestor: Hex, round: bigint): Promise<Hex>
  /** Everything the logs say about a round; throws when the round was never opened. */
  record(roundId: bigint): Promise<RoundRecord>
  /** The round's terms rebuilt from its events and checked against the hash stored on chain. */
  verifiedTerms(roundId: bigint): Promise<{ terms: SettlementTerms; record: RoundRecord }>
}

/** Deploys a new MsflSettlement from `from`. */
export async function deploySettlementContract(
  chain: ChainClient,
  from: LedgerAccount,
): Promise<SettlementContract> {
  const receipt = await chain
    .send(from, { data: settlementBytecode })
    .catch((error: unknown) => Promise.reject(describeRevert('deploy', error)))
  if (!receipt.contractAddress)
    throw new MsflError('PROTOCOL', 'ledger: the deployment created no contract')
  return attachSettlementContract(chain, receipt.contractAddress, receipt.blockNumber)
}

/** The rebuilt terms of a round from its events (table fields zero before the commit). */
export function termsFromRecord(record: RoundRecord): SettlementTerms {
  const { opened, committed } = record
  return {
    requestor: opened.requestor,
    provider: opened.provider,
    deadline: opened.deadline,
    ownerCount: opened.owners.length,
    components: committed?.components ?? 0,
    deposit: opened.deposit,
    price: opened.price,
    contributions: committed?.contributions ?? 0n,
    ownersHash: hashOwners(opened.owners),
    tableHash: committed?.tableHash ?? zeroHash,
    countsHash: committed ? hashCounts(committed.counts) : zeroHash,
  }
}

/** A handle on an already deployed MsflSettlement at `address`. */
export function attachSettlementContract(
  chain: ChainClient,
  address: Hex,
  fromBlock = 0n,
): SettlementContract {
  const transact = async (
    from: LedgerAccount,
    functionName: string,
    args: readonly unknown[],
    value?: bigint,
  ) => {
    const data = encodeFunctionData({ abi: settlementAbi, functionName, args })
    try {
      const receipt = await chain.send(from, { to: address, data, ...(value ? { value } : {}) })
      const own = receipt.logs.filter((log) => log.address.toLowerCase() === address.toLowerCase())
      return { receipt, events: decodeSettlementLogs(own) }
    } catch (error) {
      throw describeRevert(functionName, error)
    }
  }
  const read = async (functionName: string, args: readonly unknown[]): Promise<unknown> => {
    const data = encodeFunctionData({ abi: settlementAbi, functionName, args })
    try {
      return decodeFunctionResult({
        abi: settlementAbi,
        functionName,
        data: await chain.call({ to: address, data }),
      })
    } catch (error) {
      throw describeRevert(functionName, error)
    }
  }
  const record = async (roundId: bigint): Promise<RoundRecord> => {
    const logs = await chain.getLogs({
      address,
      fromBlock,
      topics: [null, toHex(roundId, { size: 32 })],
    })
    const found = collectRoundRecord(roundId, decodeSettlementLogs(logs))
    if (!found) throw new MsflError('PROTOCOL', `ledger: no round ${roundId} on ${address}`)
    return found
  }
  const roundState = async (roundId: bigint) => {
    const [termsHash, status] = (await read('rounds', [roundId])) as [Hex, number]
    return { termsHash, status: roundStatuses[status] ?? 'none' }
  }

  return {
    chain,
    address,
    fromBlock,
    async open(from, args) {
      const { receipt, events } = await transact(
        from,
        'open',
        [args.protocolRound, args.provider, args.deadline, args.price, args.owners],
        args.deposit,
      )
      const opened = events.find((e) => e.name === 'RoundOpened')
      if (!opened) throw new MsflError('PROTOCOL', 'ledger: open emitted no RoundOpened event')
      const terms = termsFromRecord({ opened, paid: [], deferred: [], refunded: [] })
      return { roundId: opened.roundId, terms, receipt }
    },
    async commitTable(from, roundId, terms, table) {
      const { receipt, events } = await transact(from, 'commitTable', [
        roundId,
        terms,
        table.components,
        table.format,
        table.k,
        table.counts,
        bytesToHex(table.table),
      ])
      const committed = events.find((e) => e.name === 'TableCommitted')
      if (!committed)
        throw new MsflError('PROTOCOL', 'ledger: commitTable emitted no TableCommitted event')
      const next: SettlementTerms = {
        ...terms,
        components: committed.components,
        contributions: committed.contributions,
        tableHash: committed.tableHash,
        countsHash: hashCounts(committed.counts),
      }
      return { terms: next, funded: committed.funded, receipt }
    },
    deliver: (from, roundId, terms, d) =>
      transact(from, 'deliver', [roundId, terms, d.owners, d.counts, d.resultHash, d.uri]),
    refund: (from, roundId, terms) => transact(from, 'refund', [roundId, terms]),
    decline: (from, roundId, terms, reason) => transact(from, 'decline', [roundId, terms, reason]),
    withdraw: (from, to) => transact(from, 'withdraw', [to]),
    registerModel: async (from, round, modelHash) =>
      (await transact(from, 'registerModel', [round, modelHash])).receipt,
    isFunded: async (roundId) => (await read('isFunded', [roundId])) as boolean,
    roundState,
    withdrawable: async (account) => (await read('withdrawable', [account])) as bigint,
    modelHash: async (requestor, round) => (await read('modelHash', [requestor, round])) as Hex,
    record,
    async verifiedTerms(roundId) {
      const found = await record(roundId)
      const terms = termsFromRecord(found)
      const stored = await roundState(roundId)
      if (hashTerms(terms).toLowerCase() !== stored.termsHash.toLowerCase())
        throw new MsflError(
          'PROTOCOL',
          `ledger: the events of round ${roundId} do not hash to the terms stored on chain`,
        )
      return { terms, record: found }
    },
  }
}
