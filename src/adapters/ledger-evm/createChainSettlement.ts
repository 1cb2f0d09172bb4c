import { bytesToHex, hexToBytes, zeroHash } from 'viem'
import { MsflError } from '../../core/errors/msflError.ts'
import type {
  ContributionTable,
  Settlement,
  SettlementReceipt,
} from '../../core/ports/settlement.ts'
import type { Hex } from './chainClient.ts'
import { countSelections } from './contributionBitmap.ts'
import { encodeContributionTable } from './contributionTable.ts'
import type { LedgerAccount, LedgerAddress } from './ledgerAccounts.ts'
import type { SettlementContract } from './settlementContract.ts'
import type { SettlementEvent } from './settlementEvents.ts'
import { verifyTableCommittedEvent } from './verifyCommittedTable.ts'

export interface ChainSettlement extends Settlement {
  readonly contract: SettlementContract
  /** Balances in wei of the requestor, the provider, every owner and the contract. */
  balances(): Promise<Readonly<Record<string, bigint>>>
}

export interface ChainSettlementOptions {
  readonly contract: SettlementContract
  /** Wei per selected (component, owner) cell. */
  readonly pricePerComponent: bigint
  /**
   * The requestor, the provider and the owners: a party whose key this process holds is a
   * LedgerAccount, the others are addresses (a deployment: each process signs only its own
   * transactions; a function another party signs is refused here before anything is sent).
   */
  readonly requestor: LedgerAccount | LedgerAddress
  readonly provider: LedgerAccount | LedgerAddress
  /** Data-owner id (as in the contribution table) → account. */
  readonly owners: Readonly<Record<string, LedgerAccount | LedgerAddress>>
  /** Seconds after opening until which the provider may deliver; default one hour. */
  readonly roundTimeoutSeconds?: number
  /** Where the aggregate of a round can be fetched, recorded with the delivery; default none. */
  readonly resultUri?: (roundId: string) => string
  /**
   * Who registers each round's global model digest (and under whose address it is read):
   * the requestor (default; MS-FL, where only it holds the model) or the provider (a
   * deployed FedAvg job, where the provider aggregates the model).
   */
  readonly modelRegistrar?: 'requestor' | 'provider'
}

/**
 * The Settlement port on the MsflSettlement contract. openRound = open + commitTable by
 * the requestor, in the combinatorial table format when every component selects the same
 * 0 < k < t owners and as a bitmap otherwise (encodeContributionTable); table() rebuilds
 * the table from the TableCommitted event and verifies it against the hash stored on
 * chain, the ranks and the committed counts; settle = deliver by the provider, with the
 * receipt read from its Paid / PaymentDeferred / Refunded events; decline = decline by the
 * provider, which refunds the whole deposit. Round ids are the
 * contract's round numbers in decimal.
 */
export function createChainSettlement(options: ChainSettlementOptions): ChainSettlement {
  const { contract, requestor, provider, pricePerComponent } = options
  if (pricePerComponent <= 0n)
    throw new MsflError('CONFIG_INVALID', 'pricePerComponent must be at least 1 wei on a chain')
  const registrar = options.modelRegistrar === 'provider' ? provider : requestor
  const timeoutSeconds = options.roundTimeoutSeconds ?? 3600
  if (!Number.isSafeInteger(timeoutSeconds) || timeoutSeconds < 1)
    throw new MsflError('CONFIG_INVALID', 'roundTimeoutSeconds must be a whole number ≥ 1')
  const timeout = BigInt(timeoutSeconds)
  const idOf = new Map<string, string>()
  for (const [id, account] of Object.entries(options.owners)) {
    const key = account.address.toLowerCase()
    if (idOf.has(key))
      throw new MsflError('CONFIG_INVALID', `owners: ${id} and ${idOf.get(key)} share an address`)
    idOf.set(key, id)
  }
  const ownerId = (address: Hex) => idOf.get(address.toLowerCase()) ?? address
  const ownerAccount = (id: string) => {
    const account = options.owners[id]
    if (!account)
      throw new MsflError('PROTOCOL', `ledger: no account for data owner ${JSON.stringify(id)}`)
    return account
  }
  const parseRoundId = (roundId: string) => {
    if (!/^[1-9][0-9]{0,19}$/.test(roundId))
      throw new MsflError(
        'PROTOCOL',
        `ledger: round id ${JSON.stringify(roundId)} is not a round number`,
      )
    return BigInt(roundId)
  }
  /** The round's history, its terms checked against the chain, and its verified table. */
  const verifiedRound = async (roundId: string) => {
    const { terms, record } = await contract.verifiedTerms(parseRoundId(roundId))
    if (!record.committed)
      throw new MsflError('PROTOCOL', `ledger: round ${roundId} has no contribution table yet`)
    const selected = verifyTableCommittedEvent(record.committed, record.opened.owners.length)
    const table: ContributionTable = {
      round: Number(record.opened.protocolRound),
      owners: record.opened.owners.map(ownerId),
      components: record.committed.components,
      selected,
    }
    return { terms, record, table }
  }
  /**
   * Each owner is owed count × price whether the push arrived (Paid) or waits for withdraw
   * (PaymentDeferred); the Delivered event's totals must agree with that.
   */
  const receiptFrom = (
    table: ContributionTable,
    counts: readonly number[],
    price: bigint,
    events: readonly SettlementEvent[],
  ): SettlementReceipt => {
    const payouts: Record<string, bigint> = {}
    let owed = 0n
    table.owners.forEach((id, i) => {
      const amount = BigInt(counts[i]!) * price
      payouts[id] = (payouts[id] ?? 0n) + amount
      owed += amount
    })
    const delivered = events.find((e) => e.name === 'Delivered')
    if (!delivered || delivered.paid !== owed)
      throw new MsflError(
        'PROTOCOL',
        `ledger: the delivery of round ${table.round} paid ${delivered?.paid} wei, the table owes ${owed}`,
      )
    return { round: table.round, payouts, refund: delivered.refund }
  }

  return {
    contract,
    pricePerComponent,
    async openRound(table, deposit) {
      const t = table.owners.length
      if (t === 0) throw new MsflError('PROTOCOL', 'ledger: the contribution table has no owners')
      if (
        !Number.isInteger(table.components) ||
        table.components < 1 ||
        table.components >= 2 ** 32
      )
        throw new MsflError(
          'PROTOCOL',
          `ledger: components must be 1 to 2³² − 1, got ${table.components}`,
        )
      const encoded = encodeContributionTable(table.selected, t, table.components)
      const deadline = (await contract.chain.latestTimestamp()) + timeout
      const opened = await contract.open(signing(requestor, 'open'), {
        protocolRound: BigInt(table.round),
        provider: provider.address,
        deadline,
        price: pricePerComponent,
        owners: table.owners.map((id) => ownerAccount(id).address),
        deposit,
      })
      await contract.commitTable(signing(requestor, 'commitTable'), opened.roundId, opened.terms, {
        components: table.components,
        counts: countSelections(table.selected, t),
        ...encoded,
      })
      return opened.roundId.toString()
    },
    table: async (roundId) => (await verifiedRound(roundId)).table,
    // Funded on this run's terms: a round the requestor opened at another price (its owners
    // would be paid that price for the model) or for another provider is not.
    async isFunded(roundId) {
      const id = parseRoundId(roundId)
      const { terms } = await contract.verifiedTerms(id)
      if (terms.price !== pricePerComponent) return false
      if (terms.provider.toLowerCase() !== provider.address.toLowerCase()) return false
      return contract.isFunded(id)
    },
    async status(roundId) {
      const { status } = await contract.roundState(parseRoundId(roundId))
      if (status === 'none')
        throw new MsflError('PROTOCOL', `ledger: round ${roundId} was never opened`)
      return status
    },
    async settle(roundId, aggregateDigest): Promise<SettlementReceipt> {
      if (aggregateDigest.length !== 32)
        throw new MsflError('PROTOCOL', 'ledger: the aggregate digest must be 32 bytes')
      const { terms, record, table } = await verifiedRound(roundId)
      const { events } = await contract.deliver(
        signing(provider, 'deliver'),
        parseRoundId(roundId),
        terms,
        {
          owners: record.opened.owners,
          counts: record.committed!.counts,
          resultHash: bytesToHex(aggregateDigest),
          uri: options.resultUri?.(roundId) ?? '',
        },
      )
      return receiptFrom(table, record.committed!.counts, terms.price, events)
    },
    async decline(roundId, reason) {
      const { terms } = await contract.verifiedTerms(parseRoundId(roundId))
      const { events } = await contract.decline(
        signing(provider, 'decline'),
        parseRoundId(roundId),
        terms,
        reason,
      )
      return events.reduce((sum, e) => (e.name === 'Refunded' ? sum + e.amount : sum), 0n)
    },
    async refundAfterDeadline(roundId) {
      const { terms } = await contract.verifiedTerms(parseRoundId(roundId))
      const { events } = await contract.refund(
        signing(requestor, 'refund'),
        parseRoundId(roundId),
        terms,
      )
      return events.reduce((sum, e) => (e.name === 'Refunded' ? sum + e.amount : sum), 0n)
    },
    async registerModel(round, modelDigest) {
      if (modelDigest.length !== 32)
        throw new MsflError('PROTOCOL', 'ledger: the model digest must be 32 bytes')
      await contract.registerModel(
        signing(registrar, 'registerModel'),
        BigInt(round),
        bytesToHex(modelDigest),
      )
    },
    async modelDigest(round) {
      const hash = await contract.modelHash(registrar.address, BigInt(round))
      return hash === zeroHash ? undefined : hexToBytes(hash)
    },
    withdrawable: (owner) => contract.withdrawable(ownerAccount(owner).address),
    async withdraw(owner) {
      const account = ownerAccount(owner)
      if ((await contract.withdrawable(account.address)) === 0n) return 0n
      const { events } = await contract.withdraw(signing(account, 'withdraw'), account.address)
      return events.reduce((sum, e) => (e.name === 'Withdrawn' ? sum + e.amount : sum), 0n)
    },
    async balances() {
      const accounts: [string, Hex][] = [
        [requestor.label, requestor.address],
        [provider.label, provider.address],
        ...Object.entries(options.owners).map(([id, a]): [string, Hex] => [id, a.address]),
        ['contract', contract.address],
      ]
      const out: Record<string, bigint> = {}
      for (const [label, address] of accounts) out[label] = await contract.chain.getBalance(address)
      return out
    },
  }
}

/** The party's signing account, or a refusal: this process does not hold that party's key. */
function signing(party: LedgerAccount | LedgerAddress, action: string): LedgerAccount {
  if ('signer' in party) return party
  throw new MsflError(
    'PROTOCOL',
    `ledger: ${action} is signed by ${party.label}, whose key this process does not hold`,
  )
}
