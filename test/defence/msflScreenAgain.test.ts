import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { RunEvent } from '../../src/core/events/runEvent.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { createMsflScreen } from '../../src/runtime/defence/createMsflScreen.ts'

const OWNERS = ['do-0', 'do-1', 'do-2', 'do-3', 'do-4', 'do-5', 'do-6', 'do-7']

/** A round's masked gradients: honest owners near a shared direction, do-7 pushing the other way. */
function roundOf(seed: number, attackerScale: number): Float64Array[] {
  const rng = createSeededRng(seed)
  const direction = Float64Array.from({ length: 40 }, () => rng.normal())
  return OWNERS.map((id) =>
    direction.map((v) => (id === 'do-7' ? -attackerScale * v : v) + 0.1 * rng.normal()),
  )
}

function screenOf(events: RunEvent[]) {
  let clock = 1_000
  return createMsflScreen({
    runId: 'run',
    spec: 'adrm:labels=none',
    seed: 5,
    emit: (event) => events.push(event),
    now: () => (clock += 10),
  })
}

describe('the MS-FL requestor screening a round again (its provider restarted and ran it again)', () => {
  it('screens it as if for the first time: the same state as a screen that only ever saw the second attempt', () => {
    const [r1, r2, r2again, r3] = [roundOf(1, 4), roundOf(2, 4), roundOf(20, 0.2), roundOf(3, 4)]
    const reference = screenOf([])
    reference.screen(1, OWNERS, r1)
    reference.screen(2, OWNERS, r2again)
    const expected3 = reference.screen(3, OWNERS, r3)

    const events: RunEvent[] = []
    const screened = screenOf(events)
    screened.screen(1, OWNERS, r1)
    const first = screened.screen(2, OWNERS, r2)
    const emittedBefore = events.length
    const again = screened.screen(2, OWNERS, r2again)
    // The first attempt's verdict is forgotten: round 2 now stands as the second attempt saw it.
    assert.deepEqual([...screened.setAside(2)], again)
    assert.deepEqual(
      screened.summary().inspections.map((r) => r.round),
      [1, 2],
      'round 2 inspected once',
    )
    const actual3 = screened.screen(3, OWNERS, r3)
    assert.deepEqual(actual3, expected3)
    const summary = screened.summary()
    const expected = reference.summary()
    assert.deepEqual(summary.inspections, expected.inspections)
    assert.deepEqual(summary.blocks, expected.blocks)
    assert.deepEqual(summary.adrm, expected.adrm)
    // The replay of round 1 is silent: only the second attempt of round 2 reported anew.
    assert.ok(
      events.slice(emittedBefore).every((e) => (e as { round?: number }).round !== 1),
      JSON.stringify(events.slice(emittedBefore)),
    )
    // The test is not vacuous: the two attempts of round 2 were judged differently.
    assert.notDeepEqual(first, again)
  })
})
