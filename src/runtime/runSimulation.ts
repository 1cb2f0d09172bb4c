import type { DatasetSplit } from '../core/data/dataset.ts'
import { MsflError } from '../core/errors/msflError.ts'
import type { EventSink } from '../core/events/runEvent.ts'
import { createFedAvg } from '../core/fl/createFedAvg.ts'
import { createFedSgd } from '../core/fl/createFedSgd.ts'
import { createTrainingClient } from '../core/fl/createTrainingClient.ts'
import type { ClientPartition } from '../core/fl/partitionClients.ts'
import { partitionClients } from '../core/fl/partitionClients.ts'
import type { Strategy } from '../core/fl/strategy.ts'
import { evaluateModel } from '../core/metrics/evaluateModel.ts'
import { createModel } from '../core/model/createModel.ts'
import type { Model } from '../core/model/model.ts'
import type { MessageHandler, Transport } from '../core/ports/transport.ts'
import { createSeededRng, deriveSeed } from '../core/rng/seededRng.ts'
import type { SimulationConfig } from './config/simulationConfig.ts'
import { resolveModelSpec } from './resolveModelSpec.ts'
import type { FederationResult } from './runFederation.ts'
import { runFederation } from './runFederation.ts'

export interface RunSimulationParameters {
  readonly runId: string
  readonly config: SimulationConfig
  /** The dataset, already loaded and verified by the caller (an adapter). */
  readonly data: DatasetSplit
  /** Builds the transport that connects the server to the client handlers. */
  readonly createTransport: (handlers: ReadonlyMap<string, MessageHandler>) => Transport
  readonly emit: EventSink
  readonly now: () => number
}

export interface SimulationResult extends FederationResult {
  readonly model: Model
  readonly partition: ClientPartition
}

/**
 * One federated simulation: partition the training data among data owners, give
 * each a training client behind the transport, and run the rounds. Everything
 * random is derived from `config.seed`, so a config reproduces its metrics exactly.
 */
export async function runSimulation(p: RunSimulationParameters): Promise<SimulationResult> {
  const { config, data, runId } = p
  const spec = resolveModelSpec(config.model, data.train)
  const model = createModel(spec)
  const partition = partitionClients(
    data.train,
    config.clients,
    config.partition,
    createSeededRng(deriveSeed(config.seed, 'partition')),
  )

  const handlers = new Map<string, MessageHandler>()
  partition.clients.forEach((client) => {
    handlers.set(
      client.id,
      createTrainingClient({
        clientId: client.id,
        model,
        data: client.data,
        seed: deriveSeed(config.seed, 'training'),
      }),
    )
  })
  const strategy = createStrategy(config)
  const initialParams = model.init(createSeededRng(deriveSeed(config.seed, 'init')))

  p.emit({
    type: 'run-started',
    runId,
    at: p.now(),
    dataset: config.dataset,
    model: config.model,
    strategy: strategy.name,
    clients: config.clients,
    rounds: config.rounds,
    numParams: model.numParams,
    trainRows: data.train.n,
    testRows: data.test.n,
  })
  try {
    const result = await runFederation({
      runId,
      strategy,
      transport: p.createTransport(handlers),
      clients: [...handlers.keys()],
      rounds: config.rounds,
      initialParams,
      evaluate: (params) => evaluateModel(model, params, data.test),
      rng: createSeededRng(deriveSeed(config.seed, 'sampling')),
      emit: p.emit,
      now: p.now,
    })
    return { ...result, model, partition }
  } catch (error) {
    p.emit({
      type: 'run-failed',
      runId,
      at: p.now(),
      error: error instanceof Error ? error.message : String(error),
    })
    throw error
  }
}

function createStrategy(config: SimulationConfig): Strategy {
  const common = { sampling: config.sampling, training: config.training }
  switch (config.strategy) {
    case 'fedavg':
      return createFedAvg(common)
    case 'fedsgd':
      return createFedSgd({ ...common, serverLearningRate: config.serverLearningRate })
    default:
      throw new MsflError(
        'CONFIG_INVALID',
        `strategy: unknown strategy ${JSON.stringify(config.strategy)}`,
      )
  }
}
