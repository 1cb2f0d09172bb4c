import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import type { FitInstruction } from '../../src/core/fl/messages.ts'
import { type Federation, startFederation } from './federationFixture.ts'

// A participant dialling the provider by IP address (as deploy local and the README do)
// sends no IP as the TLS server name, so Node raises no DEP0123, and the provider's
// certificate is still checked against that address.
let f: Federation
const warnings: string[] = []
const onWarning = (warning: Error & { code?: string }) =>
  warnings.push(warning.code ?? warning.name)
before(async () => {
  process.on('warning', onWarning)
  f = await startFederation()
})
after(async () => {
  process.off('warning', onWarning)
  await f.close()
})

it('an owner dials 127.0.0.1 without Node’s DEP0123 warning, and is served', async () => {
  f.join(await f.ca.issue('data-owner', 'do-ip'), {
    async handle(message) {
      const m = message as FitInstruction
      return {
        type: 'fit-result',
        round: m.round,
        clientId: 'do-ip',
        kind: 'params',
        vector: m.params,
        numExamples: 1,
        trainLoss: 0,
      }
    },
  })
  const quick = { deadlineMs: 10_000 }
  await f.server.waitForPeers(['do-ip'], quick)
  const reply = (await f.server.transport.request(
    'do-ip',
    {
      type: 'fit',
      runId: 'run-1',
      round: 1,
      mode: 'params',
      params: new Float64Array([1, 2]),
      training: { epochs: 1, batchSize: 1, learningRate: 0.1, momentum: 0 },
    },
    quick,
  )) as { vector: Float64Array }
  assert.deepEqual([...reply.vector], [1, 2])
  await new Promise((resolve) => setImmediate(resolve))
  assert.deepEqual(
    warnings.filter((w) => w === 'DEP0123'),
    [],
  )
  assert.ok(f.endpoint.startsWith('127.0.0.1:'), 'the fixture dials an IP address')
})
