import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createModel, parseModelSpec } from '../../src/core/model/createModel.ts'
import type { ModelSpec } from '../../src/core/model/model.ts'

const invalid = (message: RegExp) => ({ name: 'MsflError', code: 'MODEL_INVALID', message })

describe('parseModelSpec', () => {
  it('parses every kind and option', () => {
    assert.deepEqual(parseModelSpec('linear', 4, 0), {
      kind: 'linear',
      inputDim: 4,
      outputDim: 1,
      hidden: [],
      l2: 0,
    })
    assert.equal(parseModelSpec('linear', 4, 2).outputDim, 1)
    assert.equal(parseModelSpec('logistic', 4, 2).outputDim, 1)
    assert.deepEqual(parseModelSpec('softmax:l2=0.0001', 784, 10), {
      kind: 'softmax',
      inputDim: 784,
      outputDim: 10,
      hidden: [],
      l2: 0.0001,
    })
    assert.deepEqual(parseModelSpec('mlp', 784, 10).hidden, [128])
    assert.deepEqual(parseModelSpec('mlp:hidden=128', 784, 10).hidden, [128])
    const deep = parseModelSpec(' mlp:hidden=256x128,l2=1e-4 ', 784, 10)
    assert.deepEqual(deep.hidden, [256, 128])
    assert.equal(deep.l2, 1e-4)
    assert.deepEqual(parseModelSpec('mlp:l2=0:hidden=32', 8, 3).hidden, [32])
    assert.equal(parseModelSpec('logistic:l2=0.5', 3, 2).l2, 0.5)
  })

  it('names unknown kinds and options and lists the valid ones', () => {
    assert.throws(
      () => parseModelSpec('cnn', 4, 2),
      invalid(/'cnn'.*valid kinds: linear, logistic, softmax, mlp/),
    )
    assert.throws(
      () => parseModelSpec('softmax:hidden=3', 4, 3),
      invalid(/'hidden'.*valid options: l2/),
    )
    assert.throws(
      () => parseModelSpec('mlp:lr=3', 4, 3),
      invalid(/'lr'.*valid options: hidden, l2/),
    )
    assert.throws(() => parseModelSpec('mlp:hidden', 4, 3), invalid(/'hidden'.*needs a value/))
    assert.throws(() => parseModelSpec('mlp:l2=1,l2=2', 4, 3), invalid(/'l2' is given twice/))
    assert.throws(() => parseModelSpec('softmax:', 4, 3), invalid(/empty option/))
  })

  it('rejects malformed values', () => {
    assert.throws(
      () => parseModelSpec('mlp:hidden=256-128', 4, 3),
      invalid(/hidden='256-128'.*'x'/),
    )
    assert.throws(() => parseModelSpec('mlp:hidden=0', 4, 3), invalid(/hidden='0'/))
    assert.throws(() => parseModelSpec('mlp:hidden=', 4, 3), invalid(/hidden=''/))
    assert.throws(() => parseModelSpec('softmax:l2=-1', 4, 3), invalid(/l2='-1'/))
    assert.throws(() => parseModelSpec('softmax:l2=abc', 4, 3), invalid(/l2='abc'/))
    assert.throws(() => parseModelSpec('softmax:l2=', 4, 3), invalid(/l2=''/))
  })

  it('checks the class count against the kind', () => {
    assert.throws(
      () => parseModelSpec('logistic', 4, 3),
      invalid(/logistic needs numClasses 1 or 2/),
    )
    assert.throws(() => parseModelSpec('logistic', 4, 0), invalid(/logistic needs numClasses/))
    assert.throws(() => parseModelSpec('linear', 4, 5), invalid(/linear needs numClasses 0/))
    assert.throws(() => parseModelSpec('softmax', 4, 1), invalid(/softmax needs numClasses >= 2/))
    assert.throws(() => parseModelSpec('mlp', 4, 0), invalid(/mlp needs numClasses >= 2/))
    assert.throws(() => parseModelSpec('softmax', 0, 3), invalid(/inputDim/))
  })
})

describe('createModel', () => {
  const base: ModelSpec = { kind: 'mlp', inputDim: 4, outputDim: 3, hidden: [5], l2: 0 }

  it('builds each kind with the expected parameter count', () => {
    assert.equal(createModel(base).numParams, 4 * 5 + 5 + 5 * 3 + 3)
    assert.equal(createModel({ ...base, kind: 'softmax', hidden: [] }).numParams, 4 * 3 + 3)
    assert.equal(createModel({ ...base, kind: 'logistic', outputDim: 1, hidden: [] }).numParams, 5)
    assert.equal(createModel({ ...base, kind: 'linear', outputDim: 1, hidden: [] }).numParams, 5)
  })

  it('validates every field', () => {
    assert.throws(() => createModel({ ...base, kind: 'rnn' as 'mlp' }), invalid(/kind 'rnn'/))
    assert.throws(() => createModel({ ...base, inputDim: 2.5 }), invalid(/inputDim/))
    assert.throws(() => createModel({ ...base, outputDim: 1 }), invalid(/outputDim/))
    assert.throws(
      () => createModel({ ...base, kind: 'logistic', hidden: [] }),
      invalid(/outputDim/),
    )
    assert.throws(() => createModel({ ...base, hidden: [] }), invalid(/hidden/))
    assert.throws(() => createModel({ ...base, hidden: [5, -1] }), invalid(/hidden\[1\]/))
    assert.throws(() => createModel({ ...base, kind: 'softmax' }), invalid(/hidden must be empty/))
    assert.throws(() => createModel({ ...base, l2: Number.NaN }), invalid(/l2/))
    assert.throws(() => createModel({ ...base, hidden: [100000, 100000] }), invalid(/parameters/))
  })

  it('initialises weights with zero biases, deterministically per seed', async () => {
    const { createSeededRng } = await import('../../src/core/rng/seededRng.ts')
    const model = createModel({ ...base, hidden: [64], inputDim: 100 })
    const a = model.init(createSeededRng(5))
    assert.deepEqual(a, model.init(createSeededRng(5)))
    for (let j = 6400; j < 6464; j++) assert.equal(a[j], 0)
    let sq = 0
    for (let j = 0; j < 6400; j++) sq += a[j]! ** 2
    // He scaling: variance 2 / fan_in = 0.02.
    assert.ok(Math.abs(sq / 6400 - 0.02) < 0.002)
  })
})
