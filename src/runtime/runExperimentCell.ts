import type { DatasetSplit } from '../core/data/dataset.ts'
import { MsflError } from '../core/errors/msflError.ts'
import type { CellResult } from '../core/experiment/cellResult.ts'
import type { MessageHandler, Transport } from '../core/ports/transport.ts'
import type { ExperimentCell } from './config/experimentMatrix.ts'
import { type RunSimulationParameters, runSimulation } from './runSimulation.ts'

/** Runs one cell of an experiment; a configuration the rule cannot tolerate is recorded, not thrown. */
export async function runExperimentCell(
  cell: ExperimentCell,
  data: DatasetSplit,
  createTransport: (handlers: ReadonlyMap<string, MessageHandler>) => Transport,
  now: () => number,
  /** Update protections and DP noise for cells with `privacy` (from the composition root). */
  privacy: Pick<RunSimulationParameters, 'createProtection' | 'noiseRng'> = {},
): Promise<CellResult> {
  const started = now()
  const f = Math.round(cell.malicious * cell.config.clients)
  const base = {
    index: cell.index,
    aggregator: cell.aggregator,
    privacy: cell.privacy,
    attack: cell.attack,
    malicious: cell.malicious,
    f,
    seed: cell.seed,
  }
  const empty = {
    accuracy: null,
    f1: null,
    loss: null,
    attackSuccessRate: null,
    flippedClassRecall: null,
    epsilon: null,
    selectionShareHonest: null,
    selectionShareMalicious: null,
    accuracyByRound: [],
  }
  try {
    const result = await runSimulation({
      runId: `cell-${cell.index}`,
      config: cell.config,
      data,
      createTransport,
      ...privacy,
      emit: () => {},
      now,
    })
    const shares = result.history.filter((r) => r.selectionShare).map((r) => r.selectionShare!)
    const meanShare = (malicious: boolean) => {
      const values = shares.flatMap((s) =>
        Object.entries(s)
          .filter(([id]) => result.attackers.has(id) === malicious)
          .map(([, v]) => v),
      )
      return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null
    }
    return {
      ...base,
      status: 'ok',
      accuracy: result.final.accuracy ?? null,
      f1: result.final.f1 ?? null,
      loss: result.final.loss,
      attackSuccessRate: result.final.attackSuccessRate ?? null,
      flippedClassRecall: result.final.flippedClassRecall ?? null,
      epsilon: result.privacy?.epsilon ?? null,
      selectionShareHonest: meanShare(false),
      selectionShareMalicious: meanShare(true),
      accuracyByRound: result.history.map((r) => r.test.accuracy ?? Number.NaN),
      durationMs: now() - started,
    }
  } catch (error) {
    if (!(error instanceof MsflError)) throw error
    const status =
      error.code === 'CONFIG_INVALID' ? `n/a: ${error.message}` : `failed: ${error.message}`
    return { ...base, ...empty, status, durationMs: now() - started }
  }
}
