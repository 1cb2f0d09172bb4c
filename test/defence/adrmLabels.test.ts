import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createAdrm } from '../../src/core/adrm/createAdrm.ts'
import { parseAdrmSpec } from '../../src/core/adrm/parseAdrmSpec.ts'
import { DEFAULT_SYNTHETIC_OPTIONS, generateSynthetic } from '../../src/core/data/synthetic.ts'
import type { FitResult } from '../../src/core/fl/messages.ts'
import { createModel, parseModelSpec } from '../../src/core/model/createModel.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import {
  type AdrmLabelFeedback,
  createAdrmStages,
} from '../../src/runtime/defence/createAdrmStages.ts'
import { syntheticRound } from '../adrm/fixtures.ts'

const data = generateSynthetic(
  { ...DEFAULT_SYNTHETIC_OPTIONS, devices: 2, samplesPerDevice: 50, testSamplesPerDevice: 20 },
  createSeededRng(1),
)
const model = createModel(parseModelSpec('softmax', data.train.d, data.train.numClasses))

/** Six gradient rounds of 10 clients (3 sign-flippers) through the stage; the forest refits every round. */
async function screenRounds(spec: string, labels: AdrmLabelFeedback) {
  const stages = createAdrmStages({
    runId: 't',
    adrm: createAdrm(parseAdrmSpec(spec), createSeededRng(5)),
    model,
    validation: data.test,
    labels,
    emit: () => {},
    now: () => 0,
  })
  const params = new Float64Array(model.numParams)
  let attackers: ReadonlySet<string> = new Set()
  for (let round = 1; round <= 6; round++) {
    const synthetic = syntheticRound('sign-flip', {
      params: model.numParams,
      seed: round,
    })
    attackers = synthetic.attackers
    const accepted: FitResult[] = synthetic.updates.map((u) => ({
      type: 'fit-result',
      round,
      clientId: u.clientId,
      kind: 'gradient',
      vector: u.update,
      numExamples: u.numExamples,
      trainLoss: 0,
    }))
    await stages.screen!(round, params, accepted)
  }
  return { snapshot: stages.snapshot(), attackers }
}

describe('ADRM label feedback (--defence adrm:labels=…)', () => {
  const spec = 'adrm:min-samples=10,retrain=1,block-on-high=false,penalty=0,penalty-medium=0'

  it('defaults to none: the champion/challenger never sees the true attackers', async () => {
    assert.equal(parseAdrmSpec('adrm').labels, 'none')
    const { snapshot } = await screenRounds(spec, { kind: 'none' })
    const status = snapshot.anomalyModel!
    assert.equal(status.labelledRounds, 0)
    assert.equal(status.championTrained, true, 'the first challenger is promoted without labels')
    assert.equal(status.championAuc, undefined, 'no labels, no AUC')
  })

  it('labels=oracle feeds the simulation attackers, and only then', async () => {
    assert.equal(parseAdrmSpec('adrm:labels=oracle').labels, 'oracle')
    const probe = await screenRounds(spec, { kind: 'none' })
    const { snapshot } = await screenRounds(`${spec},labels=oracle`, {
      kind: 'oracle',
      attackers: probe.attackers,
    })
    const status = snapshot.anomalyModel!
    assert.ok(status.labelledRounds > 0, JSON.stringify(status))
    assert.equal(typeof status.championAuc, 'number')
  })

  it('refuses an unknown label source, naming the option', () => {
    assert.throws(
      () => parseAdrmSpec('adrm:labels=truth'),
      (e: unknown) =>
        e instanceof Error && /option 'labels' must be one of none, oracle/.test(e.message),
    )
  })
})
