import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { loadDataset } from '../../src/adapters/data/index.ts'
import { createNodeSecaggCrypto } from '../../src/adapters/secagg-crypto/index.ts'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import type { DatasetSplit } from '../../src/core/data/dataset.ts'
import {
  createDpTrainingClient,
  type DpTrainingClient,
} from '../../src/core/dp/createDpTrainingClient.ts'
import { calibrateDpSgd } from '../../src/core/dp/planDpSgd.ts'
import {
  STATISTICS_NOISE_MULTIPLIER,
  STATISTICS_RELEASE,
} from '../../src/core/dp/statisticsRelease.ts'
import { createFedAvg } from '../../src/core/fl/createFedAvg.ts'
import type { ClientMessage } from '../../src/core/fl/messages.ts'
import { partitionClients } from '../../src/core/fl/partitionClients.ts'
import { evaluateModel } from '../../src/core/metrics/evaluateModel.ts'
import { createModel } from '../../src/core/model/createModel.ts'
import type { MessageHandler } from '../../src/core/ports/transport.ts'
import { createSeededRng, deriveSeed } from '../../src/core/rng/seededRng.ts'
import { runFederation } from '../../src/runtime/runFederation.ts'
import { scaleFederation } from '../../src/runtime/scaling/scaleFederation.ts'

// Acceptance (issue 6): Adult, FL + sample-level DP at ε ≤ 3 (δ = 1e-5) reaches ≥ 82 %
// test accuracy. The full configuration runs here (10 IID data owners holding all
// 32,561 training rows, evaluation on the 16,281 test rows), in about a second:
//   logistic regression, 20 rounds of FedAvg with every owner each round,
//   local DP-SGD: 1 epoch per round = ⌈n/256⌉ = 13 steps, expected batch 256
//   (q = 256/n ≈ 0.0786), clip C = 1, learning rate 0.5, momentum 0.9,
//   σ calibrated per owner so that its 260 steps end at ε ≤ 3 (σ ≈ 2.117).
// Each owner's data is disjoint, so the run is (max ε, δ)-DP for every record.
const ROUNDS = 20
const TARGET = { epsilon: 3, delta: 1e-5 }
const TRAINING = { epochs: 1, batchSize: 256, learningRate: 0.5, momentum: 0.9 }
const CLIP_NORM = 1
const SEED = 42

describe('Adult: federated logistic regression with sample-level DP-SGD', () => {
  let data: DatasetSplit
  before(async () => {
    data = await loadDataset({ name: 'adult', options: {} }, SEED)
  })

  it('reaches >= 82 % test accuracy at ε <= 3 (δ = 1e-5), and every owner then refuses to train on', async () => {
    const model = createModel({
      kind: 'logistic',
      inputDim: data.train.d,
      outputDim: 1,
      hidden: [],
      l2: 0,
    })
    const partition = partitionClients(
      data.train,
      10,
      'iid',
      createSeededRng(deriveSeed(SEED, 'partition')),
    )
    // The owners agree on the numeric scaling first: each noises its statistics (σ = 8),
    // and that release is charged to the same ε budget as its training.
    const scaled = await scaleFederation({
      runId: 'adult-dp',
      plan: data.scaling,
      owners: partition.clients,
      source: 'statistics',
      createTransport: (handlers) => createMemoryTransport({ handlers }),
      crypto: createNodeSecaggCrypto(),
      noise: (id) => ({
        multiplier: STATISTICS_NOISE_MULTIPLIER,
        rng: createSeededRng(deriveSeed(SEED, 'statistics', id)),
        simulation: true,
      }),
      stageTimeoutMs: 60_000,
    })
    const test = scaled.scale(data.test)
    const owners = new Map<string, DpTrainingClient>()
    for (const { id } of partition.clients) {
      const shard = { id, data: scaled.owners.get(id)! }
      const noiseMultiplier = calibrateDpSgd({
        n: shard.data.n,
        training: TRAINING,
        rounds: ROUNDS,
        targetEpsilon: TARGET.epsilon,
        delta: TARGET.delta,
        prior: [STATISTICS_RELEASE],
      })
      owners.set(
        shard.id,
        createDpTrainingClient({
          clientId: shard.id,
          model,
          data: shard.data,
          dp: {
            clipNorm: CLIP_NORM,
            noiseMultiplier,
            delta: TARGET.delta,
            epsilonBudget: TARGET.epsilon,
            prior: [STATISTICS_RELEASE],
          },
          rng: createSeededRng(deriveSeed(SEED, 'dp', shard.id)),
          simulation: true,
        }),
      )
    }
    const result = await runFederation({
      runId: 'adult-dp',
      strategy: createFedAvg({ sampling: { fraction: 1, minClients: 1 }, training: TRAINING }),
      transport: createMemoryTransport({ handlers: owners as ReadonlyMap<string, MessageHandler> }),
      clients: [...owners.keys()],
      rounds: ROUNDS,
      initialParams: model.init(createSeededRng(deriveSeed(SEED, 'init'))),
      evaluate: (params) => evaluateModel(model, params, test),
      rng: createSeededRng(deriveSeed(SEED, 'sampling')),
      emit: () => {},
      now: () => 0,
    })

    assert.ok(result.history.every((r) => r.accepted === 10))
    assert.ok(result.final.accuracy! >= 0.82, `accuracy ${result.final.accuracy}`)
    for (const [id, owner] of owners) {
      const history = owner.history()
      assert.equal(history.length, ROUNDS, id)
      // The statistics release plus 20 rounds of 13 steps.
      assert.equal(history.at(-1)!.steps, 1 + ROUNDS * 13, id)
      const spent = owner.spent()
      assert.ok(
        spent.epsilon <= TARGET.epsilon && spent.epsilon > 2.99,
        `${id}: ε ${spent.epsilon}`,
      )
      assert.equal(spent.delta, TARGET.delta)
      // The budget is spent: the next round would exceed it, and the owner refuses it itself.
      assert.equal(owner.wouldExceedBudget(TRAINING), true)
      const reply = (await owner.handle({
        type: 'fit',
        runId: 'adult-dp',
        round: ROUNDS + 1,
        mode: 'params',
        params: result.params,
        training: TRAINING,
      })) as ClientMessage
      assert.equal(reply.type, 'error', id)
    }
  })
})
