import { createMemoryTransport } from '../src/adapters/transport/index.ts'
import type { DatasetSplit } from '../src/core/data/dataset.ts'
import { selectRows } from '../src/core/data/dataset.ts'
import { createFedAvg } from '../src/core/fl/createFedAvg.ts'
import { createTrainingClient } from '../src/core/fl/createTrainingClient.ts'
import { partitionClients } from '../src/core/fl/partitionClients.ts'
import { evaluateModel } from '../src/core/metrics/evaluateModel.ts'
import { createModel, parseModelSpec } from '../src/core/model/createModel.ts'
import type { MessageHandler } from '../src/core/ports/transport.ts'
import { createSeededRng } from '../src/core/rng/seededRng.ts'
import { trainLocal } from '../src/core/train/trainLocal.ts'
import { runFederation } from '../src/runtime/runFederation.ts'
import { type BenchRow, fmt, measure, measureAsync } from './measure.ts'

const training = { epochs: 1, batchSize: 32, learningRate: 0.05, momentum: 0.9 }

/** Local SGD throughput: one epoch over 10,000 MNIST rows, batch 32. */
export function benchLocalTraining(mnist: DatasetSplit, modelText: string): BenchRow {
  const rows = Int32Array.from({ length: 10_000 }, (_, i) => i)
  const data = selectRows(mnist.train, rows)
  const model = createModel(parseModelSpec(modelText, data.d, data.numClasses))
  const params = model.init(createSeededRng(1))
  const m = measure(3, () => {
    trainLocal(model, params, data, training, createSeededRng(2))
  })
  return {
    name: `local training, ${modelText} (${fmt(model.numParams)} params), MNIST, batch 32`,
    value: `${fmt(data.n / (m.medianMs / 1000))} samples/s`,
    detail: `median ${fmt(m.medianMs)} ms per epoch of ${fmt(data.n)} rows over ${m.repetitions} runs`,
  }
}

/** One full FedAvg round over the in-memory transport (wire codec both ways) with 100 data owners. */
export async function benchFedAvgRound(mnist: DatasetSplit, modelText: string): Promise<BenchRow> {
  const model = createModel(parseModelSpec(modelText, mnist.train.d, mnist.train.numClasses))
  const partition = partitionClients(mnist.train, 100, 'iid', createSeededRng(3))
  const handlers = new Map<string, MessageHandler>()
  for (const c of partition.clients)
    handlers.set(c.id, createTrainingClient({ clientId: c.id, model, data: c.data, seed: 4 }))
  const transport = createMemoryTransport({ handlers })
  const strategy = createFedAvg({ sampling: { fraction: 1, minClients: 1 }, training })
  let params = model.init(createSeededRng(5))
  let bytes = 0
  let accuracy = 0
  const m = await measureAsync(2, async () => {
    const before = transport.stats()
    const result = await runFederation({
      runId: 'bench',
      strategy,
      transport,
      clients: [...handlers.keys()],
      rounds: 1,
      initialParams: params,
      evaluate: (p) => evaluateModel(model, p, mnist.test),
      rng: createSeededRng(6),
      emit: () => {},
      now: () => 0,
    })
    params = result.params
    accuracy = result.final.accuracy ?? 0
    const after = transport.stats()
    bytes = after.bytesSent + after.bytesReceived - before.bytesSent - before.bytesReceived
  })
  return {
    name: `one FedAvg round, 100 data owners, ${modelText}, MNIST 60k (1 local epoch, batch 32)`,
    value: `${fmt(m.medianMs / 1000, 2)} s`,
    detail: `median of ${m.repetitions} rounds incl. evaluation on 10k test rows; ${fmt(bytes / 1e6, 1)} MB over the wire per round; test accuracy after the last measured round ${fmt(accuracy * 100, 2)} %`,
  }
}
