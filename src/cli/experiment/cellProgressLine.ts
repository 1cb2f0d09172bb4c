import type { CellResult } from '../../core/experiment/cellResult.ts'
import { taskMetric } from './taskMetric.ts'

/**
 * One console line per finished cell: which cell it was and its task's metric (RMSE
 * for a regression, accuracy and any backdoor success for a classification), or why
 * it did not run. `showClients` names the owner count when the matrix varies it, so
 * cells that differ only there do not print the same description.
 */
export function cellProgressLine(
  result: CellResult,
  done: number,
  total: number,
  showClients: boolean,
): string {
  const r = result
  const metric = taskMetric(r)
  const outcome =
    r.status === 'ok'
      ? `${metric.name} ${metric.text}${r.attackSuccessRate !== null ? `  attack success ${(r.attackSuccessRate * 100).toFixed(2)}%` : ''}`
      : r.status.slice(0, 100)
  const cell =
    `${r.variant ? `${r.variant}: ` : ''}${r.aggregator}${r.privacy === 'none' ? '' : ` + ${r.privacy}`}` +
    `${showClients ? `, n=${r.clients}` : ''} × ${r.attack} × f=${r.f} seed ${r.seed}`
  return `  [${String(done).padStart(String(total).length)}/${total}] ${cell}: ${outcome}  ${(r.durationMs / 1000).toFixed(1)}s\n`
}
