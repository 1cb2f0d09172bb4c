import { MsflError } from '../core/errors/msflError.ts'
import type { EventSink, RoundRecord } from '../core/events/runEvent.ts'
import { describeZodError } from '../core/fl/messages.ts'
import type { BlockLayout } from '../core/msfl/blockLayout.ts'
import {
  drawComponentMasks,
  type MaskMode,
  maskVectors,
  selectionVectors,
} from '../core/msfl/componentMasks.ts'
import {
  encryptedGradientSchema,
  encryptedModelSchema,
  roundClosedSchema,
  selectionSchema,
} from '../core/msfl/msflMessages.ts'
import type { HeCiphertext, HeEvaluator } from '../core/ports/he.ts'
import type { Settlement } from '../core/ports/settlement.ts'
import type { Transport } from '../core/ports/transport.ts'
import type { Rng } from '../core/rng/rng.ts'
import { selectionShare } from '../core/robust/msflComponentRule.ts'
import { reportSettlement } from './ledger/reportSettlement.ts'
import { type RoundEvaluation, summarise } from './runFederation.ts'

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
  /** CSPRNG for the masks. */
  readonly maskRng: Rng
  /** SHA-256 of the aggregate's bytes, recorded on the ledger at delivery. */
  readonly digest: (parts: readonly Uint8Array[]) => Uint8Array
  /** The requestor's evaluation after a round (in simulation, read from its state). */
  readonly evaluate: (round: number) => RoundEvaluation & { readonly ckksError?: number }
  readonly emit: EventSink
  readonly now: () => number
}

/**
 * The service provider's side of MS-FL (SPEC C2 steps 2, 4, 6), driving each round:
 * fetch [G] from the requestor, forward it to the owners, validate and mask their
 * encrypted gradients, hand the masked values to the requestor, and after the
 * requestor's deposit is confirmed on the ledger, sum the unmasked ciphertexts of the
 * owners selected per component and deliver them with the payment.
 */
export async function runMsflProtocol(
  p: RunMsflProtocolParameters,
): Promise<readonly RoundRecord[]> {
  const history: RoundRecord[] = []
  const perHead = p.layout.gradientCiphertexts
  for (let round = 1; round <= p.rounds; round++) {
    const started = p.now()
    const before = p.transport.stats()
    const phases: Record<string, number> = {}
    const timed = async <T>(phase: string, fn: () => Promise<T> | T): Promise<T> => {
      const t0 = p.now()
      const out = await fn()
      phases[phase] = (phases[phase] ?? 0) + p.now() - t0
      return out
    }
    p.emit({ type: 'round-started', runId: p.runId, at: started, round, clients: p.owners })

    const model = await timed('model', async () =>
      expect(
        encryptedModelSchema,
        await p.transport.request(p.requestor, { type: 'msfl-model-request', round }),
        'requestor',
      ),
    )
    const replies = await timed('owners', () =>
      Promise.all(
        p.owners.map((clientId) =>
          p.transport
            .request(clientId, {
              type: 'msfl-gradient-request',
              round,
              ciphertexts: model.ciphertexts,
            })
            .then(
              (reply) => ({ clientId, reply }),
              (error: unknown) => ({
                clientId,
                reply: { type: 'error', clientId, message: `unreachable: ${String(error)}` },
              }),
            ),
        ),
      ),
    )

    const accepted: string[] = []
    const outcome = await timed('mask', () =>
      p.he.scope(() => {
        const gradients: HeCiphertext[][] = []
        for (const { clientId, reply } of replies) {
          const reason = checkGradient(reply, clientId, round, perHead * p.heads)
          let loaded: HeCiphertext[] | undefined
          if (reason === undefined) {
            try {
              loaded = (reply as { ciphertexts: Uint8Array[] }).ciphertexts.map((bytes) =>
                p.he.load(bytes),
              )
            } catch (error) {
              if (!(error instanceof MsflError)) throw error
              p.emit({
                type: 'update-rejected',
                runId: p.runId,
                at: p.now(),
                round,
                clientId,
                reason: `invalid ciphertext: ${error.message}`,
              })
              continue
            }
          } else {
            p.emit({
              type: 'update-rejected',
              runId: p.runId,
              at: p.now(),
              round,
              clientId,
              reason,
            })
            continue
          }
          accepted.push(clientId)
          gradients.push(loaded)
          p.emit({
            type: 'update-received',
            runId: p.runId,
            at: p.now(),
            round,
            clientId,
            numExamples: 0,
            trainLoss: Number.NaN,
          })
        }
        if (gradients.length === 0)
          throw new MsflError(
            'PROTOCOL',
            `round ${round}: no data owner returned a valid encrypted gradient`,
          )
        const masks = drawComponentMasks(p.layout.components * p.heads, p.maskMode, p.maskRng)
        const masked = gradients.map((cts) =>
          cts.map((ct, index) => {
            const head = Math.floor(index / perHead)
            const vectors = maskVectors(p.layout, masks, head * p.layout.components)
            const c = index % perHead
            return p.he.save(
              p.he.addPlain(p.he.multiplyPlain(ct, vectors.multiply[c]!), vectors.add[c]!),
              { compact: true },
            )
          }),
        )
        // Only bytes leave the scope: every loaded ciphertext is released with it.
        return { masked }
      }),
    )

    const selection = await timed('select', async () =>
      expect(
        selectionSchema,
        await p.transport.request(p.requestor, {
          type: 'msfl-masked-gradients',
          round,
          owners: accepted,
          gradients: outcome.masked,
        }),
        'requestor',
      ),
    )
    const funded = await p.settlement.isFunded(selection.ledgerRound)
    if (!funded) {
      p.emit({
        type: 'round-unfunded',
        runId: p.runId,
        at: p.now(),
        round,
        ledgerRound: selection.ledgerRound,
      })
      throw new MsflError(
        'PROTOCOL',
        `round ${round}: the requestor's deposit does not cover the owners' price; nothing released`,
      )
    }
    const table = await p.settlement.table(selection.ledgerRound)
    if (table.owners.join('\n') !== accepted.join('\n'))
      throw new MsflError('PROTOCOL', `round ${round}: the ledger's table names other owners`)

    const aggregate = await timed('aggregate', async () => {
      // The ciphertexts loaded in the masking scope were released with it: reload the unmasked ones.
      const keeps = accepted.map((_, owner) =>
        Array.from({ length: p.heads }, (_, head) =>
          selectionVectors(
            p.layout,
            table.selected,
            accepted.length,
            owner,
            head * p.layout.components,
          ),
        ),
      )
      const bytes = p.he.scope(() => {
        const out: Uint8Array[] = []
        for (let index = 0; index < perHead * p.heads; index++) {
          const head = Math.floor(index / perHead)
          const c = index % perHead
          let sum: HeCiphertext | undefined
          accepted.forEach((clientId, owner) => {
            const reply = replies.find((r) => r.clientId === clientId)!.reply as {
              ciphertexts: Uint8Array[]
            }
            const keep = keeps[owner]![head]![c]!
            const term = p.he.multiplyPlain(p.he.load(reply.ciphertexts[index]!), keep)
            sum = sum === undefined ? term : p.he.add(sum, term)
          })
          out.push(p.he.save(sum!, { compact: true }))
        }
        return out
      })
      const receipt = await p.settlement.settle(selection.ledgerRound, p.digest(bytes))
      // The table was read back from the ledger's event log (the port verified its hash and counts).
      reportSettlement(
        p,
        round,
        selection.ledgerRound,
        table,
        receipt,
        p.settlement.pricePerComponent,
      )
      return bytes
    })

    await timed('update', async () =>
      expect(
        roundClosedSchema,
        await p.transport.request(p.requestor, {
          type: 'msfl-aggregate',
          round,
          ledgerRound: selection.ledgerRound,
          ciphertexts: aggregate,
        }),
        'requestor',
      ),
    )
    const evaluation = p.evaluate(round)
    const after = p.transport.stats()
    const record: RoundRecord = {
      round,
      selected: p.owners.length,
      accepted: accepted.length,
      test: summarise(evaluation),
      excluded: p.owners.filter((o) => !accepted.includes(o)),
      bytesSent: after.bytesSent - before.bytesSent,
      bytesReceived: after.bytesReceived - before.bytesReceived,
      durationMs: p.now() - started,
      phases,
      // The payment basis: the share of components each owner was selected on (ledger table).
      selectionShare: Object.fromEntries(
        selectionShare({
          selected: table.selected,
          t: table.owners.length,
          components: table.components,
        }).map((share, i) => [table.owners[i]!, share]),
      ),
      ...(evaluation.ckksError === undefined ? {} : { ckksError: evaluation.ckksError }),
    }
    history.push(record)
    p.emit({ type: 'round-completed', runId: p.runId, at: p.now(), record })
  }
  return history
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

function expect<T>(
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: import('zod').ZodError }
  },
  value: unknown,
  from: string,
): T {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const message =
    typeof value === 'object' && value !== null && 'message' in value
      ? String((value as { message: unknown }).message)
      : describeZodError(parsed.error)
  throw new MsflError('PROTOCOL', `${from}: ${message}`)
}
