import { X509Certificate } from 'node:crypto'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import {
  attachSettlementContract,
  createChainSettlement,
  createRpcChain,
  deploySettlementContract,
  type Hex,
  type LedgerAccount,
  type LedgerAddress,
  parseAddress,
  parseLedgerSpec,
  settlementArtifact,
  settlementTotals,
} from '../../adapters/ledger-evm/index.ts'
import type { ProcessLog } from '../../adapters/logging/index.ts'
import { createKitPeerCheck, type StartupKit } from '../../adapters/pki/index.ts'
import { signP256 } from '../../adapters/secagg-crypto/index.ts'
import {
  type LedgerTerms,
  ledgerAddressStatement,
} from '../../core/deploy/msflDeploymentMessages.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type {
  LedgerRole,
  OwnerLedger,
  ProviderLedger,
} from '../../runtime/deploy/msflLedgerParty.ts'

/** How a party reaches the run's chain. */
export interface LedgerPartyOptions {
  readonly kit: StartupKit
  readonly runId: string
  /** `rpc:<url>`: the JSON-RPC node this party uses (its own node, or the federation's). */
  readonly ledger: string
  readonly log: ProcessLog
  /** How long to wait for the operator to fund this party's account (default ten minutes). */
  readonly fundingTimeoutMs?: number
}

const ROLE_LABEL: Record<LedgerRole, string> = {
  'service-provider': 'service-provider',
  requestor: 'model-requestor',
  'data-owner': 'data-owner',
}

/**
 * A party's account on the run's chain. Its key is drawn here from the CSPRNG (viem's
 * generatePrivateKey) when the process starts and lives only inside the viem account in
 * this process's memory: it is never written, logged or sent. The party proves its
 * address to the others by signing (run, name, address) with its kit key, so the provider
 * that forwards the claims cannot substitute an address of its own. The address is logged
 * (it is public) so the operator can fund it; the party waits for that before it sends a
 * transaction.
 */
export function openLedgerParty(o: LedgerPartyOptions): ProviderLedger & OwnerLedger {
  const where = parseLedgerSpec(o.ledger, 'ledger')
  if (where.kind !== 'rpc')
    throw new MsflError(
      'CONFIG_INVALID',
      `ledger: an MS-FL deployment settles on a chain every party reaches, rpc:<url> (got ${where.kind}: an in-process chain cannot be shared between processes)`,
    )
  const chain = createRpcChain({ url: where.url })
  const role = o.kit.role as LedgerRole
  if (!(role in ROLE_LABEL))
    throw new MsflError('CONFIG_INVALID', `ledger: a ${o.kit.role} holds no account on the chain`)
  const signer = privateKeyToAccount(generatePrivateKey())
  const own: LedgerAccount = { label: o.kit.name, address: signer.address, signer }
  o.log.info('ledger account', { address: own.address, chain: where.url })
  const credential = new Uint8Array(new X509Certificate(o.kit.tls.cert).raw)
  const peers = new Map<LedgerRole, ReturnType<typeof createKitPeerCheck>>()
  const peerCheck = (r: LedgerRole) => {
    let check = peers.get(r)
    if (!check) {
      check = createKitPeerCheck(o.kit, r)
      peers.set(r, check)
    }
    return check
  }
  let funded: Promise<void> | undefined
  const awaitFunding = () => {
    funded ??= waitForBalance(o, chain.getBalance.bind(chain), own.address)
    return funded
  }
  const checkChain = async (terms: LedgerTerms) => {
    const chainId = await chain.chainId()
    if (chainId !== terms.chainId)
      throw new MsflError(
        'PROTOCOL',
        `ledger: the run settles on chain ${terms.chainId}, ${where.url} is chain ${chainId}`,
      )
    const code = await chain.getCode(terms.contract as Hex)
    if (code.toLowerCase() !== settlementArtifact.deployedBytecode.toLowerCase())
      throw new MsflError(
        'PROTOCOL',
        `ledger: the code at ${terms.contract} is not the MsflSettlement contract (source ${settlementArtifact.sourceSha256})`,
      )
    return attachSettlementContract(chain, terms.contract as Hex, terms.fromBlock)
  }
  const slot = (label: string, address: string): LedgerAccount | LedgerAddress =>
    address.toLowerCase() === own.address.toLowerCase()
      ? own
      : { label, address: parseAddress(address, label) as Hex }
  return {
    address: own.address,
    claim: () => ({
      type: 'ledger-address',
      runId: o.runId,
      clientId: o.kit.name,
      address: own.address,
      credential,
      signature: signP256(
        o.kit.signingKey,
        ledgerAddressStatement(o.runId, o.kit.name, own.address),
      ),
    }),
    checkClaim(peerRole, claim) {
      if (claim.runId !== o.runId)
        throw new MsflError(
          'PROTOCOL',
          `ledger address of ${claim.clientId}: for run ${claim.runId}, not ${o.runId}`,
        )
      const verifier = peerCheck(peerRole).verifierOf(claim.clientId, claim.credential)
      if (
        !verifier.verify(
          ledgerAddressStatement(o.runId, claim.clientId, claim.address),
          claim.signature,
        )
      )
        throw new MsflError(
          'PROTOCOL',
          `ledger address of ${claim.clientId}: the signature does not match (the address was not claimed by ${claim.clientId})`,
        )
    },
    async check(terms) {
      await checkChain(terms)
    },
    async settle(terms, parties) {
      const contract = await checkChain(terms)
      if (role !== 'data-owner') await awaitFunding()
      return createChainSettlement({
        contract,
        pricePerComponent: terms.pricePerComponent,
        requestor: slot(ROLE_LABEL.requestor, parties.requestor),
        provider: slot(ROLE_LABEL['service-provider'], parties.provider),
        owners: Object.fromEntries(
          Object.entries(parties.owners).map(([id, address]) => [id, slot(id, address)]),
        ),
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
    async totals(terms, parties) {
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
    },
    async collect(terms) {
      const contract = await checkChain(terms)
      const read = await settlementTotals(chain, contract.address, terms.fromBlock)
      const paid = read.payouts[own.address.toLowerCase()] ?? 0n
      const waiting = await contract.withdrawable(own.address)
      if (waiting === 0n) return { paid, withdrawn: 0n }
      await awaitFunding()
      const { events } = await contract.withdraw(own, own.address)
      const withdrawn = events.reduce((s, e) => (e.name === 'Withdrawn' ? s + e.amount : s), 0n)
      return { paid, withdrawn }
    },
  }
}

/** Polls the balance until the operator has funded the account; logs once while it waits. */
async function waitForBalance(
  o: LedgerPartyOptions,
  balanceOf: (address: Hex) => Promise<bigint>,
  address: Hex,
): Promise<void> {
  const deadline = Date.now() + (o.fundingTimeoutMs ?? 600_000)
  let told = false
  while ((await balanceOf(address)) === 0n) {
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
