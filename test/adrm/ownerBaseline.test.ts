import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEFAULT_DETECTION, detectUpdates } from '../../src/core/adrm/detectUpdates.ts'
import { habitualExcess } from '../../src/core/adrm/ownerBaseline.ts'
import { parseAdrmSpec } from '../../src/core/adrm/parseAdrmSpec.ts'
import type { DeviationMemory } from '../../src/core/adrm/persistentDeviation.ts'
import { syntheticRound } from './fixtures.ts'

const withBaseline = { ...DEFAULT_DETECTION, baseline: { cap: 6, minRounds: 3 } }

/** Scales update `index`'s deviation from the median by `factor`: it sits far from the crowd. */
function farOut(updates: { update: Float64Array }[], index: number, factor: number): void {
  const { features } = detectUpdates(updates as never, DEFAULT_DETECTION)
  const u = updates[index]!.update
  for (let j = 0; j < u.length; j++)
    u[j] = features.centre[j]! + factor * (u[j]! - features.centre[j]!)
}

/** Six rounds in which owner 3 always deviates by `factor`; which rounds flag it. */
function flaggedRounds(config: typeof DEFAULT_DETECTION, factor: (round: number) => number) {
  let memory: DeviationMemory | undefined
  const flagged: number[] = []
  for (let r = 1; r <= 6; r++) {
    const { updates } = syntheticRound('none', { seed: 70 + r })
    farOut(updates, 3, factor(r))
    const decision = detectUpdates(updates, config, undefined, () => memory).decisions[3]!
    memory = decision.memory
    if (decision.flagged) flagged.push(r)
  }
  return flagged
}

describe('per-owner baselines', () => {
  it('excuse an owner that always differs the same way, once it has history', () => {
    // Without baselines the owner is an outlier every round (distance and persistence).
    assert.deepEqual(
      flaggedRounds(DEFAULT_DETECTION, () => 1.6),
      [1, 2, 3, 4, 5, 6],
    )
    // With them its habit counts from round 4 (three rounds of history): no longer flagged.
    assert.deepEqual(
      flaggedRounds(withBaseline, () => 1.6),
      [1, 2, 3],
    )
  })
  it('still flag a sudden change from an owner’s own habit', () => {
    // Habitually 1.6× out, then 6× out in round 6: far beyond what its history excuses.
    assert.deepEqual(
      flaggedRounds(withBaseline, (r) => (r === 6 ? 6 : 1.6)),
      [1, 2, 3, 6],
    )
  })
  it('cap what a habit excuses, so a gross attack from round 1 stays visible', () => {
    // An owner 20× out from its first round has made that its habit; the cap (6σ) leaves
    // most of it to see.
    assert.deepEqual(
      flaggedRounds(withBaseline, () => 20),
      [1, 2, 3, 4, 5, 6],
    )
  })
  it('excuse only a suspicious-side habit, up to the cap, after minRounds', () => {
    const memory: DeviationMemory = {
      mean: { 'distance-z': 4, 'cosine-z': -2, 'norm-z': 9 },
      rounds: 3,
    }
    const config = { cap: 6, minRounds: 3 }
    assert.equal(habitualExcess(memory, 'distance-z', config), 4)
    assert.equal(habitualExcess(memory, 'cosine-z', config), 0)
    assert.equal(habitualExcess(memory, 'norm-z', config), 6)
    assert.equal(habitualExcess({ ...memory, rounds: 2 }, 'distance-z', config), 0)
    assert.equal(habitualExcess(memory, 'distance-z', { ...config, cap: 0 }), 0)
    assert.equal(habitualExcess(undefined, 'distance-z', config), 0)
  })
  it('are the adrm option baseline=σ', () => {
    assert.deepEqual(parseAdrmSpec('adrm:baseline=4,persist-rounds=5').detection.baseline, {
      cap: 4,
      minRounds: 5,
    })
    assert.throws(() => parseAdrmSpec('adrm:baseline=-1'), /option 'baseline' must be a number/)
  })
})
