import {
  attachSettlementContract,
  type ChainClient,
  createChainSettlement,
  createRpcChain,
  decodeSettlementLogs,
  deploySettlementContract,
  deriveLedgerAccount,
  generateLedgerAccount,
  type Hex,
  type LedgerAccount,
  type LedgerAddress,
  parseAddress,
  parseLedgerSpec,
  settlementArtifact,
  settlementTotals,
} from '../../adapters/ledger-evm/index.ts'
import type { ProcessLog } from '../../adapters/logging/index.ts'
import { kitLedgerSeed, type StartupKit } from '../../adapters/pki/index.ts'
import type { LedgerTerms } from '../../core/deploy/msflDeploymentMessages.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { SettlementStatus } from '../../core/ports/settlement.ts'
import type { MsflRunPlan } from '../../runtime/config/planRun.ts'
import type {
  DeployedLedgerSummary,
  LedgerParties,
  LedgerRole,
  OwnerLedger,
  ProviderLedger,
} from '../../runtime/deploy/msflLedgerParty.ts'
import { createLedgerAddressClaims } from './ledgerAddressClaims.ts'
import type { DeployedJob } from './loadJob.ts'
import type { OpenedParticipant } from './openParticipant.ts'

/** How a party reaches the run's chain. */
export interface LedgerPartyOptions {
  readonly kit: StartupKit
  readonly runId: string
  /** `rpc:<url>`: the JSON-RPC node this party uses (its own node, or the federation's). */
  readonly ledger: string
  readonly log: ProcessLog
  /** How long to wait for the operator to fund this party's account (default ten minutes). */
  readonly fundingTimeoutMs?: number
  /**
   * The account outlives the process: derived from the kit's key and the run (kitLedgerSeed),
   * so a provider restarted on its run store delivers and declines on the run's contract from
   * the address the parties accepted. Otherwise a fresh key from the CSPRNG.
   */
  readonly durable?: boolean
}

/** openLedgerParty for a participant of an MS-FL job: on `--ledger`, else the job's `ledger`. */
export function openJobLedger(
  opened: OpenedParticipant<DeployedJob<MsflRunPlan>>,
  flag: string | undefined,
  durable = false,
): ProviderLedger & OwnerLedger {
  const { kit, job, log } = opened
  return openLedgerParty({
    kit,
    runId: job.runId,
    ledger: flag ?? job.plan.ledger,
    log,
    ...(durable ? { durable } : {}),
  })
}

/**
 * The JSON-RPC node of `ledger` (`--ledger`, else the job's), or a refusal naming the field:
 * an MS-FL deployment settles on a chain every party reaches.
 */
export function sharedLedger(ledger: string): { readonly kind: 'rpc'; readonly url: string } {
  const where = parseLedgerSpec(ledger, 'ledger')
  if (where.kind !== 'rpc')
    throw new MsflError(
      'CONFIG_INVALID',
      `ledger: an MS-FL deployment settles on a chain every party reaches, rpc:<url> (got ${where.kind}: an in-process chain cannot be shared between processes; give --ledger rpc:<url>)`,
    )
  return where
}

const LEDGER_ROLES: readonly string[] = ['service-provider', 'requestor', 'data-owner']

/**
 * A party's account on the run's chain. Its key is drawn from the CSPRNG when the process
 * starts and lives only inside the viem account in this process's memory: it is never
 * written, logged or sent (generateLedgerAccount). The party proves its address to the
 * others by signing (run, name, address) with its kit key (createLedgerAddressClaims), so
 * the provider that forwards the claims cannot substitute an address of its own. The
 * address is logged (it is public) so the operator can fund it; the party waits for that
 * before it sends a transaction.
 */
export function openLedgerParty(o: LedgerPartyOptions): ProviderLedger & OwnerLedger {
  const where = sharedLedger(o.ledger)
  return ledgerPartyOn(createRpcChain({ url: where.url }), where.url, o)
}

/**
 * openLedgerParty on a chain client already open: `url` names it in logs and errors. The
 * JSON-RPC node of a deployment, or an in-process chain shared by in-process parties.
 */
export function ledgerPartyOn(
  chain: ChainClient,
  url: string,
  o: Omit<LedgerPartyOptions, 'ledger'>,
): ProviderLedger & OwnerLedger {
  if (!LEDGER_ROLES.includes(o.kit.role))
    throw new MsflError('CONFIG_INVALID', `ledger: a ${o.kit.role} holds no account on the chain`)
  const own = o.durable ? durableAccount(o) : generateLedgerAccount(o.kit.name)
  o.log.info('ledger account', { address: own.address, chain: url })
  const claims = createLedgerAddressClaims(o.kit, o.runId, own.address)
  let funded: Promise<void> | undefined
  const awaitFunding = () => {
    funded ??= waitForBalance(o, chain, own.address)
    return funded
  }
  const slot = (label: string, address: string): LedgerAccount | LedgerAddress =>
    address.toLowerCase() === own.address.toLowerCase()
      ? own
      : { label, address: parseAddress(address, label) }
  return {
    address: own.address,
    ...claims,
    async check(terms) {
      await attachRunContract(chain, terms, url)
    },
    async settle(terms, parties, modelRegistrar) {
      const contract = await attachRunContract(chain, terms, url)
      if ((o.kit.role as LedgerRole) !== 'data-owner') await awaitFunding()
      return createChainSettlement({
        contract,
        pricePerComponent: terms.pricePerComponent,
        requestor: slot('model-requestor', parties.requestor),
        provider: slot('service-provider', parties.provider),
        owners: Object.fromEntries(
          Object.entries(parties.owners).map(([id, address]) => [id, slot(id, address)]),
        ),
        ...(modelRegistrar ? { modelRegistrar } : {}),
      })
    },
    async publish(pricePerComponent) {
      await awaitFunding()
      const contract = await deploySettlementContract(chain, own)
      const terms = {
        chainId: await chain.chainId(),
        contract: contract.address,
        fromBlock: contract.fromBlock,
        pricePerComponent,
      }
      o.log.info('settlement contract deployed', {
        contract: terms.contract,
        chainId: terms.chainId,
        block: terms.fromBlock.toString(),
      })
      return terms
    },
    totals: (terms, parties) => namedTotals(chain, terms, parties),
    async protocolRounds(terms, requestor, round) {
      const contract = await attachRunContract(chain, terms, url)
      const events = decodeSettlementLogs(
        await chain.getLogs({ address: contract.address, fromBlock: terms.fromBlock }),
      )
      const out: { ledgerRound: string; status: SettlementStatus }[] = []
      for (const e of events)
        if (
          e.name === 'RoundOpened' &&
          e.protocolRound === BigInt(round) &&
          e.requestor.toLowerCase() === requestor.toLowerCase() &&
          e.provider.toLowerCase() === own.address.toLowerCase()
        ) {
          const { status } = await contract.roundState(e.roundId)
          if (status !== 'none') out.push({ ledgerRound: e.roundId.toString(), status })
        }
      return out
    },
    async collect(terms) {
      const contract = await attachRunContract(chain, terms, url)
      const read = await settlementTotals(chain, contract.address, terms.fromBlock)
      const paid = read.payouts[own.address.toLowerCase()] ?? 0n
      if ((await contract.withdrawable(own.address)) === 0n) return { paid, withdrawn: 0n }
      await awaitFunding()
      const { events } = await contract.withdraw(own, own.address)
      const withdrawn = events.reduce((s, e) => (e.name === 'Withdrawn' ? s + e.amount : s), 0n)
      return { paid, withdrawn }
    },
  }
}

/**
 * The run's contract, after checking that this party's node is the run's chain and that
 * the code at the address is the MsflSettlement runtime bytecode of the artifact.
 */
async function attachRunContract(chain: ChainClient, terms: LedgerTerms, url: string) {
  const chainId = await chain.chainId()
  if (chainId !== terms.chainId)
    throw new MsflError(
      'PROTOCOL',
      `ledger: the run settles on chain ${terms.chainId}, ${url} is chain ${chainId}`,
    )
  const code = await chain.getCode(terms.contract as Hex)
  if (code.toLowerCase() !== settlementArtifact.deployedBytecode.toLowerCase())
    throw new MsflError(
      'PROTOCOL',
      `ledger: the code at ${terms.contract} is not the MsflSettlement contract (source ${settlementArtifact.sourceSha256})`,
    )
  return attachSettlementContract(chain, terms.contract as Hex, terms.fromBlock)
}

/** The contract's totals with each payout under its party's name. */
async function namedTotals(
  chain: ChainClient,
  terms: LedgerTerms,
  parties: LedgerParties,
): Promise<DeployedLedgerSummary> {
  const read = await settlementTotals(chain, terms.contract as Hex, terms.fromBlock)
  const names = new Map<string, string>([
    [parties.requestor.toLowerCase(), 'requestor'],
    [parties.provider.toLowerCase(), 'provider'],
    ...Object.entries(parties.owners).map(([id, a]): [string, string] => [a.toLowerCase(), id]),
  ])
  const payouts: Record<string, bigint> = {}
  for (const [account, amount] of Object.entries(read.payouts)) {
    const name = names.get(account) ?? account
    payouts[name] = (payouts[name] ?? 0n) + amount
  }
  return {
    chainId: terms.chainId,
    contract: terms.contract,
    deposit: read.deposit,
    payouts,
    refund: read.refund,
    escrowBalance: read.balance,
  }
}

/** The provider's account of this run, the same after a restart (kitLedgerSeed). */
function durableAccount(o: Omit<LedgerPartyOptions, 'ledger'>): LedgerAccount {
  const seed = kitLedgerSeed(o.kit, o.runId)
  try {
    return deriveLedgerAccount(seed, o.kit.name)
  } finally {
    seed.fill(0)
  }
}

/** Polls the balance until the operator has funded the account; logs once while it waits. */
async function waitForBalance(
  o: Omit<LedgerPartyOptions, 'ledger'>,
  chain: ChainClient,
  address: Hex,
): Promise<void> {
  const deadline = Date.now() + (o.fundingTimeoutMs ?? 600_000)
  let told = false
  while ((await chain.getBalance(address)) === 0n) {
    if (Date.now() > deadline)
      throw new MsflError(
        'DEADLINE',
        `ledger: account ${address} was not funded in time; the operator funds each party's account`,
      )
    if (!told) o.log.info('waiting for the account to be funded', { address })
    told = true
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
