import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { loadDataset } from '../../src/adapters/data/index.ts'
import { modelDigest } from '../../src/adapters/ledger-evm/index.ts'
import { createCsprng } from '../../src/adapters/random/index.ts'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import { createRunLedger } from '../../src/cli/msfl/createRunLedger.ts'
import { parseDatasetSpec } from '../../src/core/data/parseDatasetSpec.ts'
import type { RunEvent } from '../../src/core/events/runEvent.ts'
import type {
  MessageHandler,
  ProtocolMessage,
  RequestOptions,
} from '../../src/core/ports/transport.ts'
import { globalModelBytes } from '../../src/core/verification/wrapModelCheck.ts'
import { planFederatedRun } from '../../src/runtime/config/planRun.ts'
import {
  type SimulationConfigInput,
  simulationConfigSchema,
} from '../../src/runtime/config/simulationConfig.ts'
import { runSimulation } from '../../src/runtime/runSimulation.ts'

const digits = await loadDataset(parseDatasetSpec('digits'), 42)

async function simulate(
  input: SimulationConfigInput,
  tamper?: (to: string, message: ProtocolMessage) => ProtocolMessage,
) {
  const config = simulationConfigSchema.parse({
    dataset: 'digits',
    model: 'softmax',
    clients: 6,
    rounds: 3,
    ledger: 'memory',
    training: { epochs: 2, batchSize: 16, learningRate: 0.2, momentum: 0.9 },
    ...input,
  })
  const events: RunEvent[] = []
  const transport = (handlers: ReadonlyMap<string, MessageHandler>) => {
    const inner = createMemoryTransport({ handlers })
    return tamper
      ? {
          ...inner,
          request: (to: string, m: ProtocolMessage, o: RequestOptions) =>
            inner.request(to, tamper(to, m), o),
        }
      : inner
  }
  let ledgerRef: Awaited<ReturnType<typeof createRunLedger>> | undefined
  const result = await runSimulation({
    runId: 'defended',
    plan: planFederatedRun(config),
    data: digits,
    createTransport: transport,
    noiseRng: createCsprng,
    defences: {
      createLedger: async (spec) => {
        ledgerRef = await createRunLedger(spec, new Uint8Array(32).fill(3))
        return ledgerRef
      },
      modelDigest,
      csprng: createCsprng,
      createTransport: (handlers) => createMemoryTransport({ handlers }),
    },
    emit: (e) => events.push(e),
    now: () => 0,
  })
  return { result, events }
}

describe('--verify smpc in a run', () => {
  it('registers every round’s model on the ledger; the final digest is the final model’s', async () => {
    const { result, events } = await simulate({ verify: 'smpc' })
    const registered = events.filter((e) => e.type === 'model-registered').map((e) => e.round)
    assert.deepEqual(registered, [0, 1, 2, 3])
    const digest = modelDigest(globalModelBytes(result.model.spec, result.params))
    const hex = `0x${Buffer.from(digest).toString('hex')}`
    assert.equal(result.defence!.ledger.modelDigests[3], hex)
    // Every local model was verified on shares each round, and the nodes agreed.
    const verified = events.filter((e) => e.type === 'model-verified')
    assert.equal(verified.length, 3 * 6)
    assert.equal(events.filter((e) => e.type === 'verifier-outvoted').length, 0)
    assert.ok(result.final.accuracy! > 0.7, `accuracy ${result.final.accuracy}`)
  })

  it('a participant refuses a tampered global model against the on-chain digest', async () => {
    const { result, events } = await simulate({ verify: 'smpc' }, (to, message) => {
      if (to !== 'do-2' || message.type !== 'fit') return message
      const params = Float64Array.from(message.params)
      params[0] = params[0]! + 0.5
      return { ...message, params }
    })
    const refused = events.filter(
      (e) => e.type === 'update-rejected' && e.clientId === 'do-2',
    ) as Extract<RunEvent, { type: 'update-rejected' }>[]
    assert.equal(refused.length, 3, 'refused in every round')
    assert.ok(refused.every((e) => /global model refused: its digest differs/.test(e.reason)))
    assert.ok(result.history.every((r) => r.accepted === 5))
  })

  it('excludes a label-flipping owner whose model falls below the round’s median', async () => {
    const { result, events } = await simulate({
      verify: 'smpc:drop=0.1',
      attackers: { 'do-1': 'label-flip' },
      rounds: 2,
    })
    const verdicts = events.filter((e) => e.type === 'model-verified' && e.round === 2) as Extract<
      RunEvent,
      { type: 'model-verified' }
    >[]
    assert.deepEqual(
      verdicts.filter((v) => !v.accepted).map((v) => v.clientId),
      ['do-1'],
    )
    assert.deepEqual(result.history[1]!.excluded, ['do-1'])
  })
})

describe('--defence adrm in a run', () => {
  it('flags the sign-flippers, pays by reputation on the ledger and reports detection', async () => {
    const { result } = await simulate({
      clients: 10,
      rounds: 4,
      attack: 'sign-flip:scale=4',
      malicious: 0.3,
      defence: 'adrm',
    })
    const d = result.defence!
    assert.equal(d.detection!.recall, 1)
    assert.ok(d.detection!.falsePositiveRate! <= 0.1, JSON.stringify(d.detection))
    const attackers = [...result.attackers.keys()]
    const paid = d.ledger.payouts
    for (const id of attackers) assert.equal(paid[id] ?? 0n, 0n, `${id} is never paid`)
    const honestPaid = Object.entries(paid).filter(([id, a]) => !attackers.includes(id) && a > 0n)
    assert.ok(honestPaid.length >= 6)
    const total = Object.values(paid).reduce((a, b) => a + b, 0n)
    assert.equal(total + d.ledger.refund, d.ledger.deposit)
    assert.equal(d.ledger.escrowBalance, 0n)
  })
})
