import { createBlock } from '@ethereumjs/block'
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common'
import { createTxFromRLP } from '@ethereumjs/tx'
import { createAccount, createAddressFromString } from '@ethereumjs/util'
import { createVM, runTx, type VM } from '@ethereumjs/vm'
import { bytesToHex, getAddress, hexToBytes } from 'viem'
import { MsflError } from '../../core/errors/msflError.ts'
import {
  type ChainClient,
  type ChainLog,
  type ChainReceipt,
  ChainRevertError,
  type Hex,
} from './chainClient.ts'

export interface InProcessChainOptions {
  /** Accounts that exist in the genesis state, with their balance in wei. */
  readonly genesis: readonly { readonly address: Hex; readonly balance: bigint }[]
  /** Default 31337, the usual development chain id. */
  readonly chainId?: number
  /** Seconds since the epoch of the first block; default: now. */
  readonly startTime?: bigint
  /** Told about every mined block: with the genesis, enough to rebuild the chain later. */
  readonly onBlock?: (block: MinedBlock) => void
  /** Blocks to re-execute first, each at its recorded timestamp (a chain rebuilt from its journal). */
  readonly replay?: readonly MinedBlock[]
}

/** One block of the in-process chain: its timestamp and its single signed transaction. */
export interface MinedBlock {
  readonly timestamp: bigint
  readonly transaction: Hex
}

const blockGasLimit = 30_000_000n
/** Fixed base fee: the in-process chain has no fee market to follow. */
const baseFeePerGas = 1_000_000_000n

/**
 * An Ethereum chain inside this process: @ethereumjs/vm at the Shanghai hardfork (the EVM
 * version the contract is compiled for). Every transaction is mined alone in the next
 * block, after a dry run on a copy of the state so that a reverting one is refused
 * without a trace, as a JSON-RPC node's gas estimate refuses it. Block timestamps follow
 * the wall clock plus whatever increaseTime added, and always advance by at least 1 s.
 */
export async function createInProcessChain(options: InProcessChainOptions): Promise<ChainClient> {
  const chainId = options.chainId ?? 31337
  const common = createCustomCommon({ chainId, name: 'msfl-in-process' }, Mainnet, {
    hardfork: Hardfork.Shanghai,
  })
  const vm = await createVM({ common })
  for (const { address, balance } of options.genesis)
    await vm.stateManager.putAccount(createAddressFromString(address), createAccount({ balance }))

  let head = { number: 0n, timestamp: options.startTime ?? wallClock() }
  let clockOffset = 0n
  const logs: ChainLog[] = []
  let queue: Promise<unknown> = Promise.resolve()
  // One transaction at a time: each one is a block, and nonces come from the state.
  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const result = queue.then(job, job)
    queue = result.catch(() => undefined)
    return result
  }

  const nextBlock = (at?: bigint) => {
    const timestamp = at ?? maxBig(head.timestamp + 1n, wallClock() + clockOffset)
    return createBlock(
      {
        header: { number: head.number + 1n, timestamp, gasLimit: blockGasLimit, baseFeePerGas },
        withdrawals: [],
      },
      { common },
    )
  }

  const execute = async (target: VM, serialized: Hex, block: ReturnType<typeof nextBlock>) => {
    const tx = createTxFromRLP(hexToBytes(serialized), { common })
    try {
      return { tx, result: await runTx(target, { tx, block }) }
    } catch (error) {
      throw new MsflError('PROTOCOL', `ledger: transaction rejected: ${(error as Error).message}`, {
        cause: error,
      })
    }
  }

  /** Dry-runs, then executes, a signed transaction alone in the next block. */
  const mine = async (serialized: Hex, at?: bigint): Promise<ChainReceipt> => {
    const block = nextBlock(at)
    const dry = await execute(await vm.shallowCopy(), serialized, block)
    const failure = dry.result.execResult.exceptionError
    if (failure)
      throw new ChainRevertError(
        `ledger: transaction reverted (${failure.error})`,
        bytesToHex(dry.result.execResult.returnValue),
      )
    const { tx, result } = await execute(vm, serialized, block)
    head = { number: block.header.number, timestamp: block.header.timestamp }
    const transactionHash = bytesToHex(tx.hash())
    const receiptLogs = result.receipt.logs.map(
      ([address, topics, data]): ChainLog => ({
        address: getAddress(bytesToHex(address)),
        topics: topics.map((t) => bytesToHex(t)),
        data: bytesToHex(data),
        blockNumber: head.number,
        transactionHash,
      }),
    )
    logs.push(...receiptLogs)
    return {
      transactionHash,
      blockNumber: head.number,
      gasUsed: result.totalGasSpent,
      ...(result.createdAddress
        ? { contractAddress: getAddress(result.createdAddress.toString()) }
        : {}),
      logs: receiptLogs,
    }
  }

  for (const block of options.replay ?? [])
    await mine(block.transaction, block.timestamp).catch((error: unknown) => {
      throw new MsflError(
        'DATA_FORMAT',
        `ledger journal: block ${head.number + 1n} does not replay (${(error as Error).message})`,
        { cause: error },
      )
    })

  return {
    kind: 'in-process',
    chainId: async () => chainId,
    send: (from, request) =>
      serial(async (): Promise<ChainReceipt> => {
        const account = await vm.stateManager.getAccount(createAddressFromString(from.address))
        const serialized = await from.signer.signTransaction!({
          type: 'eip1559',
          chainId,
          nonce: Number(account?.nonce ?? 0n),
          // The whole block: unused gas is refunded, and gasUsed does not depend on the limit.
          gas: blockGasLimit,
          maxFeePerGas: 2n * baseFeePerGas,
          maxPriorityFeePerGas: 0n,
          ...(request.to === undefined ? {} : { to: request.to }),
          value: request.value ?? 0n,
          data: request.data,
        })
        const receipt = await mine(serialized)
        options.onBlock?.({ timestamp: head.timestamp, transaction: serialized })
        return receipt
      }),
    call: (request) =>
      serial(async () => {
        const copy = await vm.shallowCopy()
        const result = await copy.evm.runCall({
          ...(request.from ? { caller: createAddressFromString(request.from) } : {}),
          to: createAddressFromString(request.to),
          data: hexToBytes(request.data),
          gasLimit: blockGasLimit,
          block: nextBlock(),
        })
        const data = bytesToHex(result.execResult.returnValue)
        if (result.execResult.exceptionError)
          throw new ChainRevertError(
            `ledger: call reverted (${result.execResult.exceptionError.error})`,
            data,
          )
        return data
      }),
    getLogs: async ({ address, fromBlock = 0n, topics = [] }) =>
      logs.filter(
        (log) =>
          log.address.toLowerCase() === address.toLowerCase() &&
          log.blockNumber >= fromBlock &&
          topics.every((t, i) => t === null || log.topics[i]?.toLowerCase() === t.toLowerCase()),
      ),
    getBalance: async (address) =>
      (await vm.stateManager.getAccount(createAddressFromString(address)))?.balance ?? 0n,
    getCode: async (address) =>
      bytesToHex(await vm.stateManager.getCode(createAddressFromString(address))),
    latestTimestamp: async () => head.timestamp,
    increaseTime: async (seconds) => {
      if (!Number.isInteger(seconds) || seconds < 0)
        throw new MsflError('CONFIG_INVALID', `increaseTime: seconds must be a whole number ≥ 0`)
      clockOffset += BigInt(seconds)
      head = { ...head, timestamp: head.timestamp + BigInt(seconds) }
    },
    setBalance: (address, wei) =>
      serial(async () => {
        const where = createAddressFromString(address)
        const account = (await vm.stateManager.getAccount(where)) ?? createAccount({})
        account.balance = wei
        await vm.stateManager.putAccount(where, account)
      }),
    close: async () => {},
  }
}

const wallClock = () => BigInt(Math.floor(Date.now() / 1000))
const maxBig = (a: bigint, b: bigint) => (a > b ? a : b)
