/**
 * `msfl/core`: the pure protocol code, with no I/O, clock or ambient randomness and no
 * Node built-ins, so a browser, a worker or another runtime can use it. Everything here
 * is also exported by the root entry `msfl`, which adds the Node adapters and the
 * runtime that drives them.
 *
 * @packageDocumentation
 */

// Defences: ADRM
export { createAdrm } from './adrm/createAdrm.ts'
export { parseAdrmSpec } from './adrm/parseAdrmSpec.ts'
// Data
export type { Dataset, DatasetSplit } from './data/dataset.ts'
export { labelHistogram, selectRows } from './data/dataset.ts'
export { type DatasetSpec, parseDatasetSpec } from './data/parseDatasetSpec.ts'
export { type PartitionSpec, partitionDataset } from './data/partition.ts'
export { type PartitionStatistics, partitionStatistics } from './data/partitionStatistics.ts'
export { generateSynthetic, type SyntheticOptions } from './data/synthetic.ts'
// Errors and events
export { MsflError, type MsflErrorCode } from './errors/msflError.ts'
export type { EventSink, MetricSummary, RoundRecord, RunEvent } from './events/runEvent.ts'
// Federated protocol
export { createFedAvg } from './fl/createFedAvg.ts'
export { createFedSgd } from './fl/createFedSgd.ts'
export { createTrainingClient } from './fl/createTrainingClient.ts'
export type { FitInstruction, FitResult, LocalTrainingConfig } from './fl/messages.ts'
export { partitionClients } from './fl/partitionClients.ts'
export { sampleClients } from './fl/sampleClients.ts'
export type { AggregateOutcome, RoundPlan, Strategy } from './fl/strategy.ts'
export { weightedAverage } from './fl/weightedAverage.ts'
// Models, training, metrics
export {
  accuracy,
  macroF1,
  macroPrecision,
  macroRecall,
} from './metrics/classificationMetrics.ts'
export { confusionMatrix } from './metrics/confusionMatrix.ts'
export { detectionMetrics } from './metrics/detectionMetrics.ts'
export { type EvaluationMetrics, evaluateModel } from './metrics/evaluateModel.ts'
export { mae, rmse } from './metrics/regressionMetrics.ts'
export { oneVsRestAuc, rocAuc, rocCurve } from './metrics/roc.ts'
export { createModel, parseModelSpec } from './model/createModel.ts'
export type { Batch, Model, ModelKind, ModelSpec } from './model/model.ts'
export { decodeModelFile, encodeModelFile, type ModelFile } from './model/modelFile.ts'
export { parameterLayout } from './model/parameterLayout.ts'
export type { MessageHandler, Transport, TransportStats } from './ports/transport.ts'
// Randomness (seeded: simulation only)
export type { Rng } from './rng/rng.ts'
export { createSeededRng, deriveSeed } from './rng/seededRng.ts'
export { computeGradient } from './train/computeGradient.ts'
export { trainLocal } from './train/trainLocal.ts'
// Defences: SMPC verification
export { wrapModelCheck } from './verification/wrapModelCheck.ts'
// Wire format
export { decodeMessage } from './wire/decodeMessage.ts'
export { encodeMessage } from './wire/encodeMessage.ts'
export type { WireValue } from './wire/wireFormat.ts'
