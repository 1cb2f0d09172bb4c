import type { ZodError } from 'zod'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import { MsflError } from '../../core/errors/msflError.ts'

/**
 * A peer's reply parsed with `schema`; otherwise MsflError('PROTOCOL') with the peer's own
 * error message when it sent one, or what is wrong with the reply, prefixed with `from`.
 */
export function expectReply<T>(
  schema: {
    safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError }
  },
  value: unknown,
  from: string,
): T {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const message =
    typeof value === 'object' && value !== null && 'message' in value
      ? String((value as { message: unknown }).message)
      : describeZodError(parsed.error)
  throw new MsflError('PROTOCOL', `${from}: ${message}`)
}
