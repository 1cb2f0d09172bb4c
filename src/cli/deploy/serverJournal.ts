import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { ProcessLog } from '../../adapters/logging/index.ts'
import {
  createStoreEventSink,
  openRunStore,
  type StoreEventSink,
} from '../../adapters/store/index.ts'
import type { FederationServer } from '../../adapters/transport-grpc/index.ts'
import type { RoundPolicy } from '../../core/orchestrator/roundPolicy.ts'
import type { RunStore } from '../../core/ports/runStore.ts'
import type { FederatedRunPlan, MsflRunPlan } from '../../runtime/config/planRun.ts'
import type { EventBus } from '../../runtime/createEventBus.ts'
import { skipsInterruptedRounds } from '../../runtime/deploy/skipInterruptedRound.ts'
import { type MsflJournal, openMsflJournal } from '../../runtime/orchestrator/openMsflJournal.ts'
import {
  openRunJournal,
  type RunJournal,
  type RunJournalParameters,
} from '../../runtime/orchestrator/openRunJournal.ts'
import { holdAt, holdAtStep, holdAtTerms, readHoldPoint } from './holdAt.ts'

/**
 * The round policy a deployed plain job runs under: its rounds, its sampling (the round state
 * machine checks each drawn selection against it), one accepted update to go on (as the round
 * driver requires), its deadline, and no retry of a round (the driver fails a round that misses
 * its quorum).
 */
export function roundPolicyOf(plan: FederatedRunPlan): RoundPolicy {
  const { basics, engine } = plan
  return {
    rounds: basics.rounds,
    fraction: engine.sampling.fraction,
    minClients: engine.sampling.minClients,
    quorum: 1,
    roundDeadlineMs: basics.deadlineMs,
    maxRoundAttempts: 1,
    // Client-level DP samples its owners secretly, each with probability q (any number a round).
    ...(plan.protocol === 'protected' && plan.privacy.dp?.options.level === 'client'
      ? { sampling: 'poisson' as const }
      : {}),
  }
}

/** The run's events also go to the store; a failed write is logged, never thrown into the run. */
export function journalSink(store: RunStore, bus: EventBus, log: ProcessLog): StoreEventSink {
  let warned = false
  const sink = createStoreEventSink(store, (error, event) => {
    if (warned) return
    warned = true
    log.warn('an event was not stored', {
      type: event.type,
      reason: error instanceof Error ? error.message : String(error),
    })
  })
  // The store keeps whole milliseconds; the run clock has a fraction.
  bus.subscribe((event) => sink.sink({ ...event, at: Math.floor(event.at) }))
  return sink
}

/** What {@link openServerJournal} opened: the store, the run's journal and its event sink. */
export interface ServerJournal {
  readonly store: RunStore
  readonly journal: RunJournal
  readonly events: StoreEventSink
}

/**
 * Opens `msfl server`'s run store (`--store`, or `<job out>/<run id>/run.sqlite`), the run's
 * journal on it (resuming an unfinished run; a protected round left open is skipped), registers the connected participants and
 * sends the run's events to the store. `MSFL_HOLD_AT` (crash tests) holds the server after a
 * durable step.
 */
export async function openServerJournal(p: {
  readonly flags: { readonly store?: string | undefined }
  readonly plan: FederatedRunPlan
  readonly runId: string
  readonly self: string
  readonly out: string
  readonly endpoint: Pick<FederationServer, 'peers'>
  readonly bus: EventBus
  readonly now: () => number
  readonly log: ProcessLog
}): Promise<ServerJournal> {
  const { log } = p
  const store = await openServerStore(p)
  const afterCommit = holdAt(readHoldPoint(process.env), heldLog(log))
  const journal = await openRunJournal({
    store,
    runId: p.runId,
    policy: roundPolicyOf(p.plan),
    interruptedRounds: skipsInterruptedRounds(p.plan) ? 'skip' : 'resume',
    self: p.self,
    now: p.now,
    ...(afterCommit ? { afterCommit } : {}),
    ...runCallbacks(p),
  })
  return { store, journal, events: await startJournal(store, journal, p) }
}

/**
 * The round policy of a deployed MS-FL job: every owner asked each round, paused between
 * rounds while fewer than k (msfl.minOwners) are connected (no component could be served),
 * one gradient to go on, the job's deadline, and no retry of a round that misses its quorum.
 */
export function msflRoundPolicyOf(plan: MsflRunPlan): RoundPolicy {
  const { basics, msfl } = plan
  return {
    rounds: basics.rounds,
    fraction: 1,
    minClients: Math.max(1, Math.min(msfl.minOwners, basics.clients)),
    quorum: 1,
    roundDeadlineMs: basics.deadlineMs,
    maxRoundAttempts: 1,
  }
}

/** What {@link openMsflServerJournal} opened: the store, the MS-FL run's journal and its event sink. */
export interface MsflServerJournal {
  readonly store: RunStore
  readonly journal: MsflJournal
  readonly events: StoreEventSink
}

/**
 * openServerJournal for an MS-FL job: the same store (`--store`, or `<job out>/<run id>/run.sqlite`)
 * and hold points, the MS-FL journal on it (the run's terms, the rounds, the ledger steps), the
 * job's SHA-256 checked against the store's. `MSFL_HOLD_AT=AGGREGATING:R:selected` holds after
 * round R's selection is on the ledger, `AGGREGATING:R:delivered` after its delivery,
 * `MSFL_HOLD_AT=TERMS` once every party accepted the terms.
 */
export async function openMsflServerJournal(p: {
  readonly flags: { readonly store?: string | undefined }
  readonly plan: MsflRunPlan
  readonly runId: string
  readonly job: string
  readonly self: string
  readonly out: string
  readonly endpoint: Pick<FederationServer, 'peers'>
  readonly bus: EventBus
  readonly now: () => number
  readonly log: ProcessLog
}): Promise<MsflServerJournal> {
  const { log } = p
  const store = await openServerStore(p)
  try {
    const point = readHoldPoint(process.env)
    const afterCommit = holdAt(point, heldLog(log))
    const heldAt = (step: string) => (round: number) =>
      log.info('held', { phase: 'AGGREGATING', round, step })
    const afterSelection = holdAtStep(point, 'selected', heldAt('selected'))
    const beforeClose = holdAtStep(point, 'delivered', heldAt('delivered'))
    const beforeTerms = holdAtTerms(point, () => log.info('held', { step: 'terms' }))
    const journal = await openMsflJournal({
      store,
      runId: p.runId,
      job: p.job,
      policy: msflRoundPolicyOf(p.plan),
      self: p.self,
      now: p.now,
      ...(afterCommit ? { afterCommit } : {}),
      ...(afterSelection ? { afterSelection } : {}),
      ...(beforeClose ? { beforeClose } : {}),
      ...(beforeTerms ? { beforeTerms } : {}),
      ...runCallbacks(p),
    })
    return { store, journal, events: await startJournal(store, journal, p) }
  } catch (error) {
    await store.close()
    throw error
  }
}

/**
 * A journal just opened: the connected participants registered, the run's events sent to the
 * store, and a resumed run logged with its round and phase.
 */
async function startJournal(
  store: RunStore,
  journal: Pick<RunJournal, 'register' | 'state'> & {
    readonly resume?: { readonly round: number } | undefined
  },
  p: {
    readonly runId: string
    readonly endpoint: Pick<FederationServer, 'peers'>
    readonly bus: EventBus
    readonly log: ProcessLog
  },
): Promise<StoreEventSink> {
  await journal.register(p.endpoint.peers())
  const events = journalSink(store, p.bus, p.log)
  if (journal.resume)
    p.log.info('resuming', {
      run: p.runId,
      round: journal.resume.round,
      phase: journal.state().phase,
    })
  return events
}

/** The run store `--store` names, or `<job out>/<run id>/run.sqlite` (its folder created). */
async function openServerStore(p: {
  readonly flags: { readonly store?: string | undefined }
  readonly out: string
  readonly runId: string
}): Promise<RunStore> {
  const storeSpec = p.flags.store ?? join(p.out, p.runId, 'run.sqlite')
  if (!p.flags.store) mkdirSync(dirname(storeSpec), { recursive: true })
  return openRunStore(storeSpec)
}

function heldLog(log: ProcessLog) {
  return (state: { phase: string; round: number; received: readonly string[] }) =>
    log.info('held', { phase: state.phase, round: state.round, received: state.received.length })
}

/** How the journal tells the operator about pauses (its own, and too few owners). */
function runCallbacks(p: {
  readonly runId: string
  readonly bus: EventBus
  readonly now: () => number
  readonly log: ProcessLog
}): Pick<RunJournalParameters, 'onPause' | 'onInsufficientClients'> {
  const { log } = p
  return {
    onPause: ({ round, reason }) =>
      reason === undefined
        ? log.info('resumed by the operator', { round })
        : log.info('paused by the operator', { round, reason }),
    onInsufficientClients: ({ round, connected, needed, resumed }) => {
      const at = p.now()
      if (resumed) {
        log.info('enough owners are back: resuming', { round, connected })
        p.bus.emit({ type: 'run-resumed', runId: p.runId, at, round, connected })
      } else {
        log.warn('too few owners connected: paused until enough return', {
          round,
          connected,
          needed,
        })
        p.bus.emit({ type: 'run-paused', runId: p.runId, at, round, connected, needed })
      }
    },
  }
}
