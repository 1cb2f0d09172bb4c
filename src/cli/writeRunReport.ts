import type { RunEventDigest, RunReportLedger } from '../adapters/report/index.ts'
import { renderRunReport } from '../adapters/report/index.ts'
import type { RunDirectory } from '../adapters/runs/index.ts'
import type { DatasetSplit } from '../core/data/dataset.ts'
import type { AnyRoundRecord } from '../core/events/runEvent.ts'
import type { EvaluationMetrics } from '../core/metrics/evaluateModel.ts'
import type { SimulationConfig } from '../runtime/config/simulationConfig.ts'
import { machineEnvironment } from './machineEnvironment.ts'
import type { ClientSummary } from './writeClientsFile.ts'

/** One finished run as its HTML report shows it. */
export interface RunReportSource {
  readonly runId: string
  readonly title: string
  readonly config: SimulationConfig
  readonly data: DatasetSplit
  /** How the protocol transformed the dataset's rows, appended to its description. */
  readonly dataNote?: string
  readonly result: {
    readonly history: readonly AnyRoundRecord[]
    readonly final: EvaluationMetrics
  }
  readonly clients: readonly ClientSummary[]
  readonly events: RunEventDigest
  readonly ledger?: RunReportLedger
  /** Rows the protocol adds to the machine's Environment table (e.g. the CKKS preset). */
  readonly environment?: Readonly<Record<string, string>>
}

/** Writes `report.html`: curves, confusion matrix, owners, ledger, defence, environment. */
export function writeRunReport(dir: RunDirectory, run: RunReportSource): void {
  const { config, data } = run
  dir.write(
    'report.html',
    renderRunReport({
      runId: run.runId,
      title: run.title,
      config,
      datasetDescription: run.dataNote ? `${data.description} (${run.dataNote})` : data.description,
      classNames: data.train.classNames,
      history: run.result.history,
      final: run.result.final,
      clients: run.clients,
      events: run.events,
      ...(run.ledger ? { ledger: run.ledger } : {}),
      ...(config.defence === undefined ? {} : { defence: config.defence }),
      environment: { ...machineEnvironment(), ...run.environment },
    }),
  )
}
