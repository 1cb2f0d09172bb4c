import type { LedgerAddress, LedgerTerms } from '../../core/deploy/msflDeploymentMessages.ts'
import type { Settlement, SettlementStatus } from '../../core/ports/settlement.ts'

/** The roles that hold an account on an MS-FL run's chain. */
export type LedgerRole = 'service-provider' | 'requestor' | 'data-owner'

/** Every party's address, as the party holding the settlement checked them. */
export interface LedgerParties {
  readonly requestor: string
  readonly provider: string
  /** Owner node id → address. */
  readonly owners: Readonly<Record<string, string>>
}

/**
 * One party's view of the run's chain in a deployment (the composition root builds it
 * from the party's kit and `--ledger rpc:<url>`): its own account, whose key was generated
 * in this process and never leaves it, and the checks it makes of everyone else's.
 */
export interface MsflLedgerParty {
  /** This party's address. */
  readonly address: string
  /** This party's address claim for the run, signed with its certificate key. */
  claim(): LedgerAddress
  /**
   * Checks another party's claim: a certificate from this kit's CA, not revoked, naming
   * `role` and the claim's clientId, and its signature over (run, name, address). Throws
   * naming the problem: a provider that swapped an address is caught here.
   */
  checkClaim(role: LedgerRole, claim: LedgerAddress): void
  /**
   * Checks that this party's chain is `terms.chainId` and that the code at `terms.contract`
   * is the MsflSettlement contract; throws naming the problem.
   */
  check(terms: LedgerTerms): Promise<void>
  /**
   * The settlement port on the run's contract, signing as this party only: checks that the
   * chain is `terms.chainId` and that the code at `terms.contract` is the MsflSettlement
   * contract before anything is sent. Waits until this party's account is funded.
   * `modelRegistrar`: who registers the model digests (default the requestor, as in MS-FL;
   * the provider in a deployed FedAvg job, where it aggregates the model).
   */
  settle(
    terms: LedgerTerms,
    parties: LedgerParties,
    modelRegistrar?: 'requestor' | 'provider',
  ): Promise<Settlement>
}

/** The provider's chain: it deploys the contract the run settles on. */
export interface ProviderLedger extends MsflLedgerParty {
  /** Deploys the contract from the provider's account (once it is funded); the run's terms. */
  publish(pricePerComponent: bigint): Promise<LedgerTerms>
  /** Deposits, payouts (by party), refunds and the escrow left, read from the chain's events. */
  totals(terms: LedgerTerms, parties: LedgerParties): Promise<DeployedLedgerSummary>
  /**
   * The ledger rounds `requestor` opened on the run's contract for protocol round `round` to
   * be served by this provider, in the order opened, with where each stands (read from the
   * chain: a restarted provider learns what was paid or left open before it stopped).
   */
  protocolRounds(
    terms: LedgerTerms,
    requestor: string,
    round: number,
  ): Promise<readonly { readonly ledgerRound: string; readonly status: SettlementStatus }[]>
}

/** An owner's chain: at the end it reads what it was paid and withdraws what waits. */
export interface OwnerLedger extends MsflLedgerParty {
  /** Reads this owner's payouts from the chain and withdraws any deferred payment. */
  collect(terms: LedgerTerms): Promise<{ readonly paid: bigint; readonly withdrawn: bigint }>
}

/** The money of a deployed run, read from the contract's events (wei). */
export interface DeployedLedgerSummary {
  readonly chainId: number
  readonly contract: string
  readonly deposit: bigint
  /** Per party name (owners by node id). */
  readonly payouts: Readonly<Record<string, bigint>>
  readonly refund: bigint
  /** What the contract still holds. */
  readonly escrowBalance: bigint
}
