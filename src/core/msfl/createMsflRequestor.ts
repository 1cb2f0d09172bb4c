import { describeZodError } from '../errors/describeZodError.ts'
import { MsflError } from '../errors/msflError.ts'
import type { HeDecryptor, HeEvaluator } from '../ports/he.ts'
import type { ContributionTable, Settlement } from '../ports/settlement.ts'
import type { MessageHandler } from '../ports/transport.ts'
import type { RobustRule } from '../robust/robustRule.ts'
import type { BlockLayout } from './blockLayout.ts'
import { packModel } from './blockLayout.ts'
import { readComponents } from './componentMasks.ts'
import { requestorInboxSchema } from './msflMessages.ts'
import { serialiseMsflModel } from './msflModel.ts'
import { applyMsflStep } from './plainMsflRound.ts'
import { selectScreened } from './selectContributions.ts'

export interface MsflRequestorParameters {
  readonly he: HeEvaluator
  /** Only the requestor holds the secret key. */
  readonly decryptor: HeDecryptor
  readonly layout: BlockLayout
  /** Initial weights per head (components = features + bias). */
  readonly initialWeights: readonly Float64Array[]
  /** Step size η and weight decay λ of G ← (1 − ηλ)G − η·A/|S|. */
  readonly learningRate: number
  readonly weightDecay: number
  /** The selection rule: msfl per component, or a vector rule under global-scale masks. */
  readonly rule: RobustRule
  /** Number of malicious data owners the selection assumes. */
  readonly f: number
  /** k: a component selected by fewer owners is emptied (msfl.minOwners). */
  readonly minOwners: number
  readonly settlement: Settlement
  /** Digest the ledger records for a serialised model (keccak256 on a chain). */
  readonly modelDigest: (bytes: Uint8Array) => Uint8Array
  /**
   * ADRM on the masked gradients (global-scale masks only, where distances survive the
   * mask): the owners whose gradient is set aside this round, before selection.
   */
  readonly screen?: (
    round: number,
    owners: readonly string[],
    masked: readonly Float64Array[],
  ) => readonly string[]
  /** Told after each update: the new weights and what the requestor decided (simulation reports). */
  readonly onUpdate?: (update: RequestorUpdate) => void
}

export interface RequestorUpdate {
  readonly round: number
  readonly weights: readonly Float64Array[]
  /** Decrypted aggregate per head, divided by |S_j|: the gradient the step used. */
  readonly gradient: readonly Float64Array[]
  readonly table: ContributionTable
  /** The serialised model after the update and the digest registered for it. */
  readonly model: Uint8Array
  readonly digest: Uint8Array
}

/**
 * The model requestor in MS-FL (SPEC C2 steps 1, 5, 7): encrypts the model, selects
 * honest-looking owners per component on masked gradients (it never sees an
 * unmasked individual gradient), opens the round on the ledger with its deposit,
 * and applies the decrypted aggregate.
 */
export function createMsflRequestor(
  p: MsflRequestorParameters,
): MessageHandler & { weights(): readonly Float64Array[] } {
  let weights: Float64Array[] = p.initialWeights.map((w) => w.slice())
  const perHead = p.layout.gradientCiphertexts
  const tables = new Map<number, { table: ContributionTable; ledgerRound: string }>()
  // The last round applied and the ledger round that paid it: the same delivery again (a
  // restarted provider that cannot tell whether it arrived) is answered, never applied twice.
  let applied: { readonly round: number; readonly ledgerRound: string } | undefined
  const error = (message: string) => ({ type: 'error', clientId: 'model-requestor', message })

  const decryptComponents = (cts: readonly Uint8Array[]): Float64Array[] =>
    p.he.scope(() => {
      const out: Float64Array[] = []
      for (let head = 0; head < weights.length; head++) {
        const decrypted = cts
          .slice(head * perHead, (head + 1) * perHead)
          .map((bytes) => p.decryptor.decrypt(p.he.load(bytes)))
        out.push(readComponents(p.layout, decrypted))
      }
      return out
    })

  /**
   * A round is selected (and paid for) only as the next one after the last applied, and a
   * second time only when the ledger refunded the first selection's deposit (a provider that
   * restarted declines it before it runs the round again): never two deposits for a round
   * whose first may still be delivered.
   */
  const checkNewSelection = async (round: number): Promise<string | undefined> => {
    const next = (applied?.round ?? 0) + 1
    if (round !== next) return `round ${round} cannot be selected: the next round is ${next}`
    const earlier = tables.get(round)
    if (!earlier) return undefined
    const status = await p.settlement.status(earlier.ledgerRound)
    return status === 'refunded'
      ? undefined
      : `round ${round} was selected already (ledger round ${earlier.ledgerRound} is ${status}, not refunded): no second deposit`
  }

  return {
    weights: () => weights,
    async handle(message: unknown): Promise<unknown> {
      const parsed = requestorInboxSchema.safeParse(message)
      if (!parsed.success) return error(`invalid message: ${describeZodError(parsed.error)}`)
      const m = parsed.data
      try {
        switch (m.type) {
          case 'msfl-model-request': {
            // Seeded, under the secret key: half the bytes of a public-key encryption.
            const ciphertexts = weights.flatMap((w) =>
              packModel(p.layout, w).map((values) => p.decryptor.encryptSeeded(values)),
            )
            return { type: 'msfl-encrypted-model', round: m.round, ciphertexts }
          }
          case 'msfl-masked-gradients': {
            const refusal = await checkNewSelection(m.round)
            if (refusal !== undefined) return error(refusal)
            const heads = weights.length
            const expected = perHead * heads
            for (const g of m.gradients)
              if (g.length !== expected)
                return error(`a masked gradient has ${g.length} ciphertexts, expected ${expected}`)
            if (m.gradients.length !== m.owners.length)
              return error('owners and gradients differ in number')
            // Masked values of every owner, all heads concatenated: the rule runs per component.
            const masked = m.gradients.map((g) => concat(decryptComponents(g)))
            const setAside = new Set(p.screen?.(m.round, m.owners, masked) ?? [])
            const selected = selectScreened(
              p.rule,
              masked,
              p.f,
              (i) => setAside.has(m.owners[i]!),
              p.minOwners,
            )
            const table: ContributionTable = {
              round: m.round,
              owners: m.owners,
              components: masked[0]!.length,
              selected,
            }
            let contributions = 0n
            for (const s of selected) contributions += BigInt(s)
            const ledgerRound = await p.settlement.openRound(
              table,
              contributions * p.settlement.pricePerComponent,
            )
            tables.set(m.round, { table, ledgerRound })
            return { type: 'msfl-selection', round: m.round, ledgerRound }
          }
          case 'msfl-aggregate': {
            if (applied?.round === m.round && applied.ledgerRound === m.ledgerRound)
              return { type: 'msfl-round-closed', round: m.round }
            const open = tables.get(m.round)
            if (!open || open.ledgerRound !== m.ledgerRound)
              return error(`no open selection for round ${m.round}`)
            if (m.ciphertexts.length !== perHead * weights.length)
              return error('aggregate has the wrong number of ciphertexts')
            tables.delete(m.round)
            const sums = decryptComponents(m.ciphertexts)
            const { table } = open
            const t = table.owners.length
            const components = p.layout.components
            const gradient = sums.map((sum, head) =>
              sum.map((value, j) => {
                let count = 0
                const column = head * components + j
                for (let i = 0; i < t; i++) count += table.selected[column * t + i]!
                return count > 0 ? value / count : 0
              }),
            )
            weights = applyMsflStep(
              weights,
              concat(gradient),
              components,
              p.learningRate,
              p.weightDecay,
            )
            const model = serialiseMsflModel(weights)
            const digest = p.modelDigest(model)
            await p.settlement.registerModel(m.round, digest)
            applied = { round: m.round, ledgerRound: m.ledgerRound }
            p.onUpdate?.({ round: m.round, weights, gradient, table, model, digest })
            return { type: 'msfl-round-closed', round: m.round }
          }
        }
      } catch (e) {
        if (e instanceof MsflError) return error(e.message)
        throw e
      }
    },
  }
}

function concat(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, a) => s + a.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
