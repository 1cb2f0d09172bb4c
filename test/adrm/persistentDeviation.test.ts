import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEFAULT_DETECTION, detectUpdates } from '../../src/core/adrm/detectUpdates.ts'
import {
  DEFAULT_PERSISTENCE,
  type DeviationMemory,
  persistentFindings,
  rememberDeviation,
} from '../../src/core/adrm/persistentDeviation.ts'
import { syntheticRound } from './fixtures.ts'

describe('persistent deviation', () => {
  it('keeps an exponentially weighted mean per detector, started by the first round', () => {
    let memory = rememberDeviation(undefined, { 'norm-z': 2, 'cosine-z': -1 }, 0.3)
    assert.deepEqual(memory, { mean: { 'norm-z': 2, 'cosine-z': -1 }, rounds: 1 })
    memory = rememberDeviation(memory, { 'norm-z': 3, 'cosine-z': 1 }, 0.3)
    assert.ok(Math.abs(memory.mean['norm-z']! - 2.3) < 1e-12)
    assert.ok(Math.abs(memory.mean['cosine-z']! + 0.4) < 1e-12)
    assert.equal(memory.rounds, 2)
  })
  it('finds a steady deviation from the third round on, at medium', () => {
    const steady: DeviationMemory = { mean: { 'distance-z': 2.4, 'pull-z': 0.5 }, rounds: 3 }
    const findings = persistentFindings(steady, DEFAULT_PERSISTENCE)
    assert.deepEqual(
      findings.map((f) => [f.detector, f.severity, f.value, f.threshold]),
      [['persistent-distance-z', 'medium', 2.4, 2]],
    )
    assert.deepEqual(persistentFindings({ ...steady, rounds: 2 }, DEFAULT_PERSISTENCE), [])
    assert.deepEqual(persistentFindings(steady, { ...DEFAULT_PERSISTENCE, threshold: 0 }), [])
  })
  it('on probation, a client flagged before is found persistent from its next round', () => {
    const back: DeviationMemory = { mean: { 'cosine-z': 4.4 }, rounds: 2, flagged: 1 }
    assert.deepEqual(
      persistentFindings(back, DEFAULT_PERSISTENCE).map((f) => [f.detector, f.severity]),
      [['persistent-cosine-z', 'medium']],
    )
    assert.deepEqual(persistentFindings(back, { ...DEFAULT_PERSISTENCE, afterFlag: false }), [])
    // Never flagged: two rounds are not enough to judge it, probation or not.
    assert.deepEqual(persistentFindings({ ...back, flagged: 0 }, DEFAULT_PERSISTENCE), [])
    // The flag count survives the next round's fold.
    assert.equal(rememberDeviation(back, { 'cosine-z': 1 }, 0.3).flagged, 1)
  })
  it('probation catches a flagged client’s first round back that sits under 3σ', () => {
    // Round 1: client 3 far out (flagged); round 2, its first back: just under the threshold.
    const run = (probation: boolean) => {
      const config = {
        ...DEFAULT_DETECTION,
        persistence: { ...DEFAULT_PERSISTENCE, afterFlag: probation },
      }
      let memory: DeviationMemory | undefined
      const verdicts: boolean[] = []
      for (const [round, z] of [
        [1, 8],
        [2, 2.5],
      ] as const) {
        const updates = syntheticRound('none', { seed: 60 + round }).updates
        pushAway(updates, 3, z)
        const decision = detectUpdates(updates, config, undefined, () => memory).decisions[3]!
        memory = decision.memory
        verdicts.push(decision.flagged)
      }
      return { verdicts, flagged: memory?.flagged }
    }
    assert.deepEqual(run(true), { verdicts: [true, true], flagged: 2 })
    assert.deepEqual(run(false), { verdicts: [true, false], flagged: 1 })
  })
  it('catches an attacker that stays under 3σ every round, which the per-round detectors miss', () => {
    let memory: DeviationMemory | undefined
    const flaggedRounds: number[] = []
    const distanceZ: number[] = []
    for (let r = 1; r <= 6; r++) {
      const updates = syntheticRound('none', { seed: 40 + r }).updates
      pushAway(updates, 3, 2.5)
      const decision = detectUpdates(updates, DEFAULT_DETECTION, undefined, () => memory)
        .decisions[3]!
      distanceZ.push(decision.measures['distanceZ']!)
      memory = decision.memory
      if (decision.flagged) {
        flaggedRounds.push(r)
        assert.ok(decision.reasons.some((x) => x.detector === 'persistent-distance-z'))
      }
    }
    // Every round below the per-round threshold, yet found from the third round on.
    assert.ok(
      distanceZ.every((z) => z > 2.3 && z < 2.7),
      distanceZ.join(', '),
    )
    assert.deepEqual(flaggedRounds, [3, 4, 5, 6])
  })
})

/** Moves update `index` along its deviation from the median until its distance z-score is `z`. */
function pushAway(
  updates: { clientId: string; update: Float64Array }[],
  index: number,
  z: number,
): void {
  const off = { ...DEFAULT_DETECTION, persistence: { ...DEFAULT_PERSISTENCE, threshold: 0 } }
  for (let step = 0; step < 5; step++) {
    const { decisions, features } = detectUpdates(updates, off)
    // Two clients' distances and z-scores give the robust centre and spread.
    const [a, b] = [decisions[1]!.measures, decisions[2]!.measures]
    const spread = (a['distance']! - b['distance']!) / (a['distanceZ']! - b['distanceZ']!)
    const centre = a['distance']! - spread * a['distanceZ']!
    const factor = (centre + z * spread) / features.distance[index]!
    const u = updates[index]!.update
    for (let j = 0; j < u.length; j++)
      u[j] = features.centre[j]! + factor * (u[j]! - features.centre[j]!)
  }
}
