import { keccak256 } from 'viem'
import { z } from 'zod'
import type { Hex } from '../../adapters/ledger-evm/chainClient.ts'
import { createEvmLedger } from '../../adapters/ledger-evm/createEvmLedger.ts'
import type { MinedBlock } from '../../adapters/ledger-evm/createInProcessChain.ts'
import { parseLedgerSpec } from '../../adapters/ledger-evm/parseLedgerSpec.ts'
import { settlementArtifact } from '../../adapters/ledger-evm/settlementArtifact.ts'
import { createMemorySettlement } from '../../adapters/ledger-memory/createMemorySettlement.ts'
import type { MsflLedger } from '../../runtime/msflLedger.ts'

/**
 * What a run keeps about its chain (`<run>/ledger.json`, public: no keys). For the
 * in-process EVM it is the whole chain — chain id, genesis and every signed transaction
 * with its block time — so `msfl chain` can rebuild it by re-executing the blocks on a
 * fresh EVM; for a JSON-RPC node it is the contract's address (the node is asked again).
 */
export const runLedgerRecordSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('memory') }).strict(),
  z
    .object({
      kind: z.literal('evm'),
      chainId: z.number().int().positive(),
      startTime: z.string().regex(/^\d+$/),
      genesis: z.array(
        z.object({ address: z.string().regex(/^0x[0-9a-fA-F]{40}$/), balance: z.string() }),
      ),
      blocks: z.array(
        z.object({ timestamp: z.string().regex(/^\d+$/), transaction: z.string().regex(/^0x/) }),
      ),
      contract: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
      contractSource: z.string().regex(/^[0-9a-f]{64}$/),
      accounts: z.record(z.string(), z.string()),
    })
    .strict(),
  z
    .object({
      kind: z.literal('rpc'),
      chainId: z.number().int().positive(),
      contract: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
      contractFromBlock: z.string().regex(/^\d+$/),
      contractSource: z.string().regex(/^[0-9a-f]{64}$/),
      accounts: z.record(z.string(), z.string()),
    })
    .strict(),
])
export type RunLedgerRecord = z.infer<typeof runLedgerRecordSchema>

export interface RunLedger extends MsflLedger {
  /** The public record to keep with the run. */
  record(): RunLedgerRecord
}

/** keccak256, the digest the contract's model registry stores. */
export const modelDigest = (bytes: Uint8Array): Uint8Array =>
  keccak256(bytes, 'bytes') as Uint8Array

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
