import type { Hex, MinedBlock, RunLedgerRecord } from '../../adapters/ledger-evm/index.ts'
import {
  createEvmLedger,
  parseLedgerSpec,
  settlementArtifact,
} from '../../adapters/ledger-evm/index.ts'
import { createMemorySettlement } from '../../adapters/ledger-memory/index.ts'
import type { MsflLedger } from '../../runtime/msflLedger.ts'

export interface RunLedger extends MsflLedger {
  /** The public record to keep with the run. */
  record(): RunLedgerRecord
}

/**
 * The ledger of one run: `memory` (an in-process ledger with the contract's rules), `evm`
 * (the Solidity contract on an EVM in this process, the default) or `rpc:<url>` (the same
 * contract on a JSON-RPC node; development nodes fund the run's accounts). Accounts are
 * derived from `seed`, the run's key-store secret, and are never printed.
 */
export async function createRunLedger(
  spec: {
    readonly ledger: string
    readonly pricePerComponent: bigint
    readonly owners: readonly string[]
  },
  seed: Uint8Array,
): Promise<RunLedger> {
  const where = parseLedgerSpec(spec.ledger, 'ledger')
  if (where.kind === 'memory') {
    const memory = createMemorySettlement({
      pricePerComponent: spec.pricePerComponent,
      requestor: 'model-requestor',
    })
    return {
      kind: 'memory',
      settlement: memory,
      // Every unit is on some account or in escrow: escrow is minus the sum of balances.
      escrowBalance: async () =>
        -Object.values(memory.balances()).reduce((sum, amount) => sum + amount, 0n),
      close: async () => {},
      record: () => ({ kind: 'memory' }),
    }
  }
  const genesisBalance = 10n ** 21n
  const blocks: MinedBlock[] = []
  const startTime = BigInt(Math.floor(Date.now() / 1000))
  const ledger = await createEvmLedger({
    chain: where,
    seed,
    owners: spec.owners,
    pricePerComponent: spec.pricePerComponent,
    // 1,000 ether each: genesis balances in process, anvil_setBalance on a development node.
    fundAccounts: genesisBalance,
    ...(where.kind === 'evm'
      ? { startTime, onBlock: (block: MinedBlock) => blocks.push(block) }
      : {}),
  })
  const chainId = await ledger.chain.chainId()
  const accounts: Record<string, string> = {
    [ledger.requestor.label]: ledger.requestor.address,
    [ledger.provider.label]: ledger.provider.address,
    ...Object.fromEntries(Object.entries(ledger.owners).map(([id, a]) => [id, a.address])),
  }
  const everyone = Object.values(accounts) as Hex[]
  return {
    kind: where.kind,
    settlement: ledger.settlement,
    escrowBalance: () => ledger.chain.getBalance(ledger.contract.address),
    close: () => ledger.close(),
    record: () =>
      where.kind === 'evm'
        ? {
            kind: 'evm',
            chainId,
            startTime: startTime.toString(),
            genesis: everyone.map((address) => ({
              address,
              balance: genesisBalance.toString(),
            })),
            blocks: blocks.map((b) => ({
              timestamp: b.timestamp.toString(),
              transaction: b.transaction,
            })),
            contract: ledger.contract.address,
            contractSource: settlementArtifact.sourceSha256,
            accounts,
          }
        : {
            kind: 'rpc',
            chainId,
            contract: ledger.contract.address,
            contractFromBlock: ledger.contract.fromBlock.toString(),
            contractSource: settlementArtifact.sourceSha256,
            accounts,
          },
  }
}
