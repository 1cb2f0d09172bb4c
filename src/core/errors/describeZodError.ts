import type { z } from 'zod'

/** One line naming the field and the problem, from a zod error. */
export function describeZodError(error: z.ZodError, prefix = ''): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.')
      const where = [prefix, path].filter(Boolean).join('.')
      return where ? `${where}: ${issue.message}` : issue.message
    })
    .join('; ')
}
