import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { atLeast, corroborate, gradeExcess, maxSeverity } from '../../src/core/adrm/severity.ts'

describe('severity', () => {
  const bands = { low: 2 / 3, high: 2 }
  it('grades by the ratio to the threshold', () => {
    assert.equal(gradeExcess(1.9, 3, bands), 'none')
    assert.equal(gradeExcess(2, 3, bands), 'low')
    assert.equal(gradeExcess(3, 3, bands), 'medium')
    assert.equal(gradeExcess(5.99, 3, bands), 'medium')
    assert.equal(gradeExcess(6, 3, bands), 'high')
    assert.equal(gradeExcess(100, 0, bands), 'none')
  })
  it('orders severities', () => {
    assert.equal(maxSeverity(['low', 'high', 'medium']), 'high')
    assert.equal(maxSeverity([]), 'none')
    assert.ok(atLeast('high', 'medium') && !atLeast('low', 'medium'))
  })
  it('makes enough agreeing medium findings high', () => {
    assert.equal(corroborate(['medium', 'medium'], 2), 'high')
    assert.equal(corroborate(['medium', 'low'], 2), 'medium')
    assert.equal(corroborate(['medium', 'medium'], 3), 'medium')
    assert.equal(corroborate(['medium', 'medium'], 0), 'medium')
  })
})
