import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import { createClientLevelDp } from '../../src/core/dp/clientLevelDp.ts'
import { l2Norm } from '../../src/core/dp/clipToNorm.ts'
import { createDpFedAvg } from '../../src/core/dp/createDpFedAvg.ts'
import { createRdpAccountant } from '../../src/core/dp/rdpAccountant.ts'
import { wrapClientLevelDp } from '../../src/core/dp/wrapClientLevelDp.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { createTrainingClient } from '../../src/core/fl/createTrainingClient.ts'
import { partitionClients } from '../../src/core/fl/partitionClients.ts'
import { evaluateModel } from '../../src/core/metrics/evaluateModel.ts'
import { createModel } from '../../src/core/model/createModel.ts'
import type { MessageHandler } from '../../src/core/ports/transport.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { runFederation } from '../../src/runtime/runFederation.ts'
import { blobs } from '../model/fixtures.ts'

function std(values: ArrayLike<number>): number {
  let mean = 0
  for (let i = 0; i < values.length; i++) mean += values[i]! / values.length
  let sq = 0
  for (let i = 0; i < values.length; i++) sq += (values[i]! - mean) ** 2
  return Math.sqrt(sq / values.length)
}

const base = {
  clipNorm: 2,
  noiseMultiplier: 1.5,
  delta: 1e-5,
  clientSamplingRate: 0.25,
  clients: 40,
  simulation: true,
} as const

describe('client-level DP', () => {
  it('clips every update to S; central noise is added once, at the server, on the sum', () => {
    const dp = createClientLevelDp({ ...base, noise: 'central' })
    const rng = createSeededRng(1)
    const big = new Float64Array(4000).map(() => 10 * rng.normal())
    const clipped = dp.privatizeUpdate(big, rng)
    assert.ok(Math.abs(l2Norm(clipped) - 2) < 1e-9)
    const small = new Float64Array([0.1, -0.2])
    assert.deepEqual(dp.privatizeUpdate(small, rng), small, 'short updates are untouched')

    const update = dp.finishRound(1, new Float64Array(4000), 7, createSeededRng(2))
    // (0 + N(0, σ²S²)) / (q·K): std σ·S/(q·K) = 1.5·2/10.
    assert.ok(Math.abs(std(update) / 0.3 - 1) < 0.05, `std ${std(update)}`)
    const reference = createRdpAccountant({ samplingRate: 0.25, noiseMultiplier: 1.5, delta: 1e-5 })
    assert.ok(Math.abs(dp.spent().epsilon - reference.step(1).epsilon) < 1e-12)
    assert.deepEqual(
      dp.history().map((h) => [h.round, h.contributors, h.noiseMultiplier]),
      [[1, 7, 1.5]],
    )
  })

  it('restore composes the rounds a previous server released, so a resumed run spends exactly what an uninterrupted one does', () => {
    const uninterrupted = createClientLevelDp({ ...base, noise: 'distributed', minContributors: 9 })
    uninterrupted.finishRound(1, new Float64Array(3), 9)
    uninterrupted.finishRound(2, new Float64Array(3), 16)
    const resumed = createClientLevelDp({ ...base, noise: 'distributed', minContributors: 9 })
    resumed.restore(
      uninterrupted.history().map(({ round, contributors, noiseMultiplier }) => ({
        round,
        contributors,
        noiseMultiplier,
      })),
    )
    assert.deepEqual(resumed.history(), uninterrupted.history())
    uninterrupted.finishRound(3, new Float64Array(3), 9)
    resumed.finishRound(3, new Float64Array(3), 9)
    assert.equal(resumed.spent().epsilon, uninterrupted.spent().epsilon)
    // Only before any new round, and never below the job's σ (that would undercount).
    assert.throws(() => resumed.restore([]), /restore the past rounds first/)
    const fresh = createClientLevelDp({ ...base, noise: 'central' })
    assert.throws(
      () => fresh.restore([{ round: 1, contributors: 3, noiseMultiplier: 1 }]),
      /below the job's σ = 1.5/,
    )
  })

  it('distributed noise: each share has variance σ²S²/t; fewer than t shares are refused; more are accounted at σ·√(m/t) without sampling amplification', () => {
    const dp = createClientLevelDp({ ...base, noise: 'distributed', minContributors: 9 })
    const share = dp.privatizeUpdate(new Float64Array(20000), createSeededRng(3))
    assert.ok(Math.abs(std(share) / ((1.5 * 2) / 3) - 1) < 0.03, `std ${std(share)}`)
    assert.throws(
      () => dp.finishRound(1, new Float64Array(3), 8),
      (e: unknown) => e instanceof MsflError && e.code === 'PROTOCOL',
    )
    assert.equal(dp.spent().steps, 0, 'a dropped round spends nothing')
    const sum = new Float64Array([10, -10, 0])
    assert.deepEqual(Array.from(dp.finishRound(2, sum, 16)), [1, -1, 0], 'no server noise, / q·K')
    const reference = createRdpAccountant({ delta: 1e-5 })
    // The server knows who took part: no amplification by sampling (q = 1).
    reference.step(1, { samplingRate: 1, noiseMultiplier: 1.5 * Math.sqrt(16 / 9) })
    assert.ok(Math.abs(dp.spent().epsilon - reference.spent().epsilon) < 1e-12)
    assert.throws(() => createClientLevelDp({ ...base, noise: 'distributed' }), MsflError)
  })

  it('Poisson-samples clients at rate q and refuses predictable randomness outside simulations', () => {
    const dp = createClientLevelDp({ ...base, noise: 'central' })
    const ids = Array.from({ length: 40 }, (_, i) => `c${i}`)
    const rng = createSeededRng(4)
    let total = 0
    for (let r = 0; r < 500; r++) total += dp.sampleClients(ids, rng).length
    assert.ok(Math.abs(total / 500 - 10) < 0.5, `mean ${total / 500}`)
    const real = createClientLevelDp({ ...base, noise: 'central', simulation: false })
    assert.throws(() => real.sampleClients(ids, createSeededRng(1)), /CSPRNG/)
    assert.throws(() => real.finishRound(1, new Float64Array(2), 3, createSeededRng(1)), /CSPRNG/)
  })

  for (const noise of ['central', 'distributed'] as const) {
    it(`DP-FedAvg (${noise}) learns blobs across 40 clients, reports ε per round and stops at the budget`, async () => {
      const rng = createSeededRng(11)
      const train = blobs(rng, 2400, 4, 3)
      const test = blobs(rng, 600, 4, 3)
      const model = createModel({ kind: 'softmax', inputDim: 4, outputDim: 3, hidden: [], l2: 0 })
      const partition = partitionClients(train, 40, 'iid', createSeededRng(12))
      const dp = createClientLevelDp({
        ...base,
        noise,
        // Distributed noise gets no amplification against the server, so ε grows faster.
        epsilonBudget: noise === 'central' ? 8 : 40,
        ...(noise === 'distributed' ? { minContributors: 5 } : {}),
      })
      const handlers = new Map<string, MessageHandler>()
      partition.clients.forEach((c, i) => {
        const inner = createTrainingClient({ clientId: c.id, model, data: c.data, seed: 5 })
        // Every client draws its own noise share: shared seeds would add up coherently.
        handlers.set(c.id, wrapClientLevelDp(inner, dp, createSeededRng(1000 + i)))
      })
      const training = { epochs: 2, batchSize: 20, learningRate: 0.5, momentum: 0 }
      const strategy = createDpFedAvg({ training, clientDp: dp, noiseRng: createSeededRng(13) })
      const result = await runFederation({
        runId: 'dp',
        strategy,
        transport: createMemoryTransport({ handlers }),
        clients: partition.clients.map((c) => c.id),
        rounds: 15,
        initialParams: model.init(createSeededRng(14)),
        evaluate: (p) => evaluateModel(model, p, test),
        rng: createSeededRng(15),
        emit: () => {},
        now: () => 0,
      })
      assert.ok(result.final.accuracy! >= 0.9, `accuracy ${result.final.accuracy}`)
      const history = dp.history()
      // Distributed rounds with fewer than t shares are dropped: nothing released, nothing spent.
      const released = result.history.filter((r) => r.excluded.length === 0)
      assert.equal(history.length, released.length)
      assert.ok(released.length >= (noise === 'central' ? 15 : 10))
      for (let i = 1; i < history.length; i++)
        assert.ok(history[i]!.epsilon > history[i - 1]!.epsilon)
      assert.ok(dp.spent().epsilon <= dp.options.epsilonBudget!)
      // Keep planning rounds until the budget says no: the strategy refuses the next one.
      while (!dp.wouldExceedBudget())
        dp.finishRound(99, new Float64Array(15), 40, createSeededRng(1))
      assert.throws(
        () => strategy.configureRound(100, ['a'], createSeededRng(1)),
        /the next round would exceed ε/,
      )
    })
  }
})
