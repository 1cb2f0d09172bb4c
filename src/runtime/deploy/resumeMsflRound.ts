import type { LedgerTerms } from '../../core/deploy/msflDeploymentMessages.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { createRunEmitter } from '../../core/events/createRunEmitter.ts'
import type { EventSink, MsflRoundRecord } from '../../core/events/runEvent.ts'
import { roundClosedSchema } from '../../core/msfl/msflMessages.ts'
import type { Settlement, SettlementStatus } from '../../core/ports/settlement.ts'
import type { Transport } from '../../core/ports/transport.ts'
import { expectReply } from '../msfl/expectReply.ts'
import type { MsflJournal } from '../orchestrator/openMsflJournal.ts'
import type { RoundEvaluation } from '../rounds/roundEvaluation.ts'
import { summarise } from '../rounds/roundEvaluation.ts'
import type { LedgerParties, ProviderLedger } from './msflLedgerParty.ts'

/** Where a restarted provider goes on: the rounds closed before, and the requestor's last report. */
export interface ResumedMsflRun {
  readonly firstRound: number
  readonly history: readonly MsflRoundRecord[]
  readonly final: RoundEvaluation
}

/**
 * A restarted provider's run (undefined for a new one): the closed rounds' records from its
 * journal, and the round it was in when it stopped settled on the ledger first
 * (resumeMsflRound): closed when it was delivered, otherwise run again.
 */
export async function resumeMsflRun(
  p: Omit<
    ResumeMsflRoundParameters,
    'round' | 'requestorAddress' | 'terms' | 'settlement' | 'journal' | 'deadlineMs'
  > & {
    readonly journal?: MsflJournal
    readonly plan: { readonly basics: { readonly deadlineMs: number }; readonly defence?: unknown }
    readonly emit: EventSink
    readonly now: () => number
  },
  terms: LedgerTerms,
  parties: LedgerParties,
  settlement: Pick<Settlement, 'decline'>,
): Promise<ResumedMsflRun | undefined> {
  const { journal } = p
  const resume = journal?.resume
  if (!journal || !resume) return undefined
  const history = [...resume.history]
  let round = resume.round
  if (resume.interrupted) {
    const event = createRunEmitter(p)
    const closed = await resumeMsflRound({
      ...p,
      onDeclined: (ledgerRound) =>
        event('table-declined', {
          round,
          ledgerRound,
          reason: 'the provider restarted mid-round: the round runs again',
        }),
      round,
      requestorAddress: parties.requestor,
      terms,
      settlement,
      journal,
      deadlineMs: p.plan.basics.deadlineMs,
      // With defence: adrm the requestor may have screened the round already: a round it
      // screens again is screened as if for the first time (createMsflScreen), so it runs again.
    })
    if (closed) {
      history.push(closed)
      round += 1
    }
  }
  const last = history.at(-1)?.test
  return {
    firstRound: round,
    history,
    final: {
      loss: last?.loss ?? Number.NaN,
      ...(last?.accuracy === undefined ? {} : { accuracy: last.accuracy }),
    },
  }
}

/** What a restarted provider needs to settle the round it was in when it stopped. */
export interface ResumeMsflRoundParameters {
  readonly runId: string
  /** The protocol round that was open (TRAINING or AGGREGATING). */
  readonly round: number
  readonly owners: readonly string[]
  readonly requestor: string
  /** The requestor's address on the run's chain (it opens every ledger round). */
  readonly requestorAddress: string
  readonly transport: Transport
  readonly ledger: Pick<ProviderLedger, 'protocolRounds'>
  readonly terms: LedgerTerms
  /** The provider's settlement port on the run's contract (it declines). */
  readonly settlement: Pick<Settlement, 'decline'>
  readonly journal: MsflJournal
  readonly deadlineMs: number
  /** Told each ledger round declined (refunded) here. */
  onDeclined?(ledgerRound: string): void
}

/**
 * The ledger decides what happens to a round the provider was in when it stopped, so that it
 * is paid exactly once: if one of its ledger rounds was delivered (the owners were paid), the
 * round is done — the aggregate stored before that delivery goes to the requestor again (it
 * applies it unless it already did) and the round is recorded closed; otherwise every ledger
 * round opened for it and not closed is declined (the whole deposit returns to the requestor)
 * and the round runs again from the model request, under a new ledger round number (the
 * contract numbers its rounds; the protocol round stays the same). Returns the closed round's
 * record, or undefined when the round runs again.
 */
export async function resumeMsflRound(
  p: ResumeMsflRoundParameters,
): Promise<MsflRoundRecord | undefined> {
  const rounds = await settledRounds(p)
  const delivered = rounds.filter((r) => r.status === 'delivered')
  if (delivered.length > 1)
    throw new MsflError(
      'PROTOCOL',
      `round ${p.round} was delivered ${delivered.length} times on the ledger (${delivered.map((d) => d.ledgerRound).join(', ')})`,
    )
  for (const r of rounds)
    if (r.status === 'funded' || r.status === 'unfunded') {
      await p.settlement.decline(
        r.ledgerRound,
        delivered.length > 0
          ? 'the round was delivered under another ledger round'
          : 'the provider restarted mid-round: the round runs again',
      )
      p.onDeclined?.(r.ledgerRound)
    }
  const paid = delivered[0]
  if (!paid) {
    await p.journal.restartRound(
      'the provider restarted: MS-FL masks are not kept, the round runs again from the model request',
    )
    return undefined
  }
  return redeliver(p, paid.ledgerRound)
}

/** The round was paid before the provider stopped: its stored aggregate goes to the requestor again. */
async function redeliver(
  p: ResumeMsflRoundParameters,
  ledgerRound: string,
): Promise<MsflRoundRecord> {
  const stored = await p.journal.delivery(p.round, ledgerRound)
  if (!stored)
    throw new MsflError(
      'STORE',
      `run ${p.runId}: round ${p.round} was delivered on the ledger (round ${ledgerRound}) but the store holds no aggregate for it`,
    )
  const reply = await p.transport.request(
    p.requestor,
    { type: 'msfl-aggregate', round: p.round, ledgerRound, ciphertexts: [...stored.ciphertexts] },
    { deadlineMs: p.deadlineMs },
  )
  const closed = expectReply(roundClosedSchema, reply, 'requestor')
  if (closed.round !== p.round)
    throw new MsflError('PROTOCOL', `the requestor closed round ${closed.round}, not ${p.round}`)
  const record: MsflRoundRecord = {
    round: p.round,
    selected: p.owners.length,
    ...stored.fields,
    test: summarise({
      loss: closed.loss ?? Number.NaN,
      ...(closed.accuracy === undefined ? {} : { accuracy: closed.accuracy }),
    }),
    stragglers: [],
    bytesSent: 0,
    bytesReceived: 0,
    durationMs: 0,
  }
  await p.journal.recordDelivery(p.round, ledgerRound, stored.ciphertexts, stored.fields)
  await p.journal.closed(p.round, record)
  return record
}

/**
 * The round's ledger rounds once none is half-opened: the requestor opens and commits its
 * table in two transactions, and a provider restarted in between waits for the second.
 */
async function settledRounds(
  p: ResumeMsflRoundParameters,
): Promise<readonly { ledgerRound: string; status: SettlementStatus }[]> {
  const until = Date.now() + p.deadlineMs
  for (;;) {
    const rounds = await p.ledger.protocolRounds(p.terms, p.requestorAddress, p.round)
    const open = rounds.find((r) => r.status === 'open')
    if (!open) return rounds
    if (Date.now() > until)
      throw new MsflError(
        'DEADLINE',
        `round ${p.round}: ledger round ${open.ledgerRound} was opened but its table never committed; the requestor reclaims its deposit after the round's deadline`,
      )
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}
