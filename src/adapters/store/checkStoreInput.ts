import type { z } from 'zod'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { runIdSchema } from '../../core/orchestrator/runIdentifiers.ts'

/** Parses a value the store is asked to write or look up; the error names `what` and the field. */
export function checkStoreInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new MsflError('STORE', describeZodError(parsed.error, what))
  return parsed.data
}

/** A run id the store is asked about, refused with the field named when malformed. */
export function checkRunId(runId: unknown, what = 'runId'): string {
  return checkStoreInput(runIdSchema, runId, what)
}
