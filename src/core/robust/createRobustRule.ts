import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'
import { assertValidF } from './assertUpdateCount.ts'
import { createBucketingRule } from './bucketing.ts'
import { bulyanRule } from './bulyan.ts'
import { createCenteredClippingRule } from './centeredClipping.ts'
import { coordinateMedianRule } from './coordinateMedian.ts'
import { cosineClusteringRule } from './cosineClustering.ts'
import { fedAvgRule } from './fedAvg.ts'
import { createFlameRule } from './flame.ts'
import { createFltrustRule } from './fltrust.ts'
import { createGeometricMedianRule } from './geometricMedian.ts'
import { krumRule } from './krum.ts'
import { msflRule } from './msflComponentRule.ts'
import { createMultiKrumRule } from './multiKrum.ts'
import { createNormBoundRule } from './normBound.ts'
import type { AggregationInput, AggregationResult, RobustRule } from './robustRule.ts'
import { createTrimmedMeanRule } from './trimmedMean.ts'

export const ROBUST_RULE_NAMES = [
  'fedavg',
  'krum',
  'multi-krum',
  'median',
  'trimmed-mean',
  'bulyan',
  'centered-clipping',
  'norm-bound',
  'geomed',
  'cosine-clustering',
  'flame',
  'bucketing',
  'fltrust',
  'msfl',
] as const

export type RobustRuleName = (typeof ROBUST_RULE_NAMES)[number]

/**
 * How many Byzantine updates a rule assumes when its spec does not say (`f=`): a fixed
 * count, or a declared share of whatever number of updates it combines (`--tolerate`).
 */
export type ByzantineAssumption = { readonly f: number } | { readonly tolerate: number }

/** A rule bound to its Byzantine assumption, as parsed from `--aggregator`. */
export interface ConfiguredRobustRule extends RobustRule {
  /**
   * The assumed number of Byzantine updates among n: the spec's `f=` whatever n is, else
   * the default count, else floor(tolerate · n).
   */
  assumedF(n: number): number
  /** The spec's own `f=`, when it states one. */
  readonly declaredF: number | undefined
  /** Canonical spec for logs, e.g. 'krum:f=2', or 'krum:tolerate=0.3' under a declared share. */
  readonly spec: string
  /** The options the spec gave, f included when given (e.g. { f: 2, m: 5 } for multi-krum:f=2,m=5). */
  readonly options: Readonly<Record<string, number>>
  /** Whether it draws random numbers when it aggregates (bucketing, FLAME): it needs an Rng. */
  readonly randomised: boolean
  /** Whether it needs the aggregator's own server update (`reference`) in its input (FLTrust). */
  readonly needsReference: boolean
}

type Kind =
  | 'count'
  | 'positiveInteger'
  | 'positive'
  | 'nonNegative'
  | 'fraction'
  | 'belowOne'
  | 'rule'

/** Rules that draw random numbers when they aggregate, so need an Rng from the runtime. */
const RANDOMISED: readonly RobustRuleName[] = ['flame', 'bucketing']

/** Options each rule accepts; `f` is accepted by every rule so a spec can state its assumption. */
const OPTIONS: Record<RobustRuleName, Record<string, Kind>> = {
  fedavg: { f: 'count' },
  krum: { f: 'count' },
  'multi-krum': { f: 'count', m: 'positiveInteger' },
  median: { f: 'count' },
  'trimmed-mean': { f: 'count', beta: 'fraction' },
  bulyan: { f: 'count' },
  'centered-clipping': {
    f: 'count',
    tau: 'positive',
    iterations: 'positiveInteger',
    momentum: 'belowOne',
  },
  'norm-bound': { f: 'count', max: 'positive' },
  geomed: {
    f: 'count',
    iterations: 'positiveInteger',
    tolerance: 'positive',
    smoothing: 'positive',
  },
  'cosine-clustering': { f: 'count' },
  flame: { f: 'count', lambda: 'nonNegative' },
  bucketing: { f: 'count', s: 'positiveInteger', rule: 'rule' },
  fltrust: { f: 'count', ratio: 'nonNegative' },
  msfl: { f: 'count' },
}

const DESCRIBE: Record<Kind, string> = {
  count: 'a non-negative integer',
  positiveInteger: 'a positive integer',
  positive: 'a positive number',
  nonNegative: 'a non-negative number',
  fraction: 'a number in [0, 0.5)',
  belowOne: 'a number in [0, 1)',
  rule: `a rule name other than bucketing or msfl`,
}

/**
 * Parses an aggregator spec `name[:key=value,…]`, e.g. `krum:f=2`,
 * `multi-krum:f=2,m=5`, `trimmed-mean:beta=0.2`, `centered-clipping:tau=1,iterations=3`,
 * `norm-bound:max=2.5`, `geomed:iterations=50`, `msfl:f=3`, `flame:lambda=0.001`, `fltrust:ratio=4`,
 * `bucketing:s=2,rule=median` (any rule but msfl on the bucket means, with its default
 * options). Without `f=`, f comes from `assumption`: a count, or floor(tolerate · n) for the
 * n updates being combined.
 *
 * `randomness` feeds the rules that draw random numbers while aggregating (bucketing's
 * buckets, FLAME's noise): the runtime's CSPRNG in a deployment, a seeded Rng only in a
 * simulation. Without it such a rule (rule.randomised) can be parsed and checked, but
 * aggregating fails closed with CONFIG_INVALID. `fltrust` (rule.needsReference) needs the
 * aggregator's own server update as `reference` in every input.
 *
 * The returned rule is bound to that assumption: its aggregate uses rule.assumedF(n)
 * and ignores input.f, so an explicit `krum:f=2` is never silently overridden; the
 * runtime should check rule.assertTolerates(n, rule.assumedF(n)) up front.
 * centered-clipping is stateful (it re-centres on its previous aggregate), so
 * call this once per run.
 */
export function createRobustRule(
  text: string,
  assumption: ByzantineAssumption,
  randomness?: Rng,
): ConfiguredRobustRule {
  const [rawName = '', ...rest] = text.trim().split(':')
  const name = rawName.trim().toLowerCase()
  if (!isRuleName(name))
    fail(
      `unknown rule '${rawName.trim()}' in '${text}'; valid rules: ${ROBUST_RULE_NAMES.join(', ')}`,
    )
  const allowed = OPTIONS[name]
  const values = new Map<string, number>()
  const names = new Map<string, RobustRuleName>()
  const optionText = rest.join(':').trim()
  if (rest.length > 0 && optionText === '') fail(`'${text}' has a ':' but no options`)
  if (optionText !== '')
    for (const part of optionText.split(',')) {
      const [key = '', value, ...extra] = part.split('=').map((s) => s.trim())
      // Own keys only: 'constructor' or 'toString' must not pass as options.
      const kind = Object.hasOwn(allowed, key) ? allowed[key] : undefined
      if (kind === undefined)
        fail(`${name} has no option '${key}'; valid options: ${Object.keys(allowed).join(', ')}`)
      if (value === undefined || value === '' || extra.length > 0)
        fail(`${name}: option '${key}' needs one value, as in ${key}=<value>`)
      if (values.has(key) || names.has(key)) fail(`${name}: option '${key}' is given twice`)
      if (kind === 'rule') names.set(key, parseInnerRule(name, key, value))
      else values.set(key, parseValue(name, key, kind, value))
    }
  if ('f' in assumption) assertValidF('aggregator', assumption.f)
  else assertValidTolerance(assumption.tolerate)
  const declaredF = values.get('f')
  const fixed = declaredF ?? ('f' in assumption ? assumption.f : undefined)
  const assumedF = (n: number) =>
    fixed ?? toleratedCount(n, (assumption as { tolerate: number }).tolerate)
  const randomised = RANDOMISED.includes(name)
  const rule = buildRule(name, values, names, randomness ?? missingRng(name))
  const stated =
    fixed === undefined
      ? (['tolerate', (assumption as { tolerate: number }).tolerate] as const)
      : (['f', fixed] as const)
  const spec = [
    name,
    [stated, ...[...values, ...names].filter(([k]) => k !== 'f')]
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
  ].join(':')
  return {
    name: rule.name,
    citation: rule.citation,
    tolerance: rule.tolerance,
    byzantineRobust: rule.byzantineRobust,
    assumedF,
    declaredF,
    spec,
    options: Object.fromEntries(values),
    randomised,
    // Bucketing passes the server update on to its inner rule.
    needsReference: name === 'fltrust' || names.get('rule') === 'fltrust',
    assertTolerates: (n, assumed) => rule.assertTolerates(n, assumed),
    aggregate: (input: AggregationInput): AggregationResult =>
      rule.aggregate({ ...input, f: assumedF(input.updates.length) }),
  }
}

/**
 * floor(tolerate · n): the Byzantine updates a declared share allows among n. The small
 * slack keeps a product such as 0.29 · 100 = 28.999999999999996 from landing one below
 * the count it denotes in floating point.
 */
export function toleratedCount(n: number, tolerate: number): number {
  return Math.floor(tolerate * n + 1e-9)
}

function assertValidTolerance(tolerate: number): void {
  if (!(Number.isFinite(tolerate) && tolerate >= 0 && tolerate < 0.5))
    throw new MsflError(
      'CONFIG_INVALID',
      `tolerate: the share of owners assumed malicious must be in [0, 0.5); got ${tolerate}`,
    )
}

function buildRule(
  name: RobustRuleName,
  values: ReadonlyMap<string, number>,
  names: ReadonlyMap<string, RobustRuleName>,
  randomness: Rng,
): RobustRule {
  switch (name) {
    case 'fedavg':
      return fedAvgRule
    case 'krum':
      return krumRule
    case 'multi-krum':
      return createMultiKrumRule({ m: values.get('m') })
    case 'median':
      return coordinateMedianRule
    case 'trimmed-mean':
      if (values.has('f') && values.has('beta')) fail('trimmed-mean takes f or beta, not both')
      return createTrimmedMeanRule({ beta: values.get('beta') })
    case 'bulyan':
      return bulyanRule
    case 'centered-clipping':
      return createCenteredClippingRule({
        tau: values.get('tau'),
        iterations: values.get('iterations'),
        momentum: values.get('momentum'),
      })
    case 'norm-bound':
      return createNormBoundRule({ maxNorm: values.get('max') })
    case 'geomed':
      return createGeometricMedianRule({
        iterations: values.get('iterations'),
        tolerance: values.get('tolerance'),
        smoothing: values.get('smoothing'),
      })
    case 'cosine-clustering':
      return cosineClusteringRule
    case 'flame':
      return createFlameRule({ lambda: values.get('lambda'), rng: randomness })
    case 'bucketing':
      return createBucketingRule({
        bucketSize: values.get('s') ?? 2,
        inner: buildRule(names.get('rule') ?? 'median', new Map(), new Map(), randomness),
        rng: randomness,
      })
    case 'fltrust':
      return createFltrustRule({ ratio: values.get('ratio') })
    case 'msfl':
      return msflRule
  }
}

/**
 * What a randomised rule parsed without an Rng (to check a spec, as planRun does) draws from:
 * it fails closed on first use, naming what the runtime must supply.
 */
function missingRng(name: string): Rng {
  const refuse = (): never =>
    fail(
      `${name} draws random numbers when it aggregates: the runtime must give it an Rng (its CSPRNG in a deployment, a seeded one in a simulation)`,
    )
  return { kind: 'csprng', next: refuse, nextInt: refuse, normal: refuse }
}

function parseValue(rule: string, key: string, kind: Kind, text: string): number {
  const x = Number(text)
  const ok =
    Number.isFinite(x) &&
    (kind === 'count'
      ? Number.isInteger(x) && x >= 0
      : kind === 'positiveInteger'
        ? Number.isInteger(x) && x >= 1
        : kind === 'positive'
          ? x > 0
          : kind === 'nonNegative'
            ? x >= 0
            : x >= 0 && x < (kind === 'belowOne' ? 1 : 0.5))
  if (!ok) fail(`${rule}: ${key} must be ${DESCRIBE[kind]}; got '${text}'`)
  return x
}

/** Bucketing's inner rule: any rule but bucketing itself and msfl (whose selection is per component). */
function parseInnerRule(rule: string, key: string, text: string): RobustRuleName {
  const inner = text.toLowerCase()
  if (!isRuleName(inner) || inner === 'bucketing' || inner === 'msfl')
    fail(
      `${rule}: ${key} must be ${DESCRIBE.rule} (${ROBUST_RULE_NAMES.filter((r) => r !== 'bucketing' && r !== 'msfl').join(', ')}); got '${text}'`,
    )
  return inner
}

function isRuleName(name: string): name is RobustRuleName {
  return (ROBUST_RULE_NAMES as readonly string[]).includes(name)
}

function fail(message: string): never {
  throw new MsflError('CONFIG_INVALID', `aggregator: ${message}`)
}
