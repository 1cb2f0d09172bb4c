import { createProtection } from '../src/cli/privacy/createProtection.ts'
import type { FitInstruction } from '../src/core/fl/messages.ts'
import type { MessageHandler } from '../src/core/ports/transport.ts'
import { isHiding, parsePrivacySpec } from '../src/core/privacy/parsePrivacySpec.ts'
import { encodeMessage } from '../src/core/wire/encodeMessage.ts'
import { type BenchRow, fmt } from './measure.ts'

/**
 * Bytes on the wire per parameter of one client's fit reply, measured from the message
 * the engine itself builds and encodes: the plaintext fit result (float64 vectors), and
 * the same reply behind `--privacy paillier` and `--privacy ckks` with their default
 * options (the protections' own client wrappers, real keys). 16 clients, so Paillier
 * packs with 16 clients of headroom.
 */
export async function benchWireBytes(params = 100_000): Promise<BenchRow[]> {
  const clients = Array.from({ length: 16 }, (_, i) => `do-${i}`)
  const instruction: FitInstruction = {
    type: 'fit',
    runId: 'bench',
    round: 1,
    mode: 'params',
    params: new Float64Array(params),
    training: { epochs: 1, batchSize: 32, learningRate: 0.05, momentum: 0.9 },
  }
  // A trained client's reply: new parameters, one example (so nᵢ·Δᵢ stays in range).
  const trained: MessageHandler = {
    async handle() {
      return {
        type: 'fit-result',
        round: 1,
        clientId: 'do-0',
        kind: 'params',
        vector: Float64Array.from({ length: params }, (_, j) => 0.5 * Math.sin(j)),
        numExamples: 1,
        trainLoss: 0.5,
      }
    },
  }
  const perParameter = (reply: unknown) => encodeMessage(reply).length / params
  const plain = perParameter(await trained.handle(instruction))
  const rows: BenchRow[] = [
    {
      name: 'plaintext fit reply (float64, what the engine sends)',
      value: `${fmt(plain, 2)} B/parameter`,
      detail: `encoded fit-result message of ${fmt(params)} parameters: ${fmt(plain * params)} bytes`,
    },
  ]
  for (const spec of ['paillier', 'ckks']) {
    const { protection, participants } = await createProtection(
      parsePrivacySpec(spec).find(isHiding)!,
      {
        runId: 'bench',
        clients,
        rounds: 1,
        minContributors: 2,
        referenceExamples: 1,
        dropsOut: () => false,
      },
    )
    const reply = await protection.wrapClient('do-0', trained).handle(instruction)
    const bytes = perParameter(reply)
    rows.push({
      name: `protected fit reply, --privacy ${protection.spec}`,
      value: `${fmt(bytes, 2)} B/parameter`,
      detail: `encoded fit-protected message of ${fmt(params)} parameters: ${fmt(bytes * params)} bytes`,
    })
    await protection.dispose()
    for (const participant of participants) await participant.dispose()
  }
  return rows
}
