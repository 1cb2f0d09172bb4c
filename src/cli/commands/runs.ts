import { z } from 'zod'
import { openRunStore } from '../../adapters/store/index.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { runIdSchema } from '../../core/orchestrator/runIdentifiers.ts'
import { isFinalPhase, type RunPhase } from '../../core/orchestrator/runPhase.ts'
import type { RunStore } from '../../core/ports/runStore.ts'
import {
  abortRun,
  operatorPause,
  requestControl,
} from '../../runtime/orchestrator/operatorControl.ts'
import { parseFlags, readCommandFlags } from '../deploy/deployFlags.ts'

export const runsHelp = `msfl runs --store SPEC [--json]
msfl runs show <run id> --store SPEC [--json]

The runs a server's store holds: each run's phase (WAITING_FOR_CLIENTS, TRAINING,
AGGREGATING, PAUSED_INSUFFICIENT_CLIENTS, COMPLETED, FAILED), its round, whether
an operator paused it, and when it last moved. "show" prints one run's rounds (who
was asked, who answered, the accuracy after it) and its committed transitions.
Reads only; safe while the server runs.

  --store SPEC   the server's run store: a SQLite file or postgres://user@host:port/db
  --json         one JSON document on stdout
`

export const runHelp = `msfl run pause|resume|abort <run id> --store SPEC [--reason TEXT]

Operator commands on a run in a server's store; the server observes them:
  pause    the run holds before its next round opens (the open round finishes)
  resume   a paused run goes on with its next round
  abort    the run fails now with the reason; the server stops it at its next
           step and tells every participant the run failed

  --store SPEC    the server's run store: a SQLite file or postgres://user@host:port/db
  --reason TEXT   why (recorded with the command; abort announces it)
`

const storeFlag = z.string({ error: 'is required: the run store (a SQLite file or postgres://…)' })
const runsFlags = z.object({ store: storeFlag.min(1), json: z.boolean().default(false) })
const runFlags = z.object({
  store: storeFlag.min(1),
  reason: z.string().max(2000, 'must be at most 2000 characters').default('no reason given'),
})

const positionals = z.object({
  action: z.enum(['pause', 'resume', 'abort'], { error: 'must be pause, resume or abort' }),
  id: runIdSchema,
})

async function withStore<T>(spec: string, use: (store: RunStore) => Promise<T>): Promise<T> {
  const store = await openRunStore(spec)
  try {
    return await use(store)
  } finally {
    await store.close()
  }
}

const time = (ms: number) => new Date(ms).toISOString()

/** The operator's pause reason while it holds a run; a finished run is not paused. */
async function pausedBy(store: RunStore, runId: string, phase: RunPhase) {
  return isFinalPhase(phase) ? undefined : (await operatorPause(store, runId))?.reason
}

/** `msfl runs [show <id>]`: list the store's runs, or one run's history. */
export async function runs(argv: readonly string[]): Promise<number> {
  const show = argv[0] === 'show'
  const id = show ? parseFlags(z.object({ id: runIdSchema }), { id: argv[1] }).id : undefined
  const flags = readCommandFlags(argv.slice(show ? 2 : 0), runsFlags, runsHelp)
  if (!flags) return 0
  const out = (text: string) => process.stdout.write(text)
  return withStore(flags.store, async (store) => {
    if (id === undefined) {
      const listed = []
      for (const run of await store.listRuns())
        listed.push({ ...run, pausedBy: await pausedBy(store, run.runId, run.phase) })
      if (flags.json) out(`${JSON.stringify({ runs: listed })}\n`)
      else if (listed.length === 0) out('no runs in this store\n')
      else
        for (const r of listed)
          out(
            `${r.runId}  ${r.phase}${r.pausedBy !== undefined ? ` (paused by the operator: ${r.pausedBy})` : ''}  round ${r.round}/${r.rounds}  updated ${time(r.updatedAt)}\n`,
          )
      return 0
    }
    const state = await store.loadRun(id)
    if (!state) throw new MsflError('STORE', `run ${id}: not in the store`)
    const rounds = await store.listRounds(id)
    const accuracy = new Map<number, unknown>()
    for (const r of rounds) {
      const record = (await store.listMessages(id, r.round)).find((m) => m.kind === 'round-record')
      const test = record?.metadata['test'] as { accuracy?: unknown } | undefined
      if (test?.accuracy !== undefined) accuracy.set(r.round, test.accuracy)
    }
    const transitions = await store.listTransitions(id)
    const paused = await pausedBy(store, id, state.phase)
    if (flags.json) {
      out(
        `${JSON.stringify({
          run: state,
          pausedBy: paused,
          rounds: rounds.map((r) => ({ ...r, accuracy: accuracy.get(r.round) })),
          transitions,
        })}\n`,
      )
      return 0
    }
    out(
      `${id}  ${state.phase}  round ${state.round}/${state.policy.rounds}${state.failure ? `  failed: ${state.failure}` : ''}${paused !== undefined ? `  paused by the operator: ${paused}` : ''}\n`,
    )
    for (const r of rounds)
      out(
        `  round ${r.round}  ${r.phase}  asked ${r.selected.join(',')}  answered ${r.received.join(',') || '-'}${accuracy.has(r.round) ? `  accuracy ${Number(accuracy.get(r.round)).toFixed(4)}` : ''}\n`,
      )
    for (const t of transitions)
      out(
        `  #${t.sequence} ${time(t.at)} ${t.input.type} ${t.fromPhase} → ${t.toPhase} (round ${t.round})\n`,
      )
    return 0
  })
}

/** `msfl run pause|resume|abort <id>`: an operator's command, written to the run's store. */
export async function run(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(runHelp)
    return 0
  }
  const { action, id } = parseFlags(positionals, { action: argv[0], id: argv[1] })
  const flags = readCommandFlags(argv.slice(2), runFlags, runHelp)
  if (!flags) return 0
  const at = Date.now()
  return withStore(flags.store, async (store) => {
    if (action === 'abort') {
      const state = await abortRun(store, id, flags.reason, at)
      process.stdout.write(`run ${id} is ${state.phase}: ${state.failure}\n`)
    } else {
      await requestControl(store, id, action, flags.reason, at)
      process.stdout.write(
        action === 'pause'
          ? `run ${id} will hold before its next round (msfl run resume ${id} to go on)\n`
          : `run ${id} goes on with its next round\n`,
      )
    }
    return 0
  })
}
