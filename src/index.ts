/**
 * msfl as a library. Explicit named exports only: what is listed here (and in
 * `core/index.ts`, re-exported whole) is the supported API; everything else is internal
 * and may change.
 *
 * @module msfl
 */

// Adapters: dataset files, transport
export {
  type DatasetInfo,
  type DatasetOptionInfo,
  type LoadDatasetOptions,
  listDatasets,
  loadDataset,
} from './adapters/data/index.ts'
export {
  type DatasetVerification,
  type FileCheck,
  type FileCheckStatus,
  verifyDatasets,
} from './adapters/data/index.ts'
export {
  createMemoryTransport,
  createWorkerPool,
  type MemoryTransportParameters,
  settleWithin,
  type WorkerPool,
  type WorkerPoolParameters,
} from './adapters/transport/index.ts'
export * from './core/index.ts'
// Runtime
export {
  type DefencePlan,
  type EnginePlan,
  type FederatedRunPlan,
  type MsflRunPlan,
  type PlainRunPlan,
  type PrivacyPlan,
  type ProtectedRunPlan,
  planFederatedRun,
  planMsflRun,
  planRun,
  type RunBasics,
  type RunPlan,
} from './runtime/config/planRun.ts'
export { type SimulationConfig, simulationConfigSchema } from './runtime/config/simulationConfig.ts'
export { createEventBus, type EventBus } from './runtime/createEventBus.ts'
export {
  type AdrmLabelFeedback,
  type AdrmStageParameters,
  type AdrmStages,
  createAdrmStages,
} from './runtime/defence/createAdrmStages.ts'
export type { SmpcRoundRecord } from './runtime/defence/createSmpcStage.ts'
export type { DefenceAdapters, DefenceSummary } from './runtime/defence/openDefences.ts'
export type { LedgerSummary, MsflLedger } from './runtime/msflLedger.ts'
export type { MsflOwners, MsflOwnersSpec } from './runtime/msflOwners.ts'
export type {
  CreateProtection,
  OpenedProtection,
  ProtectedAggregate,
  ProtectedRoundHooks,
  ProtectedRoundInput,
  ProtectionContext,
  ProtectionParticipant,
  UpdateProtection,
} from './runtime/privacy/updateProtection.ts'
export type { RoundStages, ScreenOutcome } from './runtime/roundStages.ts'
export {
  type AcceptedUpdate,
  DEFAULT_DEADLINE_MS,
  type ReplyVerdict,
  type RoundBroadcast,
  type RoundProtocol,
  type RoundResult,
  type RoundsResult,
  type RunRoundsParameters,
  runRounds,
} from './runtime/rounds/runRounds.ts'
export type {
  FederationJournal,
  JournalVerdict,
  OpenedRound,
  RoundJournal,
} from './runtime/rounds/roundJournal.ts'
export type {
  MsflDeliveryFields,
  MsflRoundJournal,
} from './runtime/orchestrator/openMsflJournal.ts'
export {
  type CollectOptions,
  collectReplies,
  type ReplyOutcome,
  type StageTimer,
  type StartTimer,
  startTimeout,
} from './runtime/rounds/collectReplies.ts'
export {
  type ProtectedFederationResult,
  type RunProtectedFederationParameters,
  runProtectedFederation,
} from './runtime/privacy/runProtectedFederation.ts'
export { type RunMsflProtocolParameters, runMsflProtocol } from './runtime/runMsflProtocol.ts'
export {
  type FederationResult,
  type RoundEvaluation,
  type RunFederationParameters,
  runFederation,
} from './runtime/runFederation.ts'
export type { MsflAdapters } from './runtime/msfl/msflAdapters.ts'
export type { ScalingSource } from './runtime/scaling/scaleFederation.ts'
export {
  type PrivacySummary,
  type RunSimulationParameters,
  runSimulation,
  type SimulationResult,
} from './runtime/runSimulation.ts'
export type {
  SmpcModelVerdict,
  SmpcNotice,
  SmpcTraffic,
  SmpcVerificationResult,
} from './runtime/smpc/summariseVerification.ts'
export {
  type SmpcModelInput,
  type VerifyAndAggregateParameters,
  verifyAndAggregate,
} from './runtime/smpc/verifyAndAggregate.ts'
