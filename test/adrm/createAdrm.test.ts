import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { AdrmNotice } from '../../src/core/adrm/adrmNotice.ts'
import { DEFAULT_CHAMPION_CHALLENGER } from '../../src/core/adrm/championChallenger.ts'
import { type AdrmConfig, createAdrm, DEFAULT_ADRM } from '../../src/core/adrm/createAdrm.ts'
import type { RunEvent } from '../../src/core/events/runEvent.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { syntheticRound } from './fixtures.ts'

const ATTACKERS = ['do-0', 'do-4', 'do-8']
const types = (notices: readonly AdrmNotice[], clientId: string) =>
  notices.filter((n) => 'clientId' in n && n.clientId === clientId).map((n) => n.type)

describe('createAdrm', () => {
  it('quarantines and penalises flagged updates, blocks their senders and aggregates the rest', () => {
    const adrm = createAdrm(DEFAULT_ADRM, createSeededRng(1))
    const round = syntheticRound('gaussian', { seed: 1 })
    const out = adrm.inspect(1, 1_000, round.updates)

    assert.deepEqual([...out.quarantined].sort(), ATTACKERS)
    assert.deepEqual(
      out.accepted.map((u) => u.clientId),
      round.updates.map((u) => u.clientId).filter((id) => !ATTACKERS.includes(id)),
    )
    // Full reputation: weights are the example counts.
    assert.deepEqual(
      out.weights,
      Object.fromEntries(out.accepted.map((u) => [u.clientId, u.numExamples])),
    )
    assert.deepEqual(types(out.notices, 'do-4'), [
      'update-flagged',
      'update-quarantined',
      'reputation-changed',
      'client-blocked',
    ])
    const blocked = out.notices.find((n) => n.type === 'client-blocked' && n.clientId === 'do-4')
    assert.ok(
      blocked?.type === 'client-blocked' && blocked.untilRound === 4 && blocked.reputation === 75,
    )
    // The quarantine holds the update itself, with its reasons.
    const held = adrm.quarantine.get(1, 'do-4')!
    assert.equal(held.update, round.updates[4]!.update)
    assert.equal(held.severity, 'high')
    assert.ok(held.reasons.length > 0)
    assert.equal(adrm.reputation('do-4'), 75)
    assert.equal(adrm.reputation('do-1'), 100)
  })

  it('keeps blocked clients out until the block expires, on a virtual clock of rounds', () => {
    const adrm = createAdrm(DEFAULT_ADRM, createSeededRng(1))
    adrm.inspect(1, 1_000, syntheticRound('gaussian', { seed: 1 }).updates)
    const everyone = Array.from({ length: 10 }, (_, i) => `do-${i}`)
    for (const r of [2, 3]) {
      const { clients, notices } = adrm.available(everyone, { round: r, at: r * 1_000 })
      assert.deepEqual(
        clients,
        everyone.filter((id) => !ATTACKERS.includes(id)),
      )
      assert.deepEqual(notices, [])
    }
    // An update from a blocked client is refused, never inspected.
    const sneaky = adrm.inspect(3, 3_000, syntheticRound('none', { seed: 3 }).updates)
    assert.deepEqual(sneaky.refused.map((r) => r.clientId).sort(), ATTACKERS)
    assert.match(sneaky.refused[0]!.reason, /^blocked: high-severity detection/)
    assert.equal(sneaky.decisions.length, 7)

    const back = adrm.available(everyone, { round: 4, at: 4_000 })
    assert.deepEqual(back.clients, everyone)
    assert.deepEqual(
      back.notices.map((n) => n.type === 'client-unblocked' && [n.clientId, n.reputation]),
      ATTACKERS.map((id) => [id, 75]),
    )
  })

  it('expires blocks on a virtual clock in milliseconds', () => {
    const config: AdrmConfig = {
      ...DEFAULT_ADRM,
      reputation: { ...DEFAULT_ADRM.reputation, blockRounds: 0, blockMs: 60_000 },
    }
    const adrm = createAdrm(config, createSeededRng(1))
    adrm.inspect(1, 10_000, syntheticRound('gaussian', { seed: 1 }).updates)
    assert.equal(adrm.available(['do-0'], { round: 99, at: 69_999 }).clients.length, 0)
    const later = adrm.available(['do-0'], { round: 99, at: 70_000 })
    assert.deepEqual(later.clients, ['do-0'])
    assert.equal(later.notices[0]!.type, 'client-unblocked')
  })

  it('lowers the weight of a client that lost reputation, and lets it recover slowly', () => {
    // Persistence off: here the former attacker must be judged on its new updates alone.
    const config: AdrmConfig = {
      ...DEFAULT_ADRM,
      detection: {
        ...DEFAULT_ADRM.detection,
        persistence: { ...DEFAULT_ADRM.detection.persistence, threshold: 0 },
      },
    }
    const adrm = createAdrm(config, createSeededRng(1))
    adrm.inspect(1, 0, syntheticRound('gaussian', { seed: 1 }).updates)
    // Back in round 4 and honest: 75 + 2 per clean round.
    let last = adrm.inspect(4, 0, syntheticRound('none', { seed: 4 }).updates)
    assert.equal(adrm.reputation('do-4'), 77)
    assert.equal(last.weights['do-4'], 104 * 0.77)
    for (let r = 5; r <= 7; r++)
      last = adrm.inspect(r, 0, syntheticRound('none', { seed: r }).updates)
    assert.equal(adrm.reputation('do-4'), 83)
    assert.equal(last.weights['do-1'], 101)
    assert.ok(
      last.notices.some(
        (n) => n.type === 'reputation-changed' && n.clientId === 'do-4' && n.to === 83,
      ),
    )
  })

  it('keeps a client flagged hard under watch for a few rounds after its block', () => {
    const adrm = createAdrm(DEFAULT_ADRM, createSeededRng(1))
    adrm.inspect(1, 0, syntheticRound('gaussian', { seed: 1 }).updates)
    // Back in round 4 with honest updates: the memory of round 1 (clipped at 6σ) fades by
    // 0.7 per round, and a client flagged before is on probation: judged persistent from
    // its first round back, while the average is still above 2σ.
    const r4 = adrm.inspect(4, 0, syntheticRound('none', { seed: 4 }).updates)
    assert.deepEqual([...r4.quarantined].sort(), ATTACKERS)
    const reason = r4.decisions[4]!.reasons.find((r) => r.detector.startsWith('persistent-'))!
    assert.equal(reason.severity, 'medium')
    assert.match(reason.detail, /over this client's last 2 rounds/)
    // Honest clients never deviated: nothing remembered against them.
    assert.equal(r4.decisions[1]!.flagged, false)
  })

  it('without probation, a client back from its block waits for persist-rounds like a newcomer', () => {
    const config: AdrmConfig = {
      ...DEFAULT_ADRM,
      detection: {
        ...DEFAULT_ADRM.detection,
        persistence: { ...DEFAULT_ADRM.detection.persistence, afterFlag: false },
      },
    }
    const adrm = createAdrm(config, createSeededRng(1))
    adrm.inspect(1, 0, syntheticRound('gaussian', { seed: 1 }).updates)
    const r4 = adrm.inspect(4, 0, syntheticRound('none', { seed: 4 }).updates)
    assert.equal(r4.quarantined.length, 0)
    const r5 = adrm.inspect(5, 0, syntheticRound('none', { seed: 5 }).updates)
    assert.deepEqual([...r5.quarantined].sort(), ATTACKERS)
    const reason = r5.decisions[4]!.reasons.find((r) => r.detector.startsWith('persistent-'))!
    assert.match(reason.detail, /over this client's last 3 rounds/)
  })

  it('rolls back a model whose validation accuracy drops by more than the margin, in the same round', () => {
    const adrm = createAdrm(DEFAULT_ADRM, createSeededRng(1))
    adrm.afterAggregation(0, Float64Array.of(0, 0), 0.1)
    const good = Float64Array.of(1, 2)
    assert.equal(adrm.afterAggregation(1, good, 0.9).rolledBack, false)
    const small = adrm.afterAggregation(2, Float64Array.of(1.1, 2), 0.86)
    assert.deepEqual([small.rolledBack, small.version, small.notices], [false, 2, []])
    // Model replacement: accuracy collapses.
    const review = adrm.afterAggregation(3, Float64Array.of(100, -100), 0.3)
    assert.equal(review.rolledBack, true)
    assert.deepEqual([...review.params], [1.1, 2])
    assert.equal(review.version, 2)
    assert.deepEqual(review.notices, [
      {
        type: 'model-rolled-back',
        round: 3,
        fromVersion: 3,
        toVersion: 2,
        accuracyBefore: 0.86,
        accuracyAfter: 0.3,
        margin: 0.05,
      },
    ])
    assert.equal(adrm.snapshot().rollbacks, 1)
  })

  it('fits the anomaly model from its buffer once enough rows arrived, and says so', () => {
    const config: AdrmConfig = {
      ...DEFAULT_ADRM,
      anomaly: { ...DEFAULT_CHAMPION_CHALLENGER, minSamples: 20, retrainEvery: 2, trees: 30 },
    }
    const adrm = createAdrm(config, createSeededRng(2))
    const notices: AdrmNotice[] = []
    for (let r = 1; r <= 4; r++) {
      notices.push(...adrm.inspect(r, r, syntheticRound('none', { seed: 10 + r }).updates).notices)
    }
    const first = notices.find((n) => n.type === 'anomaly-model-replaced')
    assert.ok(first?.type === 'anomaly-model-replaced' && first.reason === 'no champion yet')
    assert.equal(first.round, 2)
    // Once fitted, the forest scores every update.
    const scored = adrm.inspect(5, 5, syntheticRound('none', { seed: 15 }).updates)
    assert.ok(scored.decisions.every((d) => Number.isFinite(d.measures['anomalyScore'])))
    assert.equal(adrm.snapshot().anomalyModel!.championTrained, true)
    // Labelled rounds are held out of training: labelling rounds 6 to 8 leaves too few rows.
    const held = createAdrm(config, createSeededRng(2))
    for (let r = 6; r <= 8; r++) {
      held.inspect(r, r, syntheticRound('none', { seed: 10 + r }).updates)
      held.labelRound(r, [])
    }
    assert.equal(held.snapshot().anomalyModel!.championTrained, false)
  })

  it('turns every notice into a run event and its snapshot into JSON', () => {
    const adrm = createAdrm(DEFAULT_ADRM, createSeededRng(1))
    const out = adrm.inspect(1, 0, syntheticRound('sign-flip', { seed: 6 }).updates)
    const events: RunEvent[] = out.notices.map((n) => ({ ...n, runId: 'run-1', at: 0 }))
    assert.deepEqual(JSON.parse(JSON.stringify(events)), events)
    const snapshot = adrm.snapshot()
    assert.deepEqual(JSON.parse(JSON.stringify(snapshot)), snapshot)
    assert.deepEqual(snapshot.quarantine.perClient, { 'do-0': 1, 'do-4': 1, 'do-8': 1 })
    assert.deepEqual(
      snapshot.blocked.map((b) => b.clientId),
      ATTACKERS,
    )
    assert.deepEqual([snapshot.inspected, snapshot.flagged], [10, 3])
  })

  it('lets an operator unblock a client and release a quarantined update', () => {
    const adrm = createAdrm(DEFAULT_ADRM, createSeededRng(1))
    adrm.inspect(1, 0, syntheticRound('gaussian', { seed: 1 }).updates)
    assert.equal(adrm.unblock('do-0', { round: 1, at: 0 })[0]!.type, 'client-unblocked')
    assert.equal(adrm.available(['do-0'], { round: 2, at: 0 }).clients.length, 1)
    assert.equal(adrm.quarantine.release(1, 'do-0')!.clientId, 'do-0')
    assert.equal(adrm.snapshot().quarantine.held, 2)
  })
})
