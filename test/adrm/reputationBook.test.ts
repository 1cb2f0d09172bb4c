import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  createReputationBook,
  DEFAULT_REPUTATION,
  type ReputationConfig,
} from '../../src/core/adrm/reputationBook.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'

const at = (round: number, ms = 0) => ({ round, at: ms })

describe('reputation book', () => {
  it('starts at 100, loses 25 per high and 10 per medium detection, never below 0', () => {
    const book = createReputationBook({ ...DEFAULT_REPUTATION, blockOnHigh: false, blockBelow: 0 })
    assert.equal(book.reputation('a'), 100)
    const notices = book.penalise('a', 'high', at(1), 'distance-z 9σ')
    assert.deepEqual(notices, [
      {
        type: 'reputation-changed',
        round: 1,
        clientId: 'a',
        from: 100,
        to: 75,
        reason: 'distance-z 9σ',
      },
    ])
    book.penalise('a', 'medium', at(2), 'x')
    assert.equal(book.reputation('a'), 65)
    for (let r = 3; r < 8; r++) book.penalise('a', 'high', at(r), 'x')
    assert.equal(book.reputation('a'), 0)
    assert.deepEqual(book.penalise('a', 'low', at(9), 'x'), [])
  })
  it('recovers slowly per clean round, never above 100', () => {
    const book = createReputationBook({ ...DEFAULT_REPUTATION, blockOnHigh: false, blockBelow: 0 })
    book.penalise('a', 'high', at(1), 'x')
    for (let r = 2; r <= 6; r++) book.recover('a', at(r))
    assert.equal(book.reputation('a'), 85)
    for (let r = 7; r <= 20; r++) book.recover('a', at(r))
    assert.equal(book.reputation('a'), 100)
    assert.deepEqual(book.recover('a', at(21)), [])
  })
  it('blocks after a high detection for N rounds, then lifts the block keeping the reputation', () => {
    const book = createReputationBook(DEFAULT_REPUTATION)
    const notices = book.penalise('a', 'high', at(4), 'norm 900× the median')
    const blocked = notices.find((n) => n.type === 'client-blocked')!
    assert.deepEqual(blocked, {
      type: 'client-blocked',
      round: 4,
      clientId: 'a',
      reason: 'high-severity detection: norm 900× the median',
      reputation: 75,
      untilRound: 7,
    })
    // Out for rounds 5 and 6 (block = 2), back in round 7.
    assert.ok(book.isBlocked('a', at(5)) && book.isBlocked('a', at(6)))
    assert.deepEqual(book.expire(at(6)), [])
    assert.equal(book.isBlocked('a', at(7)), false)
    assert.deepEqual(book.expire(at(7)), [
      {
        type: 'client-unblocked',
        round: 7,
        clientId: 'a',
        reason: 'block expired',
        reputation: 75,
      },
    ])
    assert.equal(book.block('a'), undefined)
  })
  it('blocks when a penalty leaves the reputation below the threshold', () => {
    const book = createReputationBook({ ...DEFAULT_REPUTATION, blockOnHigh: false })
    for (let r = 1; r <= 5; r++) {
      book.penalise('a', 'medium', at(r), 'x')
      assert.equal(book.isBlocked('a', at(r + 1)), false, `round ${r}`)
    }
    // 100 − 5 × 10 = 50: not below 50 yet.
    assert.equal(book.block('a'), undefined)
    const notices = book.penalise('a', 'medium', at(6), 'x')
    assert.match(
      notices.find((n) => n.type === 'client-blocked')!.reason,
      /reputation 40 fell below 50/,
    )
  })
  it('expires blocks on a virtual clock in milliseconds', () => {
    const config: ReputationConfig = { ...DEFAULT_REPUTATION, blockRounds: 0, blockMs: 120_000 }
    const book = createReputationBook(config)
    const blocked = book
      .penalise('a', 'high', at(1, 1_000), 'x')
      .find((n) => n.type === 'client-blocked')!
    assert.equal(blocked.type === 'client-blocked' && blocked.untilAt, 121_000)
    assert.ok(blocked.type === 'client-blocked' && blocked.untilRound === undefined)
    // Rounds pass, the clock does not: still blocked.
    assert.ok(book.isBlocked('a', at(50, 120_999)))
    assert.equal(book.expire(at(50, 120_999)).length, 0)
    assert.equal(book.expire(at(50, 121_000)).length, 1)
  })
  it('with rounds and milliseconds, waits for both', () => {
    const book = createReputationBook({ ...DEFAULT_REPUTATION, blockRounds: 2, blockMs: 60_000 })
    book.penalise('a', 'high', at(1, 0), 'x')
    assert.ok(book.isBlocked('a', at(3, 100_000)), 'rounds not yet passed')
    assert.ok(book.isBlocked('a', at(9, 59_999)), 'time not yet passed')
    assert.equal(book.isBlocked('a', at(4, 60_000)), false)
  })
  it('blocks repeat offenders longer', () => {
    const book = createReputationBook(DEFAULT_REPUTATION)
    const until = (round: number) => {
      const n = book.penalise('a', 'high', at(round), 'x').find((x) => x.type === 'client-blocked')
      return n?.type === 'client-blocked' ? n.untilRound : undefined
    }
    assert.equal(until(1), 4) // 2 rounds
    assert.equal(until(4), 9) // 4 rounds
    assert.equal(until(9), 18) // 8 rounds
    assert.equal(book.block('a')!.offence, 3)
    const flat = createReputationBook({ ...DEFAULT_REPUTATION, escalation: 1 })
    flat.penalise('a', 'high', at(1), 'x')
    const second = flat.penalise('a', 'high', at(4), 'x').find((x) => x.type === 'client-blocked')
    assert.equal(second?.type === 'client-blocked' && second.untilRound, 7)
  })
  it('lets an operator unblock, keeping the reputation', () => {
    const book = createReputationBook(DEFAULT_REPUTATION)
    book.penalise('a', 'high', at(1), 'x')
    assert.deepEqual(book.unblock('a', at(2), 'reviewed'), [
      { type: 'client-unblocked', round: 2, clientId: 'a', reason: 'reviewed', reputation: 75 },
    ])
    assert.equal(book.isBlocked('a', at(2)), false)
    assert.deepEqual(book.unblock('a', at(2), 'again'), [])
    assert.deepEqual(book.snapshot(), { reputations: { a: 75 }, blocks: [] })
  })
  it('refuses a block without a length', () => {
    assert.throws(
      () => createReputationBook({ ...DEFAULT_REPUTATION, blockRounds: 0, blockMs: 0 }),
      (e) => e instanceof MsflError && e.code === 'CONFIG_INVALID' && /block-ms/.test(e.message),
    )
  })
})
