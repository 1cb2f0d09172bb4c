import type { AnyRoundRecord, EventSink, MetricSummary } from '../../core/events/runEvent.ts'

export interface ConsoleProgressParameters {
  /** Where progress goes: stderr keeps stdout free for --json output. */
  readonly write: (text: string) => void
  /** Redraw one status line while clients report (for terminals). */
  readonly live: boolean
}

/** Human-readable progress from the event stream: one line per round, a live counter within a round. */
export function createConsoleProgress(parameters: ConsoleProgressParameters): EventSink {
  const { write, live } = parameters
  let rounds = 0
  let expected = 0
  let received = 0
  return (event) => {
    switch (event.type) {
      case 'run-started':
        rounds = event.rounds
        write(
          `run ${event.runId}: ${event.strategy} on ${event.dataset} with ${event.model} (${event.numParams} parameters), ` +
            `${event.clients} data owners, ${event.trainRows} training rows, ${event.testRows} test rows, ${event.rounds} rounds\n` +
            (Object.keys(event.attackers).length > 0
              ? `  attackers: ${Object.entries(event.attackers)
                  .map(([id, attack]) => `${id} (${attack})`)
                  .join(', ')}\n`
              : ''),
        )
        break
      case 'round-started':
        expected = event.clients.length
        received = 0
        if (live) write(`\r  round ${event.round}/${rounds}: 0/${expected} updates`)
        break
      case 'update-received':
      case 'update-rejected':
        received += 1
        if (event.type === 'update-rejected')
          write(`${live ? '\n' : ''}  rejected update from ${event.clientId}: ${event.reason}\n`)
        if (live) write(`\r  round ${event.round}/${rounds}: ${received}/${expected} updates`)
        break
      case 'round-completed': {
        const r = event.record
        const seconds = (r.durationMs / 1000).toFixed(1)
        write(
          `${live ? '\r' : ''}  round ${String(r.round).padStart(String(rounds).length)}/${rounds}  ` +
            `${formatMetrics(r.test)}${r.trainLoss === undefined ? '' : `  train loss ${r.trainLoss.toFixed(4)}`}  ${r.accepted}/${r.selected} updates  ${seconds}s${formatPhases(r)}\n`,
        )
        break
      }
      case 'update-quarantined':
        write(
          `${live ? '\n' : ''}  quarantined ${event.clientId} (${event.severity}): ${event.reason}\n`,
        )
        break
      case 'client-blocked':
        write(
          `${live ? '\n' : ''}  blocked ${event.clientId} (reputation ${event.reputation.toFixed(0)})${event.untilRound === undefined ? '' : ` until round ${event.untilRound}`}: ${event.reason}\n`,
        )
        break
      case 'client-unblocked':
        write(`  unblocked ${event.clientId} (reputation ${event.reputation.toFixed(0)})\n`)
        break
      case 'model-rolled-back':
        write(
          `${live ? '\n' : ''}  rolled back to model version ${event.toVersion}: validation accuracy ${(event.accuracyAfter * 100).toFixed(2)}% < ${(event.accuracyBefore * 100).toFixed(2)}% − ${(event.margin * 100).toFixed(1)} points\n`,
        )
        break
      case 'model-verified':
        if (!event.accepted)
          write(
            `${live ? '\n' : ''}  SMPC: ${event.clientId}'s model excluded (accuracy ${(event.accuracy * 100).toFixed(2)}%): ${event.reason ?? ''}\n`,
          )
        break
      case 'verifier-outvoted':
        write(`${live ? '\n' : ''}  SMPC: verifier node ${event.nodeId} was outvoted\n`)
        break
      case 'run-completed':
        write(`final: ${formatMetrics(event.final)}\n`)
        break
      case 'run-failed':
        write(`${live ? '\n' : ''}run failed: ${event.error}\n`)
        break
    }
  }
}

function formatPhases(r: AnyRoundRecord): string {
  if (!('phases' in r)) return ''
  const phases = Object.entries(r.phases).map(([name, ms]) => `${name} ${(ms / 1000).toFixed(2)}s`)
  const bytes = [`${((r.bytesSent + r.bytesReceived) / 1e6).toFixed(1)} MB`]
  const error = r.ckksError === undefined ? [] : [`CKKS error ${r.ckksError.toExponential(1)}`]
  const parts = [...phases, ...bytes, ...error]
  return parts.length ? `\n    ${parts.join('  ')}` : ''
}

export function formatMetrics(m: MetricSummary): string {
  const parts: string[] = []
  if (m.accuracy !== undefined) parts.push(`accuracy ${(m.accuracy * 100).toFixed(2)}%`)
  if (m.f1 !== undefined) parts.push(`macro-F1 ${m.f1.toFixed(4)}`)
  if (m.auc !== undefined) parts.push(`AUC ${m.auc.toFixed(4)}`)
  if (m.rmse !== undefined) parts.push(`RMSE ${m.rmse.toFixed(4)}`)
  if (m.attackSuccessRate !== undefined)
    parts.push(`attack success ${(m.attackSuccessRate * 100).toFixed(2)}%`)
  if (m.flippedClassRecall !== undefined)
    parts.push(`flipped-class recall ${(m.flippedClassRecall * 100).toFixed(2)}%`)
  parts.push(`loss ${m.loss.toFixed(4)}`)
  return parts.join('  ')
}
