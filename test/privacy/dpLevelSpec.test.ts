import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { parsePrivacySpec } from '../../src/core/privacy/parsePrivacySpec.ts'

const dpOptions = (text: string): Readonly<Record<string, unknown>> => ({
  ...parsePrivacySpec(text).find((p) => p.name === 'dp')!.options,
})

describe('--privacy dp levels', () => {
  it('sample level keeps exactly its three options, whether level is given or not', () => {
    const expected = { epsilon: 2, delta: 1e-5, clip: 1 }
    assert.deepEqual(dpOptions('dp:epsilon=2'), expected)
    assert.deepEqual(dpOptions('dp:level=sample,epsilon=2'), expected)
    assert.deepEqual(dpOptions('dp:epsilon=2+ckks'), expected)
  })

  it('client level resolves its options with their defaults', () => {
    assert.deepEqual(dpOptions('dp:level=client'), {
      level: 'client',
      epsilon: 3,
      delta: 1e-5,
      clip: 1,
      noise: 'central',
      sampling: 1,
      min: 0,
      sigma: 0,
    })
    const d = dpOptions('dp:level=client,noise=distributed,sampling=0.25,clip=2+secagg:t=5,clip=30')
    assert.deepEqual([d['noise'], d['sampling'], d['clip'], d['min']], ['distributed', 0.25, 2, 0])
  })

  it('accepts the meaningful combinations', () => {
    for (const text of [
      'dp:level=client,sampling=0.1',
      'dp:level=client+secagg',
      'dp:level=client+ckks',
      'dp:level=client+paillier',
      'dp:level=client,noise=distributed+secagg:t=4',
      'dp:level=client,noise=distributed,min=3+secagg:t=4',
      'dp:level=client,noise=distributed,sampling=0.5+secagg:t=4',
      'dp:level=client,noise=distributed,min=2+ckks',
      'dp:level=client,noise=distributed,min=5+paillier',
    ])
      assert.doesNotThrow(() => parsePrivacySpec(text), text)
  })

  it('refuses the others, naming the option', () => {
    for (const [text, pattern] of [
      ['dp:noise=central', /^privacy: dp option 'noise' needs level=client$/],
      ['dp:sampling=0.5', /dp option 'sampling' needs level=client/],
      ['dp:sigma=1', /dp option 'sigma' needs level=client/],
      ['dp:level=client,min=3', /dp min applies to noise=distributed only/],
      ['dp:level=client,noise=distributed', /noise=distributed needs ckks, paillier, secagg/],
      ['dp:level=client,noise=distributed+secagg', /noise=distributed needs secagg t=/],
      ['dp:level=client,noise=distributed,min=5+secagg:t=4', /dp min=5 exceeds secagg t=4/],
      ['dp:level=client,noise=distributed+ckks', /noise=distributed with ckks needs min=t ≥ 2/],
      ['dp:level=client,noise=distributed,min=1+paillier', /with paillier needs min=t ≥ 2/],
      ['dp:level=client,sampling=0.5+ckks', /dp sampling=0.5 with noise=central needs sampling=1/],
      ['dp:level=client,sampling=0', /option 'sampling' must be a number in 0.0001..1, got 0/],
      ['dp:level=client,sampling=2', /option 'sampling' must be a number in 0.0001..1, got 2/],
      ['dp:level=client,noise=local', /option 'noise' must be one of central, distributed/],
      ['dp:level=user', /option 'level' must be one of sample, client/],
      ['dp:level=client,min=1.5', /option 'min' must be an integer/],
    ] as const)
      assert.throws(
        () => parsePrivacySpec(text),
        (error: unknown) => error instanceof MsflError && pattern.test(error.message),
        text,
      )
  })
})
