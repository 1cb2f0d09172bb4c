import { z } from 'zod'

/** A day in milliseconds. */
export const DAY_MS = 86_400_000

// Certificates are dated five minutes early so a participant whose clock is slightly behind
// the CA's does not refuse a certificate that was just issued.
const CLOCK_SKEW_MS = 5 * 60_000

/** The notBefore of a certificate issued at `now` (ms): five minutes earlier, for clock skew. */
export function backdated(now: number): Date {
  return new Date(now - CLOCK_SKEW_MS)
}

/** A validity in whole days, 1 to 100 years. */
export const validityDaysSchema = z
  .number()
  .int('must be a whole number of days')
  .min(1, 'must be at least 1 day')
  .max(36_500, 'must be at most 36500 days')

/** An instant as registries and manifests store it: ISO 8601 in UTC (`…Z`). */
export const timestampSchema = z.iso.datetime({
  offset: false,
  message: 'must be an ISO 8601 UTC timestamp',
})
