import type { AdrmConfig } from '../../core/adrm/createAdrm.ts'
import { parseAdrmSpec } from '../../core/adrm/parseAdrmSpec.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { LocalTrainingConfig } from '../../core/fl/messages.ts'
import {
  describeStrategy,
  parseStrategySpec,
  type StrategySpec,
  stepsByMean,
} from '../../core/fl/parseStrategySpec.ts'
import type { ClientSampling } from '../../core/fl/sampleClients.ts'
import type { MaskMode } from '../../core/msfl/componentMasks.ts'
import { assertMsflSelectionRule } from '../../core/msfl/selectContributions.ts'
import {
  type DpPart,
  type HidingPart,
  isHiding,
  type PrivacyPart,
  parsePrivacySpec,
} from '../../core/privacy/parsePrivacySpec.ts'
import { createRobustRule } from '../../core/robust/createRobustRule.ts'
import { DEFAULT_TOLERANCE } from '../../core/robust/defaultTolerance.ts'
import { parseVerifySpec, type VerifyConfig } from '../../core/verification/parseVerifySpec.ts'
import type { SimulationConfig } from './simulationConfig.ts'

/** What every protocol needs: the data, the population, the rounds, the attacks and time. */
export interface RunBasics {
  readonly dataset: string
  readonly model: string
  readonly clients: number
  readonly rounds: number
  readonly partition: string
  readonly seed: number
  /** How long a participant may take to answer one request, in milliseconds. */
  readonly deadlineMs: number
  /** Simulation: the attack of the malicious share, that share, and explicit attackers. */
  readonly attack?: string | undefined
  readonly malicious: number
  readonly attackers?: Readonly<Record<string, string>> | undefined
}

/** How the plain engine trains and combines: the strategy, with an optional robust rule. */
export interface EnginePlan {
  /** The parsed `--strategy` (fedavg, fedsgd, fedprox, scaffold, fedavgm, fedadagrad, fedadam, fedyogi). */
  readonly strategy: StrategySpec
  /** A robust rule spec (e.g. `krum:f=2`); absent: the plain weighted average. */
  readonly robustRule?: string
  /**
   * The share of the updates a round combines that the robust rule assumes malicious
   * (`--tolerate`, else DEFAULT_TOLERANCE), unless its spec states `f=`.
   */
  readonly tolerate: number
  readonly serverLearningRate: number
  readonly sampling: ClientSampling
  readonly training: LocalTrainingConfig
}

/** `--defence` and `--verify` on the plain engine, and the ledger they report to. */
export interface DefencePlan {
  readonly adrm?: AdrmConfig
  readonly verify?: VerifyConfig
  readonly ledger: string
  readonly pricePerComponent: number
}

/** `--privacy`: DP (either level) and at most one protection that hides the updates. */
export interface PrivacyPlan {
  readonly spec: string
  /** Every part in the order the spec names them. */
  readonly parts: readonly PrivacyPart[]
  readonly dp?: DpPart
  readonly hiding?: HidingPart
  /**
   * Client-level DP with distributed noise: t, the fewest noise shares a released sum
   * holds (dp min, or secagg's own t when min is 0).
   */
  readonly minNoiseShares?: number
  /** Simulation with secagg: the share of clients that vanish after key sharing each round. */
  readonly dropout: number
}

/** FedAvg or FedSGD with plaintext updates, optionally robust and defended. */
export interface PlainRunPlan {
  readonly protocol: 'plain'
  readonly basics: RunBasics
  readonly engine: EnginePlan
  readonly defences?: DefencePlan
}

/** The plain engine with `--privacy`: DP and/or updates hidden from the server. */
export interface ProtectedRunPlan {
  readonly protocol: 'protected'
  readonly basics: RunBasics
  readonly engine: EnginePlan
  readonly privacy: PrivacyPlan
  /** ADRM and SMPC read individual updates: only with DP that hides none. */
  readonly defences?: DefencePlan
}

/** The MS-FL protocol (SPEC C2): encrypted model, masked selection, settlement on a ledger. */
export interface MsflRunPlan {
  readonly protocol: 'msfl'
  readonly basics: RunBasics
  /** The CKKS preset the model is encrypted under. */
  readonly he: string
  /** Where rounds are settled: memory, evm or rpc:<url>. */
  readonly ledger: string
  readonly msfl: SimulationConfig['msfl'] & { readonly mask: MaskMode }
  /** The requestor's selection rule spec (`msfl` unless a robust rule is named). */
  readonly selectionRule: string
  /** The share of the owners the selection rule assumes malicious, unless its spec states `f=`. */
  readonly tolerate: number
  /** `--defence adrm` at the requestor, on global-scale masked gradients. */
  readonly defence?: string
}

/** A run of the plain engine, with or without `--privacy`. */
export type FederatedRunPlan = PlainRunPlan | ProtectedRunPlan

/** One validated run, discriminated by `protocol`: each variant carries only what it uses. */
export type RunPlan = PlainRunPlan | ProtectedRunPlan | MsflRunPlan

/**
 * Turns a validated config into the plan of one run: every spec string parsed once,
 * every cross-field rule checked once, each failure naming its field. Below this point
 * no module reads the config or re-checks a combination.
 */
export function planRun(config: SimulationConfig): RunPlan {
  const basics: RunBasics = {
    dataset: config.dataset,
    model: config.model,
    clients: config.clients,
    rounds: config.rounds,
    partition: config.partition,
    seed: config.seed,
    deadlineMs: config.deadline * 1000,
    attack: config.attack,
    malicious: config.malicious,
    attackers: config.attackers,
  }
  if (config.protocol === 'msfl') return planMsfl(config, basics)
  const strategy = parseStrategySpec(config.strategy)
  const robustRule = config.aggregator === 'fedavg' ? undefined : config.aggregator
  if (robustRule !== undefined && strategy.name === 'scaffold')
    throw new MsflError(
      'CONFIG_INVALID',
      `aggregator: scaffold averages every client's control variate change unscreened, so ${robustRule} would protect the model update but not the correction every client applies; use aggregator fedavg (or --defence adrm, which screens whole replies)`,
    )
  if (
    robustRule !== undefined &&
    strategy.name === 'fedsgd' &&
    createRobustRule(robustRule, { f: 0 }).needsReference
  )
    throw new MsflError(
      'CONFIG_INVALID',
      `aggregator: ${robustRule} compares each owner's local-training update with the aggregator's own; fedsgd sends gradients, so use strategy fedavg (or an adaptive one)`,
    )
  const engine: EnginePlan = {
    strategy,
    ...(robustRule === undefined ? {} : { robustRule }),
    tolerate: planTolerance(config, robustRule),
    serverLearningRate: config.serverLearningRate,
    sampling: config.sampling,
    training: config.training,
  }
  const privacy =
    config.privacy === undefined ? undefined : planPrivacy(config.privacy, config, engine)
  const defences = planDefences(config, engine)
  if (privacy === undefined)
    return { protocol: 'plain', basics, engine, ...(defences ? { defences } : {}) }
  return { protocol: 'protected', basics, engine, privacy, ...(defences ? { defences } : {}) }
}

/**
 * The declared share of malicious owners; refused next to a rule spec that states its own
 * f, since the two would say different things.
 */
function planTolerance(config: SimulationConfig, robustRule: string | undefined): number {
  if (config.tolerate === undefined) return DEFAULT_TOLERANCE
  if (robustRule !== undefined && createRobustRule(robustRule, { f: 0 }).declaredF !== undefined)
    throw new MsflError(
      'CONFIG_INVALID',
      `tolerate: ${robustRule} states its own f; give either f= in the aggregator or tolerate, not both`,
    )
  return config.tolerate
}

function planMsfl(config: SimulationConfig, basics: RunBasics): MsflRunPlan {
  if (parseStrategySpec(config.strategy).name !== 'fedavg')
    throw new MsflError(
      'CONFIG_INVALID',
      'strategy: the msfl protocol runs its own rounds; leave strategy at fedavg',
    )
  // fedavg, the config default, selects nobody out: it stands for the protocol's own rule.
  const selectionRule = config.aggregator === 'fedavg' ? 'msfl' : config.aggregator
  const tolerate = planTolerance(config, selectionRule)
  assertMsflSelectionRule(
    createRobustRule(selectionRule, { f: 0 }),
    config.msfl.mask,
    config.msfl.minOwners,
  )
  if (config.defence !== undefined) parseAdrmSpec(config.defence)
  return {
    protocol: 'msfl',
    basics,
    he: config.he,
    ledger: config.ledger,
    msfl: config.msfl,
    selectionRule,
    tolerate,
    ...(config.defence === undefined ? {} : { defence: config.defence }),
  }
}

function planDefences(config: SimulationConfig, engine: EnginePlan): DefencePlan | undefined {
  if (config.defence === undefined && config.verify === undefined) return undefined
  const verify = config.verify === undefined ? undefined : parseVerifySpec(config.verify)
  if (verify && !stepsByMean(engine.strategy))
    throw new MsflError(
      'CONFIG_INVALID',
      `verify: the verifier nodes evaluate local models and average the verified ones themselves; use strategy fedavg or fedprox, not ${describeStrategy(engine.strategy)}`,
    )
  if (verify && engine.robustRule !== undefined)
    throw new MsflError(
      'CONFIG_INVALID',
      `verify: the verifier nodes aggregate the verified models themselves; use aggregator fedavg, not ${engine.robustRule}`,
    )
  return {
    ...(config.defence === undefined ? {} : { adrm: parseAdrmSpec(config.defence) }),
    ...(verify ? { verify } : {}),
    ledger: config.ledger,
    pricePerComponent: config.msfl.pricePerComponent,
  }
}

function planPrivacy(spec: string, config: SimulationConfig, engine: EnginePlan): PrivacyPlan {
  const parts = parsePrivacySpec(spec)
  const dp = parts.find((part): part is DpPart => part.name === 'dp')
  const hiding = parts.find(isHiding)
  const minNoiseShares =
    dp?.options.level === 'client' && dp.options.noise === 'distributed'
      ? dp.options.min || (hiding?.name === 'secagg' ? hiding.options.t : 0)
      : undefined
  if (dp?.options.level === 'client')
    checkClientLevel(dp.options.delta, minNoiseShares, config, engine)
  else if (dp && engine.strategy.name !== 'fedavg')
    throw new MsflError(
      'CONFIG_INVALID',
      `privacy: dp trains with DP-SGD inside FedAvg rounds; use strategy fedavg, not ${describeStrategy(engine.strategy)}`,
    )
  if (hiding && !stepsByMean(engine.strategy))
    throw new MsflError(
      'CONFIG_INVALID',
      `privacy: ${hiding.name} releases only the mean update, which moves the model as FedAvg does; use strategy fedavg or fedprox, not ${describeStrategy(engine.strategy)}`,
    )
  if (hiding && engine.robustRule !== undefined)
    throw new MsflError(
      'CONFIG_INVALID',
      `privacy: ${engine.robustRule} needs every individual update, which ${hiding.name} hides; use aggregator fedavg`,
    )
  return {
    spec,
    parts,
    ...(dp ? { dp } : {}),
    ...(hiding ? { hiding } : {}),
    ...(minNoiseShares === undefined ? {} : { minNoiseShares }),
    dropout: config.dropout,
  }
}

/** The run settings client-level DP cannot work with, each named. */
function checkClientLevel(
  delta: number,
  t: number | undefined,
  config: SimulationConfig,
  engine: EnginePlan,
): void {
  const fail = (message: string) =>
    new MsflError('CONFIG_INVALID', `privacy: dp level=client ${message}`)
  if (engine.strategy.name !== 'fedavg')
    throw fail(
      `averages client updates (DP-FedAvg); use strategy fedavg, not ${describeStrategy(engine.strategy)}`,
    )
  // A robust rule chooses among the updates by looking at all of them, so one client can
  // move the output by more than S: the noise would no longer cover the sensitivity.
  if (engine.robustRule !== undefined)
    throw fail(
      `noises the plain sum of clipped updates; aggregator ${engine.robustRule} is refused (use aggregator fedavg)`,
    )
  if (engine.sampling.fraction !== 1 || engine.sampling.minClients !== 1)
    throw fail(
      'samples clients itself with dp sampling=q (Poisson); leave --fraction and sampling.minClients at 1',
    )
  if (delta >= 1 / config.clients)
    throw fail(`delta=${delta} is not below 1/clients = ${(1 / config.clients).toExponential(2)}`)
  if (t !== undefined && t > config.clients)
    throw fail(`min=${t} exceeds the ${config.clients} clients`)
}

/** `planRun` for a caller that runs the plain engine (`runSimulation`): refuses `protocol: msfl`. */
export function planFederatedRun(config: SimulationConfig): FederatedRunPlan {
  const plan = planRun(config)
  if (plan.protocol === 'msfl')
    throw new MsflError('CONFIG_INVALID', 'protocol: this runs the plain engine, not msfl')
  return plan
}

/** `planRun` for a caller that runs MS-FL (`runMsflSimulation`): needs `protocol: msfl`. */
export function planMsflRun(config: SimulationConfig): MsflRunPlan {
  const plan = planRun(config)
  if (plan.protocol !== 'msfl')
    throw new MsflError('CONFIG_INVALID', `protocol: this runs msfl, not ${config.protocol}`)
  return plan
}
