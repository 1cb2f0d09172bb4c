import { z } from 'zod'
import { parseAdrmSpec } from '../../core/adrm/parseAdrmSpec.ts'
import { localTrainingSchema } from '../../core/fl/messages.ts'
import { parseStrategySpec } from '../../core/fl/parseStrategySpec.ts'
import { parsePartitionSpec } from '../../core/fl/partitionClients.ts'
import { DEFAULT_MIN_OWNERS } from '../../core/msfl/minOwners.ts'
import {
  HIDING_PROTECTIONS,
  type PrivacyPart,
  parsePrivacySpec,
} from '../../core/privacy/parsePrivacySpec.ts'
import { parseVerifySpec } from '../../core/verification/parseVerifySpec.ts'

const specString = (what: string, pattern = /^[a-z0-9-]+(:[A-Za-z0-9_.=,x-]+)?$/) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .max(200)
    .regex(pattern, `${what} must look like name or name:key=value,…`)

/** A spec string checked by its parser; the parser's message names the option at fault. */
const parsedSpec = (field: string, parse: (text: string) => unknown) =>
  z
    .string()
    .max(300)
    .superRefine((text, ctx) => {
      try {
        parse(text)
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: (error as Error).message.replace(new RegExp(`^${field}: `), ''),
        })
      }
    })

const privacySchema = parsedSpec('privacy', parsePrivacySpec)

export const partitionSchema = z.string().refine((text) => {
  try {
    parsePartitionSpec(text)
    return true
  } catch {
    return false
  }
}, 'must be iid, natural, dirichlet:<alpha> or quantity:<beta> with a positive number')

/**
 * Everything a simulation needs, with defaults. Objects are strict: an unknown key
 * in a config file is a mistake worth reporting, not something to ignore.
 */
export const simulationConfigSchema = z
  .object({
    dataset: specString('dataset').default('adult'),
    model: specString('model').default('logistic'),
    clients: z.number().int().min(1).max(10_000).default(10),
    rounds: z.number().int().min(1).max(100_000).default(20),
    partition: partitionSchema.default('iid'),
    /**
     * The plain engine's strategy: fedavg, fedsgd, fedprox[:mu=], scaffold[:lr=],
     * fedavgm[:lr=,momentum=], fedadagrad|fedadam|fedyogi[:lr=,beta1=,beta2=,tau=].
     */
    strategy: parsedSpec('strategy', parseStrategySpec).default('fedavg'),
    /** `plain`: the federated engine (strategy + aggregator); `msfl`: the MS-FL protocol (SPEC C2). */
    protocol: z.enum(['plain', 'msfl']).default('plain'),
    /** MS-FL: the CKKS preset the model is encrypted under. */
    he: z.enum(['ckks-16384']).default('ckks-16384'),
    /** MS-FL: where rounds are settled: memory, evm (a real EVM in this process) or rpc:<http(s) url>. */
    ledger: z
      .string()
      .regex(/^(memory|evm|rpc:.+)$/, 'must be memory, evm or rpc:<http(s) url>')
      .default('evm'),
    /** MS-FL protocol settings (ignored by the plain engine). */
    msfl: z
      .object({
        batchSize: z.number().int().min(1).max(4096).default(256),
        learningRate: z.number().positive().max(1000).default(8),
        weightDecay: z.number().min(0).max(1).default(0.001),
        mask: z.enum(['component', 'global-scale']).default('component'),
        /** Wei (or ledger units) per selected (component, owner) contribution. */
        pricePerComponent: z.number().int().min(1).max(1e12).default(1),
        /**
         * k: the fewest owners any released component sums. The requestor never selects
         * fewer and the service provider declines a table that does (the sum over one owner
         * is that owner's gradient), so below 2 is refused.
         */
        minOwners: z.number().int().min(2).max(1000).default(DEFAULT_MIN_OWNERS),
      })
      .strict()
      .default({
        batchSize: 256,
        learningRate: 8,
        weightDecay: 0.001,
        mask: 'component',
        pricePerComponent: 1,
        minOwners: DEFAULT_MIN_OWNERS,
      }),
    /** Plain engine: how each update is protected, e.g. ckks (parts joined by +). */
    privacy: privacySchema.optional(),
    /** Plain engine: attack detection and resilience, e.g. adrm or adrm:z=2.5,iforest=off. */
    defence: parsedSpec('defence', parseAdrmSpec).optional(),
    /** Plain engine: SMPC verification of local models before aggregation, e.g. smpc:nodes=3,threshold=0.6. */
    verify: parsedSpec('verify', parseVerifySpec).optional(),
    /** Simulation with --privacy secagg: share of clients that vanish after key sharing each round. */
    dropout: z.number().min(0).lt(1).default(0),
    /** How updates are combined: fedavg, or a robust rule such as krum:f=2 or msfl. */
    aggregator: specString('aggregator').default('fedavg'),
    /**
     * The share of the owners a round combines that a robust rule assumes malicious:
     * f = floor(tolerate · n). Unset: 0.3 (DEFAULT_TOLERANCE), unless the rule states f=.
     */
    tolerate: z.number().min(0).lt(0.5).optional(),
    /** The attack run by the malicious share of clients, e.g. label-flip or backdoor:boost=10. */
    attack: specString('attack', /^[a-z0-9-]+(:[A-Za-z0-9_.=,>/-]+)?$/).optional(),
    /** Share of clients that are malicious, in [0, 1). */
    malicious: z.number().min(0).lt(1).default(0),
    /** Explicit per-client attacks: client id → attack spec. */
    attackers: z
      .record(
        z.string().regex(/^do-\d+$/, 'must be a client id such as do-3'),
        specString('attack', /^[a-z0-9-]+(:[A-Za-z0-9_.=,>/-]+)?$/),
      )
      .optional(),
    sampling: z
      .object({
        fraction: z.number().gt(0).max(1).default(1),
        minClients: z.number().int().min(1).default(1),
      })
      .strict()
      .default({ fraction: 1, minClients: 1 }),
    training: z
      .object({
        epochs: localTrainingSchema.shape.epochs.default(1),
        batchSize: localTrainingSchema.shape.batchSize.default(32),
        learningRate: localTrainingSchema.shape.learningRate.default(0.05),
        momentum: localTrainingSchema.shape.momentum.default(0.9),
      })
      .strict()
      .default({ epochs: 1, batchSize: 32, learningRate: 0.05, momentum: 0.9 }),
    /**
     * Seconds a participant may take to answer one request of a round. One that has not
     * answered by then is a straggler: the round goes on without it if enough others
     * answered, and fails with a message naming it otherwise.
     */
    deadline: z.number().positive().max(86_400).default(600),
    /** FedSGD only: the server's step size along the averaged gradient. */
    serverLearningRate: z.number().positive().max(100).default(1),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(42),
    out: z.string().min(1).default('runs'),
  })
  .strict()
  .refine((c) => c.sampling.minClients <= c.clients, {
    message: 'cannot exceed the number of clients',
    path: ['sampling', 'minClients'],
  })
  .superRefine((c, ctx) => {
    // Defences read individual local models: a protection that hides them, or
    // client-level DP (whose noise the verifier nodes' aggregate would bypass), excludes them.
    const privacy = c.privacy === undefined ? [] : safePrivacyParts(c.privacy)
    const hiding = privacy.find((part) => HIDING_PROTECTIONS.includes(part.name))
    const clientDp = privacy.some(
      (part) => part.name === 'dp' && part.options['level'] === 'client',
    )
    for (const field of ['defence', 'verify'] as const) {
      if (c[field] === undefined) continue
      if (hiding)
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `needs the individual updates, which privacy ${hiding.name} hides`,
        })
      if (field === 'verify' && clientDp)
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: 'the verifier nodes aggregate without client-level DP noise; drop one of them',
        })
    }
    // The MS-FL protocol keeps the model encrypted end to end and has its own selection
    // and ledger; the plain engine's protections and defences do not apply to it.
    if (c.protocol !== 'msfl') return
    for (const field of ['privacy', 'verify'] as const)
      if (c[field] !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: 'applies to the plain engine only, not to --protocol msfl',
        })
    if (c.defence !== undefined && c.msfl.mask !== 'global-scale')
      ctx.addIssue({
        code: 'custom',
        path: ['defence'],
        message:
          'under --protocol msfl needs --mask global-scale: per-component masks hide the distances detection compares',
      })
  })

/** The privacy parts, or none when the spec is invalid (its own field reports that). */
function safePrivacyParts(text: string): PrivacyPart[] {
  try {
    return parsePrivacySpec(text)
  } catch {
    return []
  }
}

/** A validated simulation config with every default filled in (see `simulationConfigSchema`). */
export type SimulationConfig = z.infer<typeof simulationConfigSchema>
export type SimulationConfigInput = z.input<typeof simulationConfigSchema>
