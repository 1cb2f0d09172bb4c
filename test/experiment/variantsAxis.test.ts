import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsflError } from '../../src/core/errors/msflError.ts'
import {
  type ExperimentMatrix,
  expandMatrix,
  experimentMatrixSchema,
} from '../../src/runtime/config/experimentMatrix.ts'
import { EXPERIMENT_PRESETS, NON_IID_DEFENCE } from '../../src/runtime/config/experimentPresets.ts'
import { simulationConfigSchema } from '../../src/runtime/config/simulationConfig.ts'

const base = {
  dataset: 'digits',
  model: 'softmax',
  clients: 4,
  rounds: 5,
  training: { epochs: 1, batchSize: 16, learningRate: 0.05, momentum: 0.9 },
}

function matrix(extra: Record<string, unknown> = {}): ExperimentMatrix {
  return experimentMatrixSchema.parse({
    name: 'm',
    base,
    aggregators: ['fedavg', 'median'],
    attacks: ['none', 'label-flip'],
    malicious: [0.25],
    privacy: ['none', 'ckks'],
    seeds: [1, 2],
    ...extra,
  })
}

function configError(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    assert.ok(error instanceof MsflError, String(error))
    assert.equal(error.code, 'CONFIG_INVALID')
    return error.message
  }
  assert.fail('expected a CONFIG_INVALID error')
}

describe('experiment matrix variants', () => {
  it('without variants expands exactly as before: base + axes, variant empty', () => {
    const m = matrix()
    assert.equal(m.variants, undefined, 'no default is injected into the matrix')
    const cells = expandMatrix(m)
    // 2 seeds × (clean + 1 attack × 1 fraction) × 2 rules × 2 protections
    assert.equal(cells.length, 16)
    for (const cell of cells) {
      assert.equal(cell.variant, '')
      const expected = simulationConfigSchema.parse({
        ...base,
        aggregator: cell.aggregator,
        seed: cell.seed,
        malicious: cell.malicious,
        ...(cell.attack === 'none' ? {} : { attack: cell.attack }),
        ...(cell.privacy === 'none' ? {} : { privacy: cell.privacy }),
      })
      assert.deepEqual(cell.config, expected)
    }
    assert.deepEqual(
      cells.map((c) => c.index),
      cells.map((_, i) => i),
    )
  })

  it('merges each variant over base, nested objects key by key, and crosses it with every axis', () => {
    const cells = expandMatrix(
      matrix({
        variants: [
          { name: 'plain digits', set: {} },
          {
            name: 'breast cancer',
            set: {
              dataset: 'breast-cancer',
              model: 'logistic',
              rounds: 9,
              training: { learningRate: 0.5 },
            },
          },
        ],
      }),
    )
    assert.equal(cells.length, 32)
    const of = (variant: string) => cells.filter((c) => c.variant === variant)
    assert.equal(of('plain digits').length, 16)
    assert.equal(of('breast cancer').length, 16)
    for (const cell of of('plain digits')) {
      assert.equal(cell.config.dataset, 'digits')
      assert.equal(cell.config.rounds, 5)
    }
    for (const cell of of('breast cancer')) {
      assert.equal(cell.config.dataset, 'breast-cancer')
      assert.equal(cell.config.model, 'logistic')
      assert.equal(cell.config.rounds, 9)
      // The untouched training fields still come from base.
      assert.deepEqual(cell.config.training, {
        epochs: 1,
        batchSize: 16,
        learningRate: 0.5,
        momentum: 0.9,
      })
    }
    const combos = new Set(of('breast cancer').map((c) => `${c.aggregator}|${c.privacy}|${c.seed}`))
    assert.equal(combos.size, 8, 'every rule × protection × seed')
  })

  it('names the variant field at fault, and base fields as base', () => {
    const variants = (set: Record<string, unknown>) => ({
      variants: [
        { name: 'ok', set: {} },
        { name: 'bad', set },
      ],
    })
    assert.match(
      configError(() => expandMatrix(matrix(variants({ training: { learningRate: -1 } })))),
      /^variants\[1\]\.set\.training\.learningRate: .*\(variant bad, /,
    )
    assert.match(
      configError(() => expandMatrix(matrix(variants({ rounds: 0 })))),
      /^variants\[1\]\.set\.rounds: /,
    )
    assert.match(
      configError(() => expandMatrix(matrix(variants({ bogus: 1 })))),
      /^variants\[1\]\.set\.bogus: /,
    )
    assert.match(
      configError(() => expandMatrix(matrix(variants({ partition: 'nope' })))),
      /^variants\[1\]\.set\.partition: must be iid, natural/,
    )
    // A fault in base stays base's, even when a variant sets a sibling field.
    assert.match(
      configError(() =>
        expandMatrix(
          matrix({
            base: { ...base, training: { ...base.training, momentum: 2 } },
            ...variants({ training: { learningRate: 0.1 } }),
          }),
        ),
      ),
      /^base\.training\.momentum: /,
    )
  })

  it('refuses variants that set an axis, and duplicate names', () => {
    assert.match(
      configError(() =>
        expandMatrix(matrix({ variants: [{ name: 'x', set: { privacy: 'ckks' } }] })),
      ),
      /^variants\[0\]\.set\.privacy: is set by the matrix's privacy axis/,
    )
    assert.match(
      configError(() =>
        expandMatrix(matrix({ clients: [4], variants: [{ name: 'x', set: { clients: 3 } }] })),
      ),
      /^variants\[0\]\.set\.clients: /,
    )
    // Without a clients axis a variant may choose its own number of owners.
    const own = expandMatrix(matrix({ variants: [{ name: 'x', set: { clients: 3 } }] }))
    assert.ok(own.every((c) => c.clients === 3))
    const parsed = experimentMatrixSchema.safeParse({
      aggregators: ['fedavg'],
      attacks: ['none'],
      malicious: [0.1],
      variants: [
        { name: 'a', set: {} },
        { name: 'a', set: {} },
      ],
    })
    assert.equal(parsed.success, false)
    assert.deepEqual(parsed.error?.issues[0]?.path, ['variants', 1, 'name'])
  })

  it('seed-004 pairs each dataset with its model: 4 variants × plain and Paillier, 20 owners', () => {
    const cells = expandMatrix(EXPERIMENT_PRESETS['seed-004']!)
    assert.equal(cells.length, 8)
    const byVariant = new Map(cells.map((c) => [c.variant, c.config]))
    assert.equal(byVariant.size, 4)
    for (const cell of cells) assert.equal(cell.clients, 20)
    assert.deepEqual([...new Set(cells.map((c) => c.privacy))], ['none', 'paillier:bits=2048'])
    const iot = cells.find((c) => c.config.dataset.startsWith('synthetic'))!.config
    assert.match(iot.dataset, /devices=20/)
    assert.equal(iot.partition, 'natural')
    assert.equal(iot.rounds, 100)
    const models = cells.map((c) => `${c.config.dataset} ${c.config.model}`)
    assert.ok(models.includes('nsl-kdd:labels=binary logistic'))
    assert.ok(models.includes('nsl-kdd softmax'))
    assert.ok(models.some((m) => /^nsl-kdd mlp/.test(m)))
  })

  it('non-iid: 5 skewed federations × (clean + 9 attacks × 2 shares) × FedAvg and one defence × 3 seeds', () => {
    const cells = expandMatrix(EXPERIMENT_PRESETS['non-iid']!)
    assert.equal(cells.length, 5 * (1 + 9 * 2) * 2 * 3)
    assert.deepEqual([...new Set(cells.map((c) => c.aggregator))], ['fedavg', NON_IID_DEFENCE])
    assert.deepEqual([...new Set(cells.map((c) => c.malicious))], [0, 0.2, 0.4])
    for (const cell of cells) assert.equal(cell.clients, 20)
    const federations = new Set(
      cells.map((c) => `${c.config.dataset} ${c.config.model} ${c.config.partition}`),
    )
    assert.deepEqual([...federations].sort(), [
      'mnist mlp:hidden=128 dirichlet:0.1',
      'mnist mlp:hidden=128 dirichlet:0.5',
      'mnist softmax dirichlet:0.1',
      'mnist softmax dirichlet:0.5',
      'nsl-kdd softmax dirichlet:0.5',
    ])
    for (const attack of ['alie:jitter=0.1', 'min-max', 'min-sum', 'ipm:epsilon=0.1'])
      assert.ok(
        cells.some((c) => c.attack === attack),
        attack,
      )
  })
})
