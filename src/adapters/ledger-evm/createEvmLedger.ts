import { parseEther } from 'viem'
import { MsflError } from '../../core/errors/msflError.ts'
import type { ChainClient, Hex } from './chainClient.ts'
import { type ChainSettlement, createChainSettlement } from './createChainSettlement.ts'
import { createInProcessChain, type MinedBlock } from './createInProcessChain.ts'
import { createRpcChain } from './createRpcChain.ts'
import { deriveLedgerAccount, type LedgerAccount } from './ledgerAccounts.ts'
import { parseAddress } from './parseLedgerSpec.ts'
import {
  attachSettlementContract,
  deploySettlementContract,
  type SettlementContract,
} from './settlementContract.ts'

export interface EvmLedgerOptions {
  /** `evm`: an EVM in this process (default); `rpc`: a JSON-RPC node at `url`. */
  readonly chain: { readonly kind: 'evm' } | { readonly kind: 'rpc'; readonly url: string }
  /** The run's 32-byte key-store seed; every account is derived from it. */
  readonly seed: Uint8Array
  /** Data-owner ids, as in the contribution tables. */
  readonly owners: readonly string[]
  /** Wei per selected (component, owner) cell. */
  readonly pricePerComponent: bigint
  /** Use this deployed contract instead of deploying one (and search its logs from `contractFromBlock`). */
  readonly contractAddress?: string
  readonly contractFromBlock?: bigint
  /**
   * Wei every account starts with: genesis balances on the in-process chain (default
   * 1,000 ether), anvil_setBalance on an RPC development node (default: no funding, the
   * accounts must already hold ether).
   */
  readonly fundAccounts?: bigint
  readonly roundTimeoutSeconds?: number
  readonly resultUri?: (roundId: string) => string
  /** In-process chain only: timestamp of the genesis block (default: now). */
  readonly startTime?: bigint
  /** In-process chain only: told about every mined block (the run's chain journal). */
  readonly onBlock?: (block: MinedBlock) => void
}

export interface EvmLedger {
  readonly chain: ChainClient
  readonly contract: SettlementContract
  readonly requestor: LedgerAccount
  readonly provider: LedgerAccount
  readonly owners: Readonly<Record<string, LedgerAccount>>
  /** The Settlement port for the requestor and the provider on this contract. */
  readonly settlement: ChainSettlement
  close(): Promise<void>
}

export const requestorLabel = 'model-requestor'
export const providerLabel = 'service-provider'

/**
 * Everything the MS-FL protocol needs to settle on Ethereum: the chain, the participants'
 * accounts (derived from the key-store seed, never printed), the deployed contract and the
 * Settlement port over them.
 */
export async function createEvmLedger(options: EvmLedgerOptions): Promise<EvmLedger> {
  const requestor = deriveLedgerAccount(options.seed, requestorLabel)
  const provider = deriveLedgerAccount(options.seed, providerLabel)
  const owners: Record<string, LedgerAccount> = {}
  for (const id of options.owners) {
    if (id === requestorLabel || id === providerLabel || id in owners)
      throw new MsflError('CONFIG_INVALID', `owners: the id ${JSON.stringify(id)} is taken`)
    owners[id] = deriveLedgerAccount(options.seed, id)
  }
  const everyone = [requestor, provider, ...Object.values(owners)]
  let chain: ChainClient
  if (options.chain.kind === 'evm') {
    const balance = options.fundAccounts ?? parseEther('1000')
    chain = await createInProcessChain({
      genesis: everyone.map((a) => ({ address: a.address, balance })),
      ...(options.startTime === undefined ? {} : { startTime: options.startTime }),
      ...(options.onBlock ? { onBlock: options.onBlock } : {}),
    })
  } else {
    chain = createRpcChain({ url: options.chain.url })
    if (options.fundAccounts !== undefined)
      for (const account of everyone) await chain.setBalance(account.address, options.fundAccounts)
  }
  const contract =
    options.contractAddress === undefined
      ? await deploySettlementContract(chain, requestor)
      : attachSettlementContract(
          chain,
          parseAddress(options.contractAddress, 'contractAddress') as Hex,
          options.contractFromBlock ?? 0n,
        )
  const settlement = createChainSettlement({
    contract,
    pricePerComponent: options.pricePerComponent,
    requestor,
    provider,
    owners,
    ...(options.roundTimeoutSeconds === undefined
      ? {}
      : { roundTimeoutSeconds: options.roundTimeoutSeconds }),
    ...(options.resultUri ? { resultUri: options.resultUri } : {}),
  })
  return { chain, contract, requestor, provider, owners, settlement, close: () => chain.close() }
}
