import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { createFedOpt } from '../../src/core/fl/createFedOpt.ts'
import { createScaffold } from '../../src/core/fl/createScaffold.ts'
import type { FitResult } from '../../src/core/fl/messages.ts'
import { parseStrategySpec, type ServerOptimizerSpec } from '../../src/core/fl/parseStrategySpec.ts'
import type { Strategy } from '../../src/core/fl/strategy.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { createRobustRule } from '../../src/core/robust/createRobustRule.ts'
import { assertNear } from '../robust/fixtures.ts'

// Known answers, computed by hand from the papers' update rules. Every round has two
// clients: A with 1 example sends x + Δ + 3e, B with 3 examples sends x + Δ − e
// (e = [1, 1, 1]), so the example-weighted mean change is exactly Δ (the plain mean
// would be Δ + e: a strategy that forgot the weights fails every case).
const training = { epochs: 1, batchSize: 8, learningRate: 0.1, momentum: 0 }
const sampling = { fraction: 1, minClients: 1 }

function round(
  x: readonly number[],
  delta: readonly number[],
  controlDeltas?: readonly [number[], number[]],
): FitResult[] {
  const reply = (clientId: string, shift: number, numExamples: number, i: number): FitResult => ({
    type: 'fit-result',
    round: 1,
    clientId,
    kind: 'params',
    vector: Float64Array.from(x, (v, j) => v + delta[j]! + shift),
    numExamples,
    trainLoss: 0,
    ...(controlDeltas ? { controlDelta: Float64Array.from(controlDeltas[i]!) } : {}),
  })
  return [reply('a', 3, 1, 0), reply('b', -1, 3, 1)]
}

/** Runs two rounds and checks x₁ and x₂. */
function twoRounds(
  strategy: Strategy,
  deltas: readonly [number[], number[]],
  expected: readonly [number[], number[]],
): void {
  const x1 = strategy.aggregate(1, new Float64Array(3), round([0, 0, 0], deltas[0])).params
  assertNear(x1, expected[0])
  const x2 = strategy.aggregate(2, x1, round([...x1], deltas[1])).params
  assertNear(x2, expected[1])
}

const fedOpt = (text: string) =>
  createFedOpt({ sampling, training, optimizer: parseStrategySpec(text) as ServerOptimizerSpec })

describe('server optimisers (known answers)', () => {
  it('FedAvgM: v ← βv + Δ, x ← x + ηv keeps moving when Δ is zero', () => {
    // Round 1: v = [2, −1, 0], x = v. Round 2: Δ = 0, v = 0.5·v = [1, −0.5, 0], x = [3, −1.5, 0].
    twoRounds(
      fedOpt('fedavgm:lr=1,momentum=0.5'),
      [
        [2, -1, 0],
        [0, 0, 0],
      ],
      [
        [2, -1, 0],
        [3, -1.5, 0],
      ],
    )
    // η scales the step: with η = 0.5 round 1 moves half as far.
    assertNear(
      fedOpt('fedavgm:lr=0.5,momentum=0.5').aggregate(
        1,
        new Float64Array(3),
        round([0, 0, 0], [2, -1, 0]),
      ).params,
      [1, -0.5, 0],
    )
  })

  it('FedAdagrad: v ← v + Δ², m ← β1m + (1 − β1)Δ, x ← x + ηm/(√v + τ), v₋₁ = τ²', () => {
    // τ = 3, β1 = 0.5. Round 1, Δ = [4, −4, 0]: v = 9 + Δ² = [25, 25, 9], m = [2, −2, 0],
    // x = [2/8, −2/8, 0]. Round 2, Δ = [0, 12, 4]: v = [25, 169, 25], m = [1, 5, 2],
    // x += [1/8, 5/16, 2/8].
    twoRounds(
      fedOpt('fedadagrad:lr=1,beta1=0.5,tau=3'),
      [
        [4, -4, 0],
        [0, 12, 4],
      ],
      [
        [0.25, -0.25, 0],
        [0.375, 0.0625, 0.25],
      ],
    )
  })

  it('FedAdam: v ← β2v + (1 − β2)Δ²', () => {
    // τ = 1, β1 = β2 = 0.5. Round 1, Δ = [1, −7, 7]: v = 0.5 + 0.5Δ² = [1, 25, 25],
    // m = [0.5, −3.5, 3.5], x = [0.5/2, −3.5/6, 3.5/6]. Round 2, Δ = [−1, 5, 5]:
    // v = [1, 25, 25], m = [−0.25, 0.75, 4.25], x += [−0.25/2, 0.75/6, 4.25/6].
    twoRounds(
      fedOpt('fedadam:lr=1,beta1=0.5,beta2=0.5,tau=1'),
      [
        [1, -7, 7],
        [-1, 5, 5],
      ],
      [
        [0.25, -7 / 12, 7 / 12],
        [0.125, -11 / 24, 31 / 24],
      ],
    )
  })

  it('FedYogi: v ← v − (1 − β2)Δ²·sign(v − Δ²) lowers v when Δ² < v (Adam would not)', () => {
    // τ = 1, β1 = β2 = 0.5. Round 1, Δ = [4, 0, −4]: v = [1 + 8, 1, 1 + 8], m = [2, 0, −2],
    // x = [2/4, 0, −2/4]. Round 2, Δ = [2, 4, 0]: v = [9 − 2, 1 + 8, 9] (Adam: 6.5 first),
    // m = [2, 2, −1], x += [2/(√7 + 1), 2/4, −1/4].
    twoRounds(
      fedOpt('fedyogi:lr=1,beta1=0.5,beta2=0.5,tau=1'),
      [
        [4, 0, -4],
        [2, 4, 0],
      ],
      [
        [0.5, 0, -0.5],
        [0.5 + 2 / (Math.sqrt(7) + 1), 0.5, -0.75],
      ],
    )
  })

  it('names itself after the optimiser (and its rule) and asks clients for parameters', () => {
    const strategy = fedOpt('fedadam')
    assert.equal(strategy.name, 'fedadam')
    const rule = createRobustRule('median', { f: 1 })
    const robust = createFedOpt({
      sampling,
      training,
      optimizer: parseStrategySpec('fedavgm:lr=1,momentum=0') as ServerOptimizerSpec,
      aggregation: { rule, assumedF: rule.assumedF },
    })
    assert.equal(robust.name, 'fedavgm+median')
    // The rule's aggregate is the pseudo-gradient: the median change of three, not the mean.
    const three = [
      ...round([0, 0, 0], [0, 0, 0]),
      {
        ...round([0, 0, 0], [0, 0, 0])[0]!,
        clientId: 'c',
        vector: new Float64Array([30, 30, 30]),
        numExamples: 1,
      },
    ]
    const outcome = robust.aggregate(1, new Float64Array(3), three)
    assertNear(outcome.params, [3, 3, 3])
    assert.deepEqual(outcome.robustness, { n: 3, f: 1 })
    const plan = strategy.configureRound(1, ['a', 'b'], createSeededRng(1))
    assert.equal(plan.mode, 'params')
    assert.equal(plan.control, undefined)
  })
})

describe('SCAFFOLD server (known answers)', () => {
  const scaffold = () =>
    createScaffold({ sampling, training, serverLearningRate: 0.5, clients: 4, numParams: 3 })

  it('x ← x + η_g·Δ̄ and c ← c + (1/N)·Σ Δcᵢ; the next round sends the new c', () => {
    const strategy = scaffold()
    const first = strategy.configureRound(1, ['a', 'b'], createSeededRng(1))
    assertNear(first.control!, [0, 0, 0])
    // Δ̄ = [2, −1, 0], η_g = 0.5; Δc = [4, 0, −4] + [0, 8, 4], N = 4 (two of four sampled).
    const x1 = strategy.aggregate(
      1,
      new Float64Array(3),
      round(
        [0, 0, 0],
        [2, -1, 0],
        [
          [4, 0, -4],
          [0, 8, 4],
        ],
      ),
    ).params
    assertNear(x1, [1, -0.5, 0])
    const second = strategy.configureRound(2, ['a', 'b'], createSeededRng(1))
    assertNear(second.control!, [1, 2, 0])
    // The plan carries a copy: changing it does not change the server's c.
    second.control![0] = 99
    assertNear(strategy.configureRound(3, ['a'], createSeededRng(1)).control!, [1, 2, 0])
  })

  it('refuses a reply without its control variate change, naming the client', () => {
    assert.throws(
      () => scaffold().aggregate(1, new Float64Array(3), round([0, 0, 0], [1, 1, 1])),
      (e) => e instanceof MsflError && e.code === 'PROTOCOL' && /from a/.test(e.message),
    )
  })
})
