import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createCsprng } from '../../src/adapters/random/index.ts'
import { createNodeSecaggCrypto } from '../../src/adapters/secagg-crypto/index.ts'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import type { Dataset } from '../../src/core/data/dataset.ts'
import type { FeatureScalingPlan } from '../../src/core/data/featureScaling.ts'
import { createDpTrainingClient } from '../../src/core/dp/createDpTrainingClient.ts'
import { calibrateDpSgd } from '../../src/core/dp/planDpSgd.ts'
import { STATISTICS_RELEASE } from '../../src/core/dp/statisticsRelease.ts'
import { createModel } from '../../src/core/model/createModel.ts'
import type { MessageHandler } from '../../src/core/ports/transport.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { createScalingOwner } from '../../src/core/scaling/createScalingOwner.ts'
import { agreeFeatureScaling } from '../../src/runtime/scaling/agreeFeatureScaling.ts'

const PLAN: FeatureScalingPlan = { features: [{ feature: 0, lo: 0, hi: 10 }] }

function dataset(values: readonly number[]): Dataset {
  return {
    name: 'toy',
    x: Float32Array.from(values.flatMap((v) => [v, 1])),
    y: new Float64Array(values.length),
    n: values.length,
    d: 2,
    numClasses: 2,
    classNames: ['a', 'b'],
    featureNames: ['v', 'flag=1'],
  }
}

const crypto = createNodeSecaggCrypto()
const owner = (id: string, values: readonly number[], soleOwner = false) =>
  createScalingOwner({
    clientId: id,
    data: dataset(values),
    plan: PLAN,
    session: 's/feature-statistics',
    crypto,
    soleOwner,
  })

describe('feature-scaling agreement', () => {
  it('standardises every owner with the statistics of all rows, learned only as a secure sum', async () => {
    const owners = new Map([
      ['a', owner('a', [1, 2, 3])],
      ['b', owner('b', [7, 8])],
      ['c', owner('c', [4])],
    ])
    const seen: unknown[] = []
    const inner = createMemoryTransport({ handlers: owners as ReadonlyMap<string, MessageHandler> })
    const agreement = await agreeFeatureScaling({
      session: 's/feature-statistics',
      transport: {
        request: async (to, message, options) => {
          const reply = await inner.request(to, message, options)
          seen.push(reply)
          return reply
        },
        stats: inner.stats,
      },
      owners: ['a', 'b', 'c'],
      plan: PLAN,
      maxRows: 3,
      threshold: 2,
      crypto,
      stageTimeoutMs: 10_000,
    })
    // Rows 1, 2, 3, 7, 8, 4: mean 25/6, population std √(143/6 − (25/6)²).
    const mean = 25 / 6
    const std = Math.sqrt(143 / 6 - mean ** 2)
    assert.ok(Math.abs(agreement.scaling.mean[0]! - mean) < 1e-6)
    assert.ok(Math.abs(agreement.scaling.std[0]! - std) < 1e-6)
    const b = owners.get('b')!.scaled()
    assert.ok(Math.abs(b.x[0]! - (7 - mean) / std) < 1e-5)
    // The one-hot column is untouched.
    assert.equal(b.x[1], 1)
    // No reply carries an owner's statistics in the clear.
    assert.ok(!seen.some((r) => (r as { type?: unknown }).type === 'feature-statistics'))
  })

  it('an owner among others refuses to send its statistics in the clear', async () => {
    const reply = (await owner('a', [1, 2]).handle({
      type: 'feature-statistics-request',
      session: 's/feature-statistics',
    })) as { type: string; message: string }
    assert.equal(reply.type, 'error')
    assert.match(reply.message, /secure aggregation only/)
  })

  it('a sole owner sends its statistics once; a second request is refused', async () => {
    const only = owner('a', [1, 3], true)
    const request = { type: 'feature-statistics-request', session: 's/feature-statistics' }
    const first = (await only.handle(request)) as { statistics: number[] }
    assert.deepEqual(first.statistics, [2, 0.4, 0.1])
    const second = (await only.handle(request)) as { type: string; message: string }
    assert.equal(second.type, 'error')
    assert.match(second.message, /already contributed/)
  })

  it('an owner rejects a scaling that no rows in the declared ranges could produce, and malformed ones', async () => {
    const only = owner('a', [1, 3], true)
    await only.handle({ type: 'feature-statistics-request', session: 's/feature-statistics' })
    const send = async (body: Record<string, unknown>) =>
      (await only.handle({
        type: 'feature-scaling',
        session: 's/feature-statistics',
        ...body,
      })) as {
        type: string
        message?: string
      }
    assert.match((await send({ mean: [11], std: [1] })).message!, /mean\.0 = 11 lies outside/)
    assert.match((await send({ mean: [2], std: [6] })).message!, /std\.0 = 6 is not in \[0, 5\]/)
    assert.match((await send({ mean: [2], std: ['x'] })).message!, /std\.0/)
    assert.match((await send({ mean: [2, 3], std: [1, 1] })).message!, /expected 1 means/)
    assert.throws(() => only.scaled(), /not been agreed/)
    assert.equal((await send({ mean: [2], std: [1] })).type, 'feature-scaling-applied')
    assert.deepEqual([...only.scaled().x], [-1, 1, 1, 1])
  })

  it('DP: the noisy statistics are charged to the owner’s budget before training', () => {
    const training = { epochs: 1, batchSize: 64 }
    const target = { n: 3000, training, rounds: 10, targetEpsilon: 3, delta: 1e-5 }
    const without = calibrateDpSgd(target)
    const withStatistics = calibrateDpSgd({ ...target, prior: [STATISTICS_RELEASE] })
    // The same budget leaves less for training: more noise per step.
    assert.ok(withStatistics > without, `${withStatistics} vs ${without}`)
    const model = createModel({ kind: 'logistic', inputDim: 2, outputDim: 1, hidden: [], l2: 0 })
    const client = createDpTrainingClient({
      clientId: 'a',
      model,
      data: dataset([1, 2]),
      dp: {
        clipNorm: 1,
        noiseMultiplier: withStatistics,
        delta: 1e-5,
        epsilonBudget: 3,
        prior: [STATISTICS_RELEASE],
      },
      rng: createCsprng(),
    })
    const spent = client.spent()
    assert.equal(spent.steps, 1)
    assert.ok(spent.epsilon > 0)
  })

  it('DP statistics noise needs a CSPRNG outside a declared simulation', () => {
    assert.throws(
      () =>
        createScalingOwner({
          clientId: 'a',
          data: dataset([1]),
          plan: PLAN,
          session: 's',
          crypto,
          noise: { multiplier: 8, rng: createSeededRng(1) },
        }),
      /needs a CSPRNG/,
    )
  })
})
