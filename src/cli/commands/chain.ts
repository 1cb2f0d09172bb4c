import { readFileSync } from 'node:fs'
import { MsflError } from '../../core/errors/msflError.ts'
import { parseCommandArgs } from '../parseCommandArgs.ts'

const SUBCOMMANDS = ['summary', 'rounds', 'table', 'balances', 'payouts', 'verify-model'] as const
const isSubcommand = (text: string): text is (typeof SUBCOMMANDS)[number] =>
  (SUBCOMMANDS as readonly string[]).includes(text)

export const chainHelp = `msfl chain <subcommand> --run ID [--out DIR] [--ledger rpc:<url>] [--json]

Inspects the settlement contract an MS-FL run used. A run on the in-process EVM is
rebuilt by re-executing its recorded blocks; a run on a JSON-RPC node is read from the
node (give --ledger rpc:<url> again).

  summary                     contract, rounds, deposits, payouts, refunds, balances
  rounds                      one line per round: status, deposit, table, payout
  table --round R             the contribution table of protocol round R, verified
                              against the committed hash and counts
  balances                    every account's balance, what waits for withdraw, escrow
  payouts                     what each data owner was paid, per round and in total
  verify-model FILE --round R check that FILE is the model registered for round R
                              (exit 0 when it matches, 1 when it does not)

  --out DIR                   where runs live (default runs)
`

export async function chain(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      run: { type: 'string' },
      out: { type: 'string', default: 'runs' },
      round: { type: 'string' },
      ledger: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  const [sub, ...args] = positionals
  if (values.help || sub === undefined) {
    process.stdout.write(chainHelp)
    return sub === undefined && !values.help ? 2 : 0
  }
  if (!isSubcommand(sub))
    throw new MsflError(
      'CONFIG_INVALID',
      `unknown subcommand ${JSON.stringify(sub)} (valid: ${SUBCOMMANDS.join(', ')})`,
    )
  if (values.run === undefined) throw new MsflError('CONFIG_INVALID', '--run: required')
  const round = values.round === undefined ? undefined : parseRound(values.round)
  if ((sub === 'table' || sub === 'verify-model') && round === undefined)
    throw new MsflError('CONFIG_INVALID', `--round: required by ${sub}`)
  if (sub === 'verify-model' && args.length !== 1)
    throw new MsflError('CONFIG_INVALID', 'verify-model: give exactly one model file')
  if (sub !== 'verify-model' && args.length > 0)
    throw new MsflError('CONFIG_INVALID', `${sub}: unexpected argument ${JSON.stringify(args[0])}`)
  const model = sub === 'verify-model' ? readModel(args[0]!) : undefined

  // The EVM and the contract's code are loaded only for a valid request: a refusal stays fast.
  const { inspectRunChain } = await import('../chain/inspectRunChain.ts')
  return inspectRunChain({
    sub,
    run: values.run,
    out: values.out,
    ledger: values.ledger,
    json: values.json,
    round,
    model,
  })
}

function parseRound(text: string): number {
  const round = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(round) || round < 1)
    throw new MsflError(
      'CONFIG_INVALID',
      `--round: must be a whole number ≥ 1, got ${JSON.stringify(text)}`,
    )
  return round
}

function readModel(file: string): Uint8Array {
  try {
    return readFileSync(file)
  } catch (error) {
    throw new MsflError(
      'CONFIG_INVALID',
      `verify-model: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? error})`,
    )
  }
}
