import { createSeededRng } from '../src/core/rng/seededRng.ts'
import { createRobustRule, ROBUST_RULE_NAMES } from '../src/core/robust/createRobustRule.ts'
import { type BenchRow, fmt, measure } from './measure.ts'

/**
 * Every robust aggregation rule on one random input (standard normal updates, the
 * cost of the rules is essentially data-independent except for geomed's iteration
 * count), reported as time per aggregation and as a multiple of FedAvg on the same
 * input. f is 10 % of the clients (f = 10 for 100), lowered per rule only where its
 * requirement (e.g. Bulyan's n ≥ 4f + 3) would otherwise fail; the row states it.
 */
export function benchRobustRules(clients: number, params: number): BenchRow[] {
  const rng = createSeededRng(2)
  const updates = Array.from({ length: clients }, () =>
    Float64Array.from({ length: params }, () => rng.normal()),
  )
  const weights = updates.map((_, i) => 100 + i)
  const target = Math.floor(clients / 10)
  let sink = 0
  const timings = ROBUST_RULE_NAMES.map((name) => {
    const f = largestTolerated(name, clients, target)
    const rule = createRobustRule(name, { f })
    // Slow rules (Krum family, MS-FL) get fewer repetitions so the whole run stays in tens of seconds.
    const repetitions = name === 'fedavg' || name === 'median' || name === 'norm-bound' ? 9 : 5
    const m = measure(repetitions, () => {
      sink += rule.aggregate({ updates, weights, f }).aggregate[0]!
    })
    return { name, f, m }
  })
  if (Number.isNaN(sink)) throw new Error('unreachable: keeps the aggregations alive')
  const base = timings[0]!.m.medianMs
  return timings.map(({ name, f, m }) => ({
    name: `${name} (f = ${f}), ${clients} clients × ${fmt(params)} params`,
    value: `${fmt(m.medianMs, 1)} ms`,
    detail: `${fmt(m.medianMs / base, 1)} × FedAvg; median of ${m.repetitions} runs, min ${fmt(m.minMs, 1)} ms`,
  }))
}

function largestTolerated(name: string, clients: number, target: number): number {
  const rule = createRobustRule(name, { f: 0 })
  for (let f = target; f > 0; f--) {
    try {
      rule.assertTolerates(clients, f)
      return f
    } catch {}
  }
  return 0
}
