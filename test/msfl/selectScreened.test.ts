import assert from 'node:assert/strict'
import { it } from 'node:test'
import { selectContributions, selectScreened } from '../../src/core/msfl/selectContributions.ts'
import { createRobustRule } from '../../src/core/robust/createRobustRule.ts'

const values = [0, 1, 2, 3, 4, 5, 6].map((i) =>
  Float64Array.of(i === 6 ? 50 : i * 0.01, i === 5 ? -40 : 1 + i * 0.01),
)
const rule = createRobustRule('multi-krum', { f: 2 })

it('owners set aside by the detection stage are selected on no component; the rest as the rule chose', () => {
  const plain = selectContributions(rule, values, 2)
  const screened = selectScreened(rule, values, 2, (i) => i === 0 || i === 6, 2)
  const t = values.length
  for (let j = 0; j < 2; j++)
    for (let i = 0; i < t; i++)
      assert.equal(screened[j * t + i], i === 0 || i === 6 ? 0 : plain[j * t + i], `${j},${i}`)
  assert.ok(plain[0]! === 1, 'owner 0 was selected before screening: the test can fail')
})

it('refuses a round in which every owner was set aside', () => {
  assert.throws(() => selectScreened(rule, values, 2, () => true, 2), /every owner was set aside/)
})
