import { z } from 'zod'
import { describeZodError } from '../errors/describeZodError.ts'
import { MsflError } from '../errors/msflError.ts'

/**
 * How a run's rounds are staffed and closed: how many rounds, which share of the connected
 * owners each round asks (never fewer than `minClients`), how many answers close a round at its
 * deadline (`quorum`), how long a round stays open, and how often a round that missed its quorum
 * is retried before the run fails.
 */
export interface RoundPolicy {
  readonly rounds: number
  /** Share of the connected owners asked to train each round, in (0, 1]. */
  readonly fraction: number
  /** Fewest owners a round asks; below this many connected owners the run pauses. */
  readonly minClients: number
  /** Answers that let a round close at its deadline without the stragglers. */
  readonly quorum: number
  /** Milliseconds a round stays open after it is opened (the deadline is absolute, stored). */
  readonly roundDeadlineMs: number
  /** Openings of one round before the run fails (a round that misses its quorum is reopened). */
  readonly maxRoundAttempts: number
  /**
   * How a round's owners are drawn: `fixed` (default) asks exactly the share `fraction` of the
   * registered owners; `poisson` (client-level DP) asks each owner independently, so a round
   * may ask any number of them, none included — a round that asked fewer owners than the
   * quorum closes at its deadline with the answers it has.
   */
  readonly sampling?: 'fixed' | 'poisson'
}

/** Validates a round policy: integers in range, and a quorum a minimal round can reach. */
export const roundPolicySchema = z
  .object({
    rounds: z.number().int().min(1).max(1_000_000),
    fraction: z.number().gt(0).max(1),
    minClients: z.number().int().min(1).max(1_000_000),
    quorum: z.number().int().min(1).max(1_000_000),
    roundDeadlineMs: z
      .number()
      .int()
      .min(1)
      .max(30 * 24 * 3_600_000),
    maxRoundAttempts: z.number().int().min(1).max(1_000),
    sampling: z.enum(['fixed', 'poisson']).optional(),
  })
  .strict()
  .refine((p) => p.quorum <= p.minClients, {
    path: ['quorum'],
    message: 'must not exceed minClients (a round of minClients owners could never reach it)',
  })

/** Parses an untrusted round policy; the error names the field and the problem. */
export function parseRoundPolicy(value: unknown): RoundPolicy {
  const parsed = roundPolicySchema.safeParse(value)
  if (!parsed.success)
    throw new MsflError('CONFIG_INVALID', describeZodError(parsed.error, 'policy'))
  return parsed.data
}
