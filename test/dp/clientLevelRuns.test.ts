import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { loadDataset } from '../../src/adapters/data/index.ts'
import { createCsprng } from '../../src/adapters/random/index.ts'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import { createProtection } from '../../src/cli/privacy/createProtection.ts'
import type { DatasetSplit } from '../../src/core/data/dataset.ts'
import { createClientLevelDp } from '../../src/core/dp/clientLevelDp.ts'
import { createDpFedAvg } from '../../src/core/dp/createDpFedAvg.ts'
import { findNoiseMultiplier } from '../../src/core/dp/findNoiseMultiplier.ts'
import { createRdpAccountant } from '../../src/core/dp/rdpAccountant.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'
import type { RunEvent } from '../../src/core/events/runEvent.ts'
import { createTrainingClient } from '../../src/core/fl/createTrainingClient.ts'
import { partitionClients } from '../../src/core/fl/partitionClients.ts'
import { evaluateModel } from '../../src/core/metrics/evaluateModel.ts'
import { createModel, parseModelSpec } from '../../src/core/model/createModel.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { planFederatedRun } from '../../src/runtime/config/planRun.ts'
import {
  type SimulationConfigInput,
  simulationConfigSchema,
} from '../../src/runtime/config/simulationConfig.ts'
import { createClientLevelRun } from '../../src/runtime/privacy/createClientLevelRun.ts'
import { runFederation } from '../../src/runtime/runFederation.ts'
import { runSimulation } from '../../src/runtime/runSimulation.ts'

let data: DatasetSplit

before(async () => {
  data = await loadDataset({ name: 'breast-cancer', options: {} }, 42)
})

async function simulate(input: SimulationConfigInput) {
  const events: RunEvent[] = []
  const config = simulationConfigSchema.parse({ dataset: 'breast-cancer', ...input })
  const result = await runSimulation({
    runId: 'client-dp',
    plan: planFederatedRun(config),
    data,
    createTransport: (handlers) => createMemoryTransport({ handlers }),
    createProtection,
    noiseRng: createCsprng,
    emit: (e) => events.push(e),
    now: () => 0,
  })
  return { result, events, privacy: result.privacy! }
}

/** ε after each of `sigmas.length` Gaussian rounds, from an accountant of our own. */
function expectedEpsilons(q: number, sigmas: readonly number[], delta: number): number[] {
  const accountant = createRdpAccountant({ delta })
  return sigmas.map(
    (sigma) => accountant.step(1, { samplingRate: q, noiseMultiplier: sigma }).epsilon,
  )
}

/** Client-level DP with distributed noise (t = 3) behind ckks, 6 clients, `honest` adding shares. */
function distributedCkksRun(rounds: number, honest: readonly string[]) {
  const plan = planFederatedRun(
    simulationConfigSchema.parse({
      clients: 6,
      rounds,
      privacy: 'dp:level=client,noise=distributed,min=3,epsilon=10,delta=1e-3+ckks',
    }),
  )
  if (plan.protocol !== 'protected' || plan.privacy.dp?.options.level !== 'client')
    throw new Error('expected client-level DP')
  return createClientLevelRun({
    dp: plan.privacy.dp.options,
    hiding: plan.privacy.hiding,
    minNoiseShares: plan.privacy.minNoiseShares,
    clients: 6,
    rounds,
    training: plan.engine.training,
    honest: new Set(honest),
    noiseRng: createCsprng,
  })
}

describe('client-level DP from --privacy', () => {
  it('central noise on the plain engine: σ calibrated to the budget, every round charged at (q, σ)', async () => {
    const { result, events, privacy } = await simulate({
      clients: 10,
      rounds: 5,
      privacy: 'dp:level=client,sampling=0.5,epsilon=4,delta=1e-3',
    })
    const sigma = findNoiseMultiplier({
      targetEpsilon: 4,
      delta: 1e-3,
      samplingRate: 0.5,
      steps: 5,
    })
    assert.equal(privacy.level, 'client')
    assert.equal(privacy.noise, 'central')
    assert.equal(privacy.samplingRate, 0.5)
    assert.equal(privacy.noiseMultiplier, sigma)
    assert.equal(privacy.minContributors, undefined)
    assert.equal(
      privacy.spec,
      'dp:level=client,epsilon=4,delta=0.001,clip=1,noise=central,sampling=0.5,min=0,sigma=0',
    )
    const perRound = Object.entries(privacy.epsilonPerRound!).map(([r, e]) => [Number(r), e])
    const expected = expectedEpsilons(0.5, Array(5).fill(sigma), 1e-3)
    assert.deepEqual(
      perRound.map(([r]) => r),
      [1, 2, 3, 4, 5],
    )
    for (const [i, [, epsilon]] of perRound.entries())
      assert.ok(Math.abs(epsilon! - expected[i]!) < 1e-12, `round ${i + 1}: ${epsilon}`)
    assert.equal(privacy.epsilon, perRound.at(-1)![1])
    assert.ok(privacy.epsilon! <= 4 && privacy.epsilon! > 3.99, `ε ${privacy.epsilon}`)
    assert.equal(privacy.delta, 1e-3)
    const started = events.find((e) => e.type === 'run-started')
    assert.equal(started?.type === 'run-started' && started.strategy, 'dp-fedavg(central)')
    // Wrapped clients report neither their row count nor their loss.
    for (const e of events)
      if (e.type === 'update-received') assert.deepEqual([e.numExamples, e.trainLoss], [1, 0])
    assert.ok(result.history.some((r) => r.accepted > 0))
  })

  it('a round that samples nobody still releases noise and is charged (plain engine)', async () => {
    const model = createModel(parseModelSpec('logistic', data.train.d, data.train.numClasses))
    const partition = partitionClients(data.train, 5, 'iid', createSeededRng(1))
    const clientDp = createClientLevelDp({
      clipNorm: 1,
      noiseMultiplier: 1,
      delta: 1e-3,
      clientSamplingRate: 1e-4,
      clients: 5,
      noise: 'central',
      simulation: true,
    })
    const handlers = new Map(
      partition.clients.map((c) => [
        c.id,
        createTrainingClient({ clientId: c.id, model, data: c.data, seed: 2 }),
      ]),
    )
    const training = { epochs: 1, batchSize: 16, learningRate: 0.05, momentum: 0 }
    const initialParams = model.init(createSeededRng(3))
    const result = await runFederation({
      runId: 'empty',
      strategy: createDpFedAvg({ training, clientDp, noiseRng: createSeededRng(4) }),
      transport: createMemoryTransport({ handlers }),
      clients: [...handlers.keys()],
      rounds: 3,
      initialParams,
      evaluate: (params) => evaluateModel(model, params, data.test),
      rng: createSeededRng(5),
      emit: () => {},
      now: () => 0,
    })
    assert.deepEqual(
      result.history.map((r) => [r.selected, r.accepted, r.trainLoss]),
      [
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ],
    )
    assert.deepEqual(
      clientDp.history().map((h) => [h.round, h.contributors]),
      [
        [1, 0],
        [2, 0],
        [3, 0],
      ],
    )
    assert.ok(
      result.params.some((v, j) => v !== initialParams[j]),
      'the noise moved the model',
    )
  })

  it('distributed noise under secagg: each released round is charged at q = 1 and σ·√(m/t), dropped rounds spend nothing', async () => {
    const { result, privacy } = await simulate({
      clients: 6,
      rounds: 6,
      privacy:
        'dp:level=client,noise=distributed,sampling=0.6,epsilon=20,delta=1e-3+secagg:t=3,clip=40',
    })
    const sigma = findNoiseMultiplier({ targetEpsilon: 20, delta: 1e-3, samplingRate: 1, steps: 6 })
    assert.equal(privacy.noise, 'distributed')
    assert.equal(privacy.minContributors, 3)
    assert.equal(privacy.noiseMultiplier, sigma)
    const released = result.history.filter((r) => r.accepted > 0)
    const expected = expectedEpsilons(
      1,
      released.map((r) => sigma * Math.sqrt(r.accepted / 3)),
      1e-3,
    )
    let previous = 0
    for (const record of result.history) {
      const epsilon = privacy.epsilonPerRound![record.round]!
      if (record.accepted === 0) {
        // Fewer than t = 3 sampled: nothing was unmasked and nothing spent.
        assert.ok(record.selected < 3, `round ${record.round} dropped with ${record.selected}`)
        assert.equal(record.excluded.length, record.selected)
        assert.equal(epsilon, previous)
      } else {
        assert.ok(record.accepted >= 3)
        const i = released.indexOf(record)
        assert.ok(Math.abs(epsilon - expected[i]!) < 1e-12, `round ${record.round}: ${epsilon}`)
        assert.ok(epsilon > previous)
      }
      previous = epsilon
    }
    assert.equal(privacy.epsilon, previous)
    assert.ok(privacy.epsilon! <= 20)
  })

  it('restore charges a released round at the σ its sum carried, a skipped round at σ, a dropped round not at all', () => {
    const run = distributedCkksRun(4, ['a', 'b', 'c', 'd', 'e', 'f'])
    const sigma = run.summary().noiseMultiplier
    run.restore([
      { round: 1, accepted: 4, excluded: [] },
      { round: 2, accepted: 0, excluded: ['a', 'b'] },
      { round: 3, accepted: 0, excluded: [], skipped: 'restarted' },
    ])
    assert.deepEqual(
      run.clientDp.history().map((h) => [h.round, h.contributors, h.noiseMultiplier]),
      [
        [1, 4, sigma * Math.sqrt(4 / 3)],
        [3, 0, sigma],
      ],
    )
    const reference = createRdpAccountant({ delta: 1e-3 })
    reference.step(1, { samplingRate: 1, noiseMultiplier: sigma * Math.sqrt(4 / 3) })
    reference.step(1, { samplingRate: 1, noiseMultiplier: sigma })
    assert.equal(run.summary().epsilon, reference.spent().epsilon)
  })

  it('ckks and paillier: a distributed round is combined only with at least min valid replies', () => {
    const run = distributedCkksRun(3, ['a', 'b', 'c'])
    const reply = (clientId: string, round = 2) => ({
      clientId,
      reply: { type: 'fit-protected', clientId, round, numExamples: 1, trainLoss: 0, payload: [] },
    })
    assert.equal(run.hooks.admits(2, [reply('a'), reply('b'), reply('c')]), true)
    assert.equal(run.hooks.admits(2, [reply('a'), reply('b')]), false)
    // Errors, stale rounds and impostors are no noise shares.
    const error = { clientId: 'c', reply: { type: 'error', clientId: 'c', message: 'x' } }
    assert.equal(run.hooks.admits(2, [reply('a'), reply('b'), error]), false)
    assert.equal(run.hooks.admits(2, [reply('a'), reply('b'), reply('c', 1)]), false)
    assert.equal(
      run.hooks.admits(2, [reply('a'), reply('b'), { ...reply('b'), clientId: 'c' }]),
      false,
    )
    // An attacker in the sum adds no share: two honest ones cannot carry σ.
    const aggregate = (ids: string[]) => ({
      weightedSum: new Float64Array(4),
      examples: ids.length,
      contributors: ids.map((clientId) => ({ clientId, numExamples: 1, trainLoss: 0 })),
      rejected: [],
      dropped: [],
      bytesPerClient: 0,
    })
    assert.throws(() => run.hooks.step(2, aggregate(['a', 'b', 'mallory'])), /only 2 noise shares/)
    assert.equal(run.hooks.step(2, aggregate(['a', 'b', 'c'])).length, 4)
    assert.deepEqual(
      run.clientDp.history().map((h) => [h.round, h.contributors]),
      [[2, 3]],
    )
  })

  it('stops before the round that would exceed the budget, naming it', async () => {
    const config = {
      clients: 5,
      rounds: 10,
      privacy: 'dp:level=client,sigma=2,epsilon=3,delta=1e-3',
    }
    // At σ = 2 and q = 1, three rounds cost 2.97 and a fourth would pass 3.
    const spent = expectedEpsilons(1, [2, 2, 2, 2], 1e-3)
    assert.ok(spent[2]! <= 3 && spent[3]! > 3, `${spent}`)
    await assert.rejects(
      simulate(config),
      (error: unknown) =>
        error instanceof MsflError &&
        /^privacy: dp epsilon=3 budget: round 4 at σ = 2 would take ε past it \(spent 2\.97\d+ in 3 rounds\)/.test(
          error.message,
        ),
    )
  })

  it('refuses run settings that break the guarantee, naming the option', async () => {
    for (const [input, pattern] of [
      [{ aggregator: 'krum' }, /dp level=client .*aggregator krum is refused/],
      [{ aggregator: 'median' }, /aggregator median is refused/],
      [{ strategy: 'fedsgd' }, /dp level=client .*strategy fedavg/],
      [{ sampling: { fraction: 0.5 } }, /dp sampling=q .*--fraction/],
      [
        { clients: 200, privacy: 'dp:level=client,delta=0.01' },
        /delta=0.01 is not below 1\/clients/,
      ],
      [
        { rounds: 100_000, privacy: 'dp:level=client,epsilon=0.01,delta=1e-12' },
        /^privacy: dp epsilon=0.01 cannot cover 100000 rounds: .*no noise multiplier up to 1000000/,
      ],
      [
        { privacy: 'dp:level=client,noise=distributed,min=3+secagg:t=3' },
        /secagg clip=1 would clamp the distributed noise shares .* set secagg clip=\d+ or more/,
      ],
      [
        { privacy: 'dp:level=client,noise=distributed,min=3+paillier' },
        /paillier range=1 would clamp .* set paillier range=\d+ or more/,
      ],
      [
        { privacy: 'dp:level=client,noise=distributed,min=8+ckks' },
        /dp level=client min=8 exceeds the 6 clients/,
      ],
    ] as const) {
      await assert.rejects(
        simulate({ clients: 6, rounds: 2, privacy: 'dp:level=client', ...input }),
        (error: unknown) => error instanceof MsflError && pattern.test(error.message),
        JSON.stringify(input),
      )
    }
  })
})
