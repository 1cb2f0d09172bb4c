import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import {
  type ChainClient,
  openRecordedChain,
  type RunLedgerRecord,
  runLedgerRecordSchema,
  type SettlementContract,
} from '../../adapters/ledger-evm/index.ts'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import { MsflError } from '../../core/errors/msflError.ts'

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
  const { chain, contract, labels } = await openRecordedChain(record, {
    file,
    run: options.run,
    rpc: options.rpc,
  })
  return { record, chain, contract, labels, close: () => chain.close() }
}
