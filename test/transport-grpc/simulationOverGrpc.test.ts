import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import {
  connectToFederation,
  startFederationServer,
} from '../../src/adapters/transport-grpc/index.ts'
import { createProtection } from '../../src/cli/privacy/createProtection.ts'
import { DEFAULT_SYNTHETIC_OPTIONS, generateSynthetic } from '../../src/core/data/synthetic.ts'
import type { MessageHandler, Transport } from '../../src/core/ports/transport.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { planFederatedRun } from '../../src/runtime/config/planRun.ts'
import { simulationConfigSchema } from '../../src/runtime/config/simulationConfig.ts'
import { runSimulation } from '../../src/runtime/runSimulation.ts'
import { createTestCa } from '../helpers/testPki.ts'

const synthetic = generateSynthetic(
  { ...DEFAULT_SYNTHETIC_OPTIONS, devices: 4, samplesPerDevice: 100, testSamplesPerDevice: 30 },
  createSeededRng(3),
)

/**
 * A transport whose participants are the simulation's own handlers, each served through
 * its own mutual-TLS connection on 127.0.0.1: runSimulation builds its transport
 * synchronously, so requests wait until every participant has joined.
 */
function grpcTransport(
  handlers: ReadonlyMap<string, MessageHandler>,
  cleanup: (() => Promise<void>)[],
): Transport {
  const ready = (async () => {
    const ca = await createTestCa('sim')
    const sp = await ca.issue('service-provider', 'sp', { hosts: ['127.0.0.1'] })
    const server = await startFederationServer({
      host: '127.0.0.1',
      port: 0,
      run: 'sim',
      tls: { key: sp.key, cert: sp.cert, ca: ca.cert },
    })
    const connections: ReturnType<typeof connectToFederation>[] = []
    for (const [name, handler] of handlers) {
      const identity = await ca.issue('data-owner', name)
      connections.push(
        connectToFederation({
          endpoint: `127.0.0.1:${server.port}`,
          run: 'sim',
          handler,
          tls: { key: identity.key, cert: identity.cert, ca: ca.cert },
        }),
      )
    }
    cleanup.push(async () => {
      for (const c of connections) c.close()
      await server.close()
    })
    await server.waitForPeers([...handlers.keys()], { deadlineMs: 30_000 })
    return server.transport
  })()
  return {
    request: async (to, message, options) => (await ready).request(to, message, options),
    stats: () => ({ requests: 0, bytesSent: 0, bytesReceived: 0 }),
  }
}

it('FedAvg over gRPC + mTLS ends with the same model as over the in-memory transport', {
  timeout: 120_000,
}, async () => {
  const run = (createTransport: (h: ReadonlyMap<string, MessageHandler>) => Transport) =>
    runSimulation({
      runId: 'grpc-equivalence',
      plan: planFederatedRun(
        simulationConfigSchema.parse({
          dataset: 'synthetic',
          model: 'softmax',
          clients: 4,
          rounds: 2,
        }),
      ),
      data: synthetic,
      createTransport,
      createProtection,
      emit: () => {},
      now: () => 0,
    })
  const cleanup: (() => Promise<void>)[] = []
  try {
    const memory = await run((handlers) => createMemoryTransport({ handlers }))
    const network = await run((handlers) => grpcTransport(handlers, cleanup))
    assert.deepEqual(network.params, memory.params)
    assert.equal(network.history.length, 2)
    assert.deepEqual(
      network.history.map((r) => r.accepted),
      [4, 4],
    )
  } finally {
    for (const c of cleanup) await c()
  }
})
