import { BaseError, createClient, getAddress, http, isHex, toHex } from 'viem'
import { MsflError } from '../../core/errors/msflError.ts'
import {
  type ChainClient,
  type ChainLog,
  type ChainReceipt,
  ChainRevertError,
  type Hex,
} from './chainClient.ts'
import { parseRpcUrl } from './parseLedgerSpec.ts'

export interface RpcChainOptions {
  /** http(s) URL of an Ethereum JSON-RPC node. */
  readonly url: string
  /** How often to ask for a receipt while waiting, in ms; default 100. */
  readonly pollIntervalMs?: number
  /** Give up waiting for a receipt after this many ms; default 120,000. */
  readonly receiptTimeoutMs?: number
}

interface RpcLog {
  address: Hex
  topics: Hex[]
  data: Hex
  blockNumber: Hex
  transactionHash: Hex
}

interface RpcReceipt {
  transactionHash: Hex
  blockNumber: Hex
  gasUsed: Hex
  status: Hex
  contractAddress: Hex | null
  logs: RpcLog[]
}

/**
 * Any Ethereum JSON-RPC node through viem's HTTP transport, with retries off and every
 * transaction field explicit (nonce, gas, fees, chain id): viem then only signs locally
 * and sends the raw transaction, with no fill-in round trips that a dev node would answer
 * slowly. Gas is the node's estimate plus 20 %; an estimate that reverts is reported as
 * the contract's error and nothing is sent.
 */
export function createRpcChain(options: RpcChainOptions): ChainClient {
  const url = parseRpcUrl(options.url)
  const client = createClient({ transport: http(url, { retryCount: 0, timeout: 30_000 }) })
  const request = client.request as unknown as (args: {
    method: string
    params?: unknown[]
  }) => Promise<unknown>
  const rpc = async <T>(method: string, params: unknown[] = []): Promise<T> => {
    try {
      return (await request({ method, params })) as T
    } catch (error) {
      const data = revertData(error)
      if (data !== undefined)
        throw new ChainRevertError(`ledger: ${method} reverted`, data, { cause: error })
      throw new MsflError('TRANSPORT', `ledger rpc: ${method} failed: ${shortMessage(error)}`, {
        cause: error,
      })
    }
  }
  const pollMs = options.pollIntervalMs ?? 100
  const timeoutMs = options.receiptTimeoutMs ?? 120_000
  let chainId: number | undefined
  const getChainId = async () => {
    chainId ??= Number(await rpc<Hex>('eth_chainId'))
    return chainId
  }
  // One transaction at a time per sender, so that pending nonces never collide.
  const queues = new Map<string, Promise<unknown>>()
  const serial = <T>(key: string, job: () => Promise<T>): Promise<T> => {
    const result = (queues.get(key) ?? Promise.resolve()).then(job, job)
    queues.set(
      key,
      result.catch(() => undefined),
    )
    return result
  }

  const waitForReceipt = async (hash: Hex): Promise<RpcReceipt> => {
    const started = Date.now()
    for (;;) {
      const receipt = await rpc<RpcReceipt | null>('eth_getTransactionReceipt', [hash])
      if (receipt) return receipt
      if (Date.now() - started > timeoutMs)
        throw new MsflError('TRANSPORT', `ledger rpc: no receipt for ${hash} after ${timeoutMs} ms`)
      await new Promise((resolve) => setTimeout(resolve, pollMs))
    }
  }

  return {
    kind: 'rpc',
    chainId: getChainId,
    send: (from, tx) =>
      serial(from.address.toLowerCase(), async (): Promise<ChainReceipt> => {
        const id = await getChainId()
        const call = {
          from: from.address,
          ...(tx.to === undefined ? {} : { to: tx.to }),
          data: tx.data,
          value: toHex(tx.value ?? 0n),
        }
        const estimate = BigInt(await rpc<Hex>('eth_estimateGas', [call]))
        const nonce = Number(await rpc<Hex>('eth_getTransactionCount', [from.address, 'pending']))
        const block = await rpc<{ baseFeePerGas?: Hex }>('eth_getBlockByNumber', ['latest', false])
        if (block.baseFeePerGas === undefined)
          throw new MsflError('TRANSPORT', 'ledger rpc: the chain has no EIP-1559 base fee')
        const tip = BigInt(await rpc<Hex>('eth_maxPriorityFeePerGas'))
        const serialized = await from.signer.signTransaction!({
          type: 'eip1559',
          chainId: id,
          nonce,
          gas: (estimate * 6n) / 5n,
          maxFeePerGas: 2n * BigInt(block.baseFeePerGas) + tip,
          maxPriorityFeePerGas: tip,
          ...(tx.to === undefined ? {} : { to: tx.to }),
          value: tx.value ?? 0n,
          data: tx.data,
        })
        const hash = await rpc<Hex>('eth_sendRawTransaction', [serialized])
        const receipt = await waitForReceipt(hash)
        if (receipt.status !== '0x1')
          throw new ChainRevertError(`ledger: transaction ${hash} reverted on chain`, '0x')
        return {
          transactionHash: receipt.transactionHash,
          blockNumber: BigInt(receipt.blockNumber),
          gasUsed: BigInt(receipt.gasUsed),
          ...(receipt.contractAddress
            ? { contractAddress: getAddress(receipt.contractAddress) }
            : {}),
          logs: receipt.logs.map(toChainLog),
        }
      }),
    call: async ({ to, data, from }) =>
      rpc<Hex>('eth_call', [{ to, data, ...(from ? { from } : {}) }, 'latest']),
    getLogs: async ({ address, fromBlock = 0n, topics = [] }) =>
      (
        await rpc<RpcLog[]>('eth_getLogs', [
          { address, fromBlock: toHex(fromBlock), toBlock: 'latest', topics },
        ])
      ).map(toChainLog),
    getBalance: async (address) => BigInt(await rpc<Hex>('eth_getBalance', [address, 'latest'])),
    getCode: (address) => rpc<Hex>('eth_getCode', [address, 'latest']),
    latestTimestamp: async () =>
      BigInt((await rpc<{ timestamp: Hex }>('eth_getBlockByNumber', ['latest', false])).timestamp),
    increaseTime: async (seconds) => {
      await rpc('evm_increaseTime', [seconds])
      await rpc('evm_mine')
    },
    setBalance: async (address, wei) => {
      await rpc('anvil_setBalance', [address, toHex(wei)])
    },
    close: async () => {},
  }
}

const toChainLog = (log: RpcLog): ChainLog => ({
  address: getAddress(log.address),
  topics: log.topics,
  data: log.data,
  blockNumber: BigInt(log.blockNumber),
  transactionHash: log.transactionHash,
})

/** The revert data a node attached to a JSON-RPC error, wherever viem nested it. */
function revertData(error: unknown): Hex | undefined {
  if (!(error instanceof BaseError)) return undefined
  let found: Hex | undefined
  error.walk((e) => {
    const data = (e as { data?: unknown }).data
    if (found === undefined && typeof data === 'string' && isHex(data) && data.length >= 10)
      found = data
    return false
  })
  return found
}

const shortMessage = (error: unknown) =>
  error instanceof BaseError ? error.shortMessage : String((error as Error)?.message ?? error)
