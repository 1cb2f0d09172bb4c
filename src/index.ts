/**
 * msfl as a library. Explicit named exports only: what is listed here is the
 * supported API; everything else is internal and may change.
 */

export { listDatasets, loadDataset } from './adapters/data/loadDataset.ts'
export { verifyDatasets } from './adapters/data/verifyDatasets.ts'
export { createMemoryTransport } from './adapters/transport/createMemoryTransport.ts'
// Defences: ADRM and SMPC verification
export { createAdrm } from './core/adrm/createAdrm.ts'
export { parseAdrmSpec } from './core/adrm/parseAdrmSpec.ts'
// Data
export type { Dataset, DatasetSplit } from './core/data/dataset.ts'
export { labelHistogram, selectRows } from './core/data/dataset.ts'
export { type DatasetSpec, parseDatasetSpec } from './core/data/parseDatasetSpec.ts'
export { type PartitionSpec, partitionDataset } from './core/data/partition.ts'
export { type PartitionStatistics, partitionStatistics } from './core/data/partitionStatistics.ts'
export { generateSynthetic, type SyntheticOptions } from './core/data/synthetic.ts'
// Errors
export { MsflError, type MsflErrorCode } from './core/errors/msflError.ts'
export type { EventSink, MetricSummary, RoundRecord, RunEvent } from './core/events/runEvent.ts'
export { createFedAvg } from './core/fl/createFedAvg.ts'
export { createFedSgd } from './core/fl/createFedSgd.ts'
export { createTrainingClient } from './core/fl/createTrainingClient.ts'
// Federated protocol
export type { FitInstruction, FitResult, LocalTrainingConfig } from './core/fl/messages.ts'
export { partitionClients } from './core/fl/partitionClients.ts'
export { sampleClients } from './core/fl/sampleClients.ts'
export type { AggregateOutcome, RoundPlan, Strategy } from './core/fl/strategy.ts'
export { weightedAverage } from './core/fl/weightedAverage.ts'
export {
  accuracy,
  macroF1,
  macroPrecision,
  macroRecall,
} from './core/metrics/classificationMetrics.ts'
export { confusionMatrix } from './core/metrics/confusionMatrix.ts'
export { detectionMetrics } from './core/metrics/detectionMetrics.ts'
export { type EvaluationMetrics, evaluateModel } from './core/metrics/evaluateModel.ts'
export { mae, rmse } from './core/metrics/regressionMetrics.ts'
export { oneVsRestAuc, rocAuc, rocCurve } from './core/metrics/roc.ts'
export { createModel, parseModelSpec } from './core/model/createModel.ts'
// Models, training, metrics
export type { Batch, Model, ModelKind, ModelSpec } from './core/model/model.ts'
export { decodeModelFile, encodeModelFile, type ModelFile } from './core/model/modelFile.ts'
export { parameterLayout } from './core/model/parameterLayout.ts'
export type { MessageHandler, Transport, TransportStats } from './core/ports/transport.ts'
// Randomness (seeded: simulation only)
export type { Rng } from './core/rng/rng.ts'
export { createSeededRng, deriveSeed } from './core/rng/seededRng.ts'
export { computeGradient } from './core/train/computeGradient.ts'
export { trainLocal } from './core/train/trainLocal.ts'
export { wrapModelCheck } from './core/verification/wrapModelCheck.ts'
// Wire and transport
export { decodeMessage } from './core/wire/decodeMessage.ts'
export { encodeMessage } from './core/wire/encodeMessage.ts'
export type { WireValue } from './core/wire/wireFormat.ts'
export { type SimulationConfig, simulationConfigSchema } from './runtime/config/simulationConfig.ts'
export { createEventBus } from './runtime/createEventBus.ts'
export { createAdrmStages } from './runtime/defence/createAdrmStages.ts'
export type { RoundStages } from './runtime/roundStages.ts'
// Runtime
export { runFederation } from './runtime/runFederation.ts'
export { runSimulation } from './runtime/runSimulation.ts'
export { verifyAndAggregate } from './runtime/smpc/verifyAndAggregate.ts'
