// Build a custom server strategy and drive it with runFederation: FedAvg with server
// momentum (FedAvgM), written against the Strategy interface.
import {
  type AggregateOutcome,
  createMemoryTransport,
  createModel,
  createSeededRng,
  createTrainingClient,
  deriveSeed,
  evaluateModel,
  type FitResult,
  generateSynthetic,
  type LocalTrainingConfig,
  type MessageHandler,
  parseModelSpec,
  partitionClients,
  runFederation,
  type Strategy,
  weightedAverage,
} from 'msfl'

/** Every available client trains; the server applies v ← βv + Δ, w ← w + v to the mean change. */
function createFedAvgMomentum(training: LocalTrainingConfig, beta: number): Strategy {
  let velocity: Float64Array | undefined
  return {
    name: `fedavgm:beta=${beta}`,
    configureRound: (_round, available) => ({ clients: available, mode: 'params', training }),
    aggregate(_round, params, results: readonly FitResult[]): AggregateOutcome {
      const mean = weightedAverage(
        results.map((r) => r.vector),
        results.map((r) => r.numExamples),
      )
      const v = velocity ?? new Float64Array(params.length)
      const next = new Float64Array(params.length)
      for (let j = 0; j < params.length; j++) {
        v[j] = beta * v[j]! + (mean[j]! - params[j]!)
        next[j] = params[j]! + v[j]!
      }
      velocity = v
      return { params: next, excluded: [] }
    },
  }
}

const seed = 11
const data = generateSynthetic(
  {
    classes: 3,
    features: 8,
    devices: 5,
    samplesPerDevice: 100,
    testSamplesPerDevice: 40,
    separation: 3,
    drift: 0.5,
    noise: 1,
  },
  createSeededRng(deriveSeed(seed, 'data')),
)
const model = createModel(parseModelSpec('softmax', data.train.d, data.train.numClasses))
const partition = partitionClients(
  data.train,
  5,
  'natural',
  createSeededRng(deriveSeed(seed, 'partition')),
)
const handlers = new Map<string, MessageHandler>()
for (const owner of partition.clients)
  handlers.set(
    owner.id,
    createTrainingClient({ clientId: owner.id, model, data: owner.data, seed }),
  )

const result = await runFederation({
  runId: 'custom-strategy',
  strategy: createFedAvgMomentum(
    { epochs: 1, batchSize: 32, learningRate: 0.05, momentum: 0 },
    0.5,
  ),
  transport: createMemoryTransport({ handlers }),
  clients: [...handlers.keys()],
  rounds: 3,
  initialParams: model.init(createSeededRng(deriveSeed(seed, 'init'))),
  evaluate: (params) => evaluateModel(model, params, data.test),
  rng: createSeededRng(deriveSeed(seed, 'sampling')),
  emit: () => {},
  now: Date.now,
})
for (const round of result.history)
  console.log(
    `round ${round.round}: ${round.accepted} updates, accuracy ${round.test.accuracy?.toFixed(3)}`,
  )
