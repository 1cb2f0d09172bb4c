import { z } from 'zod'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import { MsflError } from '../../core/errors/msflError.ts'

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 20-byte hex address')
const wei = z.string().regex(/^[0-9]{1,78}$/, 'must be a whole number of wei, in decimal')

/**
 * What a deployed MS-FL run agreed before round 1, as its provider stores it: the job it is
 * for (its SHA-256), the chain and contract it settles on, every party's ledger address, the
 * owners' row counts and the feature scaling they agreed. A restarted provider continues the
 * same run on the same contract from it; the requestor's public key is not kept (it is asked
 * for again), nor any mask.
 */
export const msflRunTermsSchema = z
  .object({
    job: z.string().regex(/^[0-9a-f]{64}$/, 'must be the job file SHA-256 (64 hex digits)'),
    chainId: z
      .number()
      .int()
      .min(1)
      .max(2 ** 53 - 1),
    contract: address,
    fromBlock: wei,
    pricePerComponent: wei,
    parties: z
      .object({
        requestor: address,
        provider: address,
        owners: z.record(z.string().min(1).max(64), address),
      })
      .strict(),
    rows: z.array(z.number().int().min(0)).min(1).max(100_000),
    scaling: z
      .object({ mean: z.array(z.number()).max(100_000), std: z.array(z.number()).max(100_000) })
      .strict()
      .refine((s) => s.mean.length === s.std.length, 'mean and std must have one entry per feature')
      .optional(),
  })
  .strict()

/** The stored terms of a deployed MS-FL run (see msflRunTermsSchema). */
export type MsflRunTerms = z.infer<typeof msflRunTermsSchema>

/** Parses stored terms read back from a run store; a malformed row is refused naming the field. */
export function parseMsflRunTerms(value: unknown, runId: string): MsflRunTerms {
  return parseStoredStep(msflRunTermsSchema, value, runId, 'msfl-terms')
}

/**
 * The owners' row counts and agreed scaling, stored as soon as they are agreed (before the
 * contract is deployed): a provider restarted before the terms are stored does not ask the
 * owners to agree again.
 */
export const msflAgreementSchema = msflRunTermsSchema.pick({ rows: true, scaling: true }).strict()
export type MsflAgreement = z.infer<typeof msflAgreementSchema>

/**
 * The contract the provider deployed, stored right after its deployment and before anyone is
 * told: a provider restarted before the terms are stored settles on it instead of deploying
 * another, so the terms it sends again are the ones the parties may have accepted already.
 */
export const msflContractSchema = msflRunTermsSchema
  .pick({ chainId: true, contract: true, fromBlock: true, pricePerComponent: true })
  .strict()
export type MsflContract = z.infer<typeof msflContractSchema>

/** Parses one stored step of an MS-FL run (message `kind`); a malformed row is refused naming the field. */
export function parseStoredStep<T>(
  schema: z.ZodType<T>,
  value: unknown,
  runId: string,
  kind: string,
): T {
  const parsed = schema.safeParse(value)
  if (!parsed.success)
    throw new MsflError(
      'STORE',
      `run ${runId}: the stored ${kind} record is malformed (${describeZodError(parsed.error, kind)}); use a new store`,
    )
  return parsed.data
}
