import { MsflError } from '../../core/errors/msflError.ts'
import type {
  ContributionTable,
  Settlement,
  SettlementReceipt,
} from '../../core/ports/settlement.ts'

export interface MemorySettlement extends Settlement {
  /** Balance of every account that received or returned money. */
  balances(): Readonly<Record<string, bigint>>
}

interface OpenRound {
  readonly table: ContributionTable
  readonly deposit: bigint
  settled: boolean
}

/**
 * An in-process ledger with the settlement semantics of the smart contract: escrow,
 * deposit check, and payment together with delivery. Used by simulations until the
 * EVM ledger lands; it keeps real accounts so payments can be checked.
 */
export function createMemorySettlement(options: {
  pricePerComponent: bigint
  requestor: string
}): MemorySettlement {
  const rounds = new Map<string, OpenRound>()
  const balances: Record<string, bigint> = {}
  const credit = (account: string, amount: bigint) => {
    balances[account] = (balances[account] ?? 0n) + amount
  }
  const get = (roundId: string): OpenRound => {
    const round = rounds.get(roundId)
    if (!round) throw new MsflError('PROTOCOL', `ledger: no round ${JSON.stringify(roundId)}`)
    return round
  }
  const price = (table: ContributionTable): bigint => {
    let count = 0n
    for (const s of table.selected) count += BigInt(s)
    return count * options.pricePerComponent
  }
  return {
    pricePerComponent: options.pricePerComponent,
    async openRound(table, deposit) {
      if (deposit < 0n) throw new MsflError('PROTOCOL', 'ledger: a deposit cannot be negative')
      if (table.selected.length !== table.components * table.owners.length)
        throw new MsflError(
          'PROTOCOL',
          'ledger: the contribution table does not match its owners and components',
        )
      const id = `round-${table.round}-${rounds.size + 1}`
      rounds.set(id, { table, deposit, settled: false })
      credit(options.requestor, -deposit)
      return id
    },
    async isFunded(roundId) {
      const round = get(roundId)
      return round.deposit >= price(round.table)
    },
    async settle(roundId, aggregateDigest): Promise<SettlementReceipt> {
      const round = get(roundId)
      if (round.settled)
        throw new MsflError('PROTOCOL', `ledger: round ${roundId} is already settled`)
      if (round.deposit < price(round.table))
        throw new MsflError('PROTOCOL', `ledger: round ${roundId} is not funded`)
      if (aggregateDigest.length !== 32)
        throw new MsflError('PROTOCOL', 'ledger: the aggregate digest must be 32 bytes')
      const { table } = round
      const t = table.owners.length
      const payouts: Record<string, bigint> = {}
      for (let i = 0; i < t; i++) {
        let count = 0n
        for (let j = 0; j < table.components; j++) count += BigInt(table.selected[j * t + i]!)
        payouts[table.owners[i]!] = count * options.pricePerComponent
      }
      let paid = 0n
      for (const [owner, amount] of Object.entries(payouts)) {
        credit(owner, amount)
        paid += amount
      }
      const refund = round.deposit - paid
      credit(options.requestor, refund)
      round.settled = true
      return { round: table.round, payouts, refund }
    },
    balances: () => ({ ...balances }),
    table: async (roundId) => get(roundId).table,
  }
}
