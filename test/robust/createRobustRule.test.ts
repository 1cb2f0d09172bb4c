import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { createRobustRule, ROBUST_RULE_NAMES } from '../../src/core/robust/createRobustRule.ts'
import { assertNear, updatesOf } from './fixtures.ts'

const configInvalid = (pattern: RegExp) => (e: unknown) =>
  e instanceof MsflError && e.code === 'CONFIG_INVALID' && pattern.test(e.message)

describe('createRobustRule', () => {
  it('parses every documented spec', () => {
    const cases: [string, string, string][] = [
      ['fedavg', 'fedavg', 'fedavg:f=1'],
      ['krum', 'krum', 'krum:f=1'],
      ['krum:f=2', 'krum', 'krum:f=2'],
      ['multi-krum:f=2,m=5', 'multi-krum', 'multi-krum:f=2,m=5'],
      ['median', 'median', 'median:f=1'],
      ['trimmed-mean:f=2', 'trimmed-mean', 'trimmed-mean:f=2'],
      ['trimmed-mean:beta=0.2', 'trimmed-mean', 'trimmed-mean:f=1,beta=0.2'],
      ['bulyan:f=1', 'bulyan', 'bulyan:f=1'],
      [
        'centered-clipping:tau=1,iterations=3',
        'centered-clipping',
        'centered-clipping:f=1,tau=1,iterations=3',
      ],
      ['norm-bound:max=2.5', 'norm-bound', 'norm-bound:f=1,max=2.5'],
      ['geomed:iterations=50', 'geomed', 'geomed:f=1,iterations=50'],
      ['msfl:f=3', 'msfl', 'msfl:f=3'],
      ['  Krum : f = 2 ', 'krum', 'krum:f=2'],
    ]
    for (const [text, name, spec] of cases) {
      const rule = createRobustRule(text, { f: 1 })
      assert.equal(rule.name, name, text)
      assert.equal(rule.spec, spec, text)
      assert.ok(rule.citation.length > 20 && rule.tolerance.length > 0, text)
    }
    assert.deepEqual(
      ROBUST_RULE_NAMES.filter(
        (n) => createRobustRule(n, { f: 0 }, createSeededRng(1)).byzantineRobust,
      ),
      [
        'krum',
        'multi-krum',
        'median',
        'trimmed-mean',
        'bulyan',
        'centered-clipping',
        'geomed',
        'cosine-clustering',
        'flame',
        'bucketing',
        'fltrust',
        'msfl',
      ],
    )
  })
  it('binds f: the spec’s value, else the default, whatever input.f says', () => {
    // Values 0, 1, 2, 3, 100: Krum with f = 1 picks 1 (see krum.test.ts); multi-krum
    // averages n − f updates, so f decides how many.
    const updates = updatesOf([0], [1], [2], [3], [100])
    const mk = createRobustRule('multi-krum:f=1', { f: 0 })
    assert.equal(mk.assumedF(5), 1)
    assert.equal(mk.declaredF, 1)
    assert.deepEqual(mk.aggregate({ updates, f: 0 }).selected, [0, 1, 2, 3])
    const byDefault = createRobustRule('multi-krum', { f: 1 })
    assert.deepEqual(byDefault.aggregate({ updates, f: 0 }).selected, [0, 1, 2, 3])
    assert.throws(
      () => createRobustRule('krum', { f: 2 }).aggregate({ updates, f: 0 }),
      /got n = 5 with f = 2/,
    )
    assertNear(
      createRobustRule('norm-bound:max=1', { f: 0 }).aggregate({ updates, f: 0 }).aggregate,
      [(0 + 1 + 1 + 1 + 1) / 5],
    )
  })
  it('rejects unknown rules and options, listing what is valid', () => {
    assert.throws(
      () => createRobustRule('krumm', { f: 0 }),
      configInvalid(
        /^aggregator: unknown rule 'krumm'.*valid rules: fedavg, krum, multi-krum, median, trimmed-mean, bulyan, centered-clipping, norm-bound, geomed, cosine-clustering, flame, bucketing, fltrust, msfl$/,
      ),
    )
    assert.throws(() => createRobustRule('', { f: 0 }), configInvalid(/unknown rule ''/))
    assert.throws(
      () => createRobustRule('krum:m=3', { f: 0 }),
      configInvalid(/^aggregator: krum has no option 'm'; valid options: f$/),
    )
    assert.throws(
      () => createRobustRule('krum:constructor=1', { f: 0 }),
      configInvalid(/krum has no option 'constructor'/),
    )
    assert.throws(
      () => createRobustRule('geomed:iters=3', { f: 0 }),
      configInvalid(/valid options: f, iterations, tolerance, smoothing/),
    )
  })
  it('rejects bad values, repeats and contradictions', () => {
    const bad: [string, RegExp][] = [
      ['krum:f=-1', /krum: f must be a non-negative integer; got '-1'/],
      ['krum:f=1.5', /got '1.5'/],
      ['krum:f=two', /got 'two'/],
      ['krum:f=', /option 'f' needs one value/],
      ['krum:f', /option 'f' needs one value/],
      ['krum:f=1=2', /option 'f' needs one value/],
      ['krum:', /has a ':' but no options/],
      ['krum:f=1,f=2', /option 'f' is given twice/],
      ['multi-krum:m=0', /m must be a positive integer/],
      ['trimmed-mean:beta=0.5', /beta must be a number in \[0, 0.5\)/],
      ['trimmed-mean:f=1,beta=0.2', /takes f or beta, not both/],
      ['centered-clipping:tau=0', /tau must be a positive number/],
      ['norm-bound:max=Infinity', /max must be a positive number/],
      ['geomed:iterations=2.5', /iterations must be a positive integer/],
    ]
    for (const [text, pattern] of bad)
      assert.throws(() => createRobustRule(text, { f: 0 }), configInvalid(pattern), text)
    assert.throws(
      () => createRobustRule('krum', { f: -1 }),
      configInvalid(/aggregator: f must be a non-negative integer/),
    )
  })
  it('creates a fresh centered-clipping state per call', () => {
    const updates = updatesOf([1], [2], [100])
    const a = createRobustRule('centered-clipping:tau=3,iterations=1', { f: 1 })
    assertNear(a.aggregate({ updates, f: 1 }).aggregate, [2])
    assertNear(a.aggregate({ updates, f: 1 }).aggregate, [8 / 3])
    const b = createRobustRule('centered-clipping:tau=3,iterations=1', { f: 1 })
    assertNear(b.aggregate({ updates, f: 1 }).aggregate, [2])
  })
})
