import { DEFAULT_CHAMPION_CHALLENGER } from '../src/core/adrm/championChallenger.ts'
import { createAdrm, DEFAULT_ADRM } from '../src/core/adrm/createAdrm.ts'
import { DEFAULT_DETECTION, detectUpdates } from '../src/core/adrm/detectUpdates.ts'
import { fitIsolationForest, isolationScore } from '../src/core/adrm/isolationForest.ts'
import { DEFAULT_REPUTATION } from '../src/core/adrm/reputationBook.ts'
import { computeUpdateFeatures } from '../src/core/adrm/updateFeatures.ts'
import { createSeededRng } from '../src/core/rng/seededRng.ts'
import { type BenchRow, fmt, measure } from './measure.ts'

const CLIENTS = 100
const PARAMS = 100_000
const ATTACKERS = 10

/**
 * The ADRM detection stage for one round of 100 clients × 100,000 parameters:
 * honest updates share a direction plus their own noise, 10 attackers send
 * σ = 10 Gaussian noise. Rows: the features alone (coordinate-wise median, norms,
 * cosines, nearest-neighbour distances on a coordinate sample), the whole stage with a
 * fitted isolation forest scoring every update, the challenger refit on a full buffer
 * (500 rows, 100 trees), and one `inspect` of the ADRM state machine per round: before
 * any forest exists, and with the champion scoring plus a challenger refit every round.
 */
export async function benchAdrm(): Promise<BenchRow[]> {
  const rng = createSeededRng(3)
  const direction = Float64Array.from({ length: PARAMS }, () => rng.normal() / Math.sqrt(PARAMS))
  const updates = Array.from({ length: CLIENTS }, (_, i) =>
    i < ATTACKERS
      ? Float64Array.from({ length: PARAMS }, () => 10 * rng.normal())
      : Float64Array.from(
          { length: PARAMS },
          (_, j) => direction[j]! + (0.5 * rng.normal()) / Math.sqrt(PARAMS),
        ),
  )
  const named = updates.map((update, i) => ({
    clientId: `do-${i}`,
    numExamples: 600,
    update,
  }))
  let sink = 0

  const features = measure(5, () => {
    sink += computeUpdateFeatures(updates).distance[0]!
  })

  const rows = detectUpdates(named, DEFAULT_DETECTION).rows
  const buffer = Array.from(
    { length: 500 },
    (_, i) => rows[ATTACKERS + (i % (CLIENTS - ATTACKERS))]!,
  )
  const forest = fitIsolationForest(buffer, { trees: 100, sampleSize: 256 }, createSeededRng(4))
  const scorer = { score: (row: ArrayLike<number>) => isolationScore(forest, row), threshold: 0.7 }
  const stage = measure(5, () => {
    sink += detectUpdates(named, DEFAULT_DETECTION, scorer).decisions.length
  })
  const refit = measure(5, () => {
    sink += fitIsolationForest(
      buffer,
      { trees: 100, sampleSize: 256 },
      createSeededRng(5),
    ).trainedOn
  })

  // Blocking off, so every round inspects all 100 updates (blocked clients are refused
  // before detection and would make later rounds cheaper).
  const config = (retrainEvery: number) => ({
    ...DEFAULT_ADRM,
    anomaly: { ...DEFAULT_CHAMPION_CHALLENGER, retrainEvery },
    reputation: { ...DEFAULT_REPUTATION, blockOnHigh: false, blockBelow: 0 },
  })
  const plain = createAdrm(config(1_000_000), createSeededRng(6))
  let plainRound = 0
  const inspectRound = measure(5, () => {
    plainRound++
    sink += plain.inspect(plainRound, plainRound, named).accepted.length
  })
  // Refit every round: round 1 fits the first champion, every later round scores with
  // it and refits a challenger on the growing buffer.
  const refitting = createAdrm(config(1), createSeededRng(7))
  refitting.inspect(1, 1, named)
  let refitRound = 1
  const inspectWithRefit = measure(5, () => {
    refitRound++
    sink += refitting.inspect(refitRound, refitRound, named).accepted.length
  })
  if (Number.isNaN(sink)) throw new Error('unreachable: keeps the results alive')
  const scale = `${CLIENTS} clients × ${fmt(PARAMS)} params`
  return [
    {
      name: `ADRM features, ${scale}`,
      value: `${fmt(features.medianMs, 1)} ms`,
      detail: `median, norms, cosines, nearest distances; median of ${features.repetitions} runs, min ${fmt(features.minMs, 1)} ms`,
    },
    {
      name: `ADRM detection stage, ${scale}`,
      value: `${fmt(stage.medianMs, 1)} ms`,
      detail: `features + robust z-scores + isolation-forest scores (100 trees); median of ${stage.repetitions} runs`,
    },
    {
      name: 'ADRM challenger refit (500 rows, 100 trees, ψ = 256)',
      value: `${fmt(refit.medianMs, 1)} ms`,
      detail: `median of ${refit.repetitions} runs, min ${fmt(refit.minMs, 1)} ms`,
    },
    {
      name: `ADRM inspect (one round, no forest yet), ${scale}`,
      value: `${fmt(inspectRound.medianMs, 1)} ms`,
      detail: `detection, quarantine, reputation, weights; median of ${inspectRound.repetitions} runs`,
    },
    {
      name: `ADRM inspect with forest scoring and challenger refit, ${scale}`,
      value: `${fmt(inspectWithRefit.medianMs, 1)} ms`,
      detail: `refit every round on the buffer (up to 500 rows); median of ${inspectWithRefit.repetitions} runs, min ${fmt(inspectWithRefit.minMs, 1)} ms`,
    },
  ]
}
