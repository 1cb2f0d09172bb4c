import { z } from 'zod'

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
