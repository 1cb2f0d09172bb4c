import { digestHex } from '../../core/crypto/digestHex.ts'
import { MAX_ROUND_POINTS } from '../../core/deploy/paymentMessages.ts'
import { createRunEmitter } from '../../core/events/createRunEmitter.ts'
import type { EventSink } from '../../core/events/runEvent.ts'
import type { ModelSpec } from '../../core/model/model.ts'
import type { ContributionTable, Settlement } from '../../core/ports/settlement.ts'
import { globalModelBytes } from '../../core/verification/wrapModelCheck.ts'
import type { RoundStages } from '../roundStages.ts'
import { reportSettlement } from './reportSettlement.ts'

/**
 * Reputation points (integers 0..100) each owner earned in a round: its share of the
 * round's pay. `paid` are the owners whose update went into the round's model.
 */
export type PayoutPoints = (
  round: number,
  paid: readonly string[],
) => Readonly<Record<string, number>>

export interface LedgerStageParameters {
  readonly runId: string
  readonly settlement: Settlement
  readonly spec: ModelSpec
  /** The ledger's digest function (keccak256 on a chain). */
  readonly digest: (bytes: Uint8Array) => Uint8Array
  /** Every data owner, in table order. */
  readonly owners: readonly string[]
  /** With ADRM: what each owner is paid for (its reputation when its update was aggregated). */
  readonly payoutPoints?: PayoutPoints
  readonly emit: EventSink
  readonly now: () => number
}

/**
 * Points in a round's table: an owner with p points is paid p × the price of one
 * contribution. The same bound the deployed requestor's `payment-round` schema holds.
 */
export const POINTS_PER_ROUND = MAX_ROUND_POINTS

/**
 * The ledger side of a plaintext run. Every round's global model (round 0: the initial
 * one) is registered by its digest, which participants check before training on it
 * (wrapModelCheck). With ADRM, each round is also settled on the same contract as
 * MS-FL: the table has POINTS_PER_ROUND columns and owner i is marked on the first pᵢ
 * of them, pᵢ its reputation points for the round (0 when its update was quarantined),
 * so the contract pays pᵢ × price — payment follows the same signal that protects the
 * model. The deposit is exactly the table's price; delivery is the model digest.
 */
export function createLedgerStage(p: LedgerStageParameters): Pick<RoundStages, 'publish'> {
  const event = createRunEmitter(p)
  const { settlement } = p
  return {
    async publish(round, params, accepted) {
      const digest = p.digest(globalModelBytes(p.spec, params))
      await settlement.registerModel(round, digest)
      event('model-registered', { round, digest: digestHex(digest) })
      if (round === 0 || !p.payoutPoints) return
      const points = p.payoutPoints(
        round,
        accepted.map((r) => r.clientId),
      )
      const { table, total } = reputationTable(round, p.owners, points)
      if (total === 0) return
      const id = await settlement.openRound(table, settlement.pricePerComponent * BigInt(total))
      if (!(await settlement.isFunded(id))) {
        event('round-unfunded', { round, ledgerRound: id })
        return
      }
      const receipt = await settlement.settle(id, digest)
      reportSettlement(
        p,
        round,
        id,
        await settlement.table(id),
        receipt,
        settlement.pricePerComponent,
      )
    },
  }
}

/**
 * A round's contribution table paid by reputation: POINTS_PER_ROUND columns, owner i marked
 * on the first pᵢ of them (pᵢ its points, clamped to 0..POINTS_PER_ROUND and floored), and
 * the total of marks, which × the price is the deposit. The provider builds it from ADRM's
 * points and a deployed requestor rebuilds it from the points it is sent, so both commit the
 * same table.
 */
export function reputationTable(
  round: number,
  owners: readonly string[],
  points: Readonly<Record<string, number>>,
): { readonly table: ContributionTable; readonly total: number } {
  const t = owners.length
  const selected = new Uint8Array(POINTS_PER_ROUND * t)
  let total = 0
  owners.forEach((owner, i) => {
    const k = Math.max(0, Math.min(POINTS_PER_ROUND, Math.floor(points[owner] ?? 0)))
    total += k
    for (let j = 0; j < k; j++) selected[j * t + i] = 1
  })
  return { table: { round, owners, components: POINTS_PER_ROUND, selected }, total }
}
