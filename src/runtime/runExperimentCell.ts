import type { DatasetSplit } from '../core/data/dataset.ts'
import { MsflError } from '../core/errors/msflError.ts'
import type { CellResult } from '../core/experiment/cellResult.ts'
import type { MessageHandler, Transport } from '../core/ports/transport.ts'
import type { ExperimentCell } from './config/experimentMatrix.ts'
import { planRun } from './config/planRun.ts'
import { type RunSimulationParameters, runSimulation } from './runSimulation.ts'

/** Runs one cell of an experiment; a configuration the rule cannot tolerate is recorded, not thrown. */
export async function runExperimentCell(
  cell: ExperimentCell,
  data: DatasetSplit,
  createTransport: (handlers: ReadonlyMap<string, MessageHandler>) => Transport,
  now: () => number,
  /**
   * Protections and DP noise (`privacy`), the defences' ledger and CSPRNG, the secure
   * aggregation of the feature statistics (from the composition root).
   */
  adapters: Pick<
    RunSimulationParameters,
    'createProtection' | 'noiseRng' | 'defences' | 'secaggCrypto'
  > = {},
): Promise<CellResult> {
  const started = now()
  const f = Math.round(cell.malicious * cell.config.clients)
  const base = {
    index: cell.index,
    ...(cell.variant === '' ? {} : { variant: cell.variant }),
    aggregator: cell.aggregator,
    privacy: cell.privacy,
    clients: cell.clients,
    attack: cell.attack,
    malicious: cell.malicious,
    f,
    seed: cell.seed,
  }
  const empty = {
    accuracy: null,
    precision: null,
    recall: null,
    f1: null,
    auc: null,
    loss: null,
    attackSuccessRate: null,
    flippedClassRecall: null,
    epsilon: null,
    rmse: null,
    rmseByRound: [],
    msPerRound: null,
    bytesPerRound: null,
    selectionShareHonest: null,
    selectionShareMalicious: null,
    accuracyByRound: [],
    epsilonByRound: [],
    confusionMatrix: null,
    classNames: null,
    roc: null,
    detectionPrecision: null,
    detectionRecall: null,
    detectionFalsePositiveRate: null,
    rollbacks: null,
    blocks: null,
  }
  try {
    const plan = planRun(cell.config)
    if (plan.protocol === 'msfl')
      throw new MsflError('CONFIG_INVALID', 'protocol: experiment cells run the plain engine')
    const result = await runSimulation({
      runId: `cell-${cell.index}`,
      plan,
      data,
      createTransport,
      ...adapters,
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
      precision: result.final.precision ?? null,
      recall: result.final.recall ?? null,
      f1: result.final.f1 ?? null,
      auc: result.final.auc ?? null,
      loss: result.final.loss,
      attackSuccessRate: result.final.attackSuccessRate ?? null,
      flippedClassRecall: result.final.flippedClassRecall ?? null,
      epsilon: result.privacy?.epsilon ?? null,
      rmse: result.final.rmse ?? null,
      rmseByRound:
        result.final.rmse === undefined ? [] : result.history.map((r) => r.test.rmse ?? Number.NaN),
      selectionShareHonest: meanShare(false),
      selectionShareMalicious: meanShare(true),
      accuracyByRound: result.history.map((r) => r.test.accuracy ?? Number.NaN),
      msPerRound: result.history.reduce((s, r) => s + r.durationMs, 0) / result.history.length,
      bytesPerRound:
        result.history.reduce((s, r) => s + r.bytesSent + r.bytesReceived, 0) /
        result.history.length,
      epsilonByRound: epsilonByRound(result.privacy?.epsilonPerRound),
      confusionMatrix: result.final.confusionMatrix ?? null,
      classNames: result.final.confusionMatrix ? [...data.test.classNames] : null,
      roc: result.final.roc ?? null,
      detectionPrecision: result.defence?.detection?.precision ?? null,
      detectionRecall: result.defence?.detection?.recall ?? null,
      detectionFalsePositiveRate: result.defence?.detection?.falsePositiveRate ?? null,
      rollbacks: result.defence?.adrm ? result.defence.rollbacks.length : null,
      blocks: result.defence?.adrm ? result.defence.blocks.length : null,
      durationMs: now() - started,
    }
  } catch (error) {
    if (!(error instanceof MsflError)) throw error
    const status =
      error.code === 'CONFIG_INVALID' ? `n/a: ${error.message}` : `failed: ${error.message}`
    return { ...base, ...empty, status, durationMs: now() - started }
  }
}

/** ε after each round, in round order; empty without DP. */
function epsilonByRound(perRound: Readonly<Record<number, number>> | undefined): number[] {
  if (!perRound) return []
  return Object.entries(perRound)
    .map(([round, epsilon]) => [Number(round), epsilon] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, epsilon]) => epsilon)
}
