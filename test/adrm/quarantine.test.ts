import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createQuarantine, type QuarantinedUpdate } from '../../src/core/adrm/quarantine.ts'

const entry = (round: number, clientId: string): QuarantinedUpdate => ({
  round,
  at: round * 1000,
  clientId,
  numExamples: 10,
  update: Float64Array.of(round, 1),
  severity: 'high',
  reasons: [{ detector: 'distance-z', value: 9, threshold: 3, severity: 'high', detail: '9σ' }],
})

describe('quarantine', () => {
  it('holds flagged updates with their reasons, retrievable by round and client', () => {
    const q = createQuarantine(10)
    assert.deepEqual(q.hold(entry(1, 'a')), { held: 1 })
    q.hold(entry(1, 'b'))
    assert.equal(q.get(1, 'b')!.reasons[0]!.detector, 'distance-z')
    assert.deepEqual([...q.get(1, 'a')!.update], [1, 1])
    assert.equal(q.get(2, 'a'), undefined)
    assert.deepEqual(
      q.list().map((e) => e.clientId),
      ['a', 'b'],
    )
  })
  it('releases an entry once, for an operator to decide on', () => {
    const q = createQuarantine(10)
    q.hold(entry(1, 'a'))
    assert.equal(q.release(1, 'a')!.clientId, 'a')
    assert.equal(q.release(1, 'a'), undefined)
    assert.equal(q.counts().held, 0)
    assert.equal(q.counts().total, 1)
  })
  it('stays within capacity, dropping the oldest, and keeps true totals', () => {
    const q = createQuarantine(2)
    q.hold(entry(1, 'a'))
    q.hold(entry(2, 'a'))
    const third = q.hold(entry(3, 'b'))
    assert.equal(third.held, 2)
    assert.equal(third.evicted!.round, 1)
    assert.deepEqual(q.counts(), { held: 2, total: 3, evicted: 1, perClient: { a: 2, b: 1 } })
    assert.equal(q.get(1, 'a'), undefined)
  })
})
