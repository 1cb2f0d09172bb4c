import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  type ChampionChallengerConfig,
  createChampionChallenger,
  DEFAULT_CHAMPION_CHALLENGER,
} from '../../src/core/adrm/championChallenger.ts'
import { isolationScore } from '../../src/core/adrm/isolationForest.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'

const config: ChampionChallengerConfig = {
  ...DEFAULT_CHAMPION_CHALLENGER,
  trees: 50,
  bufferSize: 100,
  minSamples: 20,
  retrainEvery: 5,
  holdoutRounds: 2,
}

/**
 * Ten rows: ordinary ones in a tight cloud (σ = 1 around the origin) or a wide one
 * (σ = 5 around (6, 6)), attackers at (6, 6): the densest spot of the wide cloud, so
 * a forest fitted on it finds them less anomalous than the tight honest rows.
 */
function roundRows(round: number, cloud: 'tight' | 'wide', attackers = 0) {
  const rng = createSeededRng(round)
  return Array.from({ length: 10 }, (_, i) => {
    const attacker = i < attackers
    const row = attacker
      ? Float64Array.of(6 + 0.1 * rng.normal(), 6 + 0.1 * rng.normal())
      : cloud === 'tight'
        ? Float64Array.of(rng.normal(), rng.normal())
        : Float64Array.of(6 + 5 * rng.normal(), 6 + 5 * rng.normal())
    return { clientId: `do-${i}`, row, trainable: !attacker }
  })
}

describe('champion/challenger', () => {
  it('has no champion until enough rows, then promotes the first challenger directly', () => {
    const cc = createChampionChallenger(config, createSeededRng(1))
    cc.observe(1, roundRows(1, 'tight'))
    assert.equal(cc.retrain(1), undefined)
    assert.equal(cc.champion(), undefined)
    cc.observe(2, roundRows(2, 'tight'))
    const outcome = cc.retrain(2)!
    assert.deepEqual(
      { replaced: outcome.replaced, reason: outcome.reason, trainedOn: outcome.trainedOn },
      { replaced: true, reason: 'no champion yet', trainedOn: 20 },
    )
    assert.equal(cc.champion()!.trainedAtRound, 2)
  })
  it('retrains on schedule only', () => {
    const cc = createChampionChallenger(config, createSeededRng(1))
    for (let r = 1; r <= 4; r++) {
      cc.observe(r, roundRows(r, 'tight'))
      assert.equal(cc.retrainIfDue(r), undefined)
    }
    cc.observe(5, roundRows(5, 'tight'))
    assert.equal(cc.retrainIfDue(5)!.replaced, true)
  })
  it('replaces the champion only when the challenger separates held-out attackers better', () => {
    const cc = createChampionChallenger(config, createSeededRng(2))
    // The champion learns from a wide cloud: (6, 6) looks ordinary to it.
    for (let r = 1; r <= 10; r++) cc.observe(r, roundRows(r, 'wide'))
    assert.equal(cc.retrain(10)!.reason, 'no champion yet')
    const champion = cc.champion()!
    // Then updates become tight; two rounds with attackers are labelled and held out.
    for (let r = 11; r <= 20; r++) cc.observe(r, roundRows(r, 'tight', r >= 19 ? 3 : 0))
    const waiting = cc.labelRound(19, ['do-0', 'do-1', 'do-2'])
    assert.equal(waiting, undefined)
    cc.labelRound(20, ['do-0', 'do-1', 'do-2'])
    const outcome = cc.retrain(20)!
    assert.equal(outcome.replaced, true, outcome.reason)
    assert.ok(outcome.challengerAuc! > outcome.championAuc!)
    assert.match(outcome.reason, /beats champion AUC/)
    assert.notEqual(cc.champion(), champion)
    // The new champion scores the attackers' region as anomalous.
    assert.ok(
      isolationScore(cc.champion()!.forest, [6, 6]) > isolationScore(champion.forest, [6, 6]),
    )

    // A challenger that learned from a wide cloud again is worse: it does not replace.
    for (let r = 21; r <= 30; r++) cc.observe(r, roundRows(r, 'wide'))
    const current = cc.champion()
    const worse = cc.retrain(30)!
    assert.equal(worse.replaced, false)
    assert.match(worse.reason, /does not beat/)
    assert.equal(cc.champion(), current)
    assert.equal(cc.status().challengerPending, true)
  })
  it('keeps the champion without labelled rounds, and reconsiders when labels arrive', () => {
    const cc = createChampionChallenger(config, createSeededRng(3))
    for (let r = 1; r <= 10; r++) cc.observe(r, roundRows(r, 'wide'))
    cc.retrain(10)
    // Twelve tight rounds push every wide row out of the buffer (100 rows).
    for (let r = 11; r <= 22; r++) cc.observe(r, roundRows(r, 'tight', r >= 21 ? 3 : 0))
    const outcome = cc.retrain(22)!
    assert.equal(outcome.replaced, false)
    assert.match(outcome.reason, /no held-out labelled round/)
    // Labels arrive later: the pending challenger is evaluated then.
    assert.equal(cc.labelRound(21, ['do-0', 'do-1', 'do-2'])!.replaced, true)
    assert.equal(cc.status().challengerPending, false)
    // Another tight challenger separates the attackers just as well: equal is not better.
    for (let r = 23; r <= 30; r++) cc.observe(r, roundRows(r, 'tight'))
    const tie = cc.retrain(30)!
    assert.deepEqual([tie.replaced, tie.championAuc, tie.challengerAuc], [false, 1, 1])
  })
  it('never trains on held-out rounds or flagged rows, and reports its state', () => {
    const cc = createChampionChallenger({ ...config, minSamples: 25 }, createSeededRng(4))
    cc.observe(1, roundRows(1, 'tight', 3))
    cc.observe(2, roundRows(2, 'tight'))
    // 7 trainable + 10 trainable rows; round 2 held out leaves 7, below 25.
    cc.labelRound(2, [])
    assert.equal(cc.retrain(2), undefined)
    const status = cc.status()
    assert.deepEqual(
      {
        buffer: status.bufferSize,
        labelled: status.labelledRounds,
        trained: status.championTrained,
      },
      { buffer: 17, labelled: 1, trained: false },
    )
    assert.doesNotThrow(() => JSON.stringify(status))
  })
})
