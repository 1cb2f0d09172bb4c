/**
 * `msfl/core`: the pure protocol code, with no I/O, clock or ambient randomness and no
 * Node built-ins, so a browser, a worker or another runtime can use it. The root entry
 * `msfl` re-exports all of it and adds the Node adapters and the runtime that drives them.
 *
 * @module msfl/core
 */

export type { Moment } from './adrm/adrmNotice.ts'
export type {
  ChallengeOutcome,
  ChampionChallengerConfig,
  ChampionChallengerStatus,
} from './adrm/championChallenger.ts'
// Defences: ADRM
export {
  type Adrm,
  type AdrmConfig,
  type AdrmLabels,
  type AdrmSnapshot,
  type AdrmUpdate,
  createAdrm,
  type Inspection,
  type Review,
} from './adrm/createAdrm.ts'
export type { DetectionConfig, DetectionSpace, UpdateDecision } from './adrm/detectUpdates.ts'
export type {
  ModelDecision,
  ModelManager,
  ModelManagerConfig,
  ModelVersionSummary,
} from './adrm/modelManager.ts'
export type { OwnerBaselineConfig } from './adrm/ownerBaseline.ts'
export { parseAdrmSpec } from './adrm/parseAdrmSpec.ts'
export type { DeviationMemory, PersistenceConfig } from './adrm/persistentDeviation.ts'
export type { Quarantine, QuarantineCounts, QuarantinedUpdate } from './adrm/quarantine.ts'
export type { Block as ReputationBlock, ReputationConfig } from './adrm/reputationBook.ts'
export type { Severity, SeverityBands } from './adrm/severity.ts'
// Attacks (simulation)
export type { AttackDefinition, AttackName, AttackSpec } from './attacks/attackCatalog.ts'
// Data
export type { Dataset, DatasetSplit } from './data/dataset.ts'
export { labelHistogram, selectRows } from './data/dataset.ts'
export type { FeatureScaling, FeatureScalingPlan, ScaledFeature } from './data/featureScaling.ts'
export { type DatasetSpec, parseDatasetSpec } from './data/parseDatasetSpec.ts'
export { type PartitionSpec, partitionDataset } from './data/partition.ts'
export {
  type ClientStatistics,
  type PartitionStatistics,
  type PartitionSummary,
  partitionStatistics,
} from './data/partitionStatistics.ts'
export { generateSynthetic, type SyntheticOptions } from './data/synthetic.ts'
// Differential privacy
export type { ClientNoise } from './dp/clientLevelDp.ts'
export { describeZodError } from './errors/describeZodError.ts'
// Errors and events
export { MsflError, type MsflErrorCode } from './errors/msflError.ts'
export { createRunEmitter, type RunEmitter, reportRunFailure } from './events/createRunEmitter.ts'
export type {
  AnyRoundRecord,
  DetectionReason,
  EventBase,
  EventSink,
  FederationRoundRecord,
  MetricSummary,
  MsflRoundRecord,
  ProtectedRoundRecord,
  RoundRecord,
  RunEvent,
  RunEventBody,
  RunEventType,
} from './events/runEvent.ts'
// Federated protocol
export { createFedAvg } from './fl/createFedAvg.ts'
export { createFedOpt, type FedOptParameters } from './fl/createFedOpt.ts'
export { createFedProx, type FedProxParameters } from './fl/createFedProx.ts'
export { createFedSgd, type FedSgdParameters } from './fl/createFedSgd.ts'
export { createScaffold, type ScaffoldParameters } from './fl/createScaffold.ts'
export { createServerOptimizer, type ServerOptimizer } from './fl/createServerOptimizer.ts'
export { createTrainingClient, type TrainingClientParameters } from './fl/createTrainingClient.ts'
export {
  type FitInstruction,
  type FitResult,
  fitInstructionSchema,
  fitResultSchema,
  type LocalTrainingConfig,
  localTrainingSchema,
  type ServerMessage,
} from './fl/messages.ts'
export {
  describeStrategy,
  parseStrategySpec,
  type ServerOptimizerSpec,
  STRATEGY_NAMES,
  STRATEGY_OPTIONS,
  type StrategyName,
  type StrategySpec,
} from './fl/parseStrategySpec.ts'
export {
  type ClientPartition,
  type DataOwnerShard,
  partitionClients,
} from './fl/partitionClients.ts'
export { type ClientSampling, sampleClients } from './fl/sampleClients.ts'
export type { AggregateOutcome, RoundPlan, Strategy, StrategyParameters } from './fl/strategy.ts'
export { weightedAverage } from './fl/weightedAverage.ts'
// Metrics and models
export {
  accuracy,
  macroF1,
  macroPrecision,
  macroRecall,
} from './metrics/classificationMetrics.ts'
export { confusionMatrix } from './metrics/confusionMatrix.ts'
export {
  type DetectionMetrics,
  type DetectionRound,
  detectionMetrics,
} from './metrics/detectionMetrics.ts'
export { type EvaluationMetrics, evaluateModel } from './metrics/evaluateModel.ts'
export { mae, rmse } from './metrics/regressionMetrics.ts'
export { oneVsRestAuc, type RocCurve, rocAuc, rocCurve } from './metrics/roc.ts'
export { createModel, parseModelSpec } from './model/createModel.ts'
export type { DenseModel, OutputHead } from './model/denseNetwork.ts'
export type { Batch, Model, ModelKind, ModelSpec } from './model/model.ts'
export {
  decodeModelFile,
  encodeModelFile,
  type ModelFile,
  modelFileSchema,
} from './model/modelFile.ts'
export { type DenseLayerLayout, parameterLayout } from './model/parameterLayout.ts'
// MS-FL protocol and the ports its adapters implement (HE, settlement, transport)
export type { BlockLayout } from './msfl/blockLayout.ts'
export type { MaskMode } from './msfl/componentMasks.ts'
export type { OwnerInboxMessage, RequestorInboxMessage } from './msfl/msflMessages.ts'
export type { MsflModelShape } from './msfl/msflModel.ts'
export type { HeCiphertext, HeDecryptor, HeEvaluator, HeParameters } from './ports/he.ts'
export type { SecaggCrypto, SecaggKeyPair } from './ports/secaggCrypto.ts'
export type { SecaggIdentity, SecaggVerifier } from './ports/secaggIdentity.ts'
export type {
  ContributionTable,
  Settlement,
  SettlementReceipt,
  SettlementStatus,
} from './ports/settlement.ts'
export type {
  MessageHandler,
  ProtocolMessage,
  RequestOptions,
  Transport,
  TransportStats,
} from './ports/transport.ts'
// Privacy, randomness (seeded: simulation only), robust aggregation, spec strings, training
export type { KeyHolderRequest } from './privacy/keyHolderMessages.ts'
export {
  type ClientDpOptions,
  type DpPart,
  type HidingPart,
  isHiding,
  PRIVACY_OPTIONS,
  type PrivacyName,
  type PrivacyPart,
  type SampleDpOptions,
} from './privacy/parsePrivacySpec.ts'
export type { Rng } from './rng/rng.ts'
export { createSeededRng, deriveSeed } from './rng/seededRng.ts'
export type {
  AggregationInput,
  AggregationResult,
  ComponentSelection,
  RobustRule,
} from './robust/robustRule.ts'
export type { ScalingInboxMessage } from './scaling/scalingMessages.ts'
export type { ClientInboxMessage } from './secagg/secaggMessages.ts'
export type { SmpcRequest } from './smpc/smpcMessages.ts'
export type { NamedSpec, SpecValue } from './spec/parseSpecString.ts'
export type {
  OptionSchema,
  OptionSpec,
  OptionsOf,
  OptionValue,
  ResolvedOptions,
} from './spec/specOptions.ts'
export { computeGradient } from './train/computeGradient.ts'
export {
  type DriftCorrection,
  type TrainOptions,
  type TrainResult,
  trainLocal,
} from './train/trainLocal.ts'
// Defences: SMPC verification
export type { VerifyConfig } from './verification/parseVerifySpec.ts'
export { type ModelRegistryView, wrapModelCheck } from './verification/wrapModelCheck.ts'
// Wire format
export { decodeMessage } from './wire/decodeMessage.ts'
export { encodeMessage } from './wire/encodeMessage.ts'
export type { DecodeOptions, WireValue } from './wire/wireFormat.ts'
