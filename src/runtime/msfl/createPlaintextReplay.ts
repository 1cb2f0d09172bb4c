import type { AttackSpec } from '../../core/attacks/attackCatalog.ts'
import type { Dataset } from '../../core/data/dataset.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { BlockLayout } from '../../core/msfl/blockLayout.ts'
import type { RequestorUpdate } from '../../core/msfl/createMsflRequestor.ts'
import type { MsflModelShape } from '../../core/msfl/msflModel.ts'
import { ownerBatch, ownerTrainingData } from '../../core/msfl/ownerRounds.ts'
import {
  plainMsflRound,
  plainOwnerGradients,
  selectedMean,
} from '../../core/msfl/plainMsflRound.ts'
import type { RobustRule } from '../../core/robust/robustRule.ts'

export interface PlaintextReplayParameters {
  readonly owners: readonly { readonly id: string; readonly data: Dataset }[]
  readonly attackers: ReadonlyMap<string, AttackSpec>
  readonly layout: BlockLayout
  readonly shape: MsflModelShape
  readonly initialWeights: readonly Float64Array[]
  /** The training seed the owners use, so the replay sees the same batches. */
  readonly seed: number
  readonly batchSize: number
  readonly learningRate: number
  readonly weightDecay: number
  readonly rule: RobustRule
  readonly f: number
  /** k of msfl.minOwners, as the requestor applies it. */
  readonly minOwners: number
  /** Owners the detection stage set aside in a round (MS-FL with --defence). */
  readonly setAside?: (round: number) => ReadonlySet<string> | undefined
}

/** What the replay measured: the CKKS error per round and the plaintext model. */
export interface PlaintextReplay {
  /** Subscribe it to the requestor's updates. */
  observe(update: RequestorUpdate): void
  /** max |decrypted − plaintext| / max |plaintext| of round `round`'s aggregate (NaN before it). */
  ckksError(round: number): number
  /** The same protocol run in plaintext arithmetic on the same data, batches and rule. */
  weights(): readonly Float64Array[]
}

/**
 * Simulation only: an observer of the MS-FL run that replays every round in plaintext
 * arithmetic. It measures the CKKS error (the requestor's decrypted aggregate against
 * the same aggregate computed in the clear from the table it committed) and runs the
 * whole protocol in plaintext beside the encrypted one, to compare their accuracy.
 * It reads the owners' data, which only a simulation has.
 */
export function createPlaintextReplay(p: PlaintextReplayParameters): PlaintextReplay {
  const data = new Map(
    p.owners.map((o) => [o.id, ownerTrainingData(o.data, p.attackers.get(o.id), p.seed, o.id)]),
  )
  const batchOf = (id: string, round: number) => {
    const owner = data.get(id)
    if (!owner) throw new MsflError('PROTOCOL', `plaintext replay: no data owner ${id}`)
    return { data: owner, rows: ownerBatch(owner.n, p.batchSize, p.seed, id, round) }
  }
  const errors = new Map<number, number>()
  let plain: readonly Float64Array[] = p.initialWeights.map((w) => w.slice())
  let before: readonly Float64Array[] = p.initialWeights.map((w) => w.slice())
  return {
    observe(update) {
      const { round } = update
      const owners = update.table.owners.map((id) => batchOf(id, round))
      const exact = selectedMean(
        plainOwnerGradients(before, owners, p.layout, p.shape),
        update.table.selected,
      )
      const decrypted = update.gradient.flatMap((g) => [...g])
      let worst = 0
      let scale = 0
      exact.forEach((v, j) => {
        worst = Math.max(worst, Math.abs(v - (decrypted[j] ?? Number.NaN)))
        scale = Math.max(scale, Math.abs(v))
      })
      errors.set(round, scale > 0 ? worst / scale : worst)
      before = update.weights.map((w) => w.slice())
      const aside = p.setAside?.(round)
      const everyone = p.owners.map((o) => batchOf(o.id, round))
      plain = plainMsflRound(plain, everyone, p.layout, p.shape, {
        rule: p.rule,
        f: p.f,
        minOwners: p.minOwners,
        ...(aside ? { setAside: (i: number) => aside.has(p.owners[i]?.id ?? '') } : {}),
        learningRate: p.learningRate,
        weightDecay: p.weightDecay,
      }).weights
    },
    ckksError: (round) => errors.get(round) ?? Number.NaN,
    weights: () => plain,
  }
}
