import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createFedProx } from '../../src/core/fl/createFedProx.ts'
import { createTrainingClient } from '../../src/core/fl/createTrainingClient.ts'
import type { ClientMessage, FitInstruction } from '../../src/core/fl/messages.ts'
import { createModel } from '../../src/core/model/createModel.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { trainLocal } from '../../src/core/train/trainLocal.ts'
import { dataset } from '../model/fixtures.ts'
import { assertNear } from '../robust/fixtures.ts'

// Linear regression on one row (x = 1, y = 1) from θ = [w, b] = [0, 0]: the loss is
// ½(w + b − 1)², so the gradient is [w + b − 1, w + b − 1] and every step is done by hand.
const row = dataset('one', new Float32Array([1]), new Float64Array([1]), 1, 1, 0)
const model = createModel({ kind: 'linear', inputDim: 1, outputDim: 1, hidden: [], l2: 0 })

describe('FedProx local training (known answers)', () => {
  it('adds μ(θ − θ₀) to every step: the second step is shorter than plain SGD’s', () => {
    const options = { epochs: 2, batchSize: 1, learningRate: 0.1, momentum: 0 }
    // Step 1: g = [−1, −1], the proximal term is 0, θ = [0.1, 0.1]. Step 2: g = [−0.8, −0.8]
    // plus μ(θ − θ₀) = [0.1, 0.1] with μ = 1, θ = 0.1 + 0.1·0.7 = 0.17 (plain SGD: 0.18).
    const prox = trainLocal(
      model,
      new Float64Array(2),
      row,
      { ...options, proximalMu: 1 },
      createSeededRng(1),
    )
    assertNear(prox.params, [0.17, 0.17])
    const plain = trainLocal(model, new Float64Array(2), row, options, createSeededRng(1))
    assertNear(plain.params, [0.18, 0.18])
    assert.throws(
      () =>
        trainLocal(
          model,
          new Float64Array(2),
          row,
          { ...options, proximalMu: -1 },
          createSeededRng(1),
        ),
      /proximalMu must be a finite number >= 0/,
    )
  })

  it('FedProx sends μ with every round’s training and aggregates as FedAvg', () => {
    const training = { epochs: 1, batchSize: 8, learningRate: 0.1, momentum: 0 }
    const strategy = createFedProx({ sampling: { fraction: 1, minClients: 1 }, training, mu: 0.01 })
    assert.equal(strategy.name, 'fedprox')
    assert.deepEqual(strategy.configureRound(1, ['a'], createSeededRng(1)).training, {
      ...training,
      proximalMu: 0.01,
    })
  })
})

describe('SCAFFOLD client (known answers)', () => {
  const training = { epochs: 1, batchSize: 1, learningRate: 0.1, momentum: 0 }
  const instruction = (round: number, control: number[], extra: Partial<FitInstruction> = {}) =>
    ({
      type: 'fit',
      runId: 'r',
      round,
      mode: 'params',
      params: new Float64Array(2),
      training,
      control: Float64Array.from(control),
      ...extra,
    }) satisfies FitInstruction
  const fit = async (client: ReturnType<typeof createTrainingClient>, message: FitInstruction) =>
    (await client.handle(message)) as ClientMessage

  it('corrects steps by c − cᵢ, keeps cᵢ across rounds and reports Δcᵢ', async () => {
    const client = createTrainingClient({ clientId: 'a', model, data: row, seed: 1 })
    // Round 1, cᵢ = 0, c = [0.5, −0.5]: g = [−1, −1] becomes [−0.5, −1.5], θ = [0.05, 0.15];
    // cᵢ⁺ = mean g = [−1, −1], so Δcᵢ = [−1, −1].
    const first = await fit(client, instruction(1, [0.5, -0.5]))
    assert.equal(first.type, 'fit-result')
    if (first.type !== 'fit-result') return
    assertNear(first.vector, [0.05, 0.15])
    assertNear(first.controlDelta!, [-1, -1])
    // Round 2, c = 0: the correction c − cᵢ = [1, 1] cancels g exactly, θ stays [0, 0];
    // cᵢ⁺ = [−1, −1] again, so Δcᵢ = 0. A client that forgot cᵢ would move to [0.1, 0.1].
    const second = await fit(client, instruction(2, [0, 0]))
    if (second.type !== 'fit-result') return assert.fail(JSON.stringify(second))
    assertNear(second.vector, [0, 0])
    assertNear(second.controlDelta!, [0, 0])
  })

  it('without a control variate it trains plain SGD and sends no Δcᵢ', async () => {
    const client = createTrainingClient({ clientId: 'a', model, data: row, seed: 1 })
    const { control: _, ...plain } = instruction(1, [0, 0])
    const reply = await fit(client, plain)
    if (reply.type !== 'fit-result') return assert.fail(JSON.stringify(reply))
    assertNear(reply.vector, [0.1, 0.1])
    assert.equal(reply.controlDelta, undefined)
  })

  it('answers a control variate of the wrong length, or with a gradient round, with an error', async () => {
    const client = createTrainingClient({ clientId: 'a', model, data: row, seed: 1 })
    const short = await fit(client, instruction(1, [0]))
    assert.equal(short.type, 'error')
    assert.match((short as { message: string }).message, /control has 1 values, the model needs 2/)
    const gradient = await fit(client, instruction(1, [0, 0], { mode: 'gradient' }))
    assert.match(
      (gradient as { message: string }).message,
      /control variate comes with local training/,
    )
  })
})
