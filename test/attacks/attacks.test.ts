import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseAttackSpec } from '../../src/core/attacks/attackCatalog.ts'
import {
  poisonWithBackdoor,
  stampTrigger,
  triggeredTestSet,
  triggerGeometry,
} from '../../src/core/attacks/backdoor.ts'
import { craftUpdate } from '../../src/core/attacks/craftUpdate.ts'
import { flipLabels, flippedClasses, parseLabelMapping } from '../../src/core/attacks/labelFlip.ts'
import { alieZ, normalQuantile } from '../../src/core/attacks/normalQuantile.ts'
import { optimisedPerturbation } from '../../src/core/attacks/optimisedPerturbation.ts'
import type { Dataset } from '../../src/core/data/dataset.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { planAttackers } from '../../src/runtime/planAttackers.ts'

function images(n: number, side: number, numClasses: number): Dataset {
  const d = side * side
  return {
    name: 'tiny-images',
    x: Float32Array.from({ length: n * d }, (_, i) => (i % 7) / 10),
    y: Float64Array.from({ length: n }, (_, i) => i % numClasses),
    n,
    d,
    numClasses,
    classNames: Array.from({ length: numClasses }, (_, c) => String(c)),
    featureNames: [],
  }
}

describe('attack specs', () => {
  it('fills defaults and validates options', () => {
    assert.deepEqual(parseAttackSpec('backdoor').options, {
      size: 4,
      x: -1,
      y: -1,
      target: 0,
      fraction: 0.5,
      boost: 1,
    })
    assert.equal(parseAttackSpec('scaling:factor=10,base=own').options['base'], 'own')
    assert.equal(parseAttackSpec('label-flip:map=7>1/3>8').options['map'], '7>1/3>8')
    assert.throws(
      () => parseAttackSpec('meteor'),
      /unknown attack 'meteor' \(valid: label-flip, backdoor/,
    )
    assert.throws(
      () => parseAttackSpec('gaussian:sigma=-1'),
      /attack 'gaussian': option 'sigma' must be a number/,
    )
    assert.throws(
      () => parseAttackSpec('label-flip:map=7to1'),
      /option 'map' must be reverse or source>target/,
    )
    assert.throws(() => parseAttackSpec('ipm:eps=1'), /unknown option 'eps' \(valid: epsilon\)/)
  })
  it('marks exactly the attacks that need the honest updates as omniscient', () => {
    const omniscient = (text: string) => {
      const a = parseAttackSpec(text)
      return a.definition.omniscient(a.options)
    }
    assert.deepEqual(
      [
        'label-flip',
        'backdoor',
        'gaussian',
        'sign-flip',
        'scaling',
        'scaling:base=own',
        'alie',
        'ipm',
        'min-max',
        'min-sum',
        'free-rider',
      ].map(omniscient),
      [false, false, false, false, true, false, true, true, true, true, false],
    )
  })
})

describe('label flipping', () => {
  it('reverses by default, flips binary labels, and maps listed pairs only', () => {
    assert.deepEqual(parseLabelMapping('reverse', 10), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
    assert.deepEqual(parseLabelMapping('reverse', 2), [1, 0])
    assert.deepEqual(parseLabelMapping('7>1/3>8', 10), [0, 1, 2, 8, 4, 5, 6, 1, 8, 9])
    assert.deepEqual(flippedClasses(parseLabelMapping('7>1/3>8', 10)), [3, 7])
    assert.throws(() => parseLabelMapping('12>1', 10), /class 12 .* not in 0\.\.9/)
  })
  it('relabels a copy and leaves the original untouched', () => {
    const data = images(20, 4, 10)
    const flipped = flipLabels(data, parseLabelMapping('reverse', 10), 1, createSeededRng(1))
    for (let i = 0; i < data.n; i++) assert.equal(flipped.y[i], 9 - data.y[i]!)
    assert.equal(data.y[3], 3)
    const partial = flipLabels(data, parseLabelMapping('reverse', 10), 0.5, createSeededRng(1))
    const changed = [...partial.y].filter((y, i) => y !== data.y[i]).length
    assert.ok(changed > 3 && changed < 17, `about half changed: ${changed}`)
  })
})

describe('backdoor', () => {
  it('stamps a white square at the default bottom-right position', () => {
    const data = images(3, 8, 10)
    const g = triggerGeometry(data, { size: 2, x: -1, y: -1, target: 0 })
    assert.deepEqual([g.side, g.x, g.y, g.value], [8, 5, 5, 0.6000000238418579])
    const x = new Float32Array(64)
    stampTrigger(x, 0, g)
    const lit = [...x.keys()].filter((i) => x[i] !== 0)
    assert.deepEqual(lit, [5 * 8 + 5, 5 * 8 + 6, 6 * 8 + 5, 6 * 8 + 6])
  })
  it('poisons the requested fraction and builds the attack-success test set without the target class', () => {
    const data = images(100, 8, 10)
    const g = triggerGeometry(data, { size: 3, x: 0, y: 0, target: 2 })
    const poisoned = poisonWithBackdoor(data, g, 1, createSeededRng(3))
    assert.ok([...poisoned.y].every((y) => y === 2))
    assert.equal(poisoned.x[0], g.value)
    assert.notEqual(data.x[1], g.value, 'the original is not modified')
    const triggered = triggeredTestSet(data, g)
    assert.equal(triggered.n, 90, 'the 10 rows of the target class are left out')
    assert.equal(triggered.x[2 * 8 + 2], g.value)
  })
  it('refuses data that is not square images and triggers that do not fit', () => {
    const tabular = { ...images(2, 4, 2), d: 15, x: new Float32Array(30) }
    assert.throws(
      () => triggerGeometry(tabular, { size: 2, x: -1, y: -1, target: 0 }),
      /needs square images/,
    )
    assert.throws(
      () => triggerGeometry(images(2, 4, 2), { size: 4, x: 2, y: 0, target: 0 }),
      /does not fit a 4×4 image/,
    )
    assert.throws(
      () => triggerGeometry(images(2, 4, 2), { size: 1, x: 0, y: 0, target: 5 }),
      /target 5 is not a class/,
    )
  })
})

describe('model poisoning', () => {
  const own = new Float64Array([1, -2, 3])
  const honest = [new Float64Array([1, 1, 1]), new Float64Array([3, 1, 5])]
  const rng = () => createSeededRng(9)
  it('sign flip, scaling, IPM and boosting are exact', () => {
    assert.deepEqual(
      [
        ...craftUpdate(
          parseAttackSpec('sign-flip:scale=2'),
          { own, participants: 10, attackers: 1 },
          rng(),
        ),
      ],
      [-2, 4, -6],
    )
    assert.deepEqual(
      [
        ...craftUpdate(
          parseAttackSpec('scaling'),
          { own, honest, participants: 10, attackers: 3 },
          rng(),
        ),
      ],
      [-8, -4, -12],
    )
    assert.deepEqual(
      [
        ...craftUpdate(
          parseAttackSpec('scaling:factor=10,base=own'),
          { own, participants: 10, attackers: 1 },
          rng(),
        ),
      ],
      [10, -20, 30],
    )
    assert.deepEqual(
      [
        ...craftUpdate(
          parseAttackSpec('ipm:epsilon=0.5'),
          { own, honest, participants: 10, attackers: 3 },
          rng(),
        ),
      ],
      [-1, -0.5, -1.5],
    )
    assert.deepEqual(
      [
        ...craftUpdate(
          parseAttackSpec('backdoor:boost=5'),
          { own, participants: 10, attackers: 1 },
          rng(),
        ),
      ],
      [5, -10, 15],
    )
  })
  it('ALIE sends μ − z·σ with z from n and f', () => {
    // honest: μ = (2, 1, 3), σ (population) = (1, 0, 2); n = 10, f = 3 → s = 3, z = Φ⁻¹(0.7)
    const z = normalQuantile(0.7)
    const out = craftUpdate(
      parseAttackSpec('alie'),
      { own, honest, participants: 10, attackers: 3 },
      rng(),
    )
    assert.ok(
      Math.abs(out[0]! - (2 - z)) < 1e-12 &&
        out[1] === 1 &&
        Math.abs(out[2]! - (3 - 2 * z)) < 1e-12,
    )
    assert.ok(Math.abs(z - 0.5244005127080407) < 1e-8)
    assert.equal(alieZ(10, 3), z)
    const fixed = craftUpdate(
      parseAttackSpec('alie:z=1.5'),
      { own, honest, participants: 10, attackers: 3 },
      rng(),
    )
    assert.equal(fixed[0], 0.5)
  })
  it('ALIE with jitter: each attacker adds its own jitter·σ·N(0, 1) per coordinate', () => {
    const knowledge = { own, honest, participants: 10, attackers: 3 }
    const plain = craftUpdate(parseAttackSpec('alie'), knowledge, rng())
    const a = craftUpdate(parseAttackSpec('alie:jitter=0.5'), knowledge, createSeededRng(1))
    const b = craftUpdate(parseAttackSpec('alie:jitter=0.5'), knowledge, createSeededRng(2))
    assert.notDeepEqual(a, b)
    // σ = 0 on coordinate 1: nothing to jitter there; elsewhere within a few σ/2 of ALIE.
    assert.equal(a[1], plain[1])
    assert.ok(a[0] !== plain[0] && Math.abs(a[0]! - plain[0]!) < 0.5 * 1 * 6)
  })
  it('Min-Max and Min-Sum push μ − γ·σ as far as their criterion allows', () => {
    // Honest 0, 1, 5: μ = 2, m = 2 − x with x = γ·σ. Min-Max: the farthest honest update (5)
    // may be at most 5 away (the largest honest distance) → x = 2, m = 0. Min-Sum: the
    // summed squares 14 + 3x² may reach 41 (update 5's own sum) → x = 3, m = −1.
    const knowledge = { own, honest: [[0], [1], [5]].map((r) => Float64Array.from(r)) }
    const sigma = Math.sqrt(14 / 3)
    const minMax = optimisedPerturbation(knowledge.honest, 'min-max')
    assert.ok(Math.abs(minMax.update[0]!) < 1e-9 && Math.abs(minMax.gamma - 2 / sigma) < 1e-9)
    const minSum = optimisedPerturbation(knowledge.honest, 'min-sum')
    assert.ok(Math.abs(minSum.update[0]! + 1) < 1e-9 && Math.abs(minSum.gamma - 3 / sigma) < 1e-9)
    const sent = craftUpdate(
      parseAttackSpec('min-sum'),
      { ...knowledge, participants: 5, attackers: 2 },
      rng(),
    )
    assert.ok(Math.abs(sent[0]! + 1) < 1e-9)
  })
  it('Gaussian noise has the requested scale and replays exactly from the seed', () => {
    const big = { own: new Float64Array(20_000), participants: 10, attackers: 1 }
    const a = craftUpdate(parseAttackSpec('gaussian:sigma=10'), big, rng())
    const sd = Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length)
    assert.ok(Math.abs(sd - 10) < 0.3, `sd ${sd}`)
    assert.deepEqual(a, craftUpdate(parseAttackSpec('gaussian:sigma=10'), big, rng()))
  })
  it('omniscient attacks refuse to run without the honest updates', () => {
    assert.throws(
      () => craftUpdate(parseAttackSpec('alie'), { own, participants: 10, attackers: 3 }, rng()),
      (e: unknown) =>
        e instanceof MsflError &&
        /needs the honest updates: run it in omniscient mode/.test(e.message),
    )
  })
  it('normal quantiles match known values', () => {
    for (const [p, q] of [
      [0.5, 0],
      [0.975, 1.959963984540054],
      [0.7, 0.5244005127080407],
      [0.01, -2.3263478740408408],
    ] as const)
      assert.ok(Math.abs(normalQuantile(p) - q) < 1e-8, `Φ⁻¹(${p}) = ${normalQuantile(p)}`)
  })
})

describe('choosing attackers', () => {
  const clients = Array.from({ length: 10 }, (_, i) => `do-${i}`)
  it('draws round(fraction·n) clients reproducibly and honours explicit ones', () => {
    const plan = planAttackers(
      { clients, attack: 'label-flip', malicious: 0.3 },
      createSeededRng(1),
    )
    assert.equal(plan.size, 3)
    assert.deepEqual(
      [...plan.keys()],
      [
        ...planAttackers(
          { clients, attack: 'label-flip', malicious: 0.3 },
          createSeededRng(1),
        ).keys(),
      ],
    )
    const mixed = planAttackers(
      { clients, malicious: 0, attackers: { 'do-4': 'backdoor', 'do-9': 'gaussian' } },
      createSeededRng(1),
    )
    assert.deepEqual(
      [...mixed].map(([id, a]) => `${id}:${a.name}`),
      ['do-4:backdoor', 'do-9:gaussian'],
    )
  })
  it('rejects inconsistent settings', () => {
    assert.throws(
      () => planAttackers({ clients, malicious: 0.3 }, createSeededRng(1)),
      /attack: required/,
    )
    assert.throws(
      () => planAttackers({ clients, attack: 'ipm', malicious: 0.01 }, createSeededRng(1)),
      /malicious: 0.01 of 10 clients is no attacker/,
    )
    assert.throws(
      () =>
        planAttackers({ clients, malicious: 0, attackers: { 'do-42': 'ipm' } }, createSeededRng(1)),
      /attackers.do-42: no such client/,
    )
  })
})
