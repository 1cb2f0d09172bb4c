import { MsflError } from '../errors/msflError.ts'
import { parseSpecString } from '../spec/parseSpecString.ts'
import { type OptionSchema, resolveSpecOptions } from '../spec/specOptions.ts'

/** The options of `--verify smpc[:key=value,…]`, with defaults and help. */
export const VERIFY_OPTIONS = {
  nodes: {
    kind: 'number',
    integer: true,
    default: 3,
    min: 3,
    max: 16,
    description:
      'verifier nodes the local models are secret-shared among (3 or more: a majority outvotes one)',
  },
  threshold: {
    kind: 'number',
    default: 0,
    min: 0,
    max: 1,
    description: 'validation accuracy (fraction) every local model needs to be aggregated',
  },
  drop: {
    kind: 'number',
    default: 0.1,
    min: 0,
    max: 1,
    description:
      "a local model more than this (fraction) below the round's median validation accuracy is left out (0: off)",
  },
  validation: {
    kind: 'choice',
    values: ['public', 'secret'],
    default: 'public',
    description:
      'public: the nodes hold the validation set; secret: its owner secret-shares it (Beaver triples)',
  },
  samples: {
    kind: 'number',
    integer: true,
    default: 1000,
    min: 10,
    max: 100_000,
    description: 'validation rows the model requestor holds back from the training data',
  },
} as const satisfies OptionSchema

/** `--verify smpc`: the verifier nodes, the acceptance rule and the validation rows. */
export interface VerifyConfig {
  readonly nodes: number
  /** Absolute floor on a local model's validation accuracy. */
  readonly threshold: number
  /** Relative floor: the round's median local accuracy minus this (0: off). */
  readonly drop: number
  readonly validation: 'public' | 'secret'
  readonly samples: number
}

/** Parses `--verify smpc[:nodes=3,threshold=0,drop=0.1,validation=public,samples=1000]`. */
export function parseVerifySpec(text: string): VerifyConfig {
  const spec = parseSpecString(text, 'verify')
  if (spec.name !== 'smpc')
    throw new MsflError(
      'CONFIG_INVALID',
      `verify: unknown verification '${spec.name}' (valid: smpc)`,
    )
  const o = resolveSpecOptions('verify smpc', spec.options, VERIFY_OPTIONS)
  return {
    nodes: o.nodes,
    threshold: o.threshold,
    drop: o.drop,
    validation: o.validation,
    samples: o.samples,
  }
}
