/**
 * Measures what grpc-js keepalive does when a participant's handler blocks the event loop
 * (synchronous training): for each ping timeout, does the stream survive a 3 s block?
 * Run: npx tsx bench/grpcKeepalive.ts. The result is quoted in
 * src/adapters/transport-grpc/federationLimits.ts.
 */
import { startFederation } from '../test/transport-grpc/federationFixture.ts'

const BLOCK_MS = 3_000

for (const keepaliveTimeoutMs of [1_000, 5_000]) {
  const limits = { keepaliveTimeMs: 500, keepaliveTimeoutMs }
  const f = await startFederation({ limits })
  f.join(
    await f.ca.issue('data-owner', 'busy'),
    {
      async handle(message) {
        const until = Date.now() + BLOCK_MS
        while (Date.now() < until) {
          // Blocks the event loop as synchronous training would.
        }
        return {
          type: 'fit-result',
          round: (message as { round: number }).round,
          clientId: 'busy',
          kind: 'params',
          vector: new Float64Array(1),
          numExamples: 1,
          trainLoss: 0,
        }
      },
    },
    { limits },
  )
  await f.server.waitForPeers(['busy'], { deadlineMs: 5_000 })
  // Let a few pings pass while idle first.
  await new Promise((r) => setTimeout(r, 1_200))
  const outcome = await f.server.transport
    .request(
      'busy',
      {
        type: 'fit',
        runId: 'k',
        round: 1,
        mode: 'params',
        params: new Float64Array(1),
        training: { epochs: 1, batchSize: 1, learningRate: 0.1, momentum: 0 },
      },
      { deadlineMs: 20_000 },
    )
    .then(
      () => 'reply received, stream survived',
      (e: Error) => `failed: ${e.message}`,
    )
  const dropped = f.events.filter((e) => e.type === 'peer-disconnected').length
  console.log(
    `block ${BLOCK_MS} ms, keepalive time 500 ms, timeout ${keepaliveTimeoutMs} ms: ${outcome}; disconnections ${dropped}`,
  )
  await f.close()
}
