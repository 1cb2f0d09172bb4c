/**
 * A data owner as its own OS process, for the restart test: reads its endpoint and PEM
 * material from MSFL_TEST_PARTICIPANT (JSON) and answers fit requests with its parameters
 * plus its process id's parity, so the parent can tell the processes apart.
 */
import { connectToFederation } from '../../src/adapters/transport-grpc/index.ts'
import type { FitInstruction } from '../../src/core/fl/messages.ts'

const config = JSON.parse(process.env.MSFL_TEST_PARTICIPANT ?? '{}') as {
  endpoint: string
  name: string
  key: string
  cert: string
  ca: string
  run: string
  generation: number
}
connectToFederation({
  endpoint: config.endpoint,
  tls: { key: config.key, cert: config.cert, ca: config.ca },
  run: config.run,
  reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
  handler: {
    async handle(message) {
      const m = message as FitInstruction
      return {
        type: 'fit-result',
        round: m.round,
        clientId: config.name,
        kind: 'params',
        vector: m.params.map((v) => v + config.generation),
        numExamples: 1,
        trainLoss: 0,
      }
    },
  },
})
