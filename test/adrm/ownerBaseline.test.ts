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

/** Owner 3's verdict in one synthetic round where it sits `factor` × further out, given its memory. */
function verdict(config: typeof DEFAULT_DETECTION, factor: number, memory?: DeviationMemory) {
  const { updates } = syntheticRound('none', { seed: 74 })
  farOut(updates, 3, factor)
  return detectUpdates(updates, config, undefined, () => memory).decisions[3]!
}

/** An owner seen for three unflagged rounds, usually 2.5σ further from the median than most. */
const habitual: DeviationMemory = {
  mean: { 'distance-z': 2.5 },
  rounds: 3,
  habit: { mean: { 'distance-z': 2.5 }, rounds: 3 },
}

describe('per-owner baselines', () => {
  it('excuse an owner whose update is as far out as it usually is', () => {
    // 1.3× out: distance z ≈ 4.5, flagged against the crowd alone.
    const crowdOnly = verdict(
      { ...DEFAULT_DETECTION, baseline: { cap: 0, minRounds: 3 } },
      1.3,
      habitual,
    )
    assert.ok(crowdOnly.flagged && crowdOnly.measures['distanceZ']! > 4)
    // Against its own habit (2.5σ) the excess is ≈ 2σ: not flagged.
    const own = verdict(withBaseline, 1.3, habitual)
    assert.equal(own.flagged, false, JSON.stringify(own.reasons))
    assert.equal(own.measures['distanceHabit'], 2.5)
  })
  it('still flag a sudden change from an owner’s habit, and an owner with no habit yet', () => {
    // 1.8× out: z ≈ 10.7, far beyond what 2.5σ of habit excuses.
    assert.ok(verdict(withBaseline, 1.8, habitual).flagged)
    // Caught before (no unflagged history): nothing is excused.
    assert.ok(verdict(withBaseline, 1.3, { mean: { 'distance-z': 4 }, rounds: 3 }).flagged)
  })
  it('learn a habit only from unflagged rounds, so an attack caught early never becomes one', () => {
    let memory: DeviationMemory | undefined
    for (let r = 1; r <= 6; r++) {
      const { updates } = syntheticRound('none', { seed: 70 + r })
      farOut(updates, 3, 1.8) // 5σ or more every round: caught every round
      const decision = detectUpdates(updates, withBaseline, undefined, () => memory).decisions[3]!
      assert.ok(decision.flagged, `round ${r}`)
      memory = decision.memory
    }
    assert.equal(memory!.habit, undefined)
    // An honest round (factor 1) is learnt.
    const { updates } = syntheticRound('none', { seed: 80 })
    const decision = detectUpdates(updates, withBaseline).decisions[3]!
    assert.equal(decision.flagged, false)
    assert.equal(decision.memory!.habit!.rounds, 1)
  })
  it('excuse only a suspicious-side habit, up to the cap, after minRounds', () => {
    const memory: DeviationMemory = {
      mean: {},
      rounds: 5,
      habit: { mean: { 'distance-z': 4, 'cosine-z': -2, 'norm-z': 9 }, rounds: 3 },
    }
    const config = { cap: 6, minRounds: 3 }
    assert.equal(habitualExcess(memory, 'distance-z', config), 4)
    assert.equal(habitualExcess(memory, 'cosine-z', config), 0)
    assert.equal(habitualExcess(memory, 'norm-z', config), 6)
    assert.equal(
      habitualExcess({ ...memory, habit: { ...memory.habit!, rounds: 2 } }, 'distance-z', config),
      0,
    )
    assert.equal(habitualExcess(memory, 'distance-z', { ...config, cap: 0 }), 0)
    assert.equal(habitualExcess(undefined, 'distance-z', config), 0)
  })
  it('are the adrm option baseline=σ, 3 by default (0: off)', () => {
    assert.deepEqual(parseAdrmSpec('adrm').detection.baseline, { cap: 3, minRounds: 3 })
    assert.equal(parseAdrmSpec('adrm:baseline=0').detection.baseline.cap, 0)
    assert.deepEqual(parseAdrmSpec('adrm:baseline=4,persist-rounds=5').detection.baseline, {
      cap: 4,
      minRounds: 5,
    })
    assert.throws(() => parseAdrmSpec('adrm:baseline=-1'), /option 'baseline' must be a number/)
  })
})
