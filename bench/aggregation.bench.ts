import { weightedAverage } from '../src/core/fl/weightedAverage.ts'
import { createSeededRng } from '../src/core/rng/seededRng.ts'
import { type BenchRow, fmt, measure } from './measure.ts'

/**
 * FedAvg reduction throughput next to the memory-bandwidth reference: a plain
 * typed-array sum over the same vectors, measured in the same process. The ratio
 * says how close aggregation is to the cost of merely reading every update once.
 */
export function benchAggregation(clients: number, params: number): BenchRow[] {
  const rng = createSeededRng(1)
  const vectors = Array.from({ length: clients }, () =>
    Float64Array.from({ length: params }, () => rng.normal()),
  )
  const weights = vectors.map((_, i) => 100 + i)
  let sink = 0
  const reference = measure(15, () => {
    const acc = new Float64Array(params)
    for (let k = 0; k < clients; k++) {
      const v = vectors[k]!
      for (let j = 0; j < params; j++) acc[j]! += v[j]!
    }
    sink += acc[0]!
  })
  const fedavg = measure(15, () => {
    sink += weightedAverage(vectors, weights)[0]!
  })
  if (Number.isNaN(sink)) throw new Error('unreachable: keeps the loops alive')
  const rate = (ms: number) => (clients * params) / (ms / 1000)
  const ratio = rate(fedavg.medianMs) / rate(reference.medianMs)
  return [
    {
      name: `reference sum loop, ${clients} clients × ${fmt(params)} params`,
      value: `${fmt(rate(reference.medianMs) / 1e6, 1)} M values/s`,
      detail: `median ${fmt(reference.medianMs, 2)} ms over ${reference.repetitions} runs`,
    },
    {
      name: `FedAvg weightedAverage, ${clients} clients × ${fmt(params)} params`,
      value: `${fmt(rate(fedavg.medianMs) / 1e6, 1)} M values/s`,
      detail: `median ${fmt(fedavg.medianMs, 2)} ms; ${fmt(ratio * 100, 1)} % of the reference (target ≥ 50 %)`,
    },
  ]
}
