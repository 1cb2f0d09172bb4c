import { MsflError } from '../errors/msflError.ts'
import { parseSpecString } from '../spec/parseSpecString.ts'
import { type OptionSchema, type OptionsOf, resolveSpecOptions } from '../spec/specOptions.ts'

const serverRate = (fallback: number, description: string) =>
  ({ kind: 'number', default: fallback, min: 1e-6, max: 100, description }) as const

/** The adaptive server optimisers share their options; only FedAdagrad has no β2. */
const adaptive = (lr: number) =>
  ({
    lr: serverRate(lr, 'η, the server learning rate'),
    beta1: {
      kind: 'number',
      default: 0.9,
      min: 0,
      max: 0.999,
      description: 'β1, the decay of the server momentum m',
    },
    beta2: {
      kind: 'number',
      default: 0.99,
      min: 0,
      max: 0.999999,
      description: 'β2, the decay of the second-moment estimate v',
    },
    tau: {
      kind: 'number',
      default: 1e-3,
      min: 1e-12,
      max: 10,
      description: 'τ, the adaptivity: larger is closer to server SGD with momentum',
    },
  }) as const

/**
 * Every `--strategy` with its options (`name[:key=value,…]`). β1 = 0.9 and β2 = 0.99 are
 * the values of Reddi et al.; μ, the server learning rates and τ are starting points to
 * tune (docs/strategies.md says when to use which and what was measured).
 */
export const STRATEGY_OPTIONS = {
  fedavg: {},
  fedsgd: {},
  fedprox: {
    mu: {
      kind: 'number',
      default: 0.01,
      min: 0,
      max: 1000,
      description: 'μ of the proximal term μ/2·‖w − w_global‖² in every local step',
    },
  },
  scaffold: {
    lr: serverRate(1, 'η_g, the server learning rate on the averaged model change'),
  },
  fedavgm: {
    lr: serverRate(1, 'η, the server learning rate'),
    momentum: {
      kind: 'number',
      default: 0.9,
      min: 0,
      max: 0.999,
      description: 'β, the server momentum: v ← β·v + Δ',
    },
  },
  fedadagrad: (({ beta2: _, ...rest }) => rest)(adaptive(0.1)),
  fedadam: adaptive(0.01),
  fedyogi: adaptive(0.01),
} as const satisfies Readonly<Record<string, OptionSchema>>

/** The names `--strategy` accepts. */
export type StrategyName = keyof typeof STRATEGY_OPTIONS

/** The strategy names, in the order help and errors list them. */
export const STRATEGY_NAMES = Object.keys(STRATEGY_OPTIONS) as readonly StrategyName[]

/** A parsed `--strategy`: its name and every option resolved, typed per strategy. */
export type StrategySpec = {
  readonly [N in StrategyName]: {
    readonly name: N
    readonly options: OptionsOf<(typeof STRATEGY_OPTIONS)[N]>
  }
}[StrategyName]

/**
 * The server optimisers of Reddi et al. (ICLR 2021) and FedAvgM: strategies that average
 * the model changes like FedAvg and then take their own step with that average.
 */
export type ServerOptimizerSpec = Extract<
  StrategySpec,
  { readonly name: 'fedavgm' | 'fedadagrad' | 'fedadam' | 'fedyogi' }
>

/** Whether the strategy moves the global model by the plain weighted mean of the changes. */
export function stepsByMean(spec: StrategySpec): boolean {
  return spec.name === 'fedavg' || spec.name === 'fedprox'
}

/**
 * Parses `--strategy`, e.g. `fedavg`, `fedprox:mu=0.01`, `scaffold`,
 * `fedavgm:momentum=0.9`, `fedadam:lr=0.01,beta1=0.9,beta2=0.99,tau=0.001`. An unknown
 * name or option, or a value out of range, fails naming it.
 */
export function parseStrategySpec(text: string): StrategySpec {
  const spec = parseSpecString(text, 'strategy')
  const name = spec.name.toLowerCase()
  if (!isStrategyName(name))
    throw new MsflError(
      'CONFIG_INVALID',
      `strategy: unknown strategy '${spec.name}'; valid: ${STRATEGY_NAMES.join(', ')}`,
    )
  const options = resolveSpecOptions(`strategy ${name}`, spec.options, STRATEGY_OPTIONS[name])
  // resolveSpecOptions checked every option of this name's schema.
  return { name, options } as StrategySpec
}

/** The canonical text of a parsed strategy, e.g. `fedprox:mu=0.01`, for logs and results. */
export function describeStrategy(spec: StrategySpec): string {
  const options = Object.entries(spec.options).map(([k, v]) => `${k}=${v}`)
  return options.length === 0 ? spec.name : `${spec.name}:${options.join(',')}`
}

function isStrategyName(name: string): name is StrategyName {
  return Object.hasOwn(STRATEGY_OPTIONS, name)
}
