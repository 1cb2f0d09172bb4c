/**
 * The fair-transaction step of MS-FL (SPEC C2 step 6): the model requestor opens a
 * round with its contribution table and a deposit; the service provider releases the
 * encrypted aggregate only if the deposit covers the price; delivery and payment to
 * the data owners happen together. The smart contract implements this interface on a
 * chain; an in-process ledger implements it for simulation.
 */
export interface ContributionTable {
  readonly round: number
  /** Data owners in table order. */
  readonly owners: readonly string[]
  readonly components: number
  /** selected[j * owners.length + i] === 1 iff owner i contributed to component j. */
  readonly selected: Uint8Array
}

/** What settling a round paid: the payout of each data owner and the refund to the requestor. */
export interface SettlementReceipt {
  readonly round: number
  /** Amount paid to each owner (or credited for withdraw, see Settlement.withdraw), in the ledger's smallest unit. */
  readonly payouts: Readonly<Record<string, bigint>>
  /** Amount returned to the requestor (deposit minus payouts). */
  readonly refund: bigint
}

/**
 * Where a round stands on the ledger: opened (table not committed yet), funded or unfunded
 * (table committed), delivered (the owners were paid) or refunded (declined or past its deadline).
 */
export type SettlementStatus = 'open' | 'funded' | 'unfunded' | 'delivered' | 'refunded'

/**
 * The ledger port of MS-FL: escrow a round's deposit against its contribution table, then pay the
 * owners on delivery of the model or refund.
 */
export interface Settlement {
  /** Price the data owners ask for one component contribution. */
  readonly pricePerComponent: bigint
  /** The requestor escrows `deposit` against the table; returns the round's id on the ledger. */
  openRound(table: ContributionTable, deposit: bigint): Promise<string>
  /** The contribution table a round was opened with, as recorded on the ledger. */
  table(roundId: string): Promise<ContributionTable>
  /** Where the round stands; throws when the ledger never opened it. */
  status(roundId: string): Promise<SettlementStatus>
  /**
   * Whether the round was opened on this settlement's terms (its price per component, its
   * provider) and its escrowed deposit covers that price for every selected contribution.
   */
  isFunded(roundId: string): Promise<boolean>
  /** Pays the owners and records delivery of the aggregate (by its hash) in one step. */
  settle(roundId: string, aggregateDigest: Uint8Array): Promise<SettlementReceipt>
  /**
   * The service provider declines a round whose table it will not serve (a component below
   * the minimum number of owners, or an unfunded deposit): nothing is released or paid and
   * the whole deposit returns to the requestor now; `reason` is recorded. Returns the amount.
   */
  decline(roundId: string, reason: string): Promise<bigint>
  /** After the deadline, returns the whole deposit of a round nobody settled to the requestor; returns the amount. */
  refundAfterDeadline(roundId: string): Promise<bigint>
  /** Records the 32-byte digest of the global model after protocol round `round` (keccak256 of its bytes on a chain); once per round. */
  registerModel(round: number, modelDigest: Uint8Array): Promise<void>
  /** The model digest registered for `round`, if any. */
  modelDigest(round: number): Promise<Uint8Array | undefined>
  /** Payments to `owner` that could not be delivered at settlement and wait for withdraw. */
  withdrawable(owner: string): Promise<bigint>
  /** Pays `owner` its waiting payments; returns the amount (0 when nothing waits). */
  withdraw(owner: string): Promise<bigint>
}
