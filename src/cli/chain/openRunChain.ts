import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { ChainClient, Hex } from '../../adapters/ledger-evm/chainClient.ts'
import { createInProcessChain } from '../../adapters/ledger-evm/createInProcessChain.ts'
import { createRpcChain } from '../../adapters/ledger-evm/createRpcChain.ts'
import { parseLedgerSpec } from '../../adapters/ledger-evm/parseLedgerSpec.ts'
import { settlementArtifact } from '../../adapters/ledger-evm/settlementArtifact.ts'
import {
  attachSettlementContract,
  type SettlementContract,
} from '../../adapters/ledger-evm/settlementContract.ts'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { type RunLedgerRecord, runLedgerRecordSchema } from '../msfl/createRunLedger.ts'

export interface RunChain {
  readonly record: Exclude<RunLedgerRecord, { kind: 'memory' }>
  readonly chain: ChainClient
  readonly contract: SettlementContract
  /** Account label (model-requestor, service-provider, do-…) by lower-case address. */
  readonly labels: ReadonlyMap<string, string>
  close(): Promise<void>
}

/**
 * The chain a finished run settled on. An in-process EVM is rebuilt from the run's journal
 * by re-executing every recorded block on a fresh EVM (so what `msfl chain` shows is what
 * the contract computes, not a copy of numbers); a JSON-RPC run is read from the node again
 * (`rpc` names it: URLs are not stored, they often carry API keys).
 */
export async function openRunChain(options: {
  readonly out: string
  readonly run: string
  readonly rpc?: string | undefined
}): Promise<RunChain> {
  if (!/^[\w.-]+$/.test(options.run))
    throw new MsflError('CONFIG_INVALID', '--run: a run id such as 20261122-072610-d10175')
  const file = resolve(options.out, options.run, 'ledger.json')
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    throw new MsflError(
      'CONFIG_INVALID',
      `--run: ${file} does not exist (is it an MS-FL run, and is --out right?)`,
    )
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new MsflError('DATA_FORMAT', `${file}: not valid JSON`)
  }
  const parsed = runLedgerRecordSchema.safeParse(json)
  if (!parsed.success)
    throw new MsflError('DATA_FORMAT', `${file}: ${describeZodError(parsed.error)}`)
  const record = parsed.data
  if (record.kind === 'memory')
    throw new MsflError(
      'CONFIG_INVALID',
      `--run: ${options.run} settled on the in-memory ledger (--ledger memory); there is no chain to inspect`,
    )
  // Events are decoded with this build's ABI: a run made with another contract cannot be read.
  if (record.contractSource !== settlementArtifact.sourceSha256)
    throw new MsflError(
      'DATA_FORMAT',
      `${file}: the run used contract source sha256 ${record.contractSource.slice(0, 12)}…, this msfl ships ${settlementArtifact.sourceSha256.slice(0, 12)}…; inspect it with the msfl version that ran it`,
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
    if (options.rpc === undefined)
      throw new MsflError(
        'CONFIG_INVALID',
        `--ledger: ${options.run} settled on a JSON-RPC node; name it with --ledger rpc:<url>`,
      )
    const spec = parseLedgerSpec(options.rpc, '--ledger')
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
  return { record, chain, contract, labels, close: () => chain.close() }
}
