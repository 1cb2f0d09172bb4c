import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import {
  msflComponentRule,
  msflRule,
  selectionShare,
} from '../../src/core/robust/msflComponentRule.ts'
import type { ComponentSelection } from '../../src/core/robust/robustRule.ts'
import { assertNear } from './fixtures.ts'

/** Updates whose component j holds columns[j][i] for owner i. */
const fromColumns = (...columns: number[][]) =>
  columns[0]!.map((_, i) => Float64Array.from(columns, (c) => c[i]!))

const owners = (selection: ComponentSelection, j: number) =>
  Array.from({ length: selection.t }, (_, i) => i).filter(
    (i) => selection.selected[j * selection.t + i] === 1,
  )

/** The rule exactly as the protocol states it: O(t²) per component. */
function reference(updates: Float64Array[], f: number) {
  const t = updates.length
  const keep = t - f
  return Array.from({ length: updates[0]!.length }, (_, j) => {
    const b = updates.map((u) => u[j]!)
    const s = b.map((bi, i) =>
      b
        .filter((_, k) => k !== i)
        .map((bk) => Math.abs(bi - bk))
        .sort((x, y) => x - y)
        .slice(0, t - f - 1)
        .reduce((a, x) => a + x, 0),
    )
    let c = 0
    for (let i = 1; i < t; i++) if (s[i]! < s[c]!) c = i
    const others = b
      .map((_, i) => i)
      .filter((i) => i !== c)
      .sort((x, y) => Math.abs(b[x]! - b[c]!) - Math.abs(b[y]! - b[c]!) || x - y)
    const chosen = [c, ...others.slice(0, keep - 1)].sort((x, y) => x - y)
    return { chosen, mean: chosen.reduce((a, i) => a + b[i]!, 0) / keep }
  })
}

describe('msflComponentRule', () => {
  it('centres on the smallest neighbour-distance sum, ties to the lowest owner', () => {
    // t = 5, f = 2: s sums the 2 nearest, 3 owners are kept. Owner values
    // 30, 4, 0, 3, 7: s = 30:23+26=49, 4:1+3=4, 0:3+4=7, 3:1+3=4, 7:3+4=7.
    // Owners 1 (4) and 3 (3) tie at 4 → centre owner 1 (value 4), whose three
    // nearest are 4, 3 (1) and 7 (3): owners 1, 3, 4, mean 14/3. (Centring on
    // owner 3 would have kept 3, 4, 0 instead.)
    const result = msflComponentRule(fromColumns([30, 4, 0, 3, 7]), 2)
    assert.deepEqual(owners(result.componentSelection!, 0), [1, 3, 4])
    assertNear(result.aggregate, [14 / 3])
  })
  it('breaks equal distances to the centre by lowest owner index', () => {
    // Values 5, 3, 7, 5, 100 with f = 2: s = 5:0+2 = 2 (both fives), 3:4, 7:4,
    // 100:188. Centre owner 0; the other five is at distance 0, then 3 and 7
    // tie at distance 2 → owner 1 (3). Kept: owners 0, 1, 3, mean 13/3.
    const result = msflComponentRule(fromColumns([5, 3, 7, 5, 100]), 2)
    assert.deepEqual(owners(result.componentSelection!, 0), [0, 1, 3])
    assertNear(result.aggregate, [13 / 3])
  })
  it('selects per component, so a deviating owner loses only where it deviates', () => {
    // t = 7, f = 2. Component 0: owner 0 sends 1000; s over 4 neighbours is
    // 8 for −1 and 1 (owners 1, 2), so owner 1 centres and keeps −1, −2, 1, −3, 2
    // (owners 1…5). Components 1–4: owner 0 sits at the centre 0 and is kept
    // with ±1, ±2 (owners 0…4).
    const honest = [0, -1, 1, -2, 2, -3, 3]
    const result = msflComponentRule(
      fromColumns([1000, ...honest.slice(1)], honest, honest, honest, honest),
      2,
    )
    const selection = result.componentSelection!
    assert.deepEqual(owners(selection, 0), [1, 2, 3, 4, 5])
    for (let j = 1; j < 5; j++) assert.deepEqual(owners(selection, j), [0, 1, 2, 3, 4])
    assertNear(result.aggregate, [-0.6, 0, 0, 0, 0])
    assert.deepEqual(selectionShare(selection), [0.8, 1, 1, 1, 1, 0.2, 0])
  })
  it('keeps exactly t − f owners per component and matches the protocol’s direct definition', () => {
    const rng = createSeededRng(5)
    for (let trial = 0; trial < 200; trial++) {
      const t = 2 + rng.nextInt(12)
      const f = rng.nextInt(Math.min(Math.ceil(t / 2) - 1, t - 2) + 1)
      const ints = trial % 2 === 0
      const updates = Array.from({ length: t }, () =>
        Float64Array.from({ length: 4 }, () =>
          ints ? rng.nextInt(5) : rng.next() < 0.1 ? 1e30 * (rng.next() - 0.5) : rng.normal(),
        ),
      )
      const result = msflComponentRule(updates, f)
      const expected = reference(updates, f)
      for (let j = 0; j < 4; j++) {
        const chosen = owners(result.componentSelection!, j)
        assert.equal(chosen.length, t - f)
        // With small integers every sum is exact, so even tie-breaking must agree.
        if (ints) assert.deepEqual(chosen, expected[j]!.chosen)
        assertNear([result.aggregate[j]!], [expected[j]!.mean], 1e-9)
      }
    }
  })
  it('needs f < t/2 and t ≥ f + 2', () => {
    const three = fromColumns([1, 2, 3])
    assert.throws(
      () => msflComponentRule(three, 2),
      (e) =>
        e instanceof MsflError &&
        e.code === 'CONFIG_INVALID' &&
        e.message === 'msfl needs n ≥ 2f + 1 and n ≥ f + 2 updates; got n = 3 with f = 2',
    )
    assert.throws(() => msflRule.assertTolerates(1, 0), /got n = 1 with f = 0/)
    assert.doesNotThrow(() => msflRule.assertTolerates(3, 1))
    assert.deepEqual(selectionShare({ selected: new Uint8Array(0), t: 2, components: 0 }), [0, 0])
  })
})
