import { MsflError } from '../errors/msflError.ts'
import { parseSpecString } from '../spec/parseSpecString.ts'
import { type OptionSchema, resolveSpecOptions } from '../spec/specOptions.ts'
import type { AdrmConfig } from './createAdrm.ts'

/** The options of `--defence adrm[:key=value,…]`, with defaults and help. */
export const ADRM_OPTIONS = {
  z: {
    kind: 'number',
    default: 3,
    min: 0.5,
    max: 100,
    description: 'robust z-score threshold in σ (median/MAD) for norm, distance, cosine and pull',
  },
  high: {
    kind: 'number',
    default: 2,
    min: 1,
    max: 100,
    description: 'a finding is high from this multiple of its threshold (z = 3: from 6σ)',
  },
  watch: {
    kind: 'number',
    default: 0.67,
    min: 0.1,
    max: 1,
    description: 'a finding is low (watched, not flagged) from this fraction of its threshold',
  },
  corroborate: {
    kind: 'number',
    integer: true,
    default: 2,
    min: 0,
    max: 10,
    description: 'this many detectors at medium make an update high (0 or 1: off)',
  },
  flag: {
    kind: 'choice',
    values: ['low', 'medium', 'high'],
    default: 'medium',
    description: 'severity from which an update is quarantined and penalised',
  },
  space: {
    kind: 'choice',
    values: ['plain', 'affine'],
    default: 'plain',
    description:
      'plain updates, or affine images c·u + d (MS-FL global-scale masks): only invariant detectors',
  },
  magnitude: {
    kind: 'number',
    default: 0,
    min: 0,
    max: 1e12,
    description: 'absolute bound on an update norm, plain space only (0: off)',
  },
  ratio: {
    kind: 'number',
    default: 10,
    min: 0,
    max: 1e12,
    description: 'bound on norm / median norm (affine: distance / median distance; 0: off)',
  },
  spread: {
    kind: 'number',
    default: 0.05,
    min: 0,
    max: 10,
    description:
      'smallest σ a z-score uses: this fraction of the median norm or distance, this much for cosines',
  },
  persist: {
    kind: 'number',
    default: 2,
    min: 0,
    max: 100,
    description:
      'persistent deviation: a client whose moving-average excess reaches this many σ is medium (0: off)',
  },
  memory: {
    kind: 'number',
    default: 0.3,
    min: 0.01,
    max: 1,
    description: 'weight of the newest round in that moving average',
  },
  'persist-rounds': {
    kind: 'number',
    integer: true,
    default: 3,
    min: 1,
    max: 1000,
    description: 'rounds a client must have been inspected in before it can be found persistent',
  },
  probation: {
    kind: 'choice',
    values: ['on', 'off'],
    default: 'on',
    description:
      'a client flagged before is found persistent from its next inspected round, without waiting persist-rounds',
  },
  baseline: {
    kind: 'number',
    default: 3,
    min: 0,
    max: 100,
    description:
      "per-owner baselines: up to this many σ of an owner's habitual deviation (its own moving average, after persist-rounds rounds) are excused, so non-IID owners are not anomalies (0: off)",
  },
  'min-updates': {
    kind: 'number',
    integer: true,
    default: 5,
    min: 3,
    max: 100_000,
    description: 'fewest updates in a round for cross-client statistics and the forest',
  },
  iforest: {
    kind: 'choice',
    values: ['on', 'off'],
    default: 'on',
    description: 'isolation forest with champion/challenger retraining',
  },
  labels: {
    kind: 'choice',
    values: ['none', 'oracle'],
    default: 'none',
    description:
      'champion/challenger labels: none (a deployment) or oracle (simulation only: the true attackers, an upper bound)',
  },
  trees: {
    kind: 'number',
    integer: true,
    default: 100,
    min: 1,
    max: 10_000,
    description: 'trees per isolation forest',
  },
  sample: {
    kind: 'number',
    integer: true,
    default: 256,
    min: 2,
    max: 100_000,
    description: 'rows per tree (ψ)',
  },
  threshold: {
    kind: 'number',
    default: 0.7,
    min: 0.5,
    max: 1,
    description: 'anomaly score from which an update is medium (when contamination is 0)',
  },
  contamination: {
    kind: 'number',
    default: 0,
    min: 0,
    max: 0.5,
    description:
      'expected share of anomalies: sets the threshold from the training scores (0: off)',
  },
  buffer: {
    kind: 'number',
    integer: true,
    default: 500,
    min: 10,
    max: 1_000_000,
    description: 'recent unflagged updates (feature rows) kept to retrain the challenger',
  },
  'min-samples': {
    kind: 'number',
    integer: true,
    default: 40,
    min: 2,
    max: 1_000_000,
    description: 'rows needed before a forest is fitted',
  },
  retrain: {
    kind: 'number',
    integer: true,
    default: 5,
    min: 1,
    max: 100_000,
    description: 'rounds between challenger fits',
  },
  holdout: {
    kind: 'number',
    integer: true,
    default: 3,
    min: 1,
    max: 1000,
    description: 'most recent labelled rounds held out to compare champion and challenger',
  },
  penalty: {
    kind: 'number',
    default: 25,
    min: 0,
    max: 100,
    description: 'reputation lost per high-severity detection',
  },
  'penalty-medium': {
    kind: 'number',
    default: 10,
    min: 0,
    max: 100,
    description: 'reputation lost per medium-severity detection',
  },
  'penalty-low': {
    kind: 'number',
    default: 0,
    min: 0,
    max: 100,
    description: 'reputation lost per low-severity finding (only when flag=low)',
  },
  recovery: {
    kind: 'number',
    default: 2,
    min: 0,
    max: 100,
    description: 'reputation regained per clean round (bounded by 100)',
  },
  'block-below': {
    kind: 'number',
    default: 50,
    min: 0,
    max: 100,
    description: 'a penalty that leaves reputation below this blocks the client',
  },
  'block-on-high': {
    kind: 'boolean',
    default: true,
    description: 'a high-severity detection blocks the client whatever its reputation',
  },
  block: {
    kind: 'number',
    integer: true,
    default: 2,
    min: 0,
    max: 1_000_000,
    description: 'rounds a block lasts (0: no limit in rounds; then block-ms must be set)',
  },
  'block-ms': {
    kind: 'number',
    integer: true,
    default: 0,
    min: 0,
    max: 31_536_000_000,
    description: 'milliseconds a block lasts (0: no limit in time); with block, the longer wins',
  },
  escalate: {
    kind: 'number',
    default: 2,
    min: 1,
    max: 10,
    description: 'each earlier block of a client multiplies the next block length by this',
  },
  quarantine: {
    kind: 'number',
    integer: true,
    default: 100,
    min: 0,
    max: 100_000,
    description: 'flagged updates held for review (oldest dropped first)',
  },
  rollback: {
    kind: 'number',
    default: 5,
    min: 0,
    max: 100,
    description: 'largest tolerated drop in validation accuracy, in points (100: never roll back)',
  },
  versions: {
    kind: 'number',
    integer: true,
    default: 10,
    min: 1,
    max: 10_000,
    description: 'accepted model versions whose parameters are kept',
  },
} as const satisfies OptionSchema

/**
 * Parses `adrm[:key=value,…]` (the `--defence` value) into an AdrmConfig, checking
 * every option against ADRM_OPTIONS; errors name the option at fault.
 */
export function parseAdrmSpec(text: string): AdrmConfig {
  const spec = parseSpecString(text, 'defence')
  if (spec.name !== 'adrm')
    throw new MsflError('CONFIG_INVALID', `defence: unknown defence '${spec.name}' (valid: adrm)`)
  const o = resolveSpecOptions('defence adrm', spec.options, ADRM_OPTIONS)
  if (o.block === 0 && o['block-ms'] === 0)
    throw new MsflError(
      'CONFIG_INVALID',
      "defence adrm: option 'block' and option 'block-ms' are both 0: a block needs a length",
    )
  if (o['min-samples'] > o.buffer)
    throw new MsflError(
      'CONFIG_INVALID',
      `defence adrm: option 'min-samples' (${o['min-samples']}) exceeds option 'buffer' (${o.buffer}): the forest would never be fitted`,
    )
  return {
    detection: {
      space: o.space,
      zThreshold: o.z,
      bands: { low: o.watch, high: o.high },
      maxNorm: o.magnitude,
      maxRatio: o.ratio,
      minSpread: o.spread,
      minUpdates: o['min-updates'],
      corroborate: o.corroborate,
      flagAt: o.flag,
      persistence: {
        threshold: o.persist,
        weight: o.memory,
        minRounds: o['persist-rounds'],
        afterFlag: o.probation === 'on',
      },
      baseline: { cap: o.baseline, minRounds: o['persist-rounds'] },
    },
    ...(o.iforest === 'on'
      ? {
          anomaly: {
            trees: o.trees,
            sampleSize: o.sample,
            threshold: o.threshold,
            contamination: o.contamination,
            bufferSize: o.buffer,
            minSamples: o['min-samples'],
            retrainEvery: o.retrain,
            holdoutRounds: o.holdout,
            historyRounds: 100,
          },
        }
      : {}),
    reputation: {
      initial: 100,
      max: 100,
      penalties: { low: o['penalty-low'], medium: o['penalty-medium'], high: o.penalty },
      recovery: o.recovery,
      blockBelow: o['block-below'],
      blockOnHigh: o['block-on-high'],
      blockRounds: o.block,
      blockMs: o['block-ms'],
      escalation: o.escalate,
    },
    quarantineCapacity: o.quarantine,
    models: { margin: o.rollback / 100, keep: o.versions },
    labels: o.labels,
  }
}
