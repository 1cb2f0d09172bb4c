import type { FeatureScaling } from '../../core/data/featureScaling.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { RoundRecord } from '../../core/events/runEvent.ts'
import type { OrchestratorState } from '../../core/orchestrator/orchestratorState.ts'
import type { ReceivedMessage } from '../../core/orchestrator/receivedMessage.ts'
import type { RoundPolicy } from '../../core/orchestrator/roundPolicy.ts'
import type { RunStore } from '../../core/ports/runStore.ts'
import { decodeMessage } from '../../core/wire/decodeMessage.ts'
import { encodeMessage } from '../../core/wire/encodeMessage.ts'
import type { FederationJournal, OpenedRound } from '../rounds/roundJournal.ts'
import { openRunTransitions } from './openRunTransitions.ts'
import { trackClients } from './trackClients.ts'

/** The stored message kinds the journal writes (besides the owners' fit results). */
export const JOURNAL_KINDS = {
  fitResult: 'fit-result',
  roundRecord: 'round-record',
  featureScaling: 'feature-scaling',
} as const

/** Where a restarted server picks the run up. */
export interface ResumePoint {
  /** The first round still to run (open or not yet opened). */
  readonly round: number
  /** The global model after `round - 1` (round 0: the initial model), its hash checked. */
  readonly params: Float64Array
  /** The records of the rounds already closed, in order. */
  readonly history: readonly RoundRecord[]
  /** `round` was open (TRAINING or AGGREGATING) when the server stopped. */
  readonly interrupted: boolean
}

/** A connected participant as its certificate names it. */
export interface ConnectedParticipant {
  readonly name: string
  readonly role: string
  /** Hex serial number of its certificate. */
  readonly serialNumber: string
}

/** What opening a journal needs: the store, the run, its round policy and who writes. */
export interface RunJournalParameters {
  readonly store: RunStore
  readonly runId: string
  readonly policy: RoundPolicy
  /** The server's certificate CN: the sender of what the server records itself. */
  readonly self: string
  readonly now: () => number
  /**
   * Runs after every committed transition, before the server acts on it: crash tests stop the
   * server here (msfl server's MSFL_HOLD_AT) to kill it at a known durable step.
   */
  readonly afterCommit?: (state: OrchestratorState) => Promise<void>
  /**
   * What a round open when the server stopped becomes: `resume` (default) picks it up from the
   * replies stored with it; `skip` — a protected run, whose masks and key shares lived only in
   * memory — stores no reply payloads and gives such a round up ({@link RunJournal.skipRound}).
   */
  readonly interruptedRounds?: 'resume' | 'skip'
  /** Waits this long between looks at the store while an operator holds the run paused. */
  readonly pausePollMs?: number
  /** Told once each time the run holds for an operator's pause, and when it goes on. */
  readonly onPause?: (paused: { readonly round: number; readonly reason?: string }) => void
  /**
   * Fewer owners are connected than the policy's minimum before `round` (`resumed` false), or
   * enough again (`resumed` true): the run waits in PAUSED_INSUFFICIENT_CLIENTS in between.
   */
  readonly onInsufficientClients?: (change: {
    readonly round: number
    readonly connected: number
    readonly needed: number
    readonly resumed: boolean
  }) => void
}

/** The durable side of a served run: the round journal plus what a restart needs. */
export interface RunJournal extends FederationJournal {
  /** Where to resume, or undefined when no round ever opened (the run starts from round 1). */
  readonly resume: ResumePoint | undefined
  /** The feature scaling recorded before a restart (the owners agree on it only once). */
  readonly scaling: FeatureScaling | undefined
  /**
   * Records the participants (certificate serials) and registers the data owners: at the
   * start, and again for an owner that reconnects (a paused run resumes once enough are back).
   */
  register(participants: readonly ConnectedParticipant[]): Promise<void>
  /** A participant's connection dropped: a run short of its minimum pauses between rounds. */
  disconnected(name: string): Promise<void>
  /** Records the model before round 1 (version 0). */
  recordInitialModel(params: Float64Array): Promise<void>
  /** Records the agreed feature scaling, before round 1 opens. */
  recordScaling(scaling: FeatureScaling): Promise<void>
  /** Fails the run for good, with the reason (no-op when it is already final). */
  fail(reason: string): Promise<void>
  /**
   * `interruptedRounds: 'skip'`: gives the interrupted round up for good — its number is spent,
   * it closes with the model it started from and this record — and moves `resume` past it.
   */
  skipRound(record: RoundRecord, reason: string): Promise<void>
  /** The run's latest committed state. */
  state(): OrchestratorState
}

/**
 * Opens (or creates) a run in the store and returns its journal: every step of every round is
 * a transition of the round state machine (core/orchestrator), committed before the server
 * acts on it; the owners' fit results are written with the transition that accepts them, keyed
 * by (run, round, sender, `fit-result`), so a reply recorded twice counts once. Between rounds
 * the journal re-reads the run, so an operator's abort in the store stops it.
 */
export async function openRunJournal(parameters: RunJournalParameters): Promise<RunJournal> {
  // The store keeps whole milliseconds; a runtime clock may have a fraction.
  const p = { ...parameters, now: () => Math.floor(parameters.now()) }
  const { store, runId } = p
  const t = await openRunTransitions(p)

  const skips = p.interruptedRounds === 'skip'
  await closeWrittenRound(store, t, p.now())
  let resume = await resumePoint(store, t.state(), p.self)
  const scaling = await storedScaling(store, runId, p.self)

  const clients = trackClients(t, p)

  return {
    get resume() {
      return resume
    },
    scaling,
    state: t.state,
    register: (participants) => clients.register(participants),
    async recordInitialModel(params) {
      await store.putModelVersion({
        runId,
        version: 0,
        round: 0,
        bytes: encodeMessage(params),
        createdAt: p.now(),
      })
    },
    async recordScaling(agreed) {
      await store.recordMessage(
        ownMessage(p, 0, JOURNAL_KINDS.featureScaling, {
          mean: [...agreed.mean],
          std: [...agreed.std],
        }),
      )
    },
    disconnected: (name) => clients.dropped(name),
    async opened(round, participants): Promise<OpenedRound> {
      // Between rounds the store is the truth: an operator may have paused or aborted the run.
      if (t.state().phase === 'WAITING_FOR_CLIENTS') await t.holdWhilePaused(round)
      await t.reload()
      if (t.state().phase === 'PAUSED_INSUFFICIENT_CLIENTS') await clients.waitForClients(round)
      if (t.state().phase === 'FAILED' || t.state().phase === 'COMPLETED') throw t.stopped()
      if (t.state().round !== round)
        throw new MsflError(
          'STORE',
          `run ${runId}: round ${round} asked, the store is at ${t.state().round}`,
        )
      if (skips && t.state().phase !== 'WAITING_FOR_CLIENTS')
        throw new MsflError(
          'STORE',
          `run ${runId}: round ${round} was interrupted and cannot resume; it must be skipped`,
        )
      if (t.state().phase === 'WAITING_FOR_CLIENTS') {
        // The seed is unused: the round asks the owners the job's strategy drew.
        await t.mustApply({
          type: 'open-round',
          at: p.now(),
          selectionSeed: 0,
          drawn: participants,
        })
        return { deadlineAt: t.state().deadlineAt!, recorded: new Map(), collected: false }
      }
      return reopenedRound(store, t.state(), participants)
    },
    async accepted(round, clientId, reply) {
      if (t.state().round === round && t.state().received.includes(clientId)) return 'recorded'
      const at = p.now()
      const result = await t.apply(
        { type: 'update', round, sender: clientId, messageId: JOURNAL_KINDS.fitResult, at },
        fitResultMessage(runId, round, clientId, reply, at, !skips),
      )
      return typeof result === 'object' ? result : 'recorded'
    },
    async collected(round) {
      if (t.state().round !== round || t.state().phase === 'AGGREGATING') return
      // Every asked owner answered, failed or timed out: nothing more can count this round, so
      // the round closes under its deadline rule now (the quorum decides).
      await t.mustApply({ type: 'deadline', at: Math.max(p.now(), t.state().deadlineAt ?? 0) })
      if (t.state().phase !== 'AGGREGATING')
        throw new MsflError('PROTOCOL', `run ${runId}: round ${round} missed its quorum`)
    },
    async closed(round, params, record) {
      const modelSha256 = await storeRoundEnd(p, round, params, record)
      await t.mustApply({ type: 'aggregated', at: p.now(), modelSha256 })
    },
    fail: (reason) => t.fail(reason),
    async skipRound(record, reason) {
      const state = t.state()
      if (!skips || !resume?.interrupted || record.round !== state.round)
        throw new MsflError('STORE', `run ${runId}: round ${record.round} is not interrupted`)
      // The round closes with the model it started from, stored again under its number, so a
      // later restart resumes from it like from any closed round.
      const modelSha256 = await storeRoundEnd(p, state.round, resume.params, record)
      await t.mustApply({ type: 'skip-round', at: p.now(), reason, modelSha256 })
      resume = await resumePoint(store, t.state(), p.self)
    },
  }
}

/** A message the server records itself, keyed by its kind. */
function ownMessage(
  p: Pick<RunJournalParameters, 'runId' | 'self' | 'now'>,
  round: number,
  kind: string,
  metadata: Record<string, unknown>,
): ReceivedMessage {
  return {
    runId: p.runId,
    round,
    sender: p.self,
    messageId: kind,
    kind,
    receivedAt: p.now(),
    metadata,
  }
}

/** A round's model and record, written before the transition that closes it; the model's SHA-256. */
async function storeRoundEnd(
  p: Pick<RunJournalParameters, 'store' | 'runId' | 'self' | 'now'>,
  round: number,
  params: Float64Array,
  record: RoundRecord,
): Promise<string> {
  // The record first: a stored model then means its round's record is stored too (see
  // closeWrittenRound).
  await p.store.recordMessage(
    ownMessage(p, round, JOURNAL_KINDS.roundRecord, JSON.parse(JSON.stringify(record))),
  )
  const { sha256 } = await p.store.putModelVersion({
    runId: p.runId,
    version: round,
    round,
    bytes: encodeMessage(params),
    createdAt: p.now(),
  })
  return sha256
}

/**
 * A server killed while closing a round (its record and model written, not yet the closing
 * transition) left the round AGGREGATING with everything it needs: the transition is applied
 * now, so the round is not combined again — which could give other bytes than the stored model
 * (a rule drawing from the CSPRNG) or, in a protected run, release its sum twice.
 */
async function closeWrittenRound(
  store: RunStore,
  t: Awaited<ReturnType<typeof openRunTransitions>>,
  at: number,
): Promise<void> {
  const state = t.state()
  if (state.phase !== 'AGGREGATING') return
  const model = await store.loadModelVersion(state.runId, state.round)
  if (model) await t.mustApply({ type: 'aggregated', at, modelSha256: model.sha256 })
}

/**
 * An owner's accepted fit result as it is stored: what it reported in the clear, and its codec
 * bytes when a restart resumes from them (a protected reply is useless without its masks).
 */
function fitResultMessage(
  runId: string,
  round: number,
  sender: string,
  reply: unknown,
  at: number,
  withPayload: boolean,
): ReceivedMessage {
  const { numExamples, trainLoss } = reply as { numExamples?: unknown; trainLoss?: unknown }
  return {
    runId,
    round,
    sender,
    messageId: JOURNAL_KINDS.fitResult,
    kind: JOURNAL_KINDS.fitResult,
    receivedAt: at,
    metadata: { numExamples: numExamples ?? null, trainLoss: trainLoss ?? null },
    ...(withPayload ? { payload: encodeMessage(reply) } : {}),
  }
}

/** A round that was open when the server stopped: the same owners, deadline and stored replies. */
async function reopenedRound(
  store: RunStore,
  state: OrchestratorState,
  participants: readonly string[],
): Promise<OpenedRound> {
  const { runId, round } = state
  if (state.phase !== 'TRAINING' && state.phase !== 'AGGREGATING')
    throw new MsflError('PROTOCOL', `run ${runId}: round ${round} cannot open while ${state.phase}`)
  if (state.selected.join() !== participants.join())
    throw new MsflError(
      'STORE',
      `run ${runId}: round ${round} asked ${state.selected.join(', ')} before the restart, now ${participants.join(', ')}`,
    )
  const recorded = new Map<string, unknown>()
  for (const m of await store.listMessages(runId, round))
    if (m.kind === JOURNAL_KINDS.fitResult && state.received.includes(m.sender) && m.payload)
      recorded.set(m.sender, decodeMessage(m.payload))
  return { deadlineAt: state.deadlineAt!, recorded, collected: state.phase === 'AGGREGATING' }
}

async function resumePoint(
  store: RunStore,
  state: OrchestratorState,
  self: string,
): Promise<ResumePoint | undefined> {
  const open = state.phase === 'TRAINING' || state.phase === 'AGGREGATING'
  if (state.round === 1 && !open) return undefined
  const last = state.round - 1
  const model = await store.loadModelVersion(state.runId, last)
  if (!model)
    throw new MsflError('STORE', `run ${state.runId}: no stored model after round ${last}`)
  if (last > 0 && model.sha256 !== state.modelSha256)
    throw new MsflError(
      'STORE',
      `run ${state.runId}: the stored model of round ${last} is not the one the run closed it with`,
    )
  const history: RoundRecord[] = []
  for (let round = 1; round <= last; round++) {
    const record = (await store.listMessages(state.runId, round)).find(
      (m) => m.kind === JOURNAL_KINDS.roundRecord && m.sender === self,
    )
    if (!record) throw new MsflError('STORE', `run ${state.runId}: round ${round} has no record`)
    history.push(record.metadata as unknown as RoundRecord)
  }
  const params = decodeMessage(model.bytes)
  if (!(params instanceof Float64Array))
    throw new MsflError(
      'STORE',
      `run ${state.runId}: the stored model of round ${last} is not a parameter vector`,
    )
  return { round: state.round, params, history, interrupted: open }
}

async function storedScaling(
  store: RunStore,
  runId: string,
  self: string,
): Promise<FeatureScaling | undefined> {
  const stored = (await store.listMessages(runId, 0)).find(
    (m) => m.kind === JOURNAL_KINDS.featureScaling && m.sender === self,
  )
  if (!stored) return undefined
  const { mean, std } = stored.metadata as { mean?: unknown; std?: unknown }
  const numbers = (v: unknown): v is number[] =>
    Array.isArray(v) && v.every((x) => typeof x === 'number')
  if (!numbers(mean) || !numbers(std) || mean.length !== std.length)
    throw new MsflError('STORE', `run ${runId}: the stored feature scaling is malformed`)
  return { mean, std }
}
