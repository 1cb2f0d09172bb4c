import { performance } from 'node:perf_hooks'
import { loadDataset } from '../src/adapters/data/index.ts'
import { createCsprng } from '../src/adapters/random/index.ts'
import { createMemoryTransport } from '../src/adapters/transport/index.ts'
import type { Dataset } from '../src/core/data/dataset.ts'
import { parseDatasetSpec } from '../src/core/data/parseDatasetSpec.ts'
import { createSoftmaxRegression } from '../src/core/model/softmaxRegression.ts'
import type { MessageHandler } from '../src/core/ports/transport.ts'
import { createSeededRng } from '../src/core/rng/seededRng.ts'
import { dealMaterial } from '../src/core/smpc/dealMaterial.ts'
import { planVerification } from '../src/core/smpc/verificationPlan.ts'
import { trainLocal } from '../src/core/train/trainLocal.ts'
import { verifyAndAggregate } from '../src/runtime/smpc/verifyAndAggregate.ts'
import { type BenchRow, fmt } from './measure.ts'

const SAMPLES = 1000
const MODELS = 4
const NODES = 3

function rows(data: Dataset, from: number, to: number): Dataset {
  return {
    ...data,
    n: to - from,
    x: data.x.subarray(from * data.d, to * data.d),
    y: data.y.subarray(from, to),
  }
}

const mb = (bytes: number) => `${fmt(bytes / 1e6, 2)} MB`

/**
 * One verification round of MODELS softmax MNIST models on SAMPLES validation rows
 * with NODES nodes, everything in this process over the in-memory transport. A node's
 * own time is the synchronous part of its handler for the setup (encoding the validation
 * set) and for each protocol step: its computation plus encoding its shares and the
 * peers' decoding of them (in a deployment the nodes run in parallel, so the slowest
 * node bounds the round).
 */
async function benchRound(
  models: { clientId: string; params: Float64Array; numExamples: number }[],
  validation: Dataset,
  visibility: 'public' | 'secret',
): Promise<BenchRow[]> {
  const nodeMs = new Map<string, number>()
  const timed = (nodeId: string, inner: MessageHandler): MessageHandler => ({
    handle(message) {
      const t0 = performance.now()
      const reply = inner.handle(message)
      const type = (message as { type?: unknown }).type
      // Peer shares arrive inside the sender's step and are counted there.
      if (type === 'smpc-setup' || type === 'smpc-advance')
        nodeMs.set(nodeId, (nodeMs.get(nodeId) ?? 0) + performance.now() - t0)
      return reply
    },
  })
  const spec = createSoftmaxRegression({ inputDim: validation.d, numClasses: 10 }).spec
  const run = () =>
    verifyAndAggregate({
      models,
      model: spec,
      validation: { ...validation, numClasses: 10 },
      validationVisibility: visibility,
      threshold: 0.5,
      nodes: NODES,
      rng: createCsprng(),
      makeTransport: (handlers) => createMemoryTransport({ handlers }),
      wrapNode: timed,
    })
  await run() // warm-up
  nodeMs.clear()
  const t0 = performance.now()
  const result = await run()
  const wallMs = performance.now() - t0
  const m = models.length
  const nodes = result.traffic.filter((t) => t.role === 'node')
  const dealer = result.traffic.find((t) => t.role === 'dealer')!
  const slowest = Math.max(...nodeMs.values())
  const label = `${m} softmax MNIST models, ${fmt(SAMPLES)} ${visibility} validation samples, ${NODES} nodes`
  const plan = planVerification({
    kind: 'softmax',
    inputDim: validation.d,
    outputDim: 10,
    samples: SAMPLES,
    models: m,
    validation: visibility,
  })
  const dealStart = performance.now()
  dealMaterial(plan, NODES, createCsprng())
  const dealMs = performance.now() - dealStart
  return [
    {
      name: `SMPC verification: time per model (${label})`,
      value: `${fmt(wallMs / m)} ms`,
      detail: `whole round in one process (dealer, ${NODES} nodes, owners, coordinator) ${fmt(wallMs)} ms / ${m}; accuracies ${result.models.map((v) => v.accuracy.toFixed(3)).join(', ')}; ${result.excluded.length} excluded`,
    },
    {
      name: `SMPC verification: slowest node's own time per model (${label})`,
      value: `${fmt(slowest / m)} ms`,
      detail: `setup and online phase, ${plan.openings.length} openings (rounds); the nodes run in parallel in a deployment, so this bounds the round without network latency`,
    },
    {
      name: `SMPC verification: dealer time per model (${label})`,
      value: `${fmt(dealMs / m)} ms`,
      detail: `offline phase: masks, ${fmt(plan.comparisons.andWords * 32)} AND triples${visibility === 'secret' ? ', Beaver matrix triples' : ''} and daBits for ${NODES} nodes`,
    },
    {
      name: `SMPC verification: bytes each node sends per model (${label})`,
      value: mb(Math.max(...nodes.map((t) => t.bytesSent)) / m),
      detail: `its shares of every opening, to ${NODES - 1} peers; dealer material received per node ${mb(dealer.bytesSent / NODES / m)} per model`,
    },
  ]
}

/** SMPC verification of softmax MNIST models on 1,000 validation samples with 3 nodes. */
export async function benchSmpc(): Promise<BenchRow[]> {
  const mnist = await loadDataset(parseDatasetSpec('mnist'), 1)
  const model = createSoftmaxRegression({ inputDim: mnist.train.d, numClasses: 10 })
  const rng = createSeededRng(1)
  const models = Array.from({ length: MODELS }, (_, i) => {
    const part = rows(mnist.train, i * 3000, (i + 1) * 3000)
    const options = { epochs: 1, batchSize: 32, learningRate: 0.1, momentum: 0 }
    const params = trainLocal(model, model.init(rng), part, options, rng).params
    return { clientId: `do-${i}`, params, numExamples: part.n }
  })
  const validation = rows(mnist.test, 0, SAMPLES)
  return [
    ...(await benchRound(models, validation, 'public')),
    ...(await benchRound(models, validation, 'secret')),
  ]
}
