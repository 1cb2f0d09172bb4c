import type { z } from 'zod'
import { MsflError } from '../../core/errors/msflError.ts'
import type { MsflRoundRecord } from '../../core/events/runEvent.ts'
import type { OrchestratorState } from '../../core/orchestrator/orchestratorState.ts'
import type { ReceivedMessage, StoredMessage } from '../../core/orchestrator/receivedMessage.ts'
import type { RunStore } from '../../core/ports/runStore.ts'
import { decodeMessage } from '../../core/wire/decodeMessage.ts'
import { encodeMessage } from '../../core/wire/encodeMessage.ts'
import type { OpenedRound, RoundJournal } from '../rounds/roundJournal.ts'
import {
  type MsflAgreement,
  type MsflContract,
  type MsflRunTerms,
  msflAgreementSchema,
  msflContractSchema,
  parseMsflRunTerms,
  parseStoredStep,
} from './msflRunTerms.ts'
import type { ConnectedParticipant, RunJournalParameters } from './openRunJournal.ts'
import { openRunTransitions } from './openRunTransitions.ts'
import { trackClients } from './trackClients.ts'

/** The stored message kinds of an MS-FL run (all recorded by the provider itself). */
export const MSFL_JOURNAL_KINDS = {
  agreement: 'msfl-agreement',
  contract: 'msfl-contract',
  terms: 'msfl-terms',
  gradient: 'msfl-gradient',
  selection: 'msfl-selection',
  delivery: 'msfl-delivery',
  roundRecord: 'round-record',
} as const

/** The record fields of a round the provider knows before it delivers (its payment basis). */
export type MsflDeliveryFields = Pick<
  MsflRoundRecord,
  'accepted' | 'excluded' | 'selectionShare' | 'phases'
>

/** A round's delivery as it was stored just before the provider's `deliver` transaction. */
export interface StoredDelivery {
  readonly ledgerRound: string
  readonly ciphertexts: readonly Uint8Array[]
  readonly fields: MsflDeliveryFields
}

/** Where a restarted MS-FL provider picks its run up. */
export interface MsflResumePoint {
  /** The round to go on with (closed rounds are before it). */
  readonly round: number
  /** The records of the rounds already closed, in order. */
  readonly history: readonly MsflRoundRecord[]
  /** The round was open (TRAINING or AGGREGATING) when the provider stopped. */
  readonly interrupted: boolean
}

/** The round driver's journal for MS-FL, plus what the provider records around the ledger. */
export interface MsflRoundJournal extends RoundJournal {
  /** The requestor's selection is on the ledger (deposit and table): recorded before it is served. */
  recordSelection(round: number, ledgerRound: string): Promise<void>
  /** The aggregate about to be delivered (and the round's payment fields): recorded before `deliver`. */
  recordDelivery(
    round: number,
    ledgerRound: string,
    ciphertexts: readonly Uint8Array[],
    fields: MsflDeliveryFields,
  ): Promise<void>
}

/** The durable side of a deployed MS-FL run. */
export interface MsflJournal extends MsflRoundJournal {
  /** SHA-256 of the job file the run is for. */
  readonly job: string
  /** The run's terms stored before a restart (undefined for a new run). */
  readonly terms: MsflRunTerms | undefined
  /** Where to go on, or undefined for a new run. */
  readonly resume: MsflResumePoint | undefined
  /** The rows and scaling the owners agreed before a restart (undefined when not yet). */
  readonly agreement: MsflAgreement | undefined
  /** The contract deployed for the run before a restart (undefined when not yet). */
  readonly contract: MsflContract | undefined
  /** Records the owners' rows and agreed scaling, before the contract is deployed. */
  recordAgreement(agreement: MsflAgreement): Promise<void>
  /** Records the deployed contract, before any party is told of it. */
  recordContract(contract: MsflContract): Promise<void>
  /** Records the run's terms once every party accepted them, before round 1 opens. */
  recordTerms(terms: MsflRunTerms): Promise<void>
  /** The open round starts again from its model request (its masks were lost), for `reason`. */
  restartRound(reason: string): Promise<void>
  /** The aggregate stored for `ledgerRound` of `round`, if it was recorded before delivery. */
  delivery(round: number, ledgerRound: string): Promise<StoredDelivery | undefined>
  register(participants: readonly ConnectedParticipant[]): Promise<void>
  disconnected(name: string): Promise<void>
  fail(reason: string): Promise<void>
  state(): OrchestratorState
}

/** What opening an MS-FL journal needs besides a plain run's: the job and a hold hook. */
export interface MsflJournalParameters extends RunJournalParameters {
  /** SHA-256 of the job file: a store holding the run for another job is refused. */
  readonly job: string
  /** Runs after a selection is recorded, before it is served (crash tests hold here). */
  readonly afterSelection?: (round: number) => Promise<void>
  /** Runs once every party accepted the terms, before they are stored (crash tests hold here). */
  readonly beforeTerms?: () => Promise<void>
  /** Runs after a round's delivery, before it is recorded closed (crash tests hold here). */
  readonly beforeClose?: (round: number) => Promise<void>
}

/**
 * Opens (or creates) a deployed MS-FL run in the store. Every round goes through the round
 * state machine, each step committed before it is acted on: WAITING_FOR_CLIENTS → TRAINING
 * (the owners' encrypted gradients are collected; each accepted one is recorded by (run,
 * round, owner, attempt), its size only: masks are secret and die with the process, so a
 * round never resumes from stored gradients) → AGGREGATING (mask, selection, deposit,
 * delivery; the selection's ledger round and the aggregate are recorded before they are
 * served) → the round's record, then the next round or COMPLETED.
 */
export async function openMsflJournal(parameters: MsflJournalParameters): Promise<MsflJournal> {
  const p = { ...parameters, now: () => Math.floor(parameters.now()) }
  const { store, runId } = p
  const t = await openRunTransitions(p)
  const own = (
    round: number,
    kind: string,
    messageId: string,
    metadata: object,
    payload?: Uint8Array,
  ) => ({
    runId,
    round,
    sender: p.self,
    messageId,
    kind,
    receivedAt: p.now(),
    metadata: JSON.parse(JSON.stringify(metadata)) as Record<string, unknown>,
    ...(payload ? { payload } : {}),
  })
  // What the provider recorded before round 1, read once.
  const early = (await store.listMessages(runId, 0)).filter((m) => m.sender === p.self)
  const terms = storedTerms(early, runId, p.job)
  const agreement = storedStep(early, runId, MSFL_JOURNAL_KINDS.agreement, msflAgreementSchema)
  const contract = storedStep(early, runId, MSFL_JOURNAL_KINDS.contract, msflContractSchema)
  const resume = await resumePoint(store, t.state(), p.self, terms)
  const clients = trackClients(t, p)
  let delivered: string | undefined

  return {
    job: p.job,
    terms,
    resume,
    agreement,
    contract,
    state: t.state,
    register: (participants) => clients.register(participants),
    disconnected: (name) => clients.dropped(name),
    async recordAgreement(agreed) {
      const { agreement: kind } = MSFL_JOURNAL_KINDS
      await store.recordMessage(own(0, kind, kind, agreed))
    },
    async recordContract(deployed) {
      const { contract: kind } = MSFL_JOURNAL_KINDS
      await store.recordMessage(own(0, kind, kind, deployed))
    },
    async recordTerms(agreed) {
      await p.beforeTerms?.()
      await store.recordMessage(own(0, MSFL_JOURNAL_KINDS.terms, MSFL_JOURNAL_KINDS.terms, agreed))
    },
    async restartRound(reason) {
      const { phase } = t.state()
      if (phase !== 'TRAINING' && phase !== 'AGGREGATING') return
      await t.mustApply({ type: 'restart-round', at: p.now(), reason })
    },
    async opened(round, participants): Promise<OpenedRound> {
      if (t.state().phase === 'WAITING_FOR_CLIENTS') await t.holdWhilePaused(round)
      await t.reload()
      if (t.state().phase === 'PAUSED_INSUFFICIENT_CLIENTS') await clients.waitForClients(round)
      if (t.state().phase === 'FAILED' || t.state().phase === 'COMPLETED') throw t.stopped()
      if (t.state().round !== round || t.state().phase !== 'WAITING_FOR_CLIENTS')
        throw new MsflError(
          'STORE',
          `run ${runId}: round ${round} asked, the store is at round ${t.state().round} (${t.state().phase})`,
        )
      await t.mustApply({ type: 'open-round', at: p.now(), selectionSeed: 0, drawn: participants })
      delivered = undefined
      return { deadlineAt: t.state().deadlineAt!, recorded: new Map(), collected: false }
    },
    async accepted(round, clientId, reply) {
      const message = gradientMessage(runId, round, clientId, t.state().attempt, reply, p.now())
      const result = await t.apply(
        {
          type: 'update',
          round,
          sender: clientId,
          messageId: message.messageId,
          at: message.receivedAt,
        },
        message,
      )
      return typeof result === 'object' ? result : 'recorded'
    },
    async collected(round) {
      if (t.state().round !== round || t.state().phase === 'AGGREGATING') return
      await t.mustApply({ type: 'deadline', at: Math.max(p.now(), t.state().deadlineAt ?? 0) })
      if (t.state().phase !== 'AGGREGATING')
        throw new MsflError('PROTOCOL', `run ${runId}: round ${round} missed its quorum`)
    },
    async recordSelection(round, ledgerRound) {
      await store.recordMessage(
        own(round, MSFL_JOURNAL_KINDS.selection, `selection/${ledgerRound}`, { ledgerRound }),
      )
      await p.afterSelection?.(round)
    },
    async recordDelivery(round, ledgerRound, ciphertexts, fields) {
      await store.recordMessage(
        own(
          round,
          MSFL_JOURNAL_KINDS.delivery,
          `delivery/${ledgerRound}`,
          { ledgerRound, fields },
          encodeMessage([...ciphertexts]),
        ),
      )
      delivered = ledgerRound
    },
    delivery: (round, ledgerRound) => storedDelivery(store, runId, p.self, round, ledgerRound),
    async closed(round, record) {
      await p.beforeClose?.(round)
      const sha256 = await deliveredSha256(store, runId, p.self, round, delivered)
      await store.recordMessage(
        own(round, MSFL_JOURNAL_KINDS.roundRecord, MSFL_JOURNAL_KINDS.roundRecord, record),
      )
      // The provider holds no model: the round closes with the hash of the aggregate it delivered.
      await t.mustApply({ type: 'aggregated', at: p.now(), modelSha256: sha256 })
    },
    fail: (reason) => t.fail(reason),
  }
}

/** A step the provider recorded before the terms (round 0), parsed; undefined when not yet. */
function storedStep<T>(
  early: readonly StoredMessage[],
  runId: string,
  kind: string,
  schema: z.ZodType<T>,
): T | undefined {
  const stored = early.find((m) => m.kind === kind)
  return stored ? parseStoredStep(schema, stored.metadata, runId, kind) : undefined
}

function storedTerms(
  early: readonly StoredMessage[],
  runId: string,
  job: string,
): MsflRunTerms | undefined {
  const stored = early.find((m) => m.kind === MSFL_JOURNAL_KINDS.terms)
  if (!stored) return undefined
  const terms = parseMsflRunTerms(stored.metadata, runId)
  if (terms.job !== job)
    throw new MsflError(
      'STORE',
      `run ${runId}: the store holds it for job ${terms.job}, this is job ${job}; use a new store for a changed job`,
    )
  return terms
}

async function resumePoint(
  store: RunStore,
  state: OrchestratorState,
  self: string,
  terms: MsflRunTerms | undefined,
): Promise<MsflResumePoint | undefined> {
  const interrupted = state.phase === 'TRAINING' || state.phase === 'AGGREGATING'
  if (state.round === 1 && !interrupted) return undefined
  if (!terms)
    throw new MsflError(
      'STORE',
      `run ${state.runId}: round ${state.round} was reached but the store holds no MS-FL terms (not an MS-FL run's store?)`,
    )
  const history: MsflRoundRecord[] = []
  for (let round = 1; round < state.round; round++) {
    const record = (await store.listMessages(state.runId, round)).find(
      (m) => m.kind === MSFL_JOURNAL_KINDS.roundRecord && m.sender === self,
    )
    const metadata = record?.metadata as { round?: unknown; selectionShare?: unknown } | undefined
    if (metadata?.round !== round || typeof metadata.selectionShare !== 'object')
      throw new MsflError(
        'STORE',
        `run ${state.runId}: round ${round} has no MS-FL round record (round-record.round, round-record.selectionShare)`,
      )
    history.push(metadata as unknown as MsflRoundRecord)
  }
  return { round: state.round, history, interrupted }
}

async function storedDelivery(
  store: RunStore,
  runId: string,
  self: string,
  round: number,
  ledgerRound: string,
): Promise<StoredDelivery | undefined> {
  const stored = (await store.listMessages(runId, round)).find(
    (m) =>
      m.kind === MSFL_JOURNAL_KINDS.delivery &&
      m.sender === self &&
      m.messageId === `delivery/${ledgerRound}`,
  )
  if (!stored) return undefined
  const ciphertexts = stored.payload ? decodeMessage(stored.payload) : undefined
  const fields = (stored.metadata as { fields?: unknown }).fields
  if (
    !Array.isArray(ciphertexts) ||
    !ciphertexts.every((c) => c instanceof Uint8Array) ||
    typeof fields !== 'object' ||
    fields === null
  )
    throw new MsflError(
      'STORE',
      `run ${runId}: the stored delivery of round ${round} (ledger round ${ledgerRound}) is malformed (msfl-delivery.payload, msfl-delivery.fields)`,
    )
  return { ledgerRound, ciphertexts, fields: fields as MsflDeliveryFields }
}

/**
 * An accepted encrypted gradient as it is recorded: keyed by (run, round, owner, attempt), with
 * its size only (a round never resumes from stored gradients: their masks die with the process).
 */
function gradientMessage(
  runId: string,
  round: number,
  sender: string,
  attempt: number,
  reply: unknown,
  at: number,
): ReceivedMessage {
  const ciphertexts = (reply as { ciphertexts?: readonly Uint8Array[] }).ciphertexts ?? []
  return {
    runId,
    round,
    sender,
    messageId: `${MSFL_JOURNAL_KINDS.gradient}/${attempt}`,
    kind: MSFL_JOURNAL_KINDS.gradient,
    receivedAt: at,
    metadata: {
      attempt,
      ciphertexts: ciphertexts.length,
      bytes: ciphertexts.reduce((s, c) => s + c.byteLength, 0),
    },
  }
}

/** SHA-256 of the aggregate the round delivered (the one recorded last when none is named). */
async function deliveredSha256(
  store: RunStore,
  runId: string,
  self: string,
  round: number,
  ledgerRound: string | undefined,
): Promise<string> {
  const delivery = [...(await store.listMessages(runId, round))]
    .reverse()
    .find(
      (m) =>
        m.kind === MSFL_JOURNAL_KINDS.delivery &&
        m.sender === self &&
        (ledgerRound === undefined || m.messageId === `delivery/${ledgerRound}`),
    )
  if (!delivery?.payloadSha256)
    throw new MsflError('STORE', `run ${runId}: round ${round} closes with no stored delivery`)
  return delivery.payloadSha256
}
