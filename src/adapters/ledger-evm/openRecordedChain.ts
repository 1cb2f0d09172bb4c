import { MsflError } from '../../core/errors/msflError.ts'
import type { ChainClient, Hex } from './chainClient.ts'
import { createInProcessChain } from './createInProcessChain.ts'
import { createRpcChain } from './createRpcChain.ts'
import { parseLedgerSpec } from './parseLedgerSpec.ts'
import type { RunLedgerRecord } from './runLedgerRecord.ts'
import { settlementArtifact } from './settlementArtifact.ts'
import { attachSettlementContract, type SettlementContract } from './settlementContract.ts'

export interface RecordedChain {
  readonly chain: ChainClient
  readonly contract: SettlementContract
  /** Account label (model-requestor, service-provider, do-…) by lower-case address. */
  readonly labels: ReadonlyMap<string, string>
}

/**
 * The chain a run's ledger record names. An in-process EVM is rebuilt by re-executing
 * every recorded block on a fresh EVM (so what is read back is what the contract
 * computes, not a copy of numbers); a JSON-RPC chain is asked again at `rpc`, which
 * must serve the recorded chain id. `where` names the record in error messages.
 */
export async function openRecordedChain(
  record: Exclude<RunLedgerRecord, { kind: 'memory' }>,
  where: { readonly file: string; readonly run: string; readonly rpc?: string | undefined },
): Promise<RecordedChain> {
  // Events are decoded with this build's ABI: a run made with another contract cannot be read.
  if (record.contractSource !== settlementArtifact.sourceSha256)
    throw new MsflError(
      'DATA_FORMAT',
      `${where.file}: the run used contract source sha256 ${record.contractSource.slice(0, 12)}…, this msfl ships ${settlementArtifact.sourceSha256.slice(0, 12)}…; inspect it with the msfl version that ran it`,
    )
  let chain: ChainClient
  if (record.kind === 'evm') {
    chain = await createInProcessChain({
      chainId: record.chainId,
      startTime: BigInt(record.startTime),
      genesis: record.genesis.map((g) => ({
        address: g.address as Hex,
        balance: BigInt(g.balance),
      })),
      replay: record.blocks.map((b) => ({
        timestamp: BigInt(b.timestamp),
        transaction: b.transaction as Hex,
      })),
    })
  } else {
    if (where.rpc === undefined)
      throw new MsflError(
        'CONFIG_INVALID',
        `--ledger: ${where.run} settled on a JSON-RPC node; name it with --ledger rpc:<url>`,
      )
    const spec = parseLedgerSpec(where.rpc, '--ledger')
    if (spec.kind !== 'rpc')
      throw new MsflError('CONFIG_INVALID', '--ledger: this run needs rpc:<url>')
    chain = createRpcChain({ url: spec.url })
    if ((await chain.chainId()) !== record.chainId)
      throw new MsflError(
        'CONFIG_INVALID',
        `--ledger: the node serves chain ${await chain.chainId()}, the run used chain ${record.chainId}`,
      )
  }
  const fromBlock = record.kind === 'rpc' ? BigInt(record.contractFromBlock) : 0n
  const contract = attachSettlementContract(chain, record.contract as Hex, fromBlock)
  const labels = new Map(
    Object.entries(record.accounts).map(([label, address]) => [address.toLowerCase(), label]),
  )
  return { chain, contract, labels }
}
