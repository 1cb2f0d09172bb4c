import { createRpcChain, type Hex, parseLedgerSpec } from '../../adapters/ledger-evm/index.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { findAnvil, type RunningAnvil, startAnvil } from './startAnvil.ts'

/** The chain of a local MS-FL federation and the operator's one job on it: funding accounts. */
export interface LocalChain {
  /** `rpc:<url>`, as every process is given it (`--ledger`). */
  readonly ledger: string
  /**
   * Reads a process's log line; when it announces the process's ledger account, funds that
   * address (anvil_setBalance: a development chain). In production the operator funds them.
   */
  fundFrom(line: string): void
  /** Stops the anvil this started (by its own pid); a given chain is left alone. */
  stop(): Promise<void>
}

/** Wei each party's account gets: 1,000 ether, far more than a run's gas and deposits. */
const FUNDING = 10n ** 21n
const ADDRESS = /0x[0-9a-fA-F]{40}/

/**
 * The chain `msfl deploy local --protocol msfl` (or `--defence adrm`) settles on: `given` (`rpc:<url>`, a node the
 * caller runs), or an anvil started from the @foundry-rs/anvil-linux-amd64 package.
 */
export async function openLocalChain(
  given: string | undefined,
  write: (line: string) => void,
): Promise<LocalChain> {
  let anvil: RunningAnvil | undefined
  let ledger = given
  if (ledger === undefined) {
    const found = findAnvil()
    if ('missing' in found)
      throw new MsflError(
        'CONFIG_INVALID',
        `deploy local --protocol msfl or --defence adrm needs anvil for its chain: ${found.missing}`,
      )
    anvil = await startAnvil(found.path)
    ledger = `rpc:${anvil.url}`
    write(`[anvil] listening on ${anvil.url}\n`)
  }
  const where = parseLedgerSpec(ledger, 'ledger')
  if (where.kind !== 'rpc')
    throw new MsflError('CONFIG_INVALID', `--ledger: must be rpc:<url>, got ${ledger}`)
  const chain = createRpcChain({ url: where.url })
  const funded = new Set<string>()
  return {
    ledger,
    fundFrom(line) {
      // Text logs put the message first, JSON logs last: either way, one address per line.
      const address = line.includes('ledger account') ? ADDRESS.exec(line)?.[0] : undefined
      if (!address || funded.has(address.toLowerCase())) return
      funded.add(address.toLowerCase())
      chain.setBalance(address as Hex, FUNDING).then(
        () => write(`[operator] funded ${address}\n`),
        (error: unknown) =>
          write(`[operator] could not fund ${address}: ${(error as Error).message}\n`),
      )
    },
    stop: async () => {
      await chain.close()
      await anvil?.stop()
    },
  }
}
