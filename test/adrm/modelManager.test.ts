import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createModelManager } from '../../src/core/adrm/modelManager.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'

const params = (x: number) => Float64Array.of(x, x + 0.5, -x)

describe('model manager', () => {
  it('accepts the first model and every model that does not drop by more than the margin', () => {
    const models = createModelManager({ margin: 0.05, keep: 5 })
    assert.deepEqual(models.consider(0, params(0), 0.1).kind, 'accepted')
    assert.equal(models.consider(1, params(1), 0.9).kind, 'accepted')
    // 0.90 → 0.85 is exactly the margin (0.05000000000000004 in floating point): kept.
    const decision = models.consider(2, params(2), 0.85)
    assert.equal(decision.kind, 'accepted')
    assert.equal(decision.kind === 'accepted' && decision.version, 2)
    assert.equal(models.current()!.validationAccuracy, 0.85)
  })
  it('rolls back a drop larger than the margin to exactly the earlier parameters', () => {
    const models = createModelManager({ margin: 0.05, keep: 5 })
    const good = params(1)
    models.consider(0, params(0), 0.1)
    models.consider(1, good, 0.9)
    good[0] = 99 // the manager keeps its own copy
    const decision = models.consider(2, params(2), 0.8499)
    assert.equal(decision.kind, 'rolled-back')
    if (decision.kind !== 'rolled-back') return
    assert.deepEqual([...decision.params], [...params(1)])
    assert.deepEqual(
      { ...decision, params: undefined },
      {
        kind: 'rolled-back',
        fromVersion: 2,
        toVersion: 1,
        params: undefined,
        accuracyBefore: 0.9,
        accuracyAfter: 0.8499,
        margin: 0.05,
      },
    )
    // The returned copy is the caller's: changing it changes nothing held.
    decision.params[1] = 42
    assert.deepEqual([...models.restore(1)!], [...params(1)])
    // The rejected model is recorded but not restorable, and the current version stays 1.
    assert.deepEqual(models.versions().at(-1), {
      version: 2,
      round: 2,
      validationAccuracy: 0.8499,
      status: 'rolled-back',
      restorable: false,
    })
    assert.equal(models.current()!.version, 1)
    // The next model is compared with version 1 again.
    assert.equal(models.consider(3, params(3), 0.88).kind, 'accepted')
  })
  it('keeps parameters for the last `keep` accepted versions only', () => {
    const models = createModelManager({ margin: 0.05, keep: 2 })
    for (let v = 0; v < 4; v++) models.consider(v, params(v), 0.5)
    assert.equal(models.restore(0), undefined)
    assert.equal(models.restore(1), undefined)
    assert.deepEqual([...models.restore(3)!], [...params(3)])
    assert.deepEqual(
      models.versions().map((s) => s.restorable),
      [false, false, true, true],
    )
  })
  it('refuses a non-numeric accuracy and a keep below 1', () => {
    const models = createModelManager({ margin: 0.05, keep: 1 })
    assert.throws(
      () => models.consider(1, params(1), Number.NaN),
      (e) => e instanceof MsflError && e.code === 'PROTOCOL',
    )
    assert.throws(
      () => createModelManager({ margin: 0.05, keep: 0 }),
      /versions must be at least 1/,
    )
  })
})
