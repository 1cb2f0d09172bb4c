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
  /** Milliseconds since the epoch after which the round can only be refunded. */
  readonly deadline: number
  state: 'open' | 'settled' | 'refunded'
}

/**
 * An in-process ledger with the settlement semantics of the smart contract
 * (contracts/MsflSettlement.sol): escrow, deposit check, payment together with delivery
 * before the deadline, refund after it or at once when the provider declines, and a
 * model-digest registry. Used by simulations
 * that need no chain; it keeps real accounts so payments can be checked. Payments here
 * always arrive, so nothing ever waits for withdraw.
 */
export function createMemorySettlement(options: {
  pricePerComponent: bigint
  requestor: string
  /** How long after opening a round may be settled; default one hour. */
  roundTimeoutSeconds?: number
  /** The clock deadlines are checked against, in milliseconds; default Date.now. */
  now?: () => number
}): MemorySettlement {
  const now = options.now ?? Date.now
  const timeoutMs = (options.roundTimeoutSeconds ?? 3600) * 1000
  const rounds = new Map<string, OpenRound>()
  const models = new Map<number, Uint8Array>()
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
  const closed = (roundId: string, round: OpenRound) => {
    if (round.state !== 'open')
      throw new MsflError('PROTOCOL', `ledger: round ${roundId} is already ${round.state}`)
  }
  return {
    pricePerComponent: options.pricePerComponent,
    async openRound(table, deposit) {
      if (deposit <= 0n || deposit < options.pricePerComponent)
        throw new MsflError(
          'PROTOCOL',
          `ledger: the deposit of ${deposit} cannot pay one contribution at ${options.pricePerComponent}`,
        )
      if (table.selected.length !== table.components * table.owners.length)
        throw new MsflError(
          'PROTOCOL',
          'ledger: the contribution table does not match its owners and components',
        )
      const id = `round-${table.round}-${rounds.size + 1}`
      rounds.set(id, { table, deposit, deadline: now() + timeoutMs, state: 'open' })
      credit(options.requestor, -deposit)
      return id
    },
    async status(roundId) {
      const round = get(roundId)
      if (round.state === 'settled') return 'delivered'
      if (round.state === 'refunded') return 'refunded'
      return round.deposit >= price(round.table) ? 'funded' : 'unfunded'
    },
    async isFunded(roundId) {
      const round = get(roundId)
      return round.deposit >= price(round.table)
    },
    async settle(roundId, aggregateDigest): Promise<SettlementReceipt> {
      const round = get(roundId)
      closed(roundId, round)
      if (round.deposit < price(round.table))
        throw new MsflError('PROTOCOL', `ledger: round ${roundId} is not funded`)
      if (now() > round.deadline)
        throw new MsflError('PROTOCOL', `ledger: round ${roundId} passed its deadline`)
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
      round.state = 'settled'
      return { round: table.round, payouts, refund }
    },
    async decline(roundId) {
      const round = get(roundId)
      closed(roundId, round)
      round.state = 'refunded'
      credit(options.requestor, round.deposit)
      return round.deposit
    },
    async refundAfterDeadline(roundId) {
      const round = get(roundId)
      closed(roundId, round)
      if (now() <= round.deadline)
        throw new MsflError('PROTOCOL', `ledger: round ${roundId} is before its deadline`)
      round.state = 'refunded'
      credit(options.requestor, round.deposit)
      return round.deposit
    },
    async registerModel(round, modelDigest) {
      if (modelDigest.length !== 32)
        throw new MsflError('PROTOCOL', 'ledger: the model digest must be 32 bytes')
      if (modelDigest.every((b) => b === 0))
        throw new MsflError('PROTOCOL', 'ledger: the model digest must not be all zero')
      if (models.has(round))
        throw new MsflError('PROTOCOL', `ledger: a model is already registered for round ${round}`)
      models.set(round, Uint8Array.from(modelDigest))
    },
    modelDigest: async (round) => {
      const digest = models.get(round)
      return digest && Uint8Array.from(digest)
    },
    withdrawable: async () => 0n,
    withdraw: async () => 0n,
    balances: () => ({ ...balances }),
    table: async (roundId) => get(roundId).table,
  }
}
