import { describeZodError } from '../core/errors/describeZodError.ts'
import { MsflError } from '../core/errors/msflError.ts'
import { createRunEmitter, type RunEmitter } from '../core/events/createRunEmitter.ts'
import type { EventSink, MsflRoundRecord, RoundRecord } from '../core/events/runEvent.ts'
import type { BlockLayout } from '../core/msfl/blockLayout.ts'
import { checkCommittedTable } from '../core/msfl/checkCommittedTable.ts'
import { type MaskMode, maskShiftBound } from '../core/msfl/componentMasks.ts'
import {
  encryptedGradientSchema,
  encryptedModelSchema,
  type RoundClosed,
  roundClosedSchema,
  selectionSchema,
} from '../core/msfl/msflMessages.ts'
import type { HeEvaluator } from '../core/ports/he.ts'
import type { ContributionTable, Settlement } from '../core/ports/settlement.ts'
import type { ProtocolMessage, Transport } from '../core/ports/transport.ts'
import type { Rng } from '../core/rng/rng.ts'
import { selectionShare } from '../core/robust/msflComponentRule.ts'
import { reportSettlement } from './ledger/reportSettlement.ts'
import { expectReply } from './msfl/expectReply.ts'
import { maskGradients } from './msfl/maskGradients.ts'
import { sumSelected } from './msfl/sumSelected.ts'
import type { MsflRoundJournal } from './orchestrator/openMsflJournal.ts'
import type { StartTimer } from './rounds/collectReplies.ts'
import type { RoundEvaluation } from './rounds/roundEvaluation.ts'
import { DEFAULT_DEADLINE_MS, type RoundProtocol, runRounds } from './rounds/runRounds.ts'

/** The service provider's view of an MS-FL run: HE evaluator (no secret key), layout, parties, ledger, masks. */
export interface RunMsflProtocolParameters {
  readonly runId: string
  readonly rounds: number
  /** The service provider's HE capability: public material only, it cannot decrypt. */
  readonly he: HeEvaluator
  readonly layout: BlockLayout
  readonly heads: number
  readonly transport: Transport
  readonly requestor: string
  readonly owners: readonly string[]
  readonly settlement: Settlement
  readonly maskMode: MaskMode
  /**
   * k (msfl.minOwners, ≥ 2): the SP declines any committed table that sums a component over
   * fewer owners, before it sums anything: the sum over one owner is that owner's gradient.
   */
  readonly minOwners: number
  /** CSPRNG for the masks. */
  readonly maskRng: Rng
  /** SHA-256 of the aggregate's bytes, recorded on the ledger at delivery. */
  readonly digest: (parts: readonly Uint8Array[]) => Uint8Array
  /**
   * The requestor's evaluation after a round: in simulation read from its state, in a
   * deployment from the metrics the requestor reported in its `msfl-round-closed`.
   */
  readonly evaluate: (
    round: number,
    closed: RoundClosed,
  ) => RoundEvaluation & { readonly ckksError?: number }
  /** How long the requestor or an owner may take to answer one request (default ten minutes). */
  readonly deadlineMs?: number
  readonly startTimer?: StartTimer
  /**
   * A deployed run's journal (msfl server's run store): every round step is written before it
   * is acted on, and the selection and the aggregate before they are served.
   */
  readonly journal?: MsflRoundJournal
  /** The first round to run (default 1): a restarted provider goes on where its run stopped. */
  readonly firstRound?: number
  readonly emit: EventSink
  /** Milliseconds; injected so tests and replays control time. */
  readonly now: () => number
}

/**
 * The service provider's side of MS-FL (SPEC C2 steps 2, 4, 6), driving each round:
 * fetch [G] from the requestor, forward it to the owners, validate and mask their
 * encrypted gradients, hand the masked values to the requestor, and after the
 * requestor's deposit is confirmed on the ledger, sum the unmasked ciphertexts of the
 * owners selected per component and deliver them with the payment. An owner that
 * misses the deadline is a straggler: the round goes on with those that answered.
 */
export async function runMsflProtocol(
  p: RunMsflProtocolParameters,
): Promise<readonly MsflRoundRecord[]> {
  const { history } = await runRounds({
    ...p,
    protocol: msflProtocol(p),
  })
  return history
}

type MsflRecordFields = Omit<MsflRoundRecord, keyof RoundRecord>

function msflProtocol(
  p: RunMsflProtocolParameters,
): RoundProtocol<readonly Uint8Array[], MsflRecordFields> {
  const event = createRunEmitter(p)
  const perHead = p.layout.gradientCiphertexts
  const shiftBound = maskShiftBound(p.he.parameters)
  const deadlineMs = p.deadlineMs ?? DEFAULT_DEADLINE_MS
  let phases: Record<string, number> = {}
  let asked = 0
  const timed = <T>(phase: string, fn: () => Promise<T> | T) => timePhase(phases, p.now, phase, fn)
  const askRequestor = async <T>(
    schema: Parameters<typeof expectReply<T>>[0],
    message: ProtocolMessage,
  ): Promise<T> =>
    expectReply(
      schema,
      await p.transport.request(p.requestor, message, { deadlineMs }),
      'requestor',
    )
  return {
    names: { participant: 'data owner', update: 'encrypted gradient' },
    async plan(round) {
      phases = {}
      const model = await timed('model', () =>
        askRequestor(encryptedModelSchema, { type: 'msfl-model-request', round }),
      )
      asked = p.now()
      // One message object for every owner: a transport may encode it once for all of them.
      const request = gradientRequest(round, model.ciphertexts)
      return { participants: p.owners, message: () => request }
    },
    check(round, clientId, reply) {
      const reason = checkGradient(reply, clientId, round, perHead * p.heads)
      return reason === undefined
        ? { update: (reply as { ciphertexts: readonly Uint8Array[] }).ciphertexts }
        : { reason }
    },
    async finish(round, replies) {
      phases.owners = p.now() - asked
      const masked = await timed('mask', () =>
        maskGradients({ ...p, shiftBound, event }, round, replies),
      )
      const selection = await timed('select', () =>
        askRequestor(selectionSchema, {
          type: 'msfl-masked-gradients',
          round,
          owners: masked.owners,
          gradients: masked.gradients,
        }),
      )
      await p.journal?.recordSelection(round, selection.ledgerRound)
      const valid = replies.filter((r) => masked.owners.includes(r.clientId))
      const excluded = p.owners.filter((o) => !masked.owners.includes(o))
      const { bytes: aggregate, table } = await timed('aggregate', () =>
        settleSelected(p, event, round, selection.ledgerRound, valid, (bytes, selected) =>
          p.journal?.recordDelivery(round, selection.ledgerRound, bytes, {
            ...{ accepted: masked.owners.length, excluded, phases: { ...phases } },
            selectionShare: selectionShareByOwner(selected),
          }),
        ),
      )
      const closed = await timed('update', () =>
        askRequestor(roundClosedSchema, {
          type: 'msfl-aggregate',
          round,
          ledgerRound: selection.ledgerRound,
          ciphertexts: aggregate,
        }),
      )
      const evaluation = p.evaluate(round, closed)
      return {
        evaluation,
        record: {
          accepted: masked.owners.length,
          excluded,
          phases,
          // The payment basis: the share of components each owner was selected on (ledger table).
          selectionShare: selectionShareByOwner(table),
          ...(evaluation.ckksError === undefined ? {} : { ckksError: evaluation.ckksError }),
        },
      }
    },
  }
}

/**
 * After the requestor's deposit is confirmed: sums each component over the owners
 * the committed table selected, records the digest and pays them on the ledger.
 */
async function settleSelected(
  p: RunMsflProtocolParameters,
  event: RunEmitter,
  round: number,
  ledgerRound: string,
  valid: readonly { clientId: string; update: readonly Uint8Array[] }[],
  beforeDeliver: (bytes: Uint8Array[], table: ContributionTable) => Promise<void> | undefined,
): Promise<{ bytes: Uint8Array[]; table: ContributionTable }> {
  if (!(await p.settlement.isFunded(ledgerRound))) {
    event('round-unfunded', { round, ledgerRound })
    // Declining returns the deposit now instead of after the ledger's deadline.
    await p.settlement.decline(
      ledgerRound,
      'not funded on the run’s terms (price, provider, deposit)',
    )
    throw new MsflError(
      'PROTOCOL',
      `round ${round}: the requestor's round is not funded on the run's terms (its price per component, its provider, a deposit that covers the table); nothing released, deposit refunded`,
    )
  }
  const table = await p.settlement.table(ledgerRound)
  const refusal = checkCommittedTable(table, {
    owners: valid.map((v) => v.clientId),
    components: p.layout.components * p.heads,
    minOwners: p.minOwners,
  })
  if (refusal !== undefined) {
    // Nothing has been summed or unmasked yet; the contract refunds the whole deposit.
    event('table-declined', { round, ledgerRound, reason: refusal })
    await p.settlement.decline(ledgerRound, refusal)
    throw new MsflError(
      'PROTOCOL',
      `round ${round}: the requestor's table was declined (${refusal}); nothing released, deposit refunded`,
    )
  }
  // The ciphertexts loaded in the masking scope were released with it: reload the unmasked ones.
  const bytes = sumSelected(p, table, valid)
  await beforeDeliver(bytes, table)
  const receipt = await p.settlement.settle(ledgerRound, p.digest(bytes))
  // The table was read back from the ledger's event log (the port verified its hash and counts).
  reportSettlement(p, round, ledgerRound, table, receipt, p.settlement.pricePerComponent)
  return { bytes, table }
}

/** Runs `fn` and adds its duration to `phases[phase]` (per-round phase timings). */
async function timePhase<T>(
  phases: Record<string, number>,
  now: () => number,
  phase: string,
  fn: () => Promise<T> | T,
): Promise<T> {
  const started = now()
  const out = await fn()
  phases[phase] = (phases[phase] ?? 0) + now() - started
  return out
}

/** Each owner's share of the components the committed table selected it on. */
function selectionShareByOwner(table: ContributionTable): Record<string, number> {
  const shares = selectionShare({
    selected: table.selected,
    t: table.owners.length,
    components: table.components,
  })
  return Object.fromEntries(shares.map((share, i) => [table.owners[i] ?? '', share]))
}

function checkGradient(
  reply: unknown,
  clientId: string,
  round: number,
  count: number,
): string | undefined {
  if (typeof reply === 'object' && reply !== null && (reply as { type?: unknown }).type === 'error')
    return `data owner error: ${String((reply as { message?: unknown }).message)}`
  const parsed = encryptedGradientSchema.safeParse(reply)
  if (!parsed.success) return `malformed reply: ${describeZodError(parsed.error)}`
  if (parsed.data.clientId !== clientId)
    return `reply claims to come from ${JSON.stringify(parsed.data.clientId)}`
  if (parsed.data.round !== round)
    return `reply is for round ${parsed.data.round}, expected ${round}`
  if (parsed.data.ciphertexts.length !== count)
    return `${parsed.data.ciphertexts.length} ciphertexts, expected ${count}`
  return undefined
}

/** The request every owner gets in a round: the encrypted model's ciphertexts. */
function gradientRequest(round: number, ciphertexts: Uint8Array[]) {
  return { type: 'msfl-gradient-request' as const, round, ciphertexts }
}
