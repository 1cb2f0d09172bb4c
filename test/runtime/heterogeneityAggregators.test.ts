import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { loadDataset } from '../../src/adapters/data/index.ts'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import { parseDatasetSpec } from '../../src/core/data/parseDatasetSpec.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'
import type { FitResult } from '../../src/core/fl/messages.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { planFederatedRun } from '../../src/runtime/config/planRun.ts'
import {
  type SimulationConfigInput,
  simulationConfigSchema,
} from '../../src/runtime/config/simulationConfig.ts'
import { createStrategy } from '../../src/runtime/createStrategy.ts'
import { runSimulation } from '../../src/runtime/runSimulation.ts'

const digits = await loadDataset(parseDatasetSpec('digits'), 42)
const engineOf = (input: SimulationConfigInput) =>
  planFederatedRun(simulationConfigSchema.parse({ clients: 6, ...input })).engine
const configInvalid = (pattern: RegExp) => (e: unknown) =>
  e instanceof MsflError && e.code === 'CONFIG_INVALID' && pattern.test(e.message)
const federation = { clients: 6, numParams: 2 }
const replies = (vectors: number[][]): FitResult[] =>
  vectors.map((v, i) => ({
    type: 'fit-result',
    round: 1,
    clientId: `do-${i}`,
    kind: 'params',
    vector: Float64Array.from(v),
    numExamples: 1,
    trainLoss: 0,
  }))

describe('bucketing, flame and fltrust in the runtime', () => {
  it('refuses a randomised rule without an Rng, and fltrust without a server update', () => {
    for (const aggregator of ['bucketing:s=2,rule=median,f=1', 'flame'])
      assert.throws(
        () => createStrategy(engineOf({ aggregator }), federation),
        configInvalid(/draws random numbers when it aggregates, and this runtime gives it no Rng/),
      )
    assert.throws(
      () => createStrategy(engineOf({ aggregator: 'fltrust' }), federation, createSeededRng(1)),
      configInvalid(/fltrust needs a server update from clean data the aggregator holds/),
    )
    assert.throws(
      () => engineOf({ aggregator: 'fltrust', strategy: 'fedsgd' }),
      configInvalid(/^aggregator: fltrust .* fedsgd sends gradients/),
    )
  })
  it('hands fltrust the server update from the global parameters, every round', () => {
    const seen: Float64Array[] = []
    const strategy = createStrategy(
      engineOf({ aggregator: 'fltrust' }),
      federation,
      createSeededRng(1),
      (params) => {
        seen.push(params)
        return Float64Array.from([1, 0])
      },
    )
    // Global [1, 1]; changes [1, 0] (trusted, cos 1) and [−2, 0] (cos −1: ignored).
    const outcome = strategy.aggregate(
      1,
      Float64Array.from([1, 1]),
      replies([
        [2, 1],
        [-1, 1],
      ]),
    )
    assert.deepEqual([...outcome.params], [2, 1])
    assert.deepEqual(outcome.excluded, ['do-1'])
    assert.deepEqual(
      seen.map((p) => [...p]),
      [[1, 1]],
    )
  })
  const simulate = (aggregator: string, attack: string, malicious: number) =>
    runSimulation({
      runId: `heterogeneity-${aggregator}`,
      plan: planFederatedRun(
        simulationConfigSchema.parse({
          dataset: 'digits',
          model: 'softmax',
          clients: 8,
          rounds: 4,
          partition: 'dirichlet:0.3',
          training: { epochs: 1, batchSize: 16, learningRate: 0.1, momentum: 0.5 },
          aggregator,
          attack,
          malicious,
          seed: 3,
        }),
      ),
      data: digits,
      createTransport: (handlers) => createMemoryTransport({ handlers }),
      emit: () => {},
      now: () => 0,
    })
  const finalAccuracy = (r: Awaited<ReturnType<typeof simulate>>) =>
    r.history.at(-1)!.test.accuracy!

  it('fltrust in a simulation: the requestor’s held-out rows anchor it against a sign-flipping half', async () => {
    const trusted = finalAccuracy(await simulate('fltrust', 'sign-flip:scale=3', 0.5))
    const undefended = finalAccuracy(await simulate('fedavg', 'sign-flip:scale=3', 0.5))
    assert.ok(trusted > undefended + 0.2, `fltrust ${trusted} vs fedavg ${undefended}`)
  })
  it('bucketing and flame draw from the simulation’s seeded Rng: a run replays exactly', async () => {
    for (const aggregator of ['bucketing:s=2,rule=median,f=1', 'flame']) {
      const once = (await simulate(aggregator, 'gaussian', 0.25)).history
      const again = (await simulate(aggregator, 'gaussian', 0.25)).history
      assert.deepEqual(
        again.map((r) => r.test.accuracy),
        once.map((r) => r.test.accuracy),
        aggregator,
      )
    }
  })
})
