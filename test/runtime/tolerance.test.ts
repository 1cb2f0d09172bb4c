import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import { DEFAULT_SYNTHETIC_OPTIONS, generateSynthetic } from '../../src/core/data/synthetic.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'
import type { RunEvent } from '../../src/core/events/runEvent.ts'
import { createTrainingClient } from '../../src/core/fl/createTrainingClient.ts'
import type { FitResult } from '../../src/core/fl/messages.ts'
import { partitionClients } from '../../src/core/fl/partitionClients.ts'
import { evaluateModel } from '../../src/core/metrics/evaluateModel.ts'
import { createModel, parseModelSpec } from '../../src/core/model/createModel.ts'
import type { MessageHandler } from '../../src/core/ports/transport.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { planFederatedRun } from '../../src/runtime/config/planRun.ts'
import {
  type SimulationConfigInput,
  simulationConfigSchema,
} from '../../src/runtime/config/simulationConfig.ts'
import { createStrategy } from '../../src/runtime/createStrategy.ts'
import { runFederation } from '../../src/runtime/runFederation.ts'

const plan = (input: SimulationConfigInput) =>
  planFederatedRun(simulationConfigSchema.parse({ clients: 10, ...input }))
const configInvalid = (pattern: RegExp) => (e: unknown) =>
  e instanceof MsflError && e.code === 'CONFIG_INVALID' && pattern.test(e.message)

/** n replies of 3 parameters each: the values do not matter, the rule's assumed f does. */
const replies = (n: number): FitResult[] =>
  Array.from({ length: n }, (_, i) => ({
    type: 'fit-result',
    round: 1,
    clientId: `do-${i}`,
    kind: 'params',
    vector: new Float64Array([i, -i, 1]),
    numExamples: 1,
    trainLoss: 0,
  }))
const assumed = (input: SimulationConfigInput, n: number) =>
  createStrategy(plan(input).engine, { clients: 10, numParams: 3 }).aggregate(
    1,
    new Float64Array(3),
    replies(n),
  ).robustness

describe('--tolerate: a robust rule’s f from a declared share, not from the attackers', () => {
  it('f = floor(tolerate · n) of the updates the rule combines; 0.3 when nothing is declared', () => {
    assert.deepEqual(assumed({ aggregator: 'median' }, 10), { n: 10, f: 3 })
    assert.deepEqual(assumed({ aggregator: 'median', tolerate: 0.2 }, 10), { n: 10, f: 2 })
    // Fewer updates (screened or straggling): the same share of what remains.
    assert.deepEqual(assumed({ aggregator: 'median', tolerate: 0.2 }, 7), { n: 7, f: 1 })
    // A spec's own f= is a count, whatever n is.
    assert.deepEqual(assumed({ aggregator: 'trimmed-mean:f=1' }, 10), { n: 10, f: 1 })
    assert.equal(assumed({}, 10), undefined, 'plain FedAvg assumes nothing')
  })

  it('refuses a share outside [0, 0.5), a share next to f=, and a rule that cannot hold it', () => {
    assert.throws(() => plan({ tolerate: 0.5 }), /tolerate/)
    assert.throws(
      () => plan({ aggregator: 'krum:f=2', tolerate: 0.2 }),
      configInvalid(/^tolerate: krum:f=2 states its own f; give either f= .* or tolerate/),
    )
    // Bulyan needs n ≥ 4f + 3: at the default 0.3 no federation of 10 can hold it.
    assert.throws(
      () => createStrategy(plan({ aggregator: 'bulyan' }).engine, { clients: 10, numParams: 3 }),
      configInvalid(/bulyan needs n ≥ 4f \+ 3 updates; got n = 10 with f = 3/),
    )
    createStrategy(plan({ aggregator: 'bulyan', tolerate: 0.1 }).engine, {
      clients: 10,
      numParams: 3,
    })
  })
})

describe('a robust rule after screening', () => {
  const data = generateSynthetic(
    { ...DEFAULT_SYNTHETIC_OPTIONS, devices: 6, samplesPerDevice: 60, testSamplesPerDevice: 20 },
    createSeededRng(1),
  )
  const model = createModel(parseModelSpec('softmax', data.train.d, data.train.numClasses))
  const partition = partitionClients(data.train, 6, 'iid', createSeededRng(2))
  const handlers = new Map<string, MessageHandler>(
    partition.clients.map((c) => [
      c.id,
      createTrainingClient({ clientId: c.id, model, data: c.data, seed: 3 }),
    ]),
  )

  /** Two rounds of 6 clients in which a screen sets `setAside` of them aside. */
  async function screened(aggregator: string, setAside: number) {
    const events: RunEvent[] = []
    const engine = planFederatedRun(
      simulationConfigSchema.parse({ clients: 6, aggregator, tolerate: 0.3 }),
    ).engine
    const result = await runFederation({
      runId: 'screened',
      strategy: createStrategy(engine, { clients: 6, numParams: model.numParams }),
      transport: createMemoryTransport({ handlers }),
      clients: [...handlers.keys()],
      rounds: 2,
      initialParams: model.init(createSeededRng(4)),
      evaluate: (params) => evaluateModel(model, params, data.test),
      rng: createSeededRng(5),
      stages: {
        screen: async (_round, _params, accepted) => ({
          accepted: accepted.slice(setAside),
          excluded: accepted.slice(0, setAside).map((r) => r.clientId),
        }),
      },
      emit: (e) => events.push(e),
      now: () => 0,
    })
    return { result, events }
  }

  it('runs on what remains with the declared share and says so in an event', async () => {
    const { events, result } = await screened('median', 2)
    const adjusted = events.filter((e) => e.type === 'robust-rule-adjusted')
    assert.equal(adjusted.length, 2)
    // 6 planned and received, 2 set aside: median over 4 with f = floor(0.3 · 4) = 1.
    assert.deepEqual(
      adjusted.map(({ runId: _, at: __, ...body }) => body),
      [1, 2].map((round) => ({
        type: 'robust-rule-adjusted',
        round,
        rule: 'fedavg+median',
        planned: 6,
        received: 6,
        screened: 2,
        n: 4,
        f: 1,
      })),
    )
    assert.equal(result.history.length, 2)
    // Nothing set aside: the rule combined what the round asked for, and no event says otherwise.
    const clean = await screened('median', 0)
    assert.equal(clean.events.filter((e) => e.type === 'robust-rule-adjusted').length, 0)
  })

  it('refuses only when the share cannot hold on what remains, saying what the screen did', async () => {
    // Krum needs n ≥ 2f + 3: 6 with f = 1 holds, the 4 left after screening 2 with f = 1 do not.
    await assert.rejects(
      screened('krum', 2),
      configInvalid(
        /^round 1: 6 of 6 updates arrived and the screen set 2 aside; on the 4 left, krum needs n ≥ 2f \+ 3 updates; got n = 4 with f = 1$/,
      ),
    )
    // With one set aside, 5 remain and f = floor(1.5) = 1: Krum runs.
    const { events } = await screened('krum', 1)
    assert.equal(events.filter((e) => e.type === 'robust-rule-adjusted').length, 2)
  })
})
