import { connectToFederation } from '../../adapters/transport-grpc/index.ts'
import type { RunEnded } from '../../core/deploy/deploymentMessages.ts'
import type { MessageHandler } from '../../core/ports/transport.ts'
import { logFederationEvent, type OpenedParticipant } from './openParticipant.ts'

/**
 * Connects a participant outbound to the service provider and serves `handler` until the
 * provider announces the run's end (exit code 0 when it completed, 1 when it failed) or
 * the connection ends for good (a wrong server certificate, or every reconnection failed:
 * the error propagates).
 */
export async function serveParticipant(
  opened: OpenedParticipant<{ readonly runId: string }>,
  handler: MessageHandler & { readonly ended: Promise<RunEnded> },
  endpoint: string | undefined,
): Promise<number> {
  const { kit, job, log } = opened
  const connection = connectToFederation({
    endpoint: endpoint ?? kit.endpoint,
    tls: kit.tls,
    run: job.runId,
    handler,
    onEvent: logFederationEvent(log),
  })
  log.info('joining', { endpoint: endpoint ?? kit.endpoint, run: job.runId })
  const closed = connection.closed.then(() => undefined)
  const end = await Promise.race([handler.ended, closed])
  connection.close()
  await connection.closed.catch(() => {})
  if (!end) {
    log.error('the connection closed before the run ended')
    return 1
  }
  if (end.outcome === 'completed') log.info('the run completed', { run: job.runId })
  else log.error('the run failed', { run: job.runId, reason: end.message })
  return end.outcome === 'completed' ? 0 : 1
}
