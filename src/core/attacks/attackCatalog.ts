import { MsflError } from '../errors/msflError.ts'
import { parseSpecString, type SpecValue } from '../spec/parseSpecString.ts'
import { type OptionSchema, resolveSpecOptions } from '../spec/specOptions.ts'

/**
 * The attacks a malicious data owner can run, and how each one acts:
 * - `data`: poisons the owner's local data, then trains honestly on it;
 * - `model`: trains honestly, then replaces or distorts the update it sends;
 * - `free-rider`: never trains and sends a worthless update while claiming its data size.
 * `omniscient` attacks see the honest updates of the round before answering: the
 * simulation must run them in its explicit omniscient mode (colluding attackers with
 * a view of every honest update, the strongest threat model in the literature).
 */
export type AttackName =
  | 'label-flip'
  | 'backdoor'
  | 'gaussian'
  | 'sign-flip'
  | 'scaling'
  | 'alie'
  | 'ipm'
  | 'min-max'
  | 'min-sum'
  | 'free-rider'

/** A simulated attack in the catalogue: its kind, description, citation and options. */
export interface AttackDefinition {
  readonly name: AttackName
  readonly kind: 'data' | 'model' | 'free-rider'
  readonly description: string
  readonly citation: string
  readonly options: OptionSchema
  /**
   * Whether the attack, with these options, must see the round's honest updates before answering.
   */
  readonly omniscient: (options: Readonly<Record<string, SpecValue>>) => boolean
}

/** A parsed attack spec (`name:key=value,…`) with its resolved options and catalogue entry. */
export interface AttackSpec {
  /** The spec as written, e.g. `backdoor:boost=10` (re-parsed where the spec must cross a thread). */
  readonly text: string
  readonly name: AttackName
  readonly options: Readonly<Record<string, SpecValue>>
  readonly definition: AttackDefinition
}

const never = () => false
const always = () => true

export const ATTACKS: readonly AttackDefinition[] = [
  {
    name: 'label-flip',
    kind: 'data',
    description:
      'relabels local training rows: map=reverse (y → K−1−y, binary: 0↔1) or map=a>b/c>d',
    citation:
      'Biggio, Nelson, Laskov, "Poisoning attacks against SVMs", ICML 2012; Tolpegin et al., ESORICS 2020',
    options: {
      map: {
        kind: 'text',
        default: 'reverse',
        pattern: /^(reverse|\d+>\d+(\/\d+>\d+)*)$/,
        format: 'reverse or source>target pairs joined by /, e.g. 7>1/3>8',
        description: 'label mapping',
      },
      fraction: {
        kind: 'number',
        default: 1,
        min: 0,
        max: 1,
        description: 'share of local rows relabelled',
      },
    },
    omniscient: never,
  },
  {
    name: 'backdoor',
    kind: 'data',
    description:
      'stamps a size×size white square at (x, y) on a fraction of local images and relabels them as target',
    citation:
      'Gu, Dolan-Gavitt, Garg, "BadNets", 2017; Bagdasaryan et al., "How to backdoor federated learning", AISTATS 2020',
    options: {
      size: {
        kind: 'number',
        integer: true,
        default: 4,
        min: 1,
        max: 64,
        description: 'side of the square in pixels',
      },
      x: {
        kind: 'number',
        integer: true,
        default: -1,
        min: -1,
        max: 1024,
        description: 'left column (−1: one pixel from the right edge)',
      },
      y: {
        kind: 'number',
        integer: true,
        default: -1,
        min: -1,
        max: 1024,
        description: 'top row (−1: one pixel from the bottom edge)',
      },
      target: {
        kind: 'number',
        integer: true,
        default: 0,
        min: 0,
        max: 1000,
        description: 'label the trigger maps to',
      },
      fraction: {
        kind: 'number',
        default: 0.5,
        min: 0,
        max: 1,
        description: 'share of local rows poisoned',
      },
      boost: {
        kind: 'number',
        default: 1,
        min: 0,
        max: 1e6,
        description: 'factor on the update before sending (model replacement)',
      },
    },
    omniscient: never,
  },
  {
    name: 'gaussian',
    kind: 'model',
    description: 'sends N(0, sigma²) noise instead of its update',
    citation:
      'Blanchard et al., "Machine learning with adversaries: Byzantine tolerant gradient descent", NeurIPS 2017',
    options: {
      sigma: {
        kind: 'number',
        default: 10,
        min: 0,
        max: 1e12,
        description: 'noise standard deviation',
      },
    },
    omniscient: never,
  },
  {
    name: 'sign-flip',
    kind: 'model',
    description: 'sends −scale × its own update',
    citation: 'Damaskinos et al., "Asynchronous Byzantine machine learning", ICML 2018',
    options: {
      scale: {
        kind: 'number',
        default: 1,
        min: 0,
        max: 1e12,
        description: 'magnitude of the flipped update',
      },
    },
    omniscient: never,
  },
  {
    name: 'scaling',
    kind: 'model',
    description:
      'sends factor × base, base = the mean honest update (omniscient) or its own update (model replacement)',
    citation:
      'Bagdasaryan et al., AISTATS 2020 (model replacement); Li et al., "RSA", AAAI 2019 (scaled attacks)',
    options: {
      factor: { kind: 'number', default: -4, min: -1e12, max: 1e12, description: 'scale factor' },
      base: {
        kind: 'choice',
        values: ['mean', 'own'],
        default: 'mean',
        description: 'what is scaled',
      },
    },
    omniscient: (o) => o['base'] === 'mean',
  },
  {
    name: 'alie',
    kind: 'model',
    description:
      'sends μ − z·σ of the honest updates, coordinate-wise; z from n and f unless given',
    citation:
      'Baruch, Baruch, Goldberg, "A little is enough: circumventing defenses for distributed learning", NeurIPS 2019',
    options: {
      z: {
        kind: 'number',
        default: -1,
        min: -1,
        max: 100,
        description: 'deviation in standard deviations (−1: derive from n and f)',
      },
      jitter: {
        kind: 'number',
        default: 0,
        min: 0,
        max: 100,
        description:
          'per-attacker noise, in standard deviations per coordinate (defeats exact-copy detection)',
      },
    },
    omniscient: always,
  },
  {
    name: 'ipm',
    kind: 'model',
    description: 'sends −epsilon × the mean honest update (inner-product manipulation)',
    citation:
      'Xie, Koyejo, Gupta, "Fall of empires: breaking Byzantine-tolerant SGD by inner product manipulation", UAI 2019',
    options: {
      epsilon: {
        kind: 'number',
        default: 0.1,
        min: 0,
        max: 1e6,
        description: 'scale of the reversed mean',
      },
    },
    omniscient: always,
  },
  {
    name: 'min-max',
    kind: 'model',
    description:
      'sends μ − γ·σ of the honest updates with the largest γ keeping its distance to every honest update within the largest honest pairwise distance',
    citation:
      'Shejwalkar, Houmansadr, "Manipulating the Byzantine: Optimizing Model Poisoning Attacks and Defenses for Federated Learning", NDSS 2021',
    options: {},
    omniscient: always,
  },
  {
    name: 'min-sum',
    kind: 'model',
    description:
      'sends μ − γ·σ of the honest updates with the largest γ keeping its summed squared distance to the honest updates within the largest honest one',
    citation:
      'Shejwalkar, Houmansadr, "Manipulating the Byzantine: Optimizing Model Poisoning Attacks and Defenses for Federated Learning", NDSS 2021',
    options: {},
    omniscient: always,
  },
  {
    name: 'free-rider',
    kind: 'free-rider',
    description:
      'never trains: sends a zero update, random noise, or the previous global model (stale)',
    citation:
      'Lin, Du, Liu, "Free-riders in federated learning: attacks and defenses", 2019; Fraboni et al., AISTATS 2021',
    options: {
      mode: {
        kind: 'choice',
        values: ['zero', 'random', 'stale'],
        default: 'zero',
        description: 'what it sends',
      },
      sigma: {
        kind: 'number',
        default: 0.001,
        min: 0,
        max: 1e6,
        description: 'noise scale for mode=random',
      },
    },
    omniscient: never,
  },
]

export const ATTACK_NAMES: readonly AttackName[] = ATTACKS.map((a) => a.name)

/** Parses `name[:key=value,…]` into a validated attack with every option filled in. */
export function parseAttackSpec(text: string): AttackSpec {
  const spec = parseSpecString(text, 'attack')
  const definition = ATTACKS.find((a) => a.name === spec.name)
  if (!definition)
    throw new MsflError(
      'CONFIG_INVALID',
      `attack: unknown attack '${spec.name}' (valid: ${ATTACK_NAMES.join(', ')})`,
    )
  return {
    text,
    name: definition.name,
    options: resolveSpecOptions(`attack '${definition.name}'`, spec.options, definition.options),
    definition,
  }
}
