import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { z } from 'zod'
import { MsflError } from '../../core/errors/msflError.ts'
import { ledgerFlag, parseFlags } from '../deploy/deployFlags.ts'
import { launchLocalFederation, thisCli } from '../deploy/launchLocalFederation.ts'
import { prepareLocalFederation } from '../deploy/prepareLocalFederation.ts'
import { parseCommandArgs } from '../parseCommandArgs.ts'

export const deployHelp = `msfl deploy local [options]

Runs a whole federation on this machine the way separate organisations run it: a
fresh certificate authority, a startup kit per participant, each data owner's own
CSV file, and every role as its own OS process — msfl server (the only one that
listens), msfl requestor, one msfl owner per data owner and, with --verify, one msfl
verifier per verifier node — talking gRPC over mutual TLS 1.3 on the loopback
interface. Prints each process's log and the final accuracy.

  --owners N       data owners (default 10, at most 50)
  --rounds N       rounds (default 5)
  --dataset NAME   a built-in tabular dataset: adult (default) or nsl-kdd
  --model SPEC     the model (default logistic)
  --seed N         the job's seed (default 42)
  --privacy SPEC   secagg[:t=…,clip=…]: the provider learns only each round's sum of
                   the owners' updates (secure aggregation between the owner processes);
                   ckks or paillier: owners encrypt under the key of a msfl key-holder
                   process, which decrypts only round sums; dp[:…] (alone or joined
                   by +, as msfl simulate takes it): each owner process draws its own
                   DP noise; prints the ε spent (docs/deployment.md)
  --verify SPEC    verify every local model on secret shares by verifier processes,
                   e.g. smpc or smpc:nodes=3,drop=0.1 (validation=public only)
  --protocol NAME  plain (default) or msfl: MS-FL (encrypted model, masked
                   selection) with the requestor, the provider and every owner
                   signing their own transactions on a chain all of them reach:
                   an anvil started for the run (funding each party's address as
                   an operator would), or --ledger
  --ledger rpc:URL with --protocol msfl or --defence: use this JSON-RPC chain
                   instead of anvil
  --defence SPEC   ADRM (e.g. adrm), paid by reputation on the chain (anvil, or
                   --ledger): with --protocol msfl at the requestor, on global-scale
                   masked gradients (flagged owners are selected and paid nowhere);
                   with FedAvg at the provider, on the updates it aggregates
                   (flagged owners are quarantined, paid 0); the requestor pays
  --dir DIR        where to put the federation (default: a new temporary directory)
  --host ADDR      the interface every process uses (default 127.0.0.1)
  --json           print one JSON summary on stdout
`

const deployFlags = z.object({
  owners: z.coerce.number().int().min(1).max(50).default(10),
  rounds: z.coerce.number().int().min(1).max(1000).default(5),
  dataset: z.string().min(1).default('adult'),
  model: z.string().min(1).default('logistic'),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(42),
  dir: z.string().min(1).optional(),
  verify: z.string().min(1).optional(),
  privacy: z.string().min(1).optional(),
  protocol: z.enum(['plain', 'msfl']).default('plain'),
  defence: z.string().min(1).optional(),
  ledger: ledgerFlag,
  host: z.string().min(1).default('127.0.0.1'),
  json: z.boolean().default(false),
})

export async function deploy(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      owners: { type: 'string' },
      rounds: { type: 'string' },
      dataset: { type: 'string' },
      model: { type: 'string' },
      seed: { type: 'string' },
      dir: { type: 'string' },
      verify: { type: 'string' },
      privacy: { type: 'string' },
      protocol: { type: 'string' },
      defence: { type: 'string' },
      ledger: { type: 'string' },
      host: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    process.stdout.write(deployHelp)
    return 0
  }
  if (positionals.length !== 1 || positionals[0] !== 'local')
    throw new MsflError(
      'CONFIG_INVALID',
      `deploy: the target must be 'local' (got ${positionals.length ? positionals.join(' ') : 'none'})`,
    )
  const flags = parseFlags(deployFlags, values)
  const dir = flags.dir ? resolve(flags.dir) : mkdtempSync(join(tmpdir(), 'msfl-deploy-'))
  const say = (text: string) => (flags.json ? process.stderr : process.stdout).write(text)
  say(`deploy local: preparing ${flags.owners} data owners in ${dir}\n`)
  if (flags.ledger !== undefined && flags.protocol !== 'msfl' && flags.defence === undefined)
    throw new MsflError(
      'CONFIG_INVALID',
      '--ledger: only an MS-FL job (--protocol msfl) or one with --defence settles on a chain',
    )
  const { ledger, ...options } = flags
  const federation = await prepareLocalFederation({ ...options, dir })
  const processes =
    flags.owners + 2 + federation.verifiers.length + (federation.keyHolderKit ? 1 : 0)
  say(`deploy local: starting ${processes} processes (provider at ${federation.endpoint})\n`)
  // Killed or interrupted, deploy local stops what it started rather than orphan it.
  const stop = new AbortController()
  const onSignal = (signal: NodeJS.Signals) => stop.abort(signal)
  process.once('SIGTERM', onSignal).once('SIGINT', onSignal)
  const outcome = await launchLocalFederation(federation, {
    cli: thisCli(),
    write: say,
    signal: stop.signal,
    ...(ledger === undefined ? {} : { ledger }),
  }).finally(() => process.off('SIGTERM', onSignal).off('SIGINT', onSignal))
  const final = outcome.summary['final'] as { accuracy?: number } | undefined
  const failed = Object.entries(outcome.exitCodes).filter(([, code]) => code !== 0)
  if (flags.json)
    process.stdout.write(
      `${JSON.stringify({ ...outcome.summary, dir, exitCodes: outcome.exitCodes, model: outcome.modelFile })}\n`,
    )
  else
    say(
      `deploy local: final accuracy ${((final?.accuracy ?? 0) * 100).toFixed(2)} % — ${flags.owners} owners, ${flags.rounds} round${flags.rounds === 1 ? '' : 's'}, every role its own process; model delivered to ${outcome.modelFile}\n${describeDp(outcome.summary['privacy'])}${describeChain(outcome.summary['ledger'])}`,
    )
  if (failed.length > 0) {
    say(
      `deploy local: processes that did not exit cleanly: ${failed.map(([n, c]) => `${n} (${c})`).join(', ')}\n`,
    )
    return 1
  }
  return 0
}

/** A DP job's (ε, δ) as the provider reported it ('' for other jobs). */
function describeDp(privacy: unknown): string {
  if (typeof privacy !== 'object' || privacy === null) return ''
  const p = privacy as { level?: unknown; epsilon?: unknown; delta?: unknown }
  const who =
    p.level === 'client'
      ? "the provider's accountant"
      : 'the largest owner ε, each counted by its owner'
  return `deploy local: DP (${String(p.level)} level) spent ε = ${String(p.epsilon)}, δ = ${String(p.delta)} (${who})\n`
}

/** An MS-FL or ADRM run's money as the provider read it from the chain ('' for other jobs). */
function describeChain(ledger: unknown): string {
  if (typeof ledger !== 'object' || ledger === null) return ''
  const l = ledger as Record<string, unknown> & { payouts?: Record<string, string> }
  const paid = Object.entries(l.payouts ?? {})
    .map(([name, wei]) => `${name} ${wei}`)
    .join(', ')
  return `deploy local: on chain ${String(l['chainId'])}, contract ${String(l['contract'])}: ${String(l['deposit'])} wei deposited, paid ${paid || 'nobody'}, ${String(l['refund'])} refunded, ${String(l['escrowBalance'])} left in escrow\n`
}
