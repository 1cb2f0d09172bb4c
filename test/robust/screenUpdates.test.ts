import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { createRobustRule, ROBUST_RULE_NAMES } from '../../src/core/robust/createRobustRule.ts'
import { assertFiniteUpdates, screenUpdates } from '../../src/core/robust/screenUpdates.ts'
import { vec } from './fixtures.ts'

const protocol = (pattern: RegExp) => (e: unknown) =>
  e instanceof MsflError && e.code === 'PROTOCOL' && pattern.test(e.message)

describe('screenUpdates', () => {
  it('drops non-finite and wrongly sized updates with a reason and keeps the rest', () => {
    const updates = [
      vec(1, 2, 3),
      vec(1, Number.NaN, 3),
      vec(1, 2, Number.POSITIVE_INFINITY),
      vec(Number.NEGATIVE_INFINITY, 2, 3),
      vec(1, 2),
      vec(4, 5, 6),
    ]
    assert.deepEqual(screenUpdates(updates), {
      accepted: [0, 5],
      rejected: [
        { index: 1, reason: 'component 1 is NaN' },
        { index: 2, reason: 'component 2 is +Infinity' },
        { index: 3, reason: 'component 0 is -Infinity' },
        { index: 4, reason: 'has 2 values, expected 3' },
      ],
    })
  })
  it('takes the most common length as reference unless one is given', () => {
    // The first update is the odd one out: it must not redefine the model size.
    const updates = [vec(1, 2, 3, 4), vec(1, 2), vec(3, 4), vec(5, 6)]
    assert.deepEqual(screenUpdates(updates).accepted, [1, 2, 3])
    assert.deepEqual(screenUpdates(updates, 4), {
      accepted: [0],
      rejected: [1, 2, 3].map((index) => ({ index, reason: 'has 2 values, expected 4' })),
    })
    assert.deepEqual(screenUpdates([]), { accepted: [], rejected: [] })
  })
})

describe('assertFiniteUpdates', () => {
  it('names the update, the component and the value', () => {
    const updates = Array.from({ length: 5 }, () => new Float64Array(20))
    assert.doesNotThrow(() => assertFiniteUpdates(updates))
    updates[3]![17] = Number.NaN
    assert.throws(() => assertFiniteUpdates(updates), protocol(/^update 3 component 17 is NaN$/))
    updates[1]![2] = Number.NEGATIVE_INFINITY
    assert.throws(
      () => assertFiniteUpdates(updates),
      protocol(/^update 1 component 2 is -Infinity$/),
    )
  })
  it('is enforced by every rule, as are equal lengths and a non-empty round', () => {
    const good = Array.from({ length: 11 }, (_, i) => vec(i, -i))
    for (const name of ROBUST_RULE_NAMES) {
      const rule = createRobustRule(name, { f: 1 }, createSeededRng(1))
      // fltrust scores every update against the aggregator's own (here: the first).
      const reference = good[1]!
      assert.equal(rule.aggregate({ updates: good, f: 1, reference }).aggregate.length, 2, name)
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        const updates = good.map((u, i) => (i === 4 ? vec(0, bad) : u))
        assert.throws(
          () => rule.aggregate({ updates, f: 1 }),
          protocol(/update 4 component 1 is/),
          name,
        )
      }
      const ragged = good.map((u, i) => (i === 2 ? vec(1, 2, 3) : u))
      assert.throws(
        () => rule.aggregate({ updates: ragged, f: 1 }),
        protocol(/update 2 has 3 values, expected 2/),
        name,
      )
      assert.throws(() => rule.aggregate({ updates: [], f: 1 }), protocol(/no updates/), name)
    }
  })
})
