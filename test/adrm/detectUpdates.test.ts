import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  DEFAULT_DETECTION,
  type DetectionConfig,
  detectUpdates,
} from '../../src/core/adrm/detectUpdates.ts'
import { affineImage, rates, type SyntheticAttack, syntheticRound } from './fixtures.ts'

const ROUNDS = 30

function evaluate(attack: SyntheticAttack | 'none', config: DetectionConfig = DEFAULT_DETECTION) {
  const total = { tp: 0, fn: 0, fp: 0, tn: 0 }
  const detectors = new Map<string, number>()
  for (let seed = 1; seed <= ROUNDS; seed++) {
    const round = syntheticRound(attack, { seed })
    const { decisions } = detectUpdates(round.updates, config)
    const r = rates(decisions, round.attackers)
    total.tp += r.tp
    total.fn += r.fn
    total.fp += r.fp
    total.tn += r.tn
    for (const d of decisions)
      if (d.flagged && round.attackers.has(d.clientId))
        for (const reason of d.reasons)
          detectors.set(reason.detector, (detectors.get(reason.detector) ?? 0) + 1)
  }
  return {
    recall: total.tp / Math.max(1, total.tp + total.fn),
    fpr: total.fp / Math.max(1, total.fp + total.tn),
    detectors,
  }
}

describe('detectUpdates on synthetic rounds (10 clients, 3 attackers, 30 rounds)', () => {
  it('leaves clean rounds alone: false-positive rate at most 5 %', () => {
    assert.ok(evaluate('none').fpr <= 0.05)
  })
  for (const attack of ['gaussian', 'sign-flip', 'scaled'] as const)
    it(`finds ${attack} attackers: recall ≥ 90 % at FPR ≤ 5 %`, () => {
      const { recall, fpr } = evaluate(attack)
      assert.ok(recall >= 0.9, `recall ${recall}`)
      assert.ok(fpr <= 0.05, `fpr ${fpr}`)
    })
  it('finds the subtle ALIE shift through the identical vectors the colluders send', () => {
    const { recall, fpr, detectors } = evaluate('alie')
    assert.ok(recall >= 0.9, `recall ${recall}`)
    assert.ok(fpr <= 0.05, `fpr ${fpr}`)
    assert.ok((detectors.get('nearest-z') ?? 0) >= 0.9 * 3 * ROUNDS)
  })
  it('owes the sign-flip detection to the z-scores: the magnitude ratio alone misses ×1..4', () => {
    // With the z threshold out of reach only the norm ratio bound (10×) is left.
    const blind = evaluate('sign-flip', { ...DEFAULT_DETECTION, zThreshold: 50 })
    assert.ok(blind.recall < 0.5, `recall ${blind.recall}`)
  })
})

describe('detectUpdates decisions', () => {
  const round = syntheticRound('gaussian', { seed: 3 })
  const { decisions } = detectUpdates(round.updates, DEFAULT_DETECTION)

  it('returns one decision per update, in input order', () => {
    assert.deepEqual(
      decisions.map((d) => d.clientId),
      round.updates.map((u) => u.clientId),
    )
  })
  it('gives every flagged update its reasons with the numbers behind them', () => {
    for (const d of decisions.filter((x) => x.flagged)) {
      assert.equal(d.severity, 'high')
      assert.ok(d.reasons.length > 0)
      for (const r of d.reasons) {
        assert.ok(Number.isFinite(r.value) && Number.isFinite(r.threshold), r.detector)
        assert.match(r.detail, /\d/)
      }
      assert.ok(d.reasons.some((r) => r.detector === 'magnitude-ratio' && r.value > 10))
      assert.ok(Number.isFinite(d.measures['distanceZ']))
    }
  })
  it('says why in words and numbers', () => {
    const attacker = decisions.find((d) => d.clientId === 'do-0')!
    const distance = attacker.reasons.find((r) => r.detector === 'distance-z')!
    assert.equal(distance.threshold, 3)
    assert.match(distance.detail, /^distance to the median [\d.]+ is [\d.]+σ above/)
  })
  it('escalates two detectors at medium to high and names them', () => {
    // A forest that finds everything anomalous puts every update at medium at least.
    const scorer = { score: () => 0.9, threshold: 0.7 }
    const honest = syntheticRound('none', { seed: 5 })
    const out = detectUpdates(honest.updates, DEFAULT_DETECTION, scorer)
    for (const d of out.decisions) {
      assert.ok(d.reasons.some((r) => r.detector === 'iforest' && r.severity === 'medium'))
      const mediums = d.reasons.filter((r) => r.severity === 'medium').length
      if (mediums >= 2) {
        assert.equal(d.severity, 'high')
        assert.match(d.reasons.find((r) => r.detector === 'corroboration')!.detail, /iforest/)
      } else assert.equal(d.severity, 'medium')
    }
    const solo = detectUpdates(honest.updates, { ...DEFAULT_DETECTION, corroborate: 0 }, scorer)
    assert.ok(solo.decisions.every((d) => d.severity === 'medium'))
  })
  it('flags from the configured severity on', () => {
    const scorer = { score: () => 0.9, threshold: 0.7 }
    const honest = syntheticRound('none', { seed: 5 })
    const lenient = detectUpdates(honest.updates, { ...DEFAULT_DETECTION, flagAt: 'high' }, scorer)
    const strict = detectUpdates(honest.updates, DEFAULT_DETECTION, scorer)
    assert.ok(strict.decisions.every((d) => d.flagged))
    assert.ok(lenient.decisions.every((d) => d.flagged === (d.severity === 'high')))
  })
  it('bounds norms absolutely when asked to, in plain space only', () => {
    const config = { ...DEFAULT_DETECTION, maxNorm: 0.5 }
    const out = detectUpdates(round.updates, config)
    assert.ok(out.decisions.every((d) => d.reasons.some((r) => r.detector === 'magnitude')))
    const affine = detectUpdates(round.updates, { ...config, space: 'affine' })
    assert.ok(affine.decisions.every((d) => !d.reasons.some((r) => r.detector === 'magnitude')))
  })
  it('blames no one for a pull of the mean that noise explains', () => {
    const pullFindings = (attack: 'none' | 'gaussian') =>
      Array.from({ length: 10 }, (_, k) => syntheticRound(attack, { seed: 60 + k }))
        .flatMap((round) => detectUpdates(round.updates, DEFAULT_DETECTION).decisions)
        .filter((d) => d.reasons.some((r) => r.detector === 'pull-z'))
    assert.deepEqual(pullFindings('none'), [])
    // With attackers dragging the mean, the pull is strong and points at them.
    const dragged = pullFindings('gaussian')
    assert.ok(
      dragged.length >= 25 && dragged.every((d) => ['do-0', 'do-4', 'do-8'].includes(d.clientId)),
    )
    const strength = detectUpdates(syntheticRound('none', { seed: 60 }).updates, DEFAULT_DETECTION)
      .decisions[0]!.measures['pullStrength']!
    assert.ok(strength < 2, `clean pull strength ${strength}`)
  })
  it('caps the duplicate finding at medium: a copier can frame the client it copies', () => {
    const honest = syntheticRound('none', { seed: 9 })
    const framed = honest.updates.map((u, i) =>
      i === 2 ? { ...u, update: Float64Array.from(honest.updates[1]!.update) } : u,
    )
    const out = detectUpdates(framed, DEFAULT_DETECTION).decisions
    for (const d of [out[1]!, out[2]!]) {
      assert.equal(d.severity, 'medium')
      assert.deepEqual(
        d.reasons.map((r) => r.detector),
        ['nearest-z'],
      )
    }
    assert.ok(out.filter((_, i) => i !== 1 && i !== 2).every((d) => !d.flagged))
  })
  it('skips cross-client statistics below minUpdates, keeping the magnitude ratio', () => {
    const few = [...round.updates.slice(0, 2), round.updates[5]!, round.updates[6]!]
    const out = detectUpdates(few, DEFAULT_DETECTION)
    assert.equal(out.rows.length, 0)
    assert.ok(out.decisions.every((d) => d.reasons.every((r) => !r.detector.endsWith('-z'))))
    assert.equal(out.decisions[0]!.severity, 'high')
    assert.equal(out.decisions[2]!.flagged, false)
  })
})

describe('detectUpdates under a common affine map c·u + d (global-scale masks)', () => {
  const affine: DetectionConfig = { ...DEFAULT_DETECTION, space: 'affine' }
  for (const attack of ['gaussian', 'sign-flip', 'scaled', 'alie'] as const)
    for (const c of [2.5, -0.7])
      it(`${attack}, c = ${c}: the same decisions and z-scores as on the plain updates`, () => {
        const round = syntheticRound(attack, { seed: 11 })
        const plain = detectUpdates(round.updates, affine)
        const masked = detectUpdates(
          affineImage(
            round.updates.map((u) => u.update),
            c,
            99,
          ).map((update, i) => ({ ...round.updates[i]!, update })),
          affine,
        )
        assert.deepEqual(
          masked.decisions.map((d) => [d.clientId, d.severity, d.flagged]),
          plain.decisions.map((d) => [d.clientId, d.severity, d.flagged]),
        )
        plain.rows.forEach((row, i) => {
          row.forEach((z, k) => {
            assert.ok(Math.abs(z - masked.rows[i]![k]!) < 1e-6 * Math.max(1, Math.abs(z)))
          })
        })
        assert.ok(plain.decisions.filter((d) => d.flagged).length >= 3)
      })
  it('uses only the invariant detectors in affine space', () => {
    const round = syntheticRound('sign-flip', { seed: 2 })
    const out = detectUpdates(round.updates, affine)
    const used = new Set(out.decisions.flatMap((d) => d.reasons.map((r) => r.detector)))
    assert.ok(!used.has('norm-z') && !used.has('cosine-z'))
    assert.equal(out.rows[0]!.length, 3)
  })
  it('cosine to the centre is plaintext-only: a shift d hides a sign flip from it', () => {
    const round = syntheticRound('sign-flip', { seed: 4 })
    const shifted = affineImage(
      round.updates.map((u) => u.update),
      1,
      5,
    ).map((update, i) => ({ ...round.updates[i]!, update }))
    const cosineFlags = (updates: typeof round.updates) =>
      detectUpdates(updates, DEFAULT_DETECTION)
        .decisions.filter((d) => d.reasons.some((r) => r.detector === 'cosine-z'))
        .map((d) => d.clientId)
    assert.deepEqual(cosineFlags(round.updates).sort(), [...round.attackers].sort())
    // ‖d‖ ≈ 150 ≫ ‖u‖ ≈ 1: every shifted update points along d, all cosines ≈ 1.
    assert.deepEqual(cosineFlags(shifted), [])
  })
})
